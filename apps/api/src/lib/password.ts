import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
const options = { algorithm: 2 /* Algorithm.Argon2id, a const enum */, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the user does not exist, so both paths cost the same. */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('not-a-real-password-ever');
  return dummyHash;
}

const COMMON = new Set(
  `password password1 password12 password123 password1234 passw0rd p@ssw0rd p@ssword123 123456 1234567
  12345678 123456789 1234567890 12345678910 0123456789 9876543210 qwerty qwertyuiop qwerty123 qwerty1234
  1q2w3e4r5t 1q2w3e4r5t6y 1qaz2wsx3edc qazwsxedc asdfghjkl asdfghjkl1 zxcvbnm zxcvbnm123 abc123 abcdefghij
  abcd1234 iloveyou iloveyou1 letmein letmein123 welcome welcome1 welcome123 welcome2024 welcome2025
  welcome2026 admin admin123 admin1234 administrator changeme changeme123 trustno1 monkey dragon
  sunshine princess football baseball superman batman starwars whatever michael shadow master master123
  hello123 freedom ninja mustang access access123 secret secret123 login login123 passpass
  hospital hospital1 hospital123 biomed biomed123 biomedical biomedical1 clinical clinical123
  engineer engineer1 engineer123 technician bmet1234 bmet123456 summer2024 summer2025 winter2025
  spring2025 autumn2025 fall2025 summer2026 winter2026 spring2026 fall2026 autumn2026 aaaaaaaaaa
  1111111111 0000000000 1234512345 1122334455 11223344 987654321 123123123 123qweasd qweasdzxc`.split(/\s+/)
);

/** Why a password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, username: string, email: string): string | null {
  if (password.length < 10) return 'password must be at least 10 characters';
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'password is too common; choose another';
  if (/^(.)\1+$/.test(password)) return 'password must not be one repeated character';
  const name = username.toLowerCase();
  const local = email.toLowerCase().split('@')[0] ?? '';
  if (lower.includes(name) || (local.length >= 4 && lower.includes(local))) {
    return 'password must not contain your username or email';
  }
  return null;
}
