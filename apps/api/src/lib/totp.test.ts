import { describe, expect, it } from 'vitest';
import { generateHOTP } from '@oslojs/otp';
import { decodeTotpKey, encodeTotpKey, hashRecoveryCode, matchTotpStep, newRecoveryCodes, newTotpKey, totpCodeOf } from './totp.ts';

describe('TOTP', () => {
  const key = newTotpKey();
  const now = Date.UTC(2026, 11, 7, 8, 0, 10);
  const step = Math.floor(now / 30_000);
  const codeAt = (s: number) => generateHOTP(key, BigInt(s), 6);

  it('takes the code of now and of one step either side, once each', () => {
    expect(matchTotpStep(key, codeAt(step), null, now)).toBe(step);
    expect(matchTotpStep(key, codeAt(step - 1), null, now)).toBe(step - 1);
    expect(matchTotpStep(key, codeAt(step + 1), null, now)).toBe(step + 1);
    expect(matchTotpStep(key, codeAt(step - 2), null, now)).toBeNull();
    // Used already: the same step, or an earlier one, is refused.
    expect(matchTotpStep(key, codeAt(step), step, now)).toBeNull();
    expect(matchTotpStep(key, codeAt(step - 1), step, now)).toBeNull();
  });

  it('reads keys and codes as people type them', () => {
    expect(decodeTotpKey(encodeTotpKey(key))).toEqual(key);
    expect(decodeTotpKey(encodeTotpKey(key).toLowerCase())).toEqual(key);
    expect(decodeTotpKey('AAAA')).toBeNull();
    expect(decodeTotpKey('not base32 at all!')).toBeNull();
    expect(totpCodeOf(' 123 456 ')).toBe('123456');
    expect(totpCodeOf('12345')).toBeNull();
    expect(totpCodeOf('abcdef')).toBeNull();
  });

  it('makes ten distinct recovery codes whose hash ignores case and dashes', () => {
    const { codes, hashes } = newRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    expect(codes[0]).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    expect(hashRecoveryCode(codes[0]!.toUpperCase().replace(/-/g, ' '))).toEqual(hashes[0]);
  });
});
