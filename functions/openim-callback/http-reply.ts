import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { StatusAndReply } from '../openim/reply';

/** The HTTP response API Gateway sends back: always JSON, always the five-key reply. */
export const toHttpResponse = ({ statusCode, reply }: StatusAndReply): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(reply),
});
