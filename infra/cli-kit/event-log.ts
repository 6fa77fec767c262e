import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FriendEvent } from '../../functions/contract/events';

export const DEFAULT_EVENTS_FILE = '.local/events.jsonl';

/**
 * The local bus's events as JSON lines, each the envelope a subscriber's Lambda receives
 * (`isFriendEvent(line)` holds): written by `npm start`, read by `npm run send -- --expect-event`.
 */
export const appendEvent = (file: string, event: FriendEvent): void => {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(event)}\n`);
};

export const readEvents = (file: string): FriendEvent[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as FriendEvent)
    : [];
