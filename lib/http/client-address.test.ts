import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureRequestPeers, clientAddress, clientAddressOfCurrentRequest, currentRequestPeer, trustedProxiesFrom } from './client-address';

describe('the socket peer of the request being served', () => {
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    captureRequestPeers();
    captureRequestPeers(); // idempotent: a second install must not nest
    // Like a route handler deep inside Next.js: the answer is computed after several awaits.
    server = http.createServer(async (request, response) => {
      await sleep(5);
      await Promise.resolve();
      const headers = new Headers(Object.entries(request.headers).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value] as [string, string]] : [])));
      response.end(JSON.stringify({ peer: currentRequestPeer(), client: clientAddressOfCurrentRequest(headers) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is the real peer, whatever X-Forwarded-For the client sends', async () => {
    const answers = await Promise.all(
      ['6.6.6.6', '203.0.113.1, 10.0.0.1', ''].map(async (forwarded) => (await fetch(url, { headers: forwarded ? { 'x-forwarded-for': forwarded } : {} })).json()),
    );
    for (const answer of answers) expect(answer).toEqual({ peer: '127.0.0.1', client: '127.0.0.1' });
  });

  it('is unknown outside a request', () => {
    expect(currentRequestPeer()).toBeUndefined();
  });
});

describe('the client address behind trusted proxies', () => {
  const proxies = trustedProxiesFrom('10.0.0.0/8, 192.0.2.10, 2001:db8::/32');

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(clientAddress('198.51.100.5', '6.6.6.6', proxies)).toBe('198.51.100.5');
    expect(clientAddress('198.51.100.5', '6.6.6.6', trustedProxiesFrom(''))).toBe('198.51.100.5');
  });

  it('takes the nearest hop that is not a trusted proxy, so a forged leftmost entry is ignored', () => {
    expect(clientAddress('10.1.2.3', '203.0.113.7', proxies)).toBe('203.0.113.7');
    expect(clientAddress('10.1.2.3', '6.6.6.6, 203.0.113.7', proxies)).toBe('203.0.113.7');
    expect(clientAddress('::ffff:10.1.2.3', '6.6.6.6, 203.0.113.7, 192.0.2.10', proxies)).toBe('203.0.113.7');
    expect(clientAddress('2001:db8::1', '2001:db9::5', proxies)).toBe('2001:db9::5');
  });

  it('stops at the last proxy that vouched when a hop is malformed, and uses the peer without a header', () => {
    expect(clientAddress('10.1.2.3', '203.0.113.7, not-an-address', proxies)).toBe('10.1.2.3');
    expect(clientAddress('10.1.2.3', '6.6.6.6, evil, 10.9.9.9', proxies)).toBe('10.9.9.9');
    expect(clientAddress('10.1.2.3', null, proxies)).toBe('10.1.2.3');
    expect(clientAddress('10.1.2.3', '10.0.0.7, 10.0.0.8', proxies)).toBe('10.0.0.7');
    expect(clientAddress(undefined, '6.6.6.6', proxies)).toBeUndefined();
  });

  it('refuses a configuration entry that is not an address or CIDR', () => {
    for (const entry of ['proxy.internal', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/8/1', '::/129']) {
      expect(() => trustedProxiesFrom(`10.0.0.1, ${entry}`)).toThrow(`PRIVATEJET_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR`);
    }
  });
});
