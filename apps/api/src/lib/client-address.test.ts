import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddressOf, parseTrustProxy } from './client-address.ts';

const req = (peer: string, xff?: string) =>
  ({
    socket: { remoteAddress: peer },
    connection: { remoteAddress: peer },
    headers: xff === undefined ? {} : { 'x-forwarded-for': xff }
  }) as unknown as IncomingMessage;

describe('TRUST_PROXY', () => {
  it('parses true, hop counts and address lists, and refuses the rest', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('true')).toBe(1);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('10.0.0.0/8, 192.168.1.5,loopback')).toEqual(['10.0.0.0/8', '192.168.1.5', 'loopback']);
    expect(parseTrustProxy('::1/128')).toEqual(['::1/128']);
    for (const bad of ['yes', '10.0.0.0/33', 'proxy.example.org', '1.2.3.4/8/9', '99']) expect(typeof parseTrustProxy(bad)).toBe('string');
  });

  it('takes the client from the right end of X-Forwarded-For, never what the client wrote at the left', () => {
    // The client sent "X-Forwarded-For: 6.6.6.6"; the proxy at 10.0.0.2 appended the real 203.0.113.7.
    const spoofed = req('10.0.0.2', '6.6.6.6, 203.0.113.7');
    expect(clientAddressOf(1)(spoofed)).toBe('203.0.113.7');
    expect(clientAddressOf(['10.0.0.0/8'])(spoofed)).toBe('203.0.113.7');
    // Two proxies: a CDN then the load balancer.
    expect(clientAddressOf(2)(req('10.0.0.2', '6.6.6.6, 203.0.113.7, 198.51.100.1'))).toBe('203.0.113.7');
    expect(clientAddressOf(['10.0.0.0/8', '198.51.100.0/24'])(req('10.0.0.2', '6.6.6.6, 203.0.113.7, 198.51.100.1'))).toBe('203.0.113.7');
    // Not behind a proxy: the header is ignored; a peer outside the list is the client itself.
    expect(clientAddressOf(false)(spoofed)).toBe('10.0.0.2');
    expect(clientAddressOf(['192.168.0.0/16'])(spoofed)).toBe('10.0.0.2');
  });
});
