/**
 * SDK client settings shared by the adapters. Endpoints are never set here: the SDK reads
 * `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>` itself, so the deployed bundle runs
 * unchanged against local endpoints. Retries are ours (within the reply budget), so the SDK
 * makes exactly one attempt per call, bounded by explicit timeouts.
 */
export const singleAttemptClientConfig = (timeoutMs: number) => ({
  maxAttempts: 1,
  // No shorter cap on connecting: the call's own bound covers it, and on a busy event loop a
  // separate connect timer can fire before the 'connect' event of a socket that did connect.
  requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
});

/** A short reason for logs and parked messages: the error's name and message, never its stack. */
export const describeAwsError = (error: unknown): string => {
  if (error instanceof Error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const text = `${error.name}${status ? ` (HTTP ${status})` : ''}: ${error.message}`;
    return text.length > 300 ? `${text.slice(0, 300)}...` : text;
  }
  return String(error);
};

/** An abort signal for one call; AbortSignal.timeout takes only whole milliseconds (at least 1). */
export const timeoutSignal = (ms: number): AbortSignal => AbortSignal.timeout(Math.max(1, Math.ceil(ms)));
