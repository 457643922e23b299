import { EventEmitter } from 'node:events';
import { isUnavailable } from '@bmet/db/errors';
import pg from 'pg';

/** What travels between instances: ids only; each receiver loads what it needs. */
export type BusEvent =
  | { t: 'post'; threadId: number; postId: number }
  | { t: 'notification'; userId: number; id: number }
  /** What anonymous readers see changed (by member `u`): every instance drops its kept pages. */
  | { t: 'stale'; u?: number };

export interface Bus {
  /**
   * Hands events to every instance and returns at once: a write's response never waits for
   * the bus, and the bus never takes a connection a request needs.
   */
  publish(events: BusEvent[]): void;
  /** Events from every instance (this one included). */
  onEvent(handler: (event: BusEvent) => void): void;
  /** Called after the bus lost its connection and got it back: events since lostAt may be missed. */
  onResync(handler: (lostAt: Date) => void): void;
  close(): Promise<void>;
}

/** One process owns the database (PGlite): an in-process emitter is the whole bus. */
export class LocalBus implements Bus {
  private readonly emitter = new EventEmitter();

  publish(events: BusEvent[]): void {
    // After the response is on its way, as on PostgreSQL, never inside the request.
    if (events.length > 0) setImmediate(() => events.forEach((event) => this.emitter.emit('event', event)));
  }
  onEvent(handler: (event: BusEvent) => void): void {
    this.emitter.on('event', handler);
  }
  onResync(): void {}
  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

const CHANNEL = 'bmet_events';
/** How the bus's connection shows in pg_stat_activity. */
export const BUS_APPLICATION_NAME = 'bmet-forum-bus';
/** Events waiting for the bus's connection; past this the oldest go (sockets resync after an outage). */
const MAX_QUEUE = 10_000;
/** Events per NOTIFY round trip. */
const BATCH = 500;
const HEARTBEAT_MS = 15_000;
const HEARTBEAT_TIMEOUT_MS = 5_000;

type Log = { warn(obj: unknown, msg: string): void; info(obj: unknown, msg: string): void };

/**
 * Several instances share one PostgreSQL: one dedicated connection per instance both LISTENs
 * and sends this instance's NOTIFYs, outside the request pool. Published events wait in a
 * bounded queue and go out in batches; while the connection is away they wait for it. A dropped
 * connection reconnects with backoff, LISTENs again, sends what waited and asks the hub to
 * resync from the database, so nothing is lost while it was away.
 */
export class PgBus implements Bus {
  private readonly emitter = new EventEmitter();
  private listener: pg.Client | null = null;
  private closed = false;
  private retryMs = 250;
  private lostAt: Date | null = null;
  private queue: string[] = [];
  private flushing: Promise<void> | null = null;
  private dropped = 0;

  constructor(
    private readonly url: string,
    private readonly log: Log,
    /** How often the connection is asked whether it lives, and how long it has to answer (tests shorten them). */
    private readonly heartbeat: { everyMs: number; timeoutMs: number } = { everyMs: HEARTBEAT_MS, timeoutMs: HEARTBEAT_TIMEOUT_MS }
  ) {}

  /** Connects, or keeps trying in the background when the database is not there yet. */
  async start(): Promise<void> {
    try {
      await this.connect(false);
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : err }, 'bus could not connect; retrying');
      this.lostAt = new Date();
      this.scheduleReconnect();
    }
  }

  private async connect(resync: boolean): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      application_name: BUS_APPLICATION_NAME
    });
    client.on('notification', (msg) => {
      if (msg.channel !== CHANNEL || msg.payload === undefined) return;
      try {
        this.emitter.emit('event', JSON.parse(msg.payload) as BusEvent);
      } catch (err) {
        this.log.warn({ err }, 'bad bus payload');
      }
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('listener connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      client.removeAllListeners('end');
      client.end().catch(() => {});
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.listener = client;
    this.retryMs = 250;
    this.watch(client);
    this.flush();
    if (resync && this.lostAt !== null) {
      this.log.info({ since: this.lostAt.toISOString() }, 'bus listening again; resyncing sockets');
      this.emitter.emit('resync', this.lostAt);
    }
    this.lostAt = null;
  }

  /**
   * A LISTEN connection can die without a word (a failover, a dropped NAT entry): it is asked
   * a trivial question every 15 s and counted lost if it does not answer within 5 s.
   */
  private watch(client: pg.Client): void {
    const timer = setInterval(() => {
      if (this.listener !== client) {
        clearInterval(timer);
        return;
      }
      let answered = false;
      const deadline = setTimeout(() => {
        if (!answered) this.lost(client, new Error('listener did not answer its heartbeat'));
      }, this.heartbeat.timeoutMs);
      deadline.unref();
      client.query('select 1').then(
        () => {
          answered = true;
          clearTimeout(deadline);
        },
        (err: Error) => {
          answered = true;
          clearTimeout(deadline);
          this.lost(client, err);
        }
      );
    }, this.heartbeat.everyMs);
    timer.unref();
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.closed || this.listener !== client) return;
    this.listener = null;
    this.lostAt ??= new Date();
    this.log.warn({ err: err.message }, 'bus listener lost; reconnecting');
    client.removeAllListeners('end');
    // end() may never finish on a dead socket: the connection is dropped under it.
    client.end().catch(() => {});
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const retry = () => {
      if (this.closed) return;
      this.connect(true).catch((e: unknown) => {
        this.log.warn({ err: e instanceof Error ? e.message : e }, 'bus reconnect failed');
        this.retryMs = Math.min(this.retryMs * 2, 5_000);
        setTimeout(retry, this.retryMs).unref();
      });
    };
    setTimeout(retry, this.retryMs).unref();
  }

  /** Simulates a dropped connection (tests). */
  dropConnection(): void {
    const client = this.listener;
    if (client !== null) this.lost(client, new Error('dropped on purpose'));
  }

  /** Whether the LISTEN connection is up (readiness, tests). */
  get listening(): boolean {
    return this.listener !== null;
  }

  publish(events: BusEvent[]): void {
    if (events.length === 0 || this.closed) return;
    for (const event of events) this.queue.push(JSON.stringify(event));
    if (this.queue.length > MAX_QUEUE) {
      const over = this.queue.length - MAX_QUEUE;
      this.queue.splice(0, over);
      this.dropped += over;
      this.log.warn({ dropped: this.dropped }, 'bus queue full; dropped the oldest events');
    }
    this.flush();
  }

  /** Resolves once every event queued so far has been sent (or could not be: tests, close). */
  async drain(): Promise<void> {
    while (this.flushing !== null) await this.flushing;
  }

  private flush(): void {
    if (this.flushing !== null || this.listener === null || this.queue.length === 0) return;
    this.flushing = this.send().finally(() => {
      this.flushing = null;
      // More may have been queued while the last batch was on its way.
      if (this.queue.length > 0 && this.listener !== null) this.flush();
    });
  }

  private async send(): Promise<void> {
    while (this.queue.length > 0) {
      const client = this.listener;
      if (client === null) return;
      // Taken off the queue before the round trip, so trimming the queue meanwhile cannot
      // remove the wrong events.
      const batch = this.queue.splice(0, BATCH);
      try {
        await client.query('select pg_notify($1, e) from unnest($2::text[]) as e', [CHANNEL, batch]);
      } catch (err) {
        // A lost connection puts the batch back for the next one; anything else would fail again.
        if (isUnavailable(err)) this.queue.unshift(...batch);
        else this.log.warn({ err: err instanceof Error ? err.message : err }, 'bus events refused by the database; dropped');
        return;
      }
    }
  }

  onEvent(handler: (event: BusEvent) => void): void {
    this.emitter.on('event', handler);
  }
  onResync(handler: (lostAt: Date) => void): void {
    this.emitter.on('resync', handler);
  }
  async close(): Promise<void> {
    this.closed = true;
    // What is queued goes out if the connection lets it within 2 s; a shutdown never waits longer.
    await Promise.race([this.drain().catch(() => {}), new Promise((r) => setTimeout(r, 2_000).unref())]);
    this.emitter.removeAllListeners();
    const client = this.listener;
    this.listener = null;
    if (client !== null) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }
}
