import { openImRequest } from '../../openim-sender-simulator/openim-request';
import { sendCallback } from '../../openim-sender-simulator/send-callback';

/**
 * The after-callbacks the stand-in's writes fire, posted as OpenIM v3.7+ posts them (the wire
 * format of `infra/openim-sender-simulator/`): `<callbackUrl>/<command>`, the write's operationID
 * in the header, one try, no retry, errors ignored, two workers (so no ordering). Unlike OpenIM,
 * the queue never fills up and drops by itself; tests and users drop chosen callbacks instead.
 */
export type CallbackBody = Record<string, unknown> & { callbackCommand: string };

export interface DeliveredCallback {
  body: CallbackBody;
  /** HTTP status, or the error's message when the POST failed. */
  result: number | string;
}

const WORKERS = 2;
const TIMEOUT_MS = 5_000;

export class Webhooks {
  readonly delivered: DeliveredCallback[] = [];
  readonly dropped: CallbackBody[] = [];
  private readonly queue: { body: CallbackBody; operationID: string }[] = [];
  private readonly dropRules: { command: string | '*'; remaining: number }[] = [];
  private working = 0;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly callbackUrl: string) {}

  /** The next `count` callbacks of `command` ('*': any) are lost on the way. */
  drop(command: string | '*', count = 1): void {
    this.dropRules.push({ command, remaining: count });
  }

  fire(body: CallbackBody, operationID: string): void {
    const rule = this.dropRules.find(
      (candidate) =>
        candidate.remaining > 0 && (candidate.command === '*' || candidate.command === body.callbackCommand),
    );
    if (rule) {
      rule.remaining--;
      this.dropped.push(body);
      return;
    }
    this.queue.push({ body, operationID });
    while (this.working < WORKERS && this.queue.length > 0) void this.work();
  }

  /** Resolves once every fired callback has been posted (or failed). */
  idle(): Promise<void> {
    if (this.working === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async work(): Promise<void> {
    this.working++;
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
      const request = openImRequest('v3.7+', this.callbackUrl, next.body, next.operationID);
      try {
        const response = await sendCallback(request, TIMEOUT_MS);
        this.delivered.push({ body: next.body, result: response.status });
      } catch (error) {
        this.delivered.push({ body: next.body, result: error instanceof Error ? error.message : String(error) });
      }
    }
    this.working--;
    if (this.working === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
