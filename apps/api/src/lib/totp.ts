import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { decodeBase32IgnorePadding, encodeBase32LowerCaseNoPadding, encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { createTOTPKeyURI, generateHOTP } from '@oslojs/otp';

/** Whether signing in takes a second factor: an authenticator app's key, or a passkey or security key. */
export const hasSecondFactor = (user: { totpKey: Uint8Array | null; passkeyCount: number }): boolean =>
  user.totpKey !== null || user.passkeyCount > 0;

// TOTP as Lucia's two-factor guide sets it up (@oslojs/otp): 20-byte keys, 30-second steps, 6 digits.
export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
/** Steps either side of now that still count: a phone's clock a little off, a code typed as it turned. */
const DRIFT_STEPS = 1;

export function newTotpKey(): Uint8Array {
  const key = new Uint8Array(20);
  crypto.getRandomValues(key);
  return key;
}

export const encodeTotpKey = (key: Uint8Array): string => encodeBase32UpperCaseNoPadding(key);

/** The key a client sent back from setup, or null when it is not 20 bytes of base32. */
export function decodeTotpKey(text: string): Uint8Array | null {
  try {
    const key = decodeBase32IgnorePadding(text.toUpperCase());
    return key.length === 20 ? key : null;
  } catch {
    return null;
  }
}

export const totpUri = (issuer: string, account: string, key: Uint8Array): string =>
  createTOTPKeyURI(issuer, account, key, TOTP_PERIOD_S, TOTP_DIGITS);

/** Six digits, with any spaces the member typed taken out; null when it is not that shape. */
export function totpCodeOf(input: string): string | null {
  const code = input.replace(/[\s-]/g, '');
  return /^\d{6}$/.test(code) ? code : null;
}

/**
 * The time step whose code this is (now, or one step either side), later than `lastStep`: a code
 * is good once (RFC 6238, 5.2). Null when it matches no such step.
 */
export function matchTotpStep(key: Uint8Array, code: string, lastStep: number | null, now = Date.now()): number | null {
  const current = Math.floor(now / 1000 / TOTP_PERIOD_S);
  const given = new TextEncoder().encode(code);
  let found: number | null = null;
  // Every candidate is computed and compared, matched or not: the time taken says nothing.
  for (let step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step++) {
    const expected = new TextEncoder().encode(generateHOTP(key, BigInt(step), TOTP_DIGITS));
    if (constantTimeEqual(expected, given) && (lastStep === null || step > lastStep) && found === null) found = step;
  }
  return found;
}

/** Recovery codes: ten of them, 16 base32 letters shown in groups of four, only their SHA-256 kept. */
export function newRecoveryCodes(count = 10): { codes: string[]; hashes: Uint8Array[] } {
  const codes: string[] = [];
  for (let i = 0; i < count; i++) {
    const bytes = new Uint8Array(10);
    crypto.getRandomValues(bytes);
    codes.push(encodeBase32LowerCaseNoPadding(bytes).match(/.{4}/g)!.join('-'));
  }
  return { codes, hashes: codes.map(hashRecoveryCode) };
}

/** As typed: case, spaces and dashes do not matter. */
export const hashRecoveryCode = (input: string): Uint8Array =>
  sha256(new TextEncoder().encode(input.toLowerCase().replace(/[^a-z2-7]/g, '')));
