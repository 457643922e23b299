import { describe, expect, it } from 'vitest';
import { findNul, nestsDeeperThan, parseJsonBody } from './json-body.ts';

describe('nestsDeeperThan', () => {
  it('counts brackets outside strings only', () => {
    expect(nestsDeeperThan('[[[]]]', 3)).toBe(false);
    expect(nestsDeeperThan('[[[[]]]]', 3)).toBe(true);
    expect(nestsDeeperThan('{"a":"[[[[[[[[[["}', 1)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\"[[[[["}', 1)).toBe(false);
    expect(nestsDeeperThan('['.repeat(100_000), 32)).toBe(true);
  });
});

describe('parseJsonBody', () => {
  it('refuses deep, empty, malformed and prototype-polluting bodies as bad_json', () => {
    for (const text of ['['.repeat(10_000), '', '  ', '{', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}']) {
      expect(() => parseJsonBody(text)).toThrow(expect.objectContaining({ statusCode: 400, code: 'bad_json' }));
    }
    expect(parseJsonBody('{"a":[1,{"b":null}]}')).toEqual({ a: [1, { b: null }] });
  });
});

describe('findNul', () => {
  it('names the first field with a NUL, however deep, without recursion', () => {
    expect(findNul({ a: 'ok', b: { c: ['x', 'y\u0000'] } })).toBe('b.c.1');
    expect(findNul({ 'k\u0000': 1 })).toBe('');
    expect(findNul({ a: 'fine' })).toBeNull();
    let deep: unknown = 'end\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findNul(deep)).toMatch(/^0(\.0)*$/);
  });
});
