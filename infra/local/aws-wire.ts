import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Wire-level helpers of the loopback AWS endpoint: bodies, signatures, JSON and XML answers. */

export const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** An AWS JSON protocol request body (`{}` when empty), or undefined when it is not JSON. */
export const parseJsonBody = (raw: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(raw || '{}') as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

/** An answer of the AWS JSON protocol: status, body and extra headers. */
export type WireReply = [status: number, body: unknown, headers?: Record<string, string>];

/** An AWS JSON protocol answer. */
export const reply = (
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  if (response.destroyed) return;
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(JSON.stringify(body));
};

/** An AWS Query protocol answer. */
export const replyXml = (response: ServerResponse, status: number, xml: string): void => {
  response.writeHead(status, { 'content-type': 'text/xml' });
  response.end(xml);
};

/** The service name in the SigV4 credential scope: proves the SDK signed it as that service. */
export const signingService = (request: IncomingMessage): string | undefined =>
  /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\/aws4_request/.exec(String(request.headers.authorization))?.[1];

/**
 * An SQS error as SQS's JSON protocol sends it: the SDK takes the error name from the
 * `x-amzn-query-error` header (the code of the older Query protocol), so it raises the same class.
 */
export const sqsError = (code: string, message: string, type = `com.amazonaws.sqs#${code}`): WireReply => [
  400,
  { __type: type, message },
  { 'x-amzn-query-error': `${code};Sender` },
];

export const queueMissing = (): WireReply => sqsError('QueueDoesNotExist', 'The specified queue does not exist.');

/** The SQS client checks the MD5 of every message body it sends or receives. */
export const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

const xml = (text: string): string => text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);

export const queryErrorXml = (code: string, message: string): string =>
  `<ErrorResponse><Error><Type>Sender</Type><Code>${xml(code)}</Code><Message>${xml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;

export const describeStacksXml = (name: string, outputs: Record<string, string>): string => {
  const members = Object.entries(outputs)
    .map(
      ([key, value]) => `<member><OutputKey>${xml(key)}</OutputKey><OutputValue>${xml(value)}</OutputValue></member>`,
    )
    .join('');
  return `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${xml(name)}</StackName><StackId>arn:aws:cloudformation:us-east-1:000000000000:stack/${xml(name)}/1</StackId><CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></DescribeStacksResponse>`;
};
