import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  DEFAULT_EVENT_SOURCE,
  FRIEND_DETAIL_TYPES,
  FRIENDSHIP_CREATED_DETAIL_TYPES,
  type FriendDetailType,
} from '../functions/contract/events';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../functions/contract/metrics';
import { BundledFunction, functionEntry } from './bundled-function';
import { allowSubscribers, type SubscriberAccess } from './bus-access';
import { FriendEventSchemas } from './event-schemas';
import { FriendEventsAlarms } from './friend-events-alarms';
import { FriendEventsDashboard } from './friend-events-dashboard';
import { acknowledgeFindings } from './nag-acknowledgements';

export interface FriendEventsProps {
  /** Publish to this bus instead of creating one. */
  readonly eventBus?: events.IEventBus;
  /** `source` of every event. @default 'openim' */
  readonly eventSource?: string;
  /** URL path before the token. @default 'openim' */
  readonly pathPrefix?: string;
  /** An existing secret holding the callback token (its whole SecretString). @default a generated one */
  readonly tokenSecret?: secretsmanager.ISecret;
  /** Only these CIDRs (IPv4 or IPv6) may call; others get 403. @default any source */
  readonly allowedSourceCidrs?: string[];
  /** Larger bodies get 413. @default 2 MiB */
  readonly maxBodyBytes?: number;
  /** Stage throttling; a throttled callback is lost, so keep these above OpenIM's peak. @default 1000 rps, burst 2000 */
  readonly throttle?: { rateLimit: number; burstLimit: number };
  /** Everything (retries, parking) ends within this time; keep it well under OpenIM's 5 s timeout. @default 2.5 s */
  readonly replyBudget?: Duration;
  /** How long the bus archive keeps events for replay. @default 30 days */
  readonly archiveRetention?: Duration;
  /** @default one month */
  readonly logRetention?: logs.RetentionDays;
  /** Alarms notify this topic. */
  readonly alarmTopic?: sns.ITopic;
  /** Alarms notify this address (a topic is created). */
  readonly alarmEmail?: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default Node.js 22 */
  readonly runtime?: lambda.Runtime;
  /** Other AWS accounts, or an organization, allowed to create rules on the bus. */
  readonly subscriberAccess?: SubscriberAccess;
  /** AWS X-Ray tracing of the function and its AWS calls; costs cold-start time. @default false */
  readonly tracing?: boolean;
  /** Name of the EventBridge schema registry. @default `<stack name>-openim-friend-events` */
  readonly schemaRegistryName?: string;
}

/**
 * The product: an HTTP endpoint for OpenIM's friend callbacks that publishes them to an
 * EventBridge bus, with a dead-letter queue for what cannot be published, an archive for
 * replay, a generated callback token, alarms, and least-privilege permissions.
 */
export class FriendEvents extends Construct {
  readonly eventBus: events.IEventBus;
  readonly eventSource: string;
  readonly deadLetterQueue: sqs.Queue;
  readonly tokenSecret: secretsmanager.ISecret;
  readonly callbackFunction: lambda.IFunction;
  readonly httpApi: apigwv2.HttpApi;
  readonly archive: events.Archive;
  readonly alarms: FriendEventsAlarms;
  readonly schemas: FriendEventSchemas;
  readonly dashboard: FriendEventsDashboard;
  /** `https://<api>/<prefix>`: the callback URL is this plus `/<token>`. */
  readonly callbackBaseUrl: string;

  constructor(scope: Construct, id: string, props: FriendEventsProps = {}) {
    super(scope, id);
    this.eventSource = props.eventSource ?? DEFAULT_EVENT_SOURCE;
    const pathPrefix = (props.pathPrefix ?? 'openim').replace(/^\/+|\/+$/g, '');
    const replyBudget = props.replyBudget ?? Duration.millis(2_500);

    this.eventBus = props.eventBus ?? new events.EventBus(this, 'Bus', { description: 'OpenIM friend events' });
    this.archive = new events.Archive(this, 'Archive', {
      sourceEventBus: this.eventBus,
      description: 'Every OpenIM friend event, for replay',
      eventPattern: { source: [this.eventSource] },
      retention: props.archiveRetention ?? Duration.days(30),
    });

    this.schemas = new FriendEventSchemas(this, 'Schemas', {
      source: this.eventSource,
      registryName: props.schemaRegistryName ?? `${Stack.of(this).stackName}-openim-friend-events`,
    });
    allowSubscribers(this.eventBus, props.subscriberAccess ?? {});

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.tokenSecret =
      props.tokenSecret ??
      new secretsmanager.Secret(this, 'CallbackToken', {
        description: 'Path token of the OpenIM callback URL (npm run callback-url prints the URL)',
        // 43 characters of [A-Za-z0-9]: about 256 bits, URL-safe without escaping.
        generateSecretString: { passwordLength: 43, excludePunctuation: true, includeSpace: false },
      });

    const callback = new BundledFunction(this, 'Callback', {
      entry: functionEntry('openim-callback/handler.ts'),
      description: 'OpenIM friend callbacks to EventBridge (openim-friend-events)',
      runtime: props.runtime ?? lambda.Runtime.NODEJS_22_X,
      memorySize: props.memorySize ?? 512,
      // Well above the reply budget, so the function always gets to reply (and to park) itself.
      timeout: Duration.seconds(Math.max(10, Math.ceil(replyBudget.toMilliseconds() / 1000) + 5)),
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      tracing: props.tracing ?? false,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        EVENT_BUS_NAME: this.eventBus.eventBusName,
        EVENT_SOURCE: this.eventSource,
        CALLBACK_PATH_PREFIX: pathPrefix,
        // The secret's ARN, never its value: the function reads the token at cold start.
        CALLBACK_TOKEN_SECRET_ID: this.tokenSecret.secretArn,
        DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
        ALLOWED_SOURCE_CIDRS: (props.allowedSourceCidrs ?? []).join(','),
        MAX_BODY_BYTES: String(props.maxBodyBytes ?? 2 * 1024 * 1024),
        REPLY_BUDGET_MS: String(replyBudget.toMilliseconds()),
      },
    });
    this.callbackFunction = callback.function;
    this.grantLeastPrivilege(callback.role);

    this.httpApi = new apigwv2.HttpApi(this, 'Api', {
      description: 'OpenIM friend callbacks',
      // One catch-all ($default) route: API Gateway's own error bodies are JSON objects that
      // OpenIM would decode as success, so every request, even a malformed path, must reach
      // the function, which answers in OpenIM's format (and counts it).
      defaultIntegration: new HttpLambdaIntegration('Callback', callback.function),
      createDefaultStage: false,
    });
    const throttle = props.throttle ?? { rateLimit: 1_000, burstLimit: 2_000 };
    const stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(
          new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH }),
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
    this.callbackBaseUrl = `${stage.url}${pathPrefix}`;

    this.alarms = new FriendEventsAlarms(this, 'Alarms', {
      callbackFunction: callback.function,
      deadLetterQueue: this.deadLetterQueue,
      ...(props.alarmTopic ? { topic: props.alarmTopic } : {}),
      ...(props.alarmEmail ? { email: props.alarmEmail } : {}),
    });
    this.dashboard = new FriendEventsDashboard(this, 'Dashboard', {
      callbackFunction: callback.function,
      deadLetterQueue: this.deadLetterQueue,
    });
    acknowledgeFindings(this, 'AwsSolutions-APIG4', 'AwsSolutions-SMG4', 'AwsSolutions-SQS3', 'AwsSolutions-SNS2');
  }

  /** The event pattern of these detail-types from this product's source. */
  eventPattern(detailTypes: readonly FriendDetailType[] = FRIEND_DETAIL_TYPES): events.EventPattern {
    return { source: [this.eventSource], detailType: [...detailTypes] };
  }

  /** A rule on the bus that delivers events of these detail-types to `target`. */
  subscribe(id: string, detailTypes: readonly FriendDetailType[], target: events.IRuleTarget): events.Rule {
    return new events.Rule(this, id, {
      eventBus: this.eventBus,
      description: `OpenIM friend events: ${detailTypes.join(', ')}`,
      eventPattern: this.eventPattern(detailTypes),
      targets: [target],
    });
  }

  /** Friend requests sent (no friendship yet): `AfterAddFriend`. */
  onFriendRequest(id: string, target: events.IRuleTarget): events.Rule {
    return this.subscribe(id, ['AfterAddFriend'], target);
  }

  /** New friendships: an accepted request or an admin import. */
  onFriendshipCreated(id: string, target: events.IRuleTarget): events.Rule {
    return this.subscribe(id, FRIENDSHIP_CREATED_DETAIL_TYPES, target);
  }

  /** Friends removed: `AfterDeleteFriend` (one-way: only the owner's list changed). */
  onFriendshipEnded(id: string, target: events.IRuleTarget): events.Rule {
    return this.subscribe(id, ['AfterDeleteFriend'], target);
  }

  /** Remarks set or cleared: `AfterSetFriendRemark`. */
  onFriendRemarkChanged(id: string, target: events.IRuleTarget): events.Rule {
    return this.subscribe(id, ['AfterSetFriendRemark'], target);
  }

  /** Users taken off a blacklist: `AfterRemoveBlack` (OpenIM v3.8.1+). */
  onUnblocked(id: string, target: events.IRuleTarget): events.Rule {
    return this.subscribe(id, ['AfterRemoveBlack'], target);
  }

  private grantLeastPrivilege(role: iam.Role): void {
    // PutEvents on this bus only, and only with our source and detail-types.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        conditions: {
          StringEquals: { 'events:source': this.eventSource, 'events:detail-type': [...FRIEND_DETAIL_TYPES] },
        },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
    this.tokenSecret.grantRead(role);
  }
}
