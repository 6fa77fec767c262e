import { InvalidEventPatternError, matchesEventPattern, parseEventPattern } from '../../../infra/local/event-pattern';

/**
 * The local bus's pattern matching against AWS's documented behaviour. The cases follow the
 * examples of the EventBridge user guide ("Content filtering in Amazon EventBridge event
 * patterns", "Matching events on null values and empty strings") and of Event Ruler's README,
 * and the outcomes LocalStack's test suite recorded against AWS itself for the same pairs
 * (`tests/aws/services/events/event_pattern_templates`).
 */
const event = (detail: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  version: '0',
  id: '1',
  'detail-type': 'test-detail-type',
  source: 'test-source',
  account: '123456789012',
  time: '2022-07-13T13:48:01Z',
  region: 'us-east-2',
  resources: [],
  detail,
  ...extra,
});
const match = (pattern: object, candidate: unknown) =>
  matchesEventPattern(parseEventPattern(JSON.stringify(pattern)), candidate);

describe('exact values', () => {
  it.each([
    ['a listed string', { source: ['other', 'test-source'] }, event({}), true],
    ['no listed string', { source: ['other'] }, event({}), false],
    ['every key (AND)', { source: ['test-source'], 'detail-type': ['other'] }, event({}), false],
    ['a nested field', { detail: { state: ['running'] } }, event({ state: 'running' }), true],
    ['a missing field', { detail: { state: ['running'] } }, event({}), false],
    ['an element of an event array', { resources: ['arn:b'] }, event({}, { resources: ['arn:a', 'arn:b'] }), true],
    ['an empty event array', { resources: ['arn:b'] }, event({}, { resources: [] }), false],
    ['the empty string', { detail: { v: [''] } }, event({ v: '' }), true],
    ['null', { detail: { v: [null] } }, event({ v: null }), true],
    ['null against the string "null"', { detail: { v: [null] } }, event({ v: 'null' }), false],
    ['the empty string against null', { detail: { v: [''] } }, event({ v: null }), false],
    ['true', { detail: { v: [true] } }, event({ v: true }), true],
    ['false against true', { detail: { v: [false] } }, event({ v: true }), false],
    ['a number', { detail: { v: [300] } }, event({ v: 300 }), true],
    ['a string against a number', { detail: { v: ['300'] } }, event({ v: 300 }), false],
    ['a leaf against an object', { detail: { v: ['x'] } }, event({ v: { x: 1 } }), false],
    [
      'a field inside objects of an array',
      { detail: { e: { n: ['Anna'] } } },
      event({ e: [{ n: 'J' }, { n: 'Anna' }] }),
      true,
    ],
  ])('%s', (_case, pattern, candidate, expected) => {
    expect(match(pattern, candidate)).toBe(expected);
  });
});

describe('prefix', () => {
  it.each([
    ['a string with the prefix', { time: [{ prefix: '2022-07-13' }] }, event({}), true],
    ['a string without it', { time: [{ prefix: '2022-07-99' }] }, event({}), false],
    ['the empty prefix on any string', { source: [{ prefix: '' }] }, event({}), true],
    ['a number', { detail: { v: [{ prefix: '12' }] } }, event({ v: 123 }), false],
    ['a missing field', { detail: { v: [{ prefix: 'a' }] } }, event({}), false],
    ['OR with an exact value', { source: ['x', { prefix: 'test-' }] }, event({}), true],
  ])('%s', (_case, pattern, candidate, expected) => {
    expect(match(pattern, candidate)).toBe(expected);
  });
});

describe('anything-but', () => {
  it.each([
    ['another string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, event({ state: 'running' }), true],
    [
      'the string itself',
      { detail: { state: [{ 'anything-but': 'initializing' }] } },
      event({ state: 'initializing' }),
      false,
    ],
    ['a missing field', { detail: { state: [{ 'anything-but': 'initializing' }] } }, event({}), false],
    ['null', { detail: { state: [{ 'anything-but': 'initializing' }] } }, event({ state: null }), true],
    [
      'a value of another type',
      { detail: { state: [{ 'anything-but': 'initializing' }] } },
      event({ state: 12 }),
      true,
    ],
    [
      'a listed string',
      { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
      event({ state: 'stopped' }),
      false,
    ],
    ['another number', { detail: { n: [{ 'anything-but': 0 }] } }, event({ n: 789 }), true],
    ['a listed number', { detail: { n: [{ 'anything-but': [100, 200] }] } }, event({ n: 200 }), false],
    [
      'a string without the prefix',
      { detail: { s: [{ 'anything-but': { prefix: 'init' } }] } },
      event({ s: 'running' }),
      true,
    ],
    [
      'a string with the prefix',
      { detail: { s: [{ 'anything-but': { prefix: 'init' } }] } },
      event({ s: 'initializing' }),
      false,
    ],
    ['a number, against a prefix', { detail: { s: [{ 'anything-but': { prefix: 'init' } }] } }, event({ s: 12 }), true],
    ['null, against a prefix', { detail: { s: [{ 'anything-but': { prefix: 'init' } }] } }, event({ s: null }), true],
    [
      'a missing field, against a prefix',
      { detail: { s: [{ 'anything-but': { prefix: 'init' } }] } },
      event({}),
      false,
    ],
  ])('%s', (_case, pattern, candidate, expected) => {
    expect(match(pattern, candidate)).toBe(expected);
  });
});

describe('exists', () => {
  it.each([
    ['true: a present field', { detail: { state: [{ exists: true }] } }, event({ state: 'pending' }), true],
    ['true: a missing field', { detail: { state: [{ exists: true }] } }, event({ c: 1 }), false],
    ['true: an object is not a leaf', { detail: { o: [{ exists: true }] } }, event({ o: { s: 'x' } }), false],
    ['true: an empty array holds no leaf', { resources: [{ exists: true }] }, event({}), false],
    ['false: a missing field', { detail: { synthetic: [{ exists: false }] } }, event({}), true],
    ['false: a present field', { detail: { synthetic: [{ exists: false }] } }, event({ synthetic: true }), false],
    ['false: a present false', { detail: { synthetic: [{ exists: false }] } }, event({ synthetic: false }), false],
    ['false: under a missing parent', { detail: { a: { b: { c: [{ exists: false }] } } } }, event({ a: 'x' }), true],
    ['false: a present nested leaf', { detail: { a: { b: [{ exists: false }] } } }, event({ a: { b: 'v' } }), false],
    ['false: an object is not a leaf', { detail: { o: [{ exists: false }] } }, event({ o: { c1: 100 } }), true],
    ['false OR anything-but', { detail: { s: [{ 'anything-but': ['roses'] }, { exists: false }] } }, event({}), true],
  ])('%s', (_case, pattern, candidate, expected) => {
    expect(match(pattern, candidate)).toBe(expected);
  });
});

describe('patterns PutRule refuses', () => {
  it.each([
    ['not JSON', '{"source": ['],
    ['not an object', '["openim"]'],
    ['a value without its array', '{"source": "openim"}'],
    ['an empty array', '{"source": []}'],
    ['a prefix that is not a string', '{"time": [{"prefix": 123}]}'],
    ['an empty anything-but prefix', '{"s": [{"anything-but": {"prefix": ""}}]}'],
    ['anything-but null', '{"s": [{"anything-but": null}]}'],
    ['anything-but of mixed types', '{"s": [{"anything-but": ["a", 1]}]}'],
    ['exists that is not a boolean', '{"s": [{"exists": "yes"}]}'],
    ['an operator object with two keys', '{"s": [{"prefix": "a", "exists": true}]}'],
  ])('%s', (_case, json) => {
    expect(() => parseEventPattern(json)).toThrow(InvalidEventPatternError);
  });

  it.each(['numeric', 'suffix', 'wildcard', 'equals-ignore-case', 'cidr'])(
    'an operator the local emulator does not model (%s), named in the error',
    (operator) => {
      expect(() => parseEventPattern(JSON.stringify({ s: [{ [operator]: 'x' }] }))).toThrow(
        new RegExp(`"${operator}" operator is not supported by the local emulator`),
      );
    },
  );

  it('$or, named in the error', () => {
    expect(() => parseEventPattern('{"$or": [{"a": ["1"]}, {"b": ["2"]}]}')).toThrow(/"\$or" is not supported/);
  });
});
