import { goJsonMarshal, goJsonString } from '../../../../functions/adapters/openim-api/go-json';
import { idHash } from '../../../../functions/adapters/openim-api/id-hash';

describe("OpenIM's idHash", () => {
  it.each([
    [[], 0n],
    [['u1'], 7752955785994369517n],
    [['u1', 'u2'], 9194020308628654040n],
    [['u2', 'u1'], 2170532237559490439n],
    [['a<b&c'], 3164656839375813588n],
    [['用户'], 14693797707897875956n],
  ])('of %j is %s (the test vectors of docs/openim-admin-api.md)', (ids, expected) => {
    expect(idHash(ids)).toBe(expected);
  });

  it('depends on the order, as OpenIM keeps it (pinned first), not on a sort', () => {
    expect(idHash(['b', 'a'])).not.toBe(idHash(['a', 'b']));
  });
});

describe("Go's json.Marshal", () => {
  it('escapes <, > and & for HTML, and U+2028 and U+2029', () => {
    expect(goJsonString('a<b>&c')).toBe('"a\\u003cb\\u003e\\u0026c"');
    expect(goJsonString('x\u2028y\u2029')).toBe('"x\\u2028y\\u2029"');
  });

  it('writes quotes, backslashes and control characters as Go 1.22+ does', () => {
    expect(goJsonString('"\\')).toBe('"\\"\\\\"');
    expect(goJsonString('\b\f\n\r\t')).toBe('"\\b\\f\\n\\r\\t"');
    expect(goJsonString('\u0000\u0001\u001f\u000b')).toBe('"\\u0000\\u0001\\u001f\\u000b"');
  });

  it('writes DEL and every other character raw, astral ones included', () => {
    expect(goJsonString('\u007f用户😀é')).toBe('"\u007f用户😀é"');
  });

  it('writes a lone surrogate as Go writes an invalid UTF-8 byte: \\ufffd', () => {
    expect(goJsonString('a\ud800b')).toBe('"a\\ufffdb"');
    expect(goJsonString('\udc00')).toBe('"\\ufffd"');
    expect(goJsonString('\ud83d')).toBe('"\\ufffd"');
  });

  it('marshals objects in the given field order, 64-bit integers exactly, null lists as null', () => {
    expect(
      goJsonMarshal({ version: 14693797707897875956n, versionID: 'a&b', equal: false, userIDs: null, total: 3 }),
    ).toBe('{"version":14693797707897875956,"versionID":"a\\u0026b","equal":false,"userIDs":null,"total":3}');
    expect(goJsonMarshal([true, 'x', [1]])).toBe('[true,"x",[1]]');
  });

  it('refuses a number Go would not write as an integer', () => {
    expect(() => goJsonMarshal(1.5)).toThrow(RangeError);
    expect(() => goJsonMarshal(2 ** 60)).toThrow(RangeError);
  });
});
