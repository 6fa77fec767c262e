/**
 * Faults of the loopback emulator that last a while ("EventBridge is down for 30 s"), and the
 * JSON body of its control endpoint (`POST /_local/faults`), which `npm run local:fail` calls.
 */

export const OPERATIONS = [
  'PutEvents',
  'PutRule',
  'PutTargets',
  'RemoveTargets',
  'DeleteRule',
  'CreateQueue',
  'DeleteQueue',
  'SetQueueAttributes',
  'SendMessage',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'GetQueueAttributes',
  'GetSecretValue',
  'PutSecretValue',
  'DescribeStacks',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** How one request goes wrong. */
export type Fault =
  | 'server-error' // HTTP 500 InternalException
  | 'throttle' // HTTP 400 ThrottlingException
  | 'failed-entries' // PutEvents HTTP 200 with every entry failed (InternalFailure)
  // PutEvents HTTP 200, matching entries failed with `errorCode` (default InternalFailure, a retryable one)
  | { failEntry: (entry: Record<string, unknown>) => boolean; errorCode?: string }
  // PutEvents HTTP 400 AccessDeniedException for the whole request when any entry matches, as IAM
  // refuses a call when one entry's source or detail-type is not allowed
  | { denyRequestIf: (entry: Record<string, unknown>) => boolean }
  | 'reset' // the connection is destroyed without an answer
  | 'hang' // never answered (until the emulator stops)
  | { delayMs: number }; // answered normally, late

type ConnectionFault = Extract<Fault, 'server-error' | 'throttle' | 'reset' | 'hang' | { delayMs: number }>;

/** Faults that act on the connection; the others decide per entry of a PutEvents request (the bus applies them). */
export const isConnectionFault = (fault: Fault): fault is ConnectionFault =>
  typeof fault === 'string' ? fault !== 'failed-entries' : 'delayMs' in fault;

/** The faults that can be named on the command line and over the control endpoint. */
export const NAMED_FAULTS = ['server-error', 'throttle', 'hang', 'reset', 'failed-entries'] as const;
export type NamedFault = (typeof NAMED_FAULTS)[number];

export const FAULTS_PATH = '/_local/faults';
const MAX_OUTAGE_SECONDS = 86_400;

export interface Outage {
  operation: Operation;
  fault: NamedFault;
  /** Epoch ms. */
  untilMs: number;
}

/** Every request of an operation fails with a fault until a point in time. */
export class Outages {
  private readonly outages = new Map<Operation, Outage>();

  constructor(private readonly now: () => number) {}

  failUntil(operation: Operation, fault: NamedFault, untilMs: number): Outage {
    const outage = { operation, fault, untilMs };
    this.outages.set(operation, outage);
    return outage;
  }

  /** The fault in force for `operation` now, if any; an expired outage is forgotten. */
  current(operation: Operation): NamedFault | undefined {
    const outage = this.outages.get(operation);
    if (outage === undefined) return undefined;
    if (outage.untilMs > this.now()) return outage.fault;
    this.outages.delete(operation);
    return undefined;
  }

  list(): Outage[] {
    return [...this.outages.values()].filter((outage) => outage.untilMs > this.now());
  }

  clear(): void {
    this.outages.clear();
  }
}

export interface OutageRequest {
  operation: Operation;
  fault: NamedFault;
  seconds: number;
}

/** Reads `{ "operation": "PutEvents", "fault": "server-error", "seconds": 30 }` (the first two optional). */
export const parseOutageRequest = (json: unknown): OutageRequest | { error: string } => {
  if (typeof json !== 'object' || json === null) return { error: 'expected a JSON object' };
  const { operation = 'PutEvents', fault = 'server-error', seconds } = json as Record<string, unknown>;
  if (!OPERATIONS.includes(operation as Operation)) {
    return { error: `operation must be one of ${OPERATIONS.join(', ')}` };
  }
  if (!NAMED_FAULTS.includes(fault as NamedFault)) return { error: `fault must be one of ${NAMED_FAULTS.join(', ')}` };
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_OUTAGE_SECONDS) {
    return { error: `seconds must be a number above 0 and at most ${MAX_OUTAGE_SECONDS}` };
  }
  return { operation: operation as Operation, fault: fault as NamedFault, seconds };
};
