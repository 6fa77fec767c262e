import { request as httpRequest } from 'node:http';
import type { ServiceHandler } from './aws-emulator';

/**
 * DynamoDB on the loopback endpoint: requests (`X-Amz-Target: DynamoDB_20120810.*`) are passed
 * to a real DynamoDB implementation (dynalite) unchanged, and its answers back, so the functions
 * and the CLIs find every service at one `AWS_ENDPOINT_URL`.
 */
export const dynamoDbProxy =
  (dynamoDbEndpoint: string): ServiceHandler =>
  ({ raw, request, response }) =>
    new Promise<void>((resolve) => {
      const target = new URL(dynamoDbEndpoint);
      const forwarded = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: target.host, 'content-length': Buffer.byteLength(raw) },
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(response);
          answer.on('end', resolve);
        },
      );
      forwarded.on('error', (error) => {
        if (!response.headersSent) {
          response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
          response.end(JSON.stringify({ __type: 'InternalServerError', message: `local DynamoDB: ${error.message}` }));
        }
        resolve();
      });
      forwarded.end(raw);
    });
