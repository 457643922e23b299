import { EventEmitter } from 'node:events';
import pg from 'pg';

/** What travels between instances: ids only; each receiver loads what it needs. */
export type BusEvent = { t: 'post'; threadId: number; postId: number } | { t: 'notification'; userId: number; id: number };

export interface Bus {
  publish(events: BusEvent[]): Promise<void>;
  /** Events from every instance (this one included). */
  onEvent(handler: (event: BusEvent) => void): void;
  /** Called after the bus lost its connection and got it back: events since lostAt may be missed. */
  onResync(handler: (lostAt: Date) => void): void;
  close(): Promise<void>;
}

/** One process owns the database (PGlite): an in-process emitter is the whole bus. */
export class LocalBus implements Bus {
  private readonly emitter = new EventEmitter();

  async publish(events: BusEvent[]): Promise<void> {
    for (const event of events) this.emitter.emit('event', event);
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

/**
 * Several instances share one PostgreSQL: NOTIFY on the channel, LISTEN on a dedicated
 * connection. A dropped listener reconnects with backoff and then asks the hub to resync from
 * the database, so nothing is lost while it was away.
 */
export class PgBus implements Bus {
  private readonly emitter = new EventEmitter();
  private listener: pg.Client | null = null;
  private closed = false;
  private retryMs = 250;
  private lostAt: Date | null = null;

  constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
    private readonly log: { warn(obj: unknown, msg: string): void; info(obj: unknown, msg: string): void }
  ) {}

  async start(): Promise<void> {
    await this.connect(false);
  }

  private async connect(resync: boolean): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
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
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
    this.retryMs = 250;
    if (resync && this.lostAt !== null) this.emitter.emit('resync', this.lostAt);
    this.lostAt = null;
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.closed || this.listener !== client) return;
    this.listener = null;
    this.lostAt ??= new Date();
    this.log.warn({ err: err.message }, 'bus listener lost; reconnecting');
    client.removeAllListeners('end');
    client.end().catch(() => {});
    const retry = () => {
      if (this.closed) return;
      this.connect(true).catch((e: unknown) => {
        this.log.warn({ err: e instanceof Error ? e.message : e }, 'bus reconnect failed');
        this.retryMs = Math.min(this.retryMs * 2, 10_000);
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

  async publish(events: BusEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.pool.query(`select pg_notify($1, e) from unnest($2::text[]) as e`, [CHANNEL, events.map((e) => JSON.stringify(e))]);
  }
  onEvent(handler: (event: BusEvent) => void): void {
    this.emitter.on('event', handler);
  }
  onResync(handler: (lostAt: Date) => void): void {
    this.emitter.on('resync', handler);
  }
  async close(): Promise<void> {
    this.closed = true;
    this.emitter.removeAllListeners();
    const client = this.listener;
    this.listener = null;
    if (client !== null) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }
}
