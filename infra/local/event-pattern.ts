/**
 * EventBridge's event pattern matching, for the local bus: the operators this product's patterns
 * use (`friendEventPattern`, the construct's subscribe helpers, `npm run send --expect-event`) and
 * a user may write for a local subscriber, with AWS's documented behaviour ("Event patterns",
 * "Content filtering", and the Event Ruler library EventBridge runs):
 *
 * - Keys AND, the values in a key's array OR. A pattern value is an object (a nested field) or a
 *   non-empty array; anything else is refused (InvalidEventPatternException).
 * - An event array is "crushed": the field matches if any of its elements does; a value that is
 *   an object is not a leaf and matches nothing but `{"exists": false}`.
 * - Exact values: strings, numbers, `true`, `false`, `null` (not interchangeable: `""` is not `null`).
 * - `{"prefix": "s"}`: string values only.
 * - `{"anything-but": v}` with a string, a number, a list of strings or of numbers, or
 *   `{"prefix": "s"}`: the field must be present; `null` and values of another type match.
 * - `{"exists": true|false}`: whether the field is present as a leaf (an empty array is not).
 *
 * Not modelled, refused with a clear error rather than matched wrongly: numeric, cidr, suffix,
 * equals-ignore-case, wildcard, `$or`, and anything-but with suffix, wildcard or ignore-case.
 * Also not modelled: Event Ruler's array consistency (two fields of one pattern object matched in
 * different elements of the same event array still match here).
 */

/** A pattern that passed `parseEventPattern`. */
export type EventPattern = { readonly [key: string]: EventPattern | readonly Matcher[] };

type Literal = string | number | boolean | null;
type Matcher =
  | { kind: 'equals'; value: Literal }
  | { kind: 'prefix'; prefix: string }
  | { kind: 'anything-but'; values: readonly (string | number)[] }
  | { kind: 'anything-but-prefix'; prefix: string }
  | { kind: 'exists'; exists: boolean };

/** What PutRule answers for a pattern AWS would refuse (or this emulator cannot match). */
export class InvalidEventPatternError extends Error {
  override name = 'InvalidEventPatternException';
}

const SUPPORTED = 'exact values, prefix, anything-but (values or prefix) and exists';

const invalid = (reason: string): never => {
  throw new InvalidEventPatternError(`Event pattern is not valid. Reason: ${reason}`);
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses and checks a pattern as PutRule does; throws `InvalidEventPatternError`. */
export const parseEventPattern = (json: string): EventPattern => {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return invalid('the pattern is not JSON');
  }
  if (!isObject(value)) return invalid('the pattern must be a JSON object');
  return parseObject(value, '');
};

const parseObject = (object: Record<string, unknown>, path: string): EventPattern =>
  Object.fromEntries(
    Object.entries(object).map(([key, value]) => {
      const at = path ? `${path}.${key}` : key;
      if (key === '$or') invalid(`"$or" is not supported by the local emulator (it supports ${SUPPORTED})`);
      if (isObject(value)) return [key, parseObject(value, at)];
      if (!Array.isArray(value)) return invalid(`"${at}" must be an array or an object`);
      if (value.length === 0) return invalid(`"${at}" must not be an empty array`);
      return [key, value.map((item) => parseMatcher(item, at))];
    }),
  );

const parseMatcher = (item: unknown, at: string): Matcher => {
  if (!isObject(item)) {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean' || item === null) {
      return { kind: 'equals', value: item };
    }
    return invalid(`"${at}" holds a value that is neither a JSON literal nor an operator`);
  }
  const [operator, ...others] = Object.keys(item);
  if (operator === undefined || others.length > 0) return invalid(`"${at}": an operator object has exactly one key`);
  const operand = item[operator];
  switch (operator) {
    case 'prefix':
      if (typeof operand !== 'string') return invalid(`"${at}": prefix takes a string`);
      return { kind: 'prefix', prefix: operand };
    case 'exists':
      if (typeof operand !== 'boolean') return invalid(`"${at}": exists takes true or false`);
      return { kind: 'exists', exists: operand };
    case 'anything-but':
      return parseAnythingBut(operand, at);
    default:
      return invalid(`the "${operator}" operator is not supported by the local emulator (it supports ${SUPPORTED})`);
  }
};

const parseAnythingBut = (operand: unknown, at: string): Matcher => {
  if (isObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1 || keys[0] !== 'prefix') {
      return invalid(`"${at}": anything-but takes a value, a list, or {"prefix": ...} in the local emulator`);
    }
    if (typeof operand.prefix !== 'string' || operand.prefix === '') {
      return invalid(`"${at}": anything-but prefix takes a non-empty string`);
    }
    return { kind: 'anything-but-prefix', prefix: operand.prefix };
  }
  const values = Array.isArray(operand) ? operand : [operand];
  const allStrings = values.every((value) => typeof value === 'string');
  const allNumbers = values.every((value) => typeof value === 'number');
  if (values.length === 0 || !(allStrings || allNumbers)) {
    return invalid(`"${at}": anything-but takes a string, a number, or a list of only strings or only numbers`);
  }
  return { kind: 'anything-but', values: values as (string | number)[] };
};

/** Whether an event (as EventBridge hands it to a target) matches a parsed pattern. */
export const matchesEventPattern = (pattern: EventPattern, event: unknown): boolean => matchesObject(pattern, [event]);

/** `nodes`: the values at this level of the event (several when an array was crushed on the way). */
const matchesObject = (pattern: EventPattern, nodes: readonly unknown[]): boolean =>
  Object.entries(pattern).every(([key, sub]) => {
    const children = crush(nodes.filter(isObject).map((node) => node[key]));
    if (Array.isArray(sub)) {
      const leaves = children.filter((child) => !isObject(child));
      return (sub as readonly Matcher[]).some((matcher) => matches(matcher, leaves));
    }
    return matchesObject(sub as EventPattern, children);
  });

/** The values present, with arrays flattened into their elements (an empty array leaves nothing). */
const crush = (values: readonly unknown[]): unknown[] =>
  values.flatMap((value) => (value === undefined ? [] : Array.isArray(value) ? crush(value) : [value]));

const matches = (matcher: Matcher, leaves: readonly unknown[]): boolean => {
  switch (matcher.kind) {
    case 'equals':
      return leaves.some((leaf) => leaf === matcher.value);
    case 'prefix':
      return leaves.some((leaf) => typeof leaf === 'string' && leaf.startsWith(matcher.prefix));
    case 'anything-but':
      return leaves.some((leaf) => !matcher.values.includes(leaf as string | number));
    case 'anything-but-prefix':
      return leaves.some((leaf) => typeof leaf !== 'string' || !leaf.startsWith(matcher.prefix));
    case 'exists':
      return matcher.exists === leaves.length > 0;
  }
};
