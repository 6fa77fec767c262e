import type { WireReply } from './aws-wire';
import { envelopeOf, LOCAL_ACCOUNT, LOCAL_REGION } from './event-envelope';
import { type EventPattern, InvalidEventPatternError, matchesEventPattern, parseEventPattern } from './event-pattern';
import type { StoredEvent } from './eventbridge-bus';
import { policyAllowsSend } from './sqs-policy';

/**
 * Rules of the loopback EventBridge made through its API (PutRule, PutTargets, RemoveTargets,
 * DeleteRule), as `npm run send --expect-event` makes a temporary one: an event that matches an
 * enabled rule's pattern goes to each of its SQS targets as the envelope a subscriber receives,
 * when the queue exists and its policy lets EventBridge send for that rule, as on AWS. What
 * EventBridge could not deliver is recorded in `undelivered` (AWS would retry, then drop it or
 * send it to the target's dead-letter queue).
 */

/** What the rules need from the emulator's SQS. */
export interface RuleQueues {
  urlOf(arn: string): string | undefined;
  policyOf(url: string): string | undefined;
  enqueue(url: string, body: string): void;
}

interface Rule {
  name: string;
  eventBusName: string;
  arn: string;
  pattern: EventPattern;
  enabled: boolean;
  targets: Map<string, string>;
}

/** AWS allows 5 targets per rule. */
const MAX_TARGETS = 5;

const error = (type: string, message: string): WireReply => [400, { __type: type, message }];

const busOf = (body: Record<string, unknown>): string => String(body.EventBusName ?? 'default');

export class EventBridgeRules {
  readonly undelivered: { rule: string; target: string; reason: string }[] = [];
  private readonly rules = new Map<string, Rule>();

  constructor(private readonly queues: RuleQueues) {}

  /** The rules on a bus (the tests look for leftovers). */
  names(eventBusName: string): string[] {
    return [...this.rules.values()].filter((rule) => rule.eventBusName === eventBusName).map((rule) => rule.name);
  }

  putRule(body: Record<string, unknown>): WireReply {
    const name = String(body.Name ?? '');
    if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(name)) return error('ValidationException', 'Rule name is invalid.');
    if (typeof body.EventPattern !== 'string') {
      return error('ValidationException', 'Parameter(s) EventPattern must be specified (schedules are not modelled).');
    }
    let pattern: EventPattern;
    try {
      pattern = parseEventPattern(body.EventPattern);
    } catch (failure) {
      if (failure instanceof InvalidEventPatternError) return error(failure.name, failure.message);
      throw failure;
    }
    const eventBusName = busOf(body);
    const arn = `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${eventBusName === 'default' ? '' : `${eventBusName}/`}${name}`;
    const existing = this.rules.get(arn);
    this.rules.set(arn, {
      name,
      eventBusName,
      arn,
      pattern,
      enabled: body.State !== 'DISABLED',
      targets: existing?.targets ?? new Map(),
    });
    return [200, { RuleArn: arn }];
  }

  putTargets(body: Record<string, unknown>): WireReply {
    const rule = this.find(String(body.Rule), busOf(body));
    if (!rule) return this.missing(body.Rule, body);
    const targets = (body.Targets ?? []) as { Id?: string; Arn?: string }[];
    if (new Set([...rule.targets.keys(), ...targets.map((target) => String(target.Id))]).size > MAX_TARGETS) {
      return error(
        'LimitExceededException',
        `The requested resource exceeds the maximum number allowed (${MAX_TARGETS}).`,
      );
    }
    for (const target of targets) rule.targets.set(String(target.Id), String(target.Arn));
    return [200, { FailedEntryCount: 0, FailedEntries: [] }];
  }

  removeTargets(body: Record<string, unknown>): WireReply {
    const rule = this.find(String(body.Rule), busOf(body));
    if (!rule) return this.missing(body.Rule, body);
    for (const id of (body.Ids ?? []) as string[]) rule.targets.delete(String(id));
    return [200, { FailedEntryCount: 0, FailedEntries: [] }];
  }

  /** As on AWS: deleting a rule that does not exist succeeds; one that still has targets does not. */
  deleteRule(body: Record<string, unknown>): WireReply {
    const rule = this.find(String(body.Name), busOf(body));
    if (!rule) return [200, {}];
    if (rule.targets.size > 0) return error('ValidationException', "Rule can't be deleted since it has targets.");
    this.rules.delete(rule.arn);
    return [200, {}];
  }

  /** For every event the bus accepts. */
  readonly deliver = (stored: StoredEvent): void => {
    const envelope = envelopeOf(stored);
    for (const rule of this.rules.values()) {
      if (!rule.enabled || rule.eventBusName !== stored.eventBusName) continue;
      if (!matchesEventPattern(rule.pattern, envelope)) continue;
      for (const [id, arn] of rule.targets) {
        const url = this.queues.urlOf(arn);
        const reason = !url
          ? 'the target is not a queue of this emulator'
          : policyAllowsSend(this.queues.policyOf(url), {
                principalService: 'events.amazonaws.com',
                queueArn: arn,
                sourceArn: rule.arn,
              })
            ? undefined
            : "the queue's policy does not let EventBridge send for this rule";
        if (url && !reason) this.queues.enqueue(url, JSON.stringify(envelope));
        else this.undelivered.push({ rule: rule.name, target: id, reason: reason ?? '' });
      }
    }
  };

  private find(name: string, eventBusName: string): Rule | undefined {
    return [...this.rules.values()].find((rule) => rule.name === name && rule.eventBusName === eventBusName);
  }

  private missing(name: unknown, body: Record<string, unknown>): WireReply {
    return error('ResourceNotFoundException', `Rule ${String(name)} does not exist on EventBus ${busOf(body)}.`);
  }
}
