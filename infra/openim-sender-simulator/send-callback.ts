import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { OpenImRequest } from './openim-request';

export interface CallbackResponse {
  status: number;
  contentType: string | undefined;
  body: string;
  latencyMs: number;
}

/** POSTs a callback as OpenIM's Go client does (header names and order kept). */
export const sendCallback = (openIm: OpenImRequest, timeoutMs = 5_000): Promise<CallbackResponse> =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const url = new URL(openIm.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, { method: 'POST', timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          contentType: response.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
          latencyMs: performance.now() - started,
        }),
      );
      response.on('error', reject);
    });
    for (const [name, value] of openIm.headers) request.setHeader(name, value);
    request.on('timeout', () => request.destroy(new Error(`no reply within ${timeoutMs} ms (OpenIM's timeout)`)));
    request.on('error', reject);
    request.end(openIm.body);
  });
