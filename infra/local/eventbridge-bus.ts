import { randomUUID } from 'node:crypto';
import { putEventsViolation } from './aws-limits';
import type { WireReply } from './aws-wire';
import type { Fault } from './fault-control';

/** An event the loopback EventBridge accepted. */
export interface StoredEvent {
  eventId: string;
  eventBusName: string;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  /** The entry's `Time`, or when the bus accepted it (as EventBridge sets an absent one). */
  time: string;
  /** The entry's `Resources` (ARNs), `[]` when none. */
  resources: string[];
}

/**
 * The loopback EventBridge's PutEvents: AWS's request limits, the faults that depend on the
 * entries of a request (failed entries with an error code, a whole request refused because of
 * one entry), and the events it accepted.
 */
export class EventBridgeBus {
  readonly events: StoredEvent[] = [];
  private readonly listeners: ((event: StoredEvent) => void)[] = [];

  onEvent(listener: (event: StoredEvent) => void): void {
    this.listeners.push(listener);
  }

  /** PutEvents under `fault`; faults that do not depend on the entries are applied by the caller. */
  putEvents(body: Record<string, unknown>, fault: Fault | undefined): WireReply {
    const entries = (body.Entries ?? []) as Record<string, unknown>[];
    if (typeof fault === 'object' && 'denyRequestIf' in fault && entries.some(fault.denyRequestIf)) {
      const message =
        'User is not authorized to perform: events:PutEvents on resource because no identity-based policy allows it';
      return [400, { __type: 'AccessDeniedException', message }];
    }
    const violation = putEventsViolation(entries);
    if (violation) return [400, { __type: 'ValidationException', message: violation }];
    const results = entries.map((entry) => {
      const errorCode = failedEntryCode(fault, entry);
      if (errorCode) return { ErrorCode: errorCode, ErrorMessage: 'injected failure' };
      const event: StoredEvent = {
        eventId: randomUUID(),
        eventBusName: String(entry.EventBusName ?? 'default'),
        source: String(entry.Source),
        detailType: String(entry.DetailType),
        detail: JSON.parse(String(entry.Detail)) as Record<string, unknown>,
        time: new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : Date.now()).toISOString(),
        resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
      };
      this.events.push(event);
      for (const listener of this.listeners) listener(event);
      return { EventId: event.eventId };
    });
    return [200, { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results }];
  }
}

/** The per-entry error code `fault` gives this entry in an HTTP 200 answer, if any. */
const failedEntryCode = (fault: Fault | undefined, entry: Record<string, unknown>): string | undefined => {
  if (fault === 'failed-entries') return 'InternalFailure';
  if (typeof fault === 'object' && 'failEntry' in fault && fault.failEntry(entry)) {
    return fault.errorCode ?? 'InternalFailure';
  }
  return undefined;
};
