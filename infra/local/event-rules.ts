import type { FriendEvent } from '../../functions/contract/events';
import { envelopeOf } from './event-envelope';
import { type EventPattern, matchesEventPattern } from './event-pattern';
import type { StoredEvent } from './eventbridge-bus';

/**
 * Rules of the local bus whose targets are functions in this process (the friend graph, a
 * subscriber given to `npm start`): an event that matches a rule's pattern, by EventBridge's
 * matching, is delivered to its target as the Lambda envelope a subscriber receives,
 * asynchronously, as EventBridge invokes a Lambda target. A target that throws is tried again
 * twice (Lambda's asynchronous retries); what still fails goes to `onFailure` (the deployed
 * subscriber's failed-events queue), never dropped. (Rules with SQS targets, made through
 * PutRule and PutTargets, are `eventbridge-rules.ts`.)
 */
export interface LocalRule {
  name: string;
  eventBusName: string;
  pattern: EventPattern;
  target: (event: FriendEvent) => Promise<unknown>;
  onFailure: (event: FriendEvent, error: unknown) => void;
}

/** Lambda tries an asynchronous invocation twice more after it fails (1 and 2 minutes later; seconds here). */
const RETRY_DELAYS_MS = [1_000, 2_000];

export class LocalRules {
  private readonly rules: LocalRule[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly retryDelaysMs: readonly number[] = RETRY_DELAYS_MS) {}

  add(rule: LocalRule): void {
    this.rules.push(rule);
  }

  /** For `AwsEmulator.onEvent`. */
  readonly deliver = (stored: StoredEvent): void => {
    const envelope = envelopeOf(stored);
    for (const rule of this.rules) {
      if (stored.eventBusName !== rule.eventBusName || !matchesEventPattern(rule.pattern, envelope)) continue;
      const delivery = this.invoke(rule, envelope).finally(() => this.inFlight.delete(delivery));
      this.inFlight.add(delivery);
    }
  };

  /** Resolves once every delivery started so far has ended (applied, or handed to `onFailure`). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async invoke(rule: LocalRule, event: FriendEvent): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await rule.target(event);
        return;
      } catch (error) {
        const delay = this.retryDelaysMs[attempt];
        if (delay === undefined) return rule.onFailure(event, error);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
