import { randomBytes } from 'node:crypto';
import type { UserRow } from '@bmet/db/schema';
import type { Session } from './session.ts';

/**
 * The header by which the web app, calling this API in-process for one page, says "the session
 * you checked for my first call": its value is a ref this store handed out, or `new`. The
 * one-port server strips it from every request that comes over the network (server.ts), and a
 * ref counts only beside the very token it was made for, so it lends nothing to anyone else.
 */
export const SESSION_REF_HEADER = 'x-bmet-session-ref';

/** Long enough for one page's calls, short enough that a session ended elsewhere ends here too. */
const TTL_MS = 5_000;
const MAX_REFS = 10_000;

interface Entry {
  token: string;
  session: Session;
  user: UserRow;
  expires: number;
}

/**
 * Validations of a session lent to the rest of one web request: a page's second to sixth API
 * calls reuse what its first one read (the session and the member's row) instead of reading
 * both again. Only reads borrow one; a write always checks the session afresh and drops the ref
 * (it may have ended the session or changed the member).
 */
export class SessionRefs {
  readonly #entries = new Map<string, Entry>();

  lend(token: string, session: Session, user: UserRow): string {
    const now = Date.now();
    if (this.#entries.size >= MAX_REFS) {
      for (const [ref, entry] of this.#entries) if (entry.expires <= now) this.#entries.delete(ref);
      // Still full: the oldest tenth go (a Map iterates in insertion order), so a busy instance
      // sweeps once per thousand loans, not on every one. A ref gone early only costs a re-check.
      let drop = this.#entries.size >= MAX_REFS ? MAX_REFS / 10 : 0;
      for (const ref of this.#entries.keys()) {
        if (drop-- <= 0) break;
        this.#entries.delete(ref);
      }
    }
    const ref = randomBytes(16).toString('base64url');
    this.#entries.set(ref, { token, session, user, expires: now + TTL_MS });
    return ref;
  }

  /** The validation lent under `ref`, if it is still fresh and was made for this same token. */
  borrow(ref: string, token: string): { session: Session; user: UserRow } | null {
    const entry = this.#entries.get(ref);
    if (entry === undefined) return null;
    if (entry.expires <= Date.now() || entry.token !== token) {
      if (entry.expires <= Date.now()) this.#entries.delete(ref);
      return null;
    }
    return entry;
  }

  drop(ref: string): void {
    this.#entries.delete(ref);
  }

  get size(): number {
    return this.#entries.size;
  }
}
