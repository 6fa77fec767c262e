import type { FriendEvent } from '../../functions/contract/events';
import type { StoredEvent } from './aws-emulator';

/**
 * EventBridge rules of the local bus: an event that matches a rule's source and detail-types is
 * delivered to its target as the Lambda envelope a subscriber receives, asynchronously, as
 * EventBridge invokes a Lambda target. A target that throws is tried again twice (Lambda's
 * asynchronous retries); what still fails goes to `onFailure` (the deployed subscriber's
 * failed-events queue), never dropped.
 */
export interface LocalRule {
  name: string;
  eventBusName: string;
  source: string;
  detailTypes: readonly string[];
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
    for (const rule of this.rules) {
      if (stored.eventBusName !== rule.eventBusName || stored.source !== rule.source) continue;
      if (!rule.detailTypes.includes(stored.detailType)) continue;
      const delivery = this.invoke(rule, envelopeOf(stored)).finally(() => this.inFlight.delete(delivery));
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

/** What EventBridge hands a Lambda target. */
export const envelopeOf = (stored: StoredEvent): FriendEvent =>
  ({
    version: '0',
    id: stored.eventId,
    'detail-type': stored.detailType,
    source: stored.source,
    account: '000000000000',
    time: stored.time ?? new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: stored.detail,
  }) as unknown as FriendEvent;
