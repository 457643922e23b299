import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import proxyAddr from '@fastify/proxy-addr';

/**
 * Which proxies in front of the server are trusted to say who the client is:
 * - false: none; the client is the socket's peer and X-Forwarded-For is ignored;
 * - a number n: the n proxies nearest the server (TRUST_PROXY=true means 1): the client is the
 *   address the outermost of them added, counted from the right end of X-Forwarded-For, so
 *   entries a client wrote itself at the left end are never believed;
 * - a list of addresses and CIDR ranges: every hop from those is a proxy; the client is the
 *   first hop from the right that is not.
 * Fastify's own trustProxy takes the same values, so the API and the web pages agree.
 */
export type TrustProxy = false | number | string[];

const KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** TRUST_PROXY's value, or an error message for a value it cannot be. */
export function parseTrustProxy(raw: string | undefined): TrustProxy | string {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '' || value === 'false' || value === '0') return false;
  if (value === 'true') return 1;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops <= 20 ? hops : 'TRUST_PROXY as a hop count must be 0 to 20';
  }
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  for (const entry of entries) {
    if (KEYWORDS.has(entry)) continue;
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (family === 0 || !prefixOk || extra !== undefined) {
      return `TRUST_PROXY must be true, a hop count, or addresses and CIDR ranges separated by commas; "${entry}" is none of these`;
    }
  }
  return entries;
}

export function trustFunction(trust: TrustProxy): (address: string, hop: number) => boolean {
  if (trust === false) return () => false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return proxyAddr.compile(trust);
}

/** The client's address for a request, as Fastify works it out with the same setting. */
export function clientAddressOf(trust: TrustProxy): (req: IncomingMessage) => string {
  const fn = trustFunction(trust);
  return (req) => proxyAddr(req, fn) ?? req.socket.remoteAddress ?? '';
}
