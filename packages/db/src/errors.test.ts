import { describe, expect, it } from 'vitest';
import { isLostConnection, isRetryableRead, isTransient, isUnavailable } from './errors.ts';

describe('isUnavailable', () => {
  it('knows lost connections, refused connections and shutdowns, wrapped or not', () => {
    expect(isUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    const wrapped = Object.assign(new Error('Failed query: select 1'), { cause: new Error('timeout exceeded when trying to connect') });
    expect(isUnavailable(wrapped)).toBe(true);
    const aggregate = new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], '');
    expect(isUnavailable(aggregate)).toBe(true);
  });

  it('leaves query errors alone', () => {
    expect(isUnavailable(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(false);
    expect(isUnavailable(new Error('syntax error at or near "x"'))).toBe(false);
    expect(isUnavailable(null)).toBe(false);
    const loop: { cause?: unknown } = {};
    loop.cause = loop;
    expect(isUnavailable(loop)).toBe(false);
  });
});

describe('isRetryableRead', () => {
  it('retries plain selects only', () => {
    expect(isRetryableRead('select "id" from "threads" where "id" = $1')).toBe(true);
    expect(isRetryableRead('  SELECT 1')).toBe(true);
    expect(isRetryableRead('select * from threads where id = $1 for update')).toBe(false);
    expect(isRetryableRead('insert into posts values ($1)')).toBe(false);
    expect(isRetryableRead('with x as (delete from a returning *) select * from x')).toBe(false);
    expect(isRetryableRead("select pg_notify('c', 'x')")).toBe(false);
    expect(isRetryableRead(undefined)).toBe(false);
  });
});

describe('isLostConnection and isTransient', () => {
  it('retries only connections that went away, and answers conflicts the database broke as transient', () => {
    expect(isLostConnection(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isLostConnection(Object.assign(new Error('x'), { code: '57P01' }))).toBe(true);
    expect(isLostConnection(new Error('timeout exceeded when trying to connect'))).toBe(false);
    expect(isLostConnection(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isTransient(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('duplicate'), { code: '23505' }))).toBe(false);
  });
});
