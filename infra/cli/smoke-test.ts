import { readEvents } from '../local/event-log';
import { decodeOpenImReply, isSuccess, ReplyDecodeError } from '../openim-sender-simulator/openim-reply';
import {
  type OpenImVersion,
  openImRequest,
  type SampleCommand,
  sampleBody,
} from '../openim-sender-simulator/openim-request';
import { sendCallback } from '../openim-sender-simulator/send-callback';
import { maskCallbackUrl } from './mask-token';

export type { SampleCommand };

export interface SmokeTestOptions {
  /** The callback URL as configured in OpenIM (with the token). */
  url: string;
  command: SampleCommand;
  version: OpenImVersion;
  operationID: string;
  /** How long to wait for the reply. */
  timeoutMs: number;
  /** With the local server: also wait for the event in its JSON-lines file, this long after the reply. */
  expectEventIn?: string;
  eventTimeoutMs?: number;
}

/** Sends one callback as a real OpenIM server would and judges the reply as OpenIM does. */
export const smokeTest = async (options: SmokeTestOptions): Promise<{ pass: boolean; lines: string[] }> => {
  const request = openImRequest(
    options.version,
    options.url,
    sampleBody(options.version, options.command),
    options.operationID,
  );
  const shown = maskCallbackUrl(request.url, options.url);
  const lines = [`POST ${shown} (OpenIM ${options.version} wire format, operationID ${options.operationID})`];
  let response: Awaited<ReturnType<typeof sendCallback>>;
  try {
    response = await sendCallback(request, options.timeoutMs);
  } catch (error) {
    lines.push(`FAIL: ${error instanceof Error ? error.message : String(error)}`);
    return { pass: false, lines };
  }
  lines.push(`reply: HTTP ${response.status} in ${response.latencyMs.toFixed(1)} ms: ${response.body.trim()}`);
  try {
    const reply = decodeOpenImReply(response.body);
    if (!isSuccess(reply)) {
      lines.push(`FAIL: OpenIM reads this as an error (errCode ${reply.errCode}: ${reply.errMsg}; ${reply.errDlt})`);
      return { pass: false, lines };
    }
  } catch (error) {
    const reason = error instanceof ReplyDecodeError ? error.message : String(error);
    lines.push(`FAIL: OpenIM cannot decode this reply (its error 90007): ${reason}`);
    return { pass: false, lines };
  }
  lines.push('PASS: OpenIM reads this reply as success');
  if (options.expectEventIn) {
    const event = await waitForEvent(
      options.expectEventIn,
      options.operationID,
      options.eventTimeoutMs ?? options.timeoutMs,
    );
    if (!event) {
      lines.push(
        `FAIL: no event with operationID ${options.operationID} reached the local bus (${options.expectEventIn})`,
      );
      return { pass: false, lines };
    }
    lines.push(`PASS: ${event.detailType} event reached bus ${event.eventBusName}`);
  }
  return { pass: true, lines };
};

const waitForEvent = async (file: string, operationID: string, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  do {
    const event = readEvents(file).find((candidate) => candidate.detail.operationID === operationID);
    if (event) return event;
    await new Promise((resolve) => setTimeout(resolve, 50));
  } while (Date.now() < deadline);
  return undefined;
};
