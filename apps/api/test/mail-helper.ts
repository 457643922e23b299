import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Received {
  mail: ParsedMail;
  /** The raw message as it came over the wire (for DKIM checks). */
  raw: Buffer;
  /** The envelope: who the SMTP client asked the server to deliver to. */
  rcptTo: string[];
}

export interface Inbox {
  url: string;
  port: number;
  received: Received[];
  /** Resolves with the first message (already received or still to come) that matches. */
  waitFor(match: (r: Received) => boolean, timeoutMs?: number): Promise<Received>;
  /** Messages to this address. */
  to(address: string): Received[];
  /** accept everything; refuse every recipient (550); be slow to answer the data (ms). */
  mode: { refuse: boolean; slowMs: number };
  /** Stops listening (the SMTP server is down); start() brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * A real SMTP peer on a loopback port (the smtp-server package), whose messages are read with
 * mailparser: what the forum's nodemailer transport really sent, not a mock of it.
 */
export async function startInbox(): Promise<Inbox> {
  const received: Received[] = [];
  const waiters: { match: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];
  const mode = { refuse: false, slowMs: 0 };
  let port = 0;
  let server: SMTPServer | null = null;

  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      // Going down drops open connections at once (the forum's pooled one too), as a crash would.
      closeTimeout: 100,
      logger: false,
      onRcptTo(address, _session, callback) {
        if (mode.refuse) {
          const err = Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 });
          return callback(err);
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const finish = () =>
            simpleParser(raw)
              .then((mail) => {
                const r = { mail, raw, rcptTo: session.envelope.rcptTo.map((a) => a.address) };
                received.push(r);
                for (const w of [...waiters]) {
                  if (w.match(r)) {
                    waiters.splice(waiters.indexOf(w), 1);
                    w.resolve(r);
                  }
                }
                callback();
              })
              .catch((err: Error) => callback(err));
          if (mode.slowMs > 0) setTimeout(finish, mode.slowMs);
          else finish();
        });
      }
    });

  const start = () =>
    new Promise<void>((resolve, reject) => {
      server = make();
      server.on('error', () => {});
      server.server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.server.address() as AddressInfo).port;
        resolve();
      });
    });
  await start();

  return {
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    received,
    mode,
    to: (address) => received.filter((r) => r.rcptTo.map((a) => a.toLowerCase()).includes(address.toLowerCase())),
    waitFor(match, timeoutMs = 15_000) {
      const found = received.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve };
        waiters.push(waiter);
        setTimeout(() => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`no matching e-mail within ${timeoutMs} ms (${received.length} received)`));
          }
        }, timeoutMs).unref();
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        const s = server;
        server = null;
        if (s === null) return resolve();
        s.close(() => resolve());
      }),
    start
  };
}

/** The token of the first link to `path` in a message's text. */
export function tokenIn(mail: ParsedMail, path: string): string {
  const match = new RegExp(`${path.replace(/[/]/g, '\\/')}\\?token=([A-Za-z0-9._%-]+)`).exec(mail.text ?? '');
  if (match === null) throw new Error(`no ${path} link in: ${mail.text}`);
  return decodeURIComponent(match[1]!);
}

export const addressOf = (mail: ParsedMail): string => {
  const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
  return to?.value[0]?.address ?? '';
};

/** A header exactly as it came over the wire (unfolded), or null: mailparser reshapes List-* headers. */
export function rawHeader(r: Received, name: string): string | null {
  const head = r.raw
    .toString('utf8')
    .split(/\r?\n\r?\n/)[0]!
    .replace(/\r?\n[ \t]+/g, ' ');
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).toLowerCase() === name.toLowerCase()) return line.slice(colon + 1).trim();
  }
  return null;
}
