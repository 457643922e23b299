import type { Database, Db } from '@bmet/db/client';

type Log = { warn(obj: unknown, msg: string): void; info(obj: unknown, msg: string): void };

/** A WAL position ('16/B374D848') as a number that compares. */
export function parseLsn(text: string | null | undefined): bigint | null {
  if (typeof text !== 'string') return null;
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(text);
  if (match === null) return null;
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

const KEEP_WRITERS_MS = 60_000;
/** A replica more than this many polls behind is treated as behind until it catches up. */
const MAX_SAMPLES = 600;

/**
 * Reads that tolerate a little lag go to a streaming replica (DATABASE_REPLICA_URL), and only
 * once it holds what they must see. Every `pollMs` the primary's WAL position is noted with the
 * time, then the replica's replay position read: once the replica has replayed past a noted
 * position, it holds every commit made before that poll began (`caughtUpTo`), so a replica that
 * runs a steady second behind serves what is a second old and no more. A read may use it when the writes it must
 * see are older than that: a member's own last write for their reads (so a reply shows at once
 * to its writer), any write on the site for an anonymous read (what the page cache keeps).
 * Unhealthy or behind, every read goes to the primary: the replica only ever takes load off.
 */
export class ReplicaReads {
  #caughtUpTo = 0;
  /** The primary's WAL position at the start of each recent poll, oldest first. */
  readonly #samples: { at: number; lsn: bigint }[] = [];
  #healthy = false;
  #lastWrite = 0;
  readonly #writers = new Map<number, number>();
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(
    private readonly primary: Database,
    private readonly replica: Database,
    private readonly log: Log,
    private readonly pollMs = 200
  ) {}

  async start(): Promise<void> {
    await this.poll();
    const tick = () => {
      if (this.#closed) return;
      this.#timer = setTimeout(() => void this.poll().finally(tick), this.pollMs);
      this.#timer.unref();
    };
    tick();
  }

  async poll(): Promise<void> {
    const began = Date.now();
    try {
      const primary = await this.primary.pool!.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
      const replica = await this.replica.pool!.query<{ lsn: string | null; recovering: boolean }>(
        'select pg_last_wal_replay_lsn()::text as lsn, pg_is_in_recovery() as recovering'
      );
      const wanted = parseLsn(primary.rows[0]?.lsn);
      const row = replica.rows[0];
      const replayed = parseLsn(row?.lsn);
      if (wanted !== null) this.#samples.push({ at: began, lsn: wanted });
      if (row?.recovering === false) {
        // Not in recovery: it is a primary itself (promoted, or the same server): it holds all.
        this.#caughtUpTo = began;
        this.#samples.length = 0;
      } else if (replayed !== null) {
        // The newest sample the replica has replayed past: it holds every commit made before it.
        while (this.#samples.length > 0 && this.#samples[0]!.lsn <= replayed) this.#caughtUpTo = this.#samples.shift()!.at;
        if (this.#samples.length > MAX_SAMPLES) this.#samples.splice(0, this.#samples.length - MAX_SAMPLES);
      }
      if (!this.#healthy) this.log.info({}, 'replica answering: lag-tolerant reads go to it');
      this.#healthy = true;
    } catch (err) {
      if (this.#healthy)
        this.log.warn({ err: err instanceof Error ? err.message : err }, 'replica not answering: every read goes to the primary');
      this.#healthy = false;
    }
  }

  /** A write readers see was committed (here, or on another instance as the bus tells), by this member if any. */
  wrote(userId: number | null): void {
    this.#lastWrite = Date.now();
    if (userId !== null) this.wroteOwn(userId);
  }

  /** A write only its writer sees (a read mark, a draft): their reads wait for it, nobody else's. */
  wroteOwn(userId: number): void {
    const now = Date.now();
    this.#writers.set(userId, now);
    if (this.#writers.size > 10_000) {
      for (const [id, at] of this.#writers) if (now - at > KEEP_WRITERS_MS) this.#writers.delete(id);
    }
  }

  /** Where a read for this reader (null: anonymous) goes. */
  dbFor(userId: number | null): Db {
    const mustSee = userId === null ? this.#lastWrite : (this.#writers.get(userId) ?? 0);
    return this.#healthy && mustSee < this.#caughtUpTo ? this.replica.db : this.primary.db;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
  }
}
