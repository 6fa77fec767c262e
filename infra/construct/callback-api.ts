import type { RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledgeFindings } from './nag-acknowledgements';

export interface CallbackApiProps {
  callbackFunction: lambda.IFunction;
  throttle: { rateLimit: number; burstLimit: number };
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

/**
 * The HTTP API in front of the callback function: one `$default` route, a `$default` stage with
 * throttling and access logs (without the path, which holds the token). Created in `scope` itself,
 * so its resources keep the ids they have in `FriendEvents`.
 */
export const createCallbackApi = (scope: Construct, props: CallbackApiProps) => {
  const httpApi = new apigwv2.HttpApi(scope, 'Api', {
    description: 'OpenIM friend callbacks',
    // One catch-all ($default) route: API Gateway's own error bodies are JSON objects that
    // OpenIM would decode as success, so every request, even a malformed path, must reach
    // the function, which answers in OpenIM's format (and counts it).
    defaultIntegration: new HttpLambdaIntegration('Callback', props.callbackFunction),
    createDefaultStage: false,
  });
  acknowledgeFindings(httpApi, 'AwsSolutions-APIG4');
  const stage = new apigwv2.HttpStage(scope, 'Stage', {
    httpApi,
    stageName: '$default',
    autoDeploy: true,
    throttle: props.throttle,
    accessLogSettings: {
      destination: new apigwv2.LogGroupLogDestination(
        new logs.LogGroup(scope, 'AccessLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy }),
      ),
      // No path: it holds the callback token.
      format: apigw.AccessLogFormat.custom(
        JSON.stringify({
          requestId: '$context.requestId',
          ip: '$context.identity.sourceIp',
          requestTime: '$context.requestTime',
          method: '$context.httpMethod',
          status: '$context.status',
          responseLength: '$context.responseLength',
          latencyMs: '$context.responseLatency',
          integrationStatus: '$context.integrationStatus',
          integrationError: '$context.integrationErrorMessage',
          userAgent: '$context.identity.userAgent',
        }),
      ),
    },
  });
  return { httpApi, stage };
};
