import { isIP } from 'node:net';
import type { Conn } from '@bmet/db/client';
import { webauthnChallenges } from '@bmet/db/schema';
import { and, eq, lt, sql } from 'drizzle-orm';

const CHALLENGE_TTL_MS = 5 * 60_000;

/**
 * The relying party of passkeys and security keys (WebAuthn, @simplewebauthn/server): the
 * forum's origin and host name from PUBLIC_URL. WebAuthn takes no IP address as an RP ID, so a
 * forum reached as http://127.0.0.1:3000 offers no passkeys (`available` false); localhost or a
 * domain does.
 */
export class Relying {
  readonly rpID: string;
  readonly origin: string;
  readonly available: boolean;

  constructor(
    publicUrl: string,
    readonly rpName: string
  ) {
    const url = new URL(publicUrl);
    this.rpID = url.hostname;
    this.origin = url.origin;
    this.available = isIP(url.hostname.replace(/^\[|\]$/g, '')) === 0;
  }

  /** Keeps a challenge for this session's next answer (five minutes). */
  async remember(db: Conn, sessionId: string, purpose: 'register' | 'authenticate', challenge: string): Promise<void> {
    await db.insert(webauthnChallenges).values({ challenge, sessionId, purpose, expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS) });
  }

  /**
   * The challenge the browser signed (read from its clientDataJSON), if this session asked for it
   * for this purpose and it is fresh; it is spent either way, so an answer is good once.
   */
  async take(db: Conn, sessionId: string, purpose: 'register' | 'authenticate', clientDataJSON: unknown): Promise<string | null> {
    if (typeof clientDataJSON !== 'string' || clientDataJSON.length > 4096) return null;
    let challenge: unknown;
    try {
      challenge = (JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown }).challenge;
    } catch {
      return null;
    }
    if (typeof challenge !== 'string' || challenge.length > 200) return null;
    const taken = await db
      .delete(webauthnChallenges)
      .where(
        and(
          eq(webauthnChallenges.challenge, challenge),
          eq(webauthnChallenges.sessionId, sessionId),
          eq(webauthnChallenges.purpose, purpose)
        )
      )
      .returning({ expiresAt: webauthnChallenges.expiresAt });
    const row = taken[0];
    return row !== undefined && row.expiresAt.getTime() > Date.now() ? challenge : null;
  }

  async sweep(db: Conn): Promise<void> {
    await db.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, sql`now()`));
  }
}
