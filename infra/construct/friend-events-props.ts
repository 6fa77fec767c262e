import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { SubscriberAccess } from './bus-access';

/** Every setting of the `FriendEvents` construct (checked at synth by `friend-events-settings.ts`). */

/** Options of the subscribe helpers. */
export interface SubscribeOptions {
  /**
   * Also deliver test traffic: the events `npm run send` makes, whose detail carries
   * `synthetic: true`. @default false (a smoke test never reaches a subscriber that did not ask)
   */
  readonly includeSynthetic?: boolean;
  /**
   * This subscriber's name: also deliver the snapshot events addressed to it (`npm run snapshot --
   * --for <name>`), whatever the detail-types asked for, and never another subscriber's. Subscribe
   * first, then ask for the snapshot, so no change falls in between. @default no snapshot events
   */
  readonly snapshotsFor?: string;
  /**
   * Where the rule goes. @default the stack of the target's resource (a function, queue, state
   * machine, topic, ...) when it is another stack of the app in the same account and region,
   * under a construct `<FriendEvents stack>-<FriendEvents id>`, so the rule, the target and the
   * permission that lets it deliver sit together and nothing in the product's stack depends on
   * yours; else beside the bus
   */
  readonly scope?: Construct;
}

export interface FriendEventsProps {
  /** Publish to this bus instead of creating one. */
  readonly eventBus?: events.IEventBus;
  /** `source` of every event. @default 'openim' */
  readonly eventSource?: string;
  /** URL path before the token. @default 'openim' */
  readonly pathPrefix?: string;
  /** An existing secret holding the callback token (its whole SecretString). @default a generated one */
  readonly tokenSecret?: secretsmanager.ISecret;
  /** Only these IPv4/IPv6 addresses or CIDRs may call; others get 403. @default any source */
  readonly allowedSourceCidrs?: string[];
  /** Larger bodies get 413. @default 2 MiB */
  readonly maxBodyBytes?: number;
  /** Stage throttling; a throttled callback is lost, so keep these above OpenIM's peak. @default 1000 rps, burst 2000 */
  readonly throttle?: { rateLimit: number; burstLimit: number };
  /** Upper bound of the callback function's one PutEvents attempt; what does not get in is parked. @default 300 ms */
  readonly publishTimeout?: Duration;
  /**
   * From API Gateway's receipt of a callback to the reply, parking included; keep it well under
   * OpenIM's 5 s timeout. At least `publishTimeout` + 500 ms (kept for parking). @default 1.5 s
   */
  readonly replyBudget?: Duration;
  /**
   * The callback function's circuit breaker: after `failureThreshold` failed attempts in a row it
   * parks without trying EventBridge, and tries again after `cooldown`. @default 3 failures, 5 s
   */
  readonly circuitBreaker?: { failureThreshold?: number; cooldown?: Duration };
  /**
   * Receives of a parked event before it is dead-lettered. With the drainer's backoff (30 s,
   * doubling up to 15 min, with jitter) 20 tries span roughly 2 to 4 hours. @default 20
   */
  readonly retryMaxReceiveCount?: number;
  /** Most drainer instances at once, so a recovering bus is not hammered (at least 2). @default 2 */
  readonly drainerMaxConcurrency?: number;
  /**
   * Reserved concurrency of the callback function: guarantees it capacity, and caps it (callbacks
   * above the cap are throttled, which the throttle alarm reports). @default none
   */
  readonly reservedConcurrency?: number;
  /** Source maps and `--enable-source-maps` in both functions (stack traces pay for parsing the map). @default false */
  readonly sourceMaps?: boolean;
  /** How long the bus archive keeps events for replay (whole days). @default 30 days */
  readonly archiveRetention?: Duration;
  /** @default one month */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What `cdk destroy` does with what holds data: the bus (if created here) and its archive, the
   * retry and final dead-letter queues with the events in them, and the log groups. `RETAIN`
   * keeps them (delete them by hand later, see the README's "Remove"); `DESTROY` deletes them,
   * for test stacks. @default RemovalPolicy.RETAIN
   */
  readonly dataRemovalPolicy?: RemovalPolicy;
  /** Alarms notify this topic. */
  readonly alarmTopic?: sns.ITopic;
  /** Alarms notify this address (a topic is created, unless `alarmTopic` is given). */
  readonly alarmEmail?: string;
  /** Memory of the callback function. @default 512 */
  readonly memorySize?: number;
  /** The functions' Lambda runtime (their bundles target it too). @default Node.js 24 */
  readonly runtime?: lambda.Runtime;
  /** Other AWS accounts, or an organization, allowed to create rules on the bus. */
  readonly subscriberAccess?: SubscriberAccess;
  /** AWS X-Ray tracing of the callback function and its AWS calls; costs cold-start time. @default false */
  readonly tracing?: boolean;
  /** Name of the EventBridge schema registry. @default `<stack name>-openim-friend-events` */
  readonly schemaRegistryName?: string;
  /**
   * Give the stack the outputs the `--stack` commands read (`EventBusName`, `RetryQueueUrl`,
   * `TokenSecretArn`, ...: the README's outputs table), under those exact keys. One FriendEvents per
   * stack can have them. @default true
   */
  readonly stackOutputs?: boolean;
}
