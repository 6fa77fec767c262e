import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';

/**
 * Every Lambda function of a synthesized template, read from the template itself (not from a list
 * kept by hand): its runtime, its bundle in the cloud assembly, its environment as written there
 * (references unresolved) and what invokes it. A function added later is found the same way.
 */
export interface DeployedFunction {
  logicalId: string;
  runtime: unknown;
  architectures: unknown;
  /** Seconds, as the template says. */
  timeout: number;
  /** The asset directory `cdk synth` bundled into the cloud assembly. */
  assetDir: string;
  /** The file the runtime imports (`index.handler` -> `<assetDir>/index.mjs`) and the export it calls. */
  handlerFile: string;
  handlerExport: string;
  environment: Record<string, unknown>;
  triggers: Trigger[];
}

export type Trigger =
  | { kind: 'http-api' }
  | { kind: 'sqs'; queueLogicalId: string }
  | { kind: 'rule'; eventPattern: Record<string, unknown> }
  | { kind: 'schedule'; expression: string }
  /** A Task of a state machine of the stack (its states by name, each naming the function it invokes). */
  | { kind: 'state-machine'; stateMachineLogicalId: string };

type Resource = { Type: string; Properties: Record<string, any> };

/** The logical ID a `{ Ref }` or `{ Fn::GetAtt }` points at, if it is one. */
export const referencedId = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const ref = (value as { Ref?: unknown }).Ref;
  if (typeof ref === 'string') return ref;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
};

const triggersOf = (functionId: string, resources: [string, Resource][]): Trigger[] =>
  resources.flatMap(([logicalId, { Type, Properties }]): Trigger[] => {
    if (Type === 'AWS::StepFunctions::StateMachine') {
      const invoked = Object.values(taskFunctions(stateMachineDefinition(Properties.DefinitionString)));
      return invoked.includes(functionId) ? [{ kind: 'state-machine', stateMachineLogicalId: logicalId }] : [];
    }
    if (Type === 'AWS::ApiGatewayV2::Integration' && referencedId(Properties.IntegrationUri) === functionId) {
      return [{ kind: 'http-api' }];
    }
    if (Type === 'AWS::Lambda::EventSourceMapping' && referencedId(Properties.FunctionName) === functionId) {
      const queueLogicalId = referencedId(Properties.EventSourceArn);
      if (!queueLogicalId) throw new Error(`${functionId}: an event source that is not a queue of this stack`);
      return [{ kind: 'sqs', queueLogicalId }];
    }
    if (Type === 'AWS::Events::Rule') {
      const targets = (Properties.Targets ?? []) as { Arn: unknown }[];
      if (!targets.some((target) => referencedId(target.Arn) === functionId)) return [];
      return Properties.ScheduleExpression
        ? [{ kind: 'schedule', expression: String(Properties.ScheduleExpression) }]
        : [{ kind: 'rule', eventPattern: Properties.EventPattern }];
    }
    return [];
  });

const resolveHandler = (assetDir: string, handler: string) => {
  const dot = handler.lastIndexOf('.');
  const base = handler.slice(0, dot);
  // The Node.js runtime tries these extensions in this order.
  const file = ['.mjs', '.js', '.cjs'].map((extension) => join(assetDir, base + extension)).find(existsSync);
  if (!file) throw new Error(`no ${base}.mjs, .js or .cjs in ${assetDir} (handler ${handler})`);
  return { handlerFile: file, handlerExport: handler.slice(dot + 1) };
};

/** The functions of `template`, synthesized (with bundling) into the cloud assembly at `outdir`. */
export const deployedFunctions = (template: Template, outdir: string): DeployedFunction[] => {
  const resources = Object.entries(template.toJSON().Resources as Record<string, Resource>);
  return resources
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([logicalId, { Properties }]) => {
      const key: unknown = Properties.Code?.S3Key;
      if (typeof key !== 'string') throw new Error(`${logicalId}: code that is not a file asset`);
      const assetDir = join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
      return {
        logicalId,
        runtime: Properties.Runtime,
        architectures: Properties.Architectures,
        timeout: Number(Properties.Timeout ?? 3),
        assetDir,
        ...resolveHandler(assetDir, String(Properties.Handler)),
        environment: Properties.Environment?.Variables ?? {},
        triggers: triggersOf(logicalId, resources),
      };
    });
};

/** The resource a logical ID names in `template`. */
export const resourceOf = (template: Template, logicalId: string): Resource => {
  const resource = (template.toJSON().Resources as Record<string, Resource>)[logicalId];
  if (!resource) throw new Error(`no resource ${logicalId} in the template`);
  return resource;
};

/** How a function of the template is named in a state machine definition read by `stateMachineDefinition`. */
const FUNCTION_PLACEHOLDER = 'arn:aws:lambda:us-east-1:000000000000:function:';

/**
 * A state machine's definition from the template (`DefinitionString`, an `Fn::Join` around the
 * functions' `Fn::GetAtt` ARNs), each function's ARN written as a placeholder naming its logical ID.
 */
export const stateMachineDefinition = (definitionString: unknown): Record<string, any> => {
  const join = (definitionString as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  const parts = join ? join[1] : [definitionString];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const id = referencedId(part);
      if (!id) throw new Error(`a part of a state machine definition this test cannot read: ${JSON.stringify(part)}`);
      return `${FUNCTION_PLACEHOLDER}${id}`;
    })
    .join(join?.[0] ?? '');
  return JSON.parse(text) as Record<string, any>;
};

/** Every Task state of a definition (nested Map item processors included) by name, with the function it invokes. */
export const taskFunctions = (definition: Record<string, any>): Record<string, string> =>
  Object.fromEntries(
    Object.entries((definition.States ?? {}) as Record<string, Record<string, any>>).flatMap(([name, state]) => [
      ...(state.Type === 'Task' && String(state.Resource).startsWith(FUNCTION_PLACEHOLDER)
        ? [[name, String(state.Resource).slice(FUNCTION_PLACEHOLDER.length)]]
        : []),
      ...Object.entries(state.ItemProcessor ? taskFunctions(state.ItemProcessor) : {}),
    ]),
  );
