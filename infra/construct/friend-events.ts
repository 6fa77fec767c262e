import { Duration, type RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENTRY_POINTS } from '../../functions/contract/deployment';
import {
  CALLBACK_DETAIL_TYPES,
  FRIEND_DETAIL_TYPES,
  FRIENDSHIP_CREATED_DETAIL_TYPES,
  type FriendDetailType,
} from '../../functions/contract/events';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/contract/metrics';
import { friendEventPattern } from '../../functions/contract/rule-pattern';
import { BundledFunction, DEFAULT_RUNTIME, functionEntry } from './bundled-function';
import { allowSubscribers } from './bus-access';
import { createCallbackApi } from './callback-api';
import { addCliOutputs, type CliOutput, checkCliOutputsFree } from './cli-outputs';
import { FriendEventSchemas } from './event-schemas';
import { FriendEventsAlarms } from './friend-events-alarms';
import { FriendEventsDashboard } from './friend-events-dashboard';
import type { FriendEventsProps, SubscribeOptions } from './friend-events-props';
import { resolveSettings } from './friend-events-settings';
import { acknowledgeFindings } from './nag-acknowledgements';
import { createRetryDrainer, createRetryQueues } from './retry-path';

/** The outputs the `--stack` commands read (`callback-url`, `send`, `redrive`, ...), by their keys. */
const CLI_OUTPUT_KEYS = [
  'CallbackBaseUrl',
  'CallbackUrlCommand',
  'EventBusName',
  'EventBusArn',
  'RetryQueueUrl',
  'DeadLetterQueueUrl',
  'DrainerFunctionName',
  'ArchiveArn',
  'TokenSecretArn',
  'DashboardName',
  'SchemaRegistryName',
] as const;

/**
 * The product: an HTTP endpoint for OpenIM's friend callbacks that publishes them to an
 * EventBridge bus. What cannot be published at once is parked in a retry queue, which a drainer
 * function publishes with backoff; what still fails after hours is dead-lettered in a final
 * queue that alarms. Also an archive for replay, a generated callback token, alarms, a
 * dashboard, and least-privilege permissions. Every setting is checked at synth.
 */
export class FriendEvents extends Construct {
  readonly eventBus: events.IEventBus;
  readonly eventSource: string;
  /** Parked events: the callback function sends here what it could not publish at once. */
  readonly retryQueue: sqs.Queue;
  /**
   * Dead-lettered events: parked events that failed `retryMaxReceiveCount` times, and those the
   * drainer found can never be published (sent at once).
   */
  readonly deadLetterQueue: sqs.Queue;
  readonly tokenSecret: secretsmanager.ISecret;
  readonly callbackFunction: lambda.IFunction;
  /** Publishes parked events from the retry queue. */
  readonly drainerFunction: lambda.IFunction;
  readonly httpApi: apigwv2.HttpApi;
  readonly archive: events.Archive;
  readonly alarms: FriendEventsAlarms;
  readonly schemas: FriendEventSchemas;
  readonly dashboard: FriendEventsDashboard;
  /** `https://<api>/<prefix>`: the callback URL is this plus `/<token>`. */
  readonly callbackBaseUrl: string;
  /** What `cdk destroy` does with data (the `dataRemovalPolicy` prop); subscribers in the stack follow it. */
  readonly dataRemovalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: FriendEventsProps = {}) {
    super(scope, id);
    const settings = resolveSettings(props);
    const stackOutputs = props.stackOutputs ?? true;
    if (stackOutputs) checkCliOutputsFree(this, CLI_OUTPUT_KEYS, 'FriendEvents');
    this.eventSource = settings.eventSource;
    const runtime = props.runtime ?? DEFAULT_RUNTIME;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.dataRemovalPolicy = settings.dataRemovalPolicy;
    const removalPolicy = settings.dataRemovalPolicy;

    // A retained archive needs its bus: a replay can only go back to the bus it was archived from.
    this.eventBus = props.eventBus ?? this.ownBus(removalPolicy);
    this.archive = new events.Archive(this, 'Archive', {
      sourceEventBus: this.eventBus,
      description: 'Every OpenIM friend event, for replay',
      eventPattern: { source: [this.eventSource] },
      retention: Duration.days(settings.archiveRetentionDays),
    });
    this.archive.applyRemovalPolicy(removalPolicy);

    this.schemas = new FriendEventSchemas(this, 'Schemas', {
      source: this.eventSource,
      registryName: props.schemaRegistryName ?? `${Stack.of(this).stackName}-openim-friend-events`,
    });
    allowSubscribers(this.eventBus, settings.subscriberAccess);

    const queues = createRetryQueues(this, { removalPolicy, retryMaxReceiveCount: settings.retryMaxReceiveCount });
    this.retryQueue = queues.retryQueue;
    this.deadLetterQueue = queues.deadLetterQueue;

    this.tokenSecret = props.tokenSecret ?? this.generatedTokenSecret();

    const callback = new BundledFunction(this, 'Callback', {
      entry: functionEntry(ENTRY_POINTS.callback),
      description: 'OpenIM friend callbacks to EventBridge (openim-friend-events)',
      runtime,
      memorySize: settings.memorySize,
      // Well above the reply budget, so the function always gets to reply (and to park) itself.
      timeout: Duration.seconds(Math.max(10, Math.ceil(settings.replyBudgetMs / 1000) + 5)),
      logRetention,
      removalPolicy,
      tracing: props.tracing ?? false,
      sourceMaps: settings.sourceMaps,
      ...(settings.reservedConcurrency === undefined ? {} : { reservedConcurrency: settings.reservedConcurrency }),
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        EVENT_BUS_NAME: this.eventBus.eventBusName,
        EVENT_SOURCE: this.eventSource,
        CALLBACK_PATH_PREFIX: settings.pathPrefix,
        // The secret's ARN, never its value: the function reads the token at cold start.
        CALLBACK_TOKEN_SECRET_ID: this.tokenSecret.secretArn,
        RETRY_QUEUE_URL: this.retryQueue.queueUrl,
        ALLOWED_SOURCE_CIDRS: settings.allowedSourceCidrs.join(','),
        MAX_BODY_BYTES: String(settings.maxBodyBytes),
        PUBLISH_TIMEOUT_MS: String(settings.publishTimeoutMs),
        REPLY_BUDGET_MS: String(settings.replyBudgetMs),
        BREAKER_FAILURE_THRESHOLD: String(settings.breakerFailureThreshold),
        BREAKER_COOLDOWN_MS: String(settings.breakerCooldownMs),
      },
    });
    this.callbackFunction = callback.function;
    callback.role.addToPolicy(this.putFriendEventsStatement());
    callback.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.retryQueue.queueArn] }),
    );
    this.tokenSecret.grantRead(callback.role);

    const drainer = createRetryDrainer(this, {
      ...queues,
      runtime,
      logRetention,
      removalPolicy,
      sourceMaps: settings.sourceMaps,
      maxConcurrency: settings.drainerMaxConcurrency,
      putEvents: this.putFriendEventsStatement(),
    });
    this.drainerFunction = drainer.function;

    const { httpApi, stage } = createCallbackApi(this, {
      callbackFunction: callback.function,
      throttle: settings.throttle,
      logRetention,
      removalPolicy,
    });
    this.httpApi = httpApi;
    this.callbackBaseUrl = `${stage.url}${settings.pathPrefix}`;

    const watched = {
      callbackFunction: callback.function,
      drainerFunction: drainer.function,
      retryQueue: this.retryQueue,
      deadLetterQueue: this.deadLetterQueue,
      httpStage: stage,
    };
    this.alarms = new FriendEventsAlarms(this, 'Alarms', {
      ...watched,
      ...(props.alarmTopic ? { topic: props.alarmTopic } : {}),
      ...(settings.alarmEmail ? { email: settings.alarmEmail } : {}),
    });
    this.dashboard = new FriendEventsDashboard(this, 'Dashboard', watched);
    if (stackOutputs) addCliOutputs(this, this.cliOutputs());
  }

  /**
   * The event pattern of these detail-types from this product's source: real events only, unless
   * `includeSynthetic` (test traffic from `npm run send` carries `synthetic: true`); and the
   * snapshots addressed to `snapshotsFor`, when given.
   */
  eventPattern(
    detailTypes: readonly FriendDetailType[] = FRIEND_DETAIL_TYPES,
    options: Pick<SubscribeOptions, 'includeSynthetic' | 'snapshotsFor'> = {},
  ): events.EventPattern {
    const pattern = friendEventPattern({
      source: this.eventSource,
      detailTypes,
      includeSynthetic: options.includeSynthetic ?? false,
      ...(options.snapshotsFor === undefined ? {} : { snapshotsFor: options.snapshotsFor }),
    });
    return {
      source: pattern.source,
      detailType: pattern['detail-type'],
      ...(pattern.detail ? { detail: pattern.detail } : {}),
    };
  }

  /**
   * A rule on the bus that delivers events of these detail-types to `target` (real events only by
   * default). The rule goes to `options.scope`, else to the stack of the target's resource when
   * that is another stack of this app in the same account and region (so a subscriber in your own
   * stack makes no dependency cycle: its stack depends on this one's bus, never the reverse), else
   * beside the bus.
   */
  subscribe(
    id: string,
    detailTypes: readonly FriendDetailType[],
    target: events.IRuleTarget,
    options: SubscribeOptions = {},
  ): events.Rule {
    const includeSynthetic = options.includeSynthetic ?? false;
    const { snapshotsFor } = options;
    // Before the rule exists: a bad name fails synth naming the setting, and leaves no half-made rule.
    const eventPattern = this.eventPattern(detailTypes, {
      includeSynthetic,
      ...(snapshotsFor === undefined ? {} : { snapshotsFor }),
    });
    return new events.Rule(options.scope ?? this.ruleScope(target), id, {
      eventBus: this.eventBus,
      description: `OpenIM friend events: ${detailTypes.join(', ')}${includeSynthetic ? ' (test traffic included)' : ''}${snapshotsFor === undefined ? '' : `; snapshots for ${snapshotsFor}`}`,
      eventPattern,
      targets: [target],
    });
  }

  /** Friend requests sent (no friendship yet): `AfterAddFriend`. */
  onFriendRequest(id: string, target: events.IRuleTarget, options?: SubscribeOptions): events.Rule {
    return this.subscribe(id, ['AfterAddFriend'], target, options);
  }

  /** New friendships: an accepted request or an admin import. */
  onFriendshipCreated(id: string, target: events.IRuleTarget, options?: SubscribeOptions): events.Rule {
    return this.subscribe(id, FRIENDSHIP_CREATED_DETAIL_TYPES, target, options);
  }

  /** Friends removed: `AfterDeleteFriend` (one-way: only the owner's list changed). */
  onFriendshipEnded(id: string, target: events.IRuleTarget, options?: SubscribeOptions): events.Rule {
    return this.subscribe(id, ['AfterDeleteFriend'], target, options);
  }

  /** Remarks set or cleared: `AfterSetFriendRemark`. */
  onFriendRemarkChanged(id: string, target: events.IRuleTarget, options?: SubscribeOptions): events.Rule {
    return this.subscribe(id, ['AfterSetFriendRemark'], target, options);
  }

  /** Users taken off a blacklist: `AfterRemoveBlack` (OpenIM v3.8.1+). */
  onUnblocked(id: string, target: events.IRuleTarget, options?: SubscribeOptions): events.Rule {
    return this.subscribe(id, ['AfterRemoveBlack'], target, options);
  }

  /**
   * The target's own stack when it is another stack of this app in this account and region: a
   * rule there reads the bus across stacks (an export of this one), while the target, and the
   * permission or queue policy its binding adds beside the resource, stay in the target's stack.
   * There the rules sit under one construct named after this one (`<stack>-<id>`), so their IDs
   * never meet the stack's own (a function and its rule both called `WelcomeNewFriends`). A
   * target in another account or region stays here, where the rule forwards events to it.
   */
  private ruleScope(target: events.IRuleTarget): Construct {
    const home = Stack.of(this);
    const there = targetStack(target);
    const movable =
      there !== undefined &&
      there !== home &&
      Stage.of(there) === Stage.of(home) &&
      there.account === home.account &&
      there.region === home.region;
    if (!movable) return this;
    const id = this.node.path.replaceAll('/', '-');
    return (there.node.tryFindChild(id) as Construct | undefined) ?? new Construct(there, id);
  }

  private cliOutputs(): Record<(typeof CLI_OUTPUT_KEYS)[number], CliOutput> {
    return {
      CallbackBaseUrl: {
        description: 'OpenIM callback URL without its secret token: append /<token>',
        value: this.callbackBaseUrl,
      },
      CallbackUrlCommand: {
        description: 'Prints the full callback URL to paste into OpenIM (reads the token with your credentials)',
        value: `npm run callback-url -- --stack ${Stack.of(this).stackName}`,
      },
      EventBusName: { value: this.eventBus.eventBusName },
      EventBusArn: { value: this.eventBus.eventBusArn },
      RetryQueueUrl: {
        description: 'Parked events: what the callback function could not publish at once; the drainer publishes them',
        value: this.retryQueue.queueUrl,
      },
      DeadLetterQueueUrl: {
        description:
          'Dead-lettered events: parked events that failed for hours or can never be published; npm run redrive moves them back to the retry queue',
        value: this.deadLetterQueue.queueUrl,
      },
      DrainerFunctionName: {
        description: 'The retry drainer: publishes parked events from the retry queue, with backoff',
        value: this.drainerFunction.functionName,
      },
      ArchiveArn: {
        description: 'Replay source: aws events start-replay --event-source-arn <this> ...',
        value: this.archive.archiveArn,
      },
      TokenSecretArn: { value: this.tokenSecret.secretArn },
      DashboardName: { value: this.dashboard.dashboard.dashboardName },
      SchemaRegistryName: { value: this.schemas.registry.attrRegistryName },
    };
  }

  private ownBus(removalPolicy: RemovalPolicy): events.EventBus {
    const bus = new events.EventBus(this, 'Bus', { description: 'OpenIM friend events' });
    bus.applyRemovalPolicy(removalPolicy);
    return bus;
  }

  private generatedTokenSecret(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'CallbackToken', {
      description: 'Path token of the OpenIM callback URL (npm run callback-url prints the URL)',
      // 43 characters of [A-Za-z0-9]: about 256 bits, URL-safe without escaping.
      generateSecretString: { passwordLength: 43, excludePunctuation: true, includeSpace: false },
    });
    acknowledgeFindings(secret, 'AwsSolutions-SMG4');
    return secret;
  }

  /**
   * PutEvents on this bus only, with our source and the callbacks' detail-types: for both functions
   * (the reconciler's repairs are put by the reconciler alone).
   */
  private putFriendEventsStatement(): iam.PolicyStatement {
    return new iam.PolicyStatement({
      actions: ['events:PutEvents'],
      resources: [this.eventBus.eventBusArn],
      conditions: {
        StringEquals: { 'events:source': this.eventSource, 'events:detail-type': [...CALLBACK_DETAIL_TYPES] },
      },
    });
  }
}

/**
 * The stack of the resource behind a construct-backed target: the function, queue, state machine,
 * topic... that `targets.LambdaFunction`, `SqsQueue`, `SfnStateMachine`, `SnsTopic` and the like
 * hold (a private field for some, so this looks at the values, not at names). None when the
 * target holds no construct, or constructs of several stacks.
 */
const targetStack = (target: events.IRuleTarget): Stack | undefined => {
  const stacks = new Set(
    Object.values(target)
      .filter(Construct.isConstruct)
      .map((resource) => Stack.of(resource)),
  );
  return stacks.size === 1 ? [...stacks][0] : undefined;
};
