import { existsSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FriendEvent, SnapshotEvent } from '../../functions/contract/events';
import { checkSubscriberName, friendEventPattern } from '../../functions/contract/rule-pattern';
import { EXIT } from '../cli-kit/cli-args';
import { CliError } from '../cli-kit/cli-errors';
import { type EventPattern, InvalidEventPatternError, parseEventPattern } from './event-pattern';
import { lambdaContext } from './lambda-context';

/**
 * A subscriber's own handler module run by `npm start -- --subscriber ./path/handler.ts[#export]`:
 * loaded in this process and fed by a rule on the local bus, with the envelope and a Lambda
 * context, as EventBridge invokes its Lambda.
 */
export type SubscriberHandler = (event: FriendEvent | SnapshotEvent) => Promise<unknown>;

export interface LocalSubscriber {
  /** As given: `./path/handler.ts#handler`. */
  name: string;
  /** Its subscriber name, the one `npm run snapshot -- --local --for <name>` addresses. */
  subscriberName: string;
  handler: SubscriberHandler;
  pattern: EventPattern;
  /** The pattern as JSON, for the banner. */
  patternJson: string;
}

/** `path[#export]`, the export `handler` when none is named (pure). */
export const parseSubscriberSpec = (spec: string): { path: string; exportName: string } => {
  const hash = spec.lastIndexOf('#');
  return hash > 0
    ? { path: spec.slice(0, hash), exportName: spec.slice(hash + 1) }
    : { path: spec, exportName: 'handler' };
};

/**
 * The subscriber's name: `--name`, else the module file's base name (`./src/mine.ts` is `mine`).
 * One that cannot be a subscriber name is a usage error saying which option to use.
 */
export const subscriberNameOf = (spec: string, name?: string): string => {
  const { path } = parseSubscriberSpec(spec);
  const chosen = name ?? basename(path, extname(path));
  try {
    return checkSubscriberName(chosen, name === undefined ? `--subscriber's file name` : '--name');
  } catch (error) {
    const hint = name === undefined ? '; give one with --name <name>' : '';
    throw new CliError(`${(error as Error).message}${hint}`, EXIT.usage);
  }
};

/**
 * The default pattern: every friend event of this source, test traffic included, since local
 * traffic is all test traffic (`npm run send` marks what it sends synthetic); and the snapshots
 * addressed to this subscriber's name, never another's.
 */
export const defaultSubscriberPattern = (source: string, subscriberName: string): string =>
  JSON.stringify(friendEventPattern({ source, includeSynthetic: true, snapshotsFor: subscriberName }));

/** Loads the module and checks the pattern; a mistake is a one-line usage error. */
export const loadSubscriber = async (
  spec: string,
  subscriberName: string,
  patternJson: string,
  cwd = process.cwd(),
): Promise<LocalSubscriber> => {
  const { path, exportName } = parseSubscriberSpec(spec);
  let pattern: EventPattern;
  try {
    pattern = parseEventPattern(patternJson);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) throw new CliError(`--pattern: ${error.message}`, EXIT.usage);
    throw error;
  }
  const file = resolve(cwd, path);
  if (!existsSync(file)) throw new CliError(`--subscriber: there is no file ${file}`, EXIT.usage);
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const handler = module[exportName];
  if (typeof handler !== 'function') {
    const functions = Object.keys(module).filter((name) => typeof module[name] === 'function');
    throw new CliError(
      `--subscriber: ${path} has no exported function ${exportName} (its functions: ${functions.join(', ') || 'none'}); name one with ${path}#<export>`,
      EXIT.usage,
    );
  }
  const invoke = handler as (event: FriendEvent | SnapshotEvent, context: unknown) => unknown;
  return {
    name: `${path}#${exportName}`,
    subscriberName,
    handler: async (event) => invoke(event, lambdaContext('local-subscriber', 60_000)),
    pattern,
    patternJson,
  };
};
