import { parseExactJson, stringifyExactJson } from '../../../../functions/adapters/openim-api/exact-json';

describe('exact JSON', () => {
  it('reads an integer above 2^53 as a BigInt with every digit', () => {
    expect(JSON.parse('14693797707897875956')).toBe(14693797707897876000); // what a plain parse does
    expect(parseExactJson('{"idHash":14693797707897875956,"n":[-9007199254740993]}')).toEqual({
      idHash: 14693797707897875956n,
      n: [-9007199254740993n],
    });
  });

  it('leaves safe integers, fractions and exponents as numbers', () => {
    expect(parseExactJson('[0,9007199254740991,-1,1.5,1e300,2e20]')).toEqual([
      0, 9007199254740991, -1, 1.5, 1e300, 2e20,
    ]);
  });

  it('writes a BigInt as a JSON number, the rest as JSON.stringify does', () => {
    expect(stringifyExactJson({ idHash: 14693797707897875956n, version: 3, v: 'x', list: [1n] })).toBe(
      '{"idHash":14693797707897875956,"version":3,"v":"x","list":[1]}',
    );
    expect(parseExactJson(stringifyExactJson({ h: 18446744073709551615n }))).toEqual({ h: 18446744073709551615n });
  });

  it('refuses text that is not JSON', () => {
    expect(() => parseExactJson('{"a":')).toThrow(SyntaxError);
  });
});
