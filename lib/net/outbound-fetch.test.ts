import type dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fetchOutbound, fetchOutboundText, isRefusedAddress, OutboundFetchError, outboundPolicyFromEnv, UNREACHABLE_MESSAGE, type OutboundFetchOptions } from './outbound-fetch';

// Every server here listens on 127.0.0.1; addresses of other ranges are only ever judged, never dialled.
let server: http.Server;
let base: string;
let port: number;
const seen: string[] = [];
let endlessSocketClosed: Promise<void> | undefined;
const LOOPBACK_ALLOWED: OutboundFetchOptions = { maxBytes: 64 * 1024, timeoutMs: 2_000, policy: { hosts: [], cidrs: ['127.0.0.1/32'] } };
const DEFAULT_POLICY: OutboundFetchOptions = { maxBytes: 64 * 1024, timeoutMs: 2_000, policy: { hosts: [], cidrs: [] } };

beforeAll(async () => {
  server = http.createServer((request, response) => {
    seen.push(request.url ?? '');
    if (request.url === '/definition') return response.end('openapi: 3.0.3');
    if (request.url === '/to-ipv6-loopback') return response.writeHead(302, { location: `http://[::1]:${port}/definition` }).end();
    if (request.url === '/to-localhost-name') return response.writeHead(302, { location: `http://localhost:${port}/definition` }).end();
    if (request.url === '/loop') return response.writeHead(302, { location: '/loop' }).end();
    // Closing the connection makes the next hop dial again, so it needs a second lookup.
    if (request.url === '/to-same-name') return response.writeHead(302, { location: '/definition', connection: 'close' }).end();
    if (request.url === '/endless') {
      endlessSocketClosed = new Promise((resolve) => request.socket.once('close', () => resolve()));
      const chunk = 'x'.repeat(16 * 1024);
      const write = () => {
        while (response.write(chunk));
      };
      response.on('drain', write);
      return write();
    }
    if (request.url === '/slow') return; // never answers
    if (request.url === '/echo' && request.method === 'POST') {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      return request.on('end', () => response.writeHead(201, { 'content-type': 'text/plain', 'x-seen-auth': request.headers.authorization ?? '' }).end(`got ${body}`));
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

async function failure(url: string, options: OutboundFetchOptions): Promise<OutboundFetchError> {
  try {
    await fetchOutboundText(url, options);
  } catch (error) {
    expect(error).toBeInstanceOf(OutboundFetchError);
    return error as OutboundFetchError;
  }
  throw new Error(`expected ${url} to be refused`);
}

it('judges every internal range as refused, IPv4-mapped IPv6 included, and the public internet as allowed', () => {
  for (const address of ['127.0.0.1', '127.8.9.10', '0.0.0.0', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1']) {
    expect(isRefusedAddress(address), address).toBe(true);
  }
  // the spellings that slip past a naive check: hex-mapped, zone ids, IPv6 forms that carry an IPv4 address
  for (const address of ['::ffff:7f00:1', 'fe80::1%eth0', '::7f00:1', '64:ff9b::a9fe:a9fe', '2002:7f00:1::1', 'fec0::1', '2001:db8::1']) {
    expect(isRefusedAddress(address), address).toBe(true);
  }
  for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700::1111', '::ffff:8.8.8.8']) expect(isRefusedAddress(address), address).toBe(false);
  expect(isRefusedAddress('10.20.1.2', { hosts: [], cidrs: ['10.20.0.0/16'] })).toBe(false);
});

it('refuses loopback by address and by name without sending a request, and fetches it when the platform allows it', async () => {
  seen.length = 0;
  for (const url of [`${base}/definition`, `http://[::ffff:127.0.0.1]:${port}/definition`, `http://localhost:${port}/definition`, `http://0.0.0.0:${port}/definition`]) {
    expect((await failure(url, DEFAULT_POLICY)).message, url).toBe(UNREACHABLE_MESSAGE);
  }
  expect(seen).toEqual([]);
  expect(await fetchOutboundText(`${base}/definition`, LOOPBACK_ALLOWED)).toBe('openapi: 3.0.3');
});

it('refuses a literal private, metadata or IPv6 loopback address before connecting', async () => {
  seen.length = 0;
  // the reason names the policy, not a connection error: no socket was opened
  for (const [url, address] of [['http://10.0.0.1/openapi.yaml', '10.0.0.1'], ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'], [`http://[::1]:${port}/definition`, '::1'], [`https://[fd00::1]/`, 'fd00::1']]) {
    const error = await failure(url!, DEFAULT_POLICY);
    expect(error.message, url).toBe(UNREACHABLE_MESSAGE);
    expect(error.reason, url).toBe(`refused address ${address}`);
  }
  expect(seen).toEqual([]);
});

it('lets a host name the platform allows through whatever it resolves to', async () => {
  const lookup = ((_host: string, _options: unknown, callback: (error: null, addresses: dns.LookupAddress[]) => void) =>
    callback(null, [{ address: '127.0.0.1', family: 4 }])) as unknown as typeof dns.lookup;
  const options = { ...DEFAULT_POLICY, lookup };
  expect((await failure(`http://apis.internal:${port}/definition`, options)).reason).toMatch(/resolves to refused 127\.0\.0\.1/);
  expect(await fetchOutboundText(`http://apis.internal:${port}/definition`, { ...options, policy: { hosts: ['apis.internal'], cidrs: [] } })).toBe('openapi: 3.0.3');
});

it('reads the allow-list from PRIVATEJET_OUTBOUND_ALLOW', () => {
  expect(outboundPolicyFromEnv(' Apis.Internal, 10.20.0.0/16,,fd00::/8 ')).toEqual({ hosts: ['apis.internal'], cidrs: ['10.20.0.0/16', 'fd00::/8'] });
});

it('re-checks every redirect hop and bounds their number', async () => {
  expect((await failure(`${base}/to-ipv6-loopback`, LOOPBACK_ALLOWED)).reason).toMatch(/refused address ::1/);
  seen.length = 0;
  expect((await failure(`${base}/loop`, LOOPBACK_ALLOWED)).reason).toBe('too many redirects');
  expect(seen.length).toBe(6);
});

it('resolves a name once and connects only to addresses it checked: one refused answer refuses the name', async () => {
  const lookup = ((_host: string, _options: unknown, callback: (error: null, addresses: dns.LookupAddress[]) => void) =>
    callback(null, [{ address: '127.0.0.1', family: 4 }, { address: '10.0.0.5', family: 4 }])) as unknown as typeof dns.lookup;
  seen.length = 0;
  expect((await failure(`http://rebind.test:${port}/definition`, { ...LOOPBACK_ALLOWED, lookup })).reason).toMatch(/resolves to refused 10\.0\.0\.5/);
  expect(seen).toEqual([]);
  const good = ((_host: string, _options: unknown, callback: (error: null, addresses: dns.LookupAddress[]) => void) =>
    callback(null, [{ address: '127.0.0.1', family: 4 }])) as unknown as typeof dns.lookup;
  expect(await fetchOutboundText(`http://apis.test:${port}/definition`, { ...LOOPBACK_ALLOWED, lookup: good })).toBe('openapi: 3.0.3');
});

it('checks the answer of every lookup: a name that rebinds to a private address on the second connection is refused', async () => {
  let lookups = 0;
  const rebinding = ((_host: string, _options: unknown, callback: (error: null, addresses: dns.LookupAddress[]) => void) =>
    callback(null, [{ address: ++lookups === 1 ? '127.0.0.1' : '10.0.0.1', family: 4 }])) as unknown as typeof dns.lookup;
  seen.length = 0;
  const error = await failure(`http://rebind.test:${port}/to-same-name`, { ...LOOPBACK_ALLOWED, lookup: rebinding });
  expect(error.reason).toMatch(/resolves to refused 10\.0\.0\.1/);
  expect(lookups).toBe(2);
  // the first, allowed answer was used once; the redirect's request never left
  expect(seen).toEqual(['/to-same-name']);
});

it('says the same for a closed port, a refused address, an HTTP error and a DNS failure', async () => {
  // a failing resolver is injected: the test sends no query to a real DNS server
  const notFound = ((host: string, _options: unknown, callback: (error: NodeJS.ErrnoException) => void) =>
    callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }))) as unknown as typeof dns.lookup;
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const messages = new Set([
    (await failure(`http://127.0.0.1:${closedPort}/`, LOOPBACK_ALLOWED)).message,
    (await failure(`${base}/definition`, DEFAULT_POLICY)).message,
    (await failure(`http://10.0.0.1:${closedPort}/`, DEFAULT_POLICY)).message,
    (await failure(`${base}/missing`, LOOPBACK_ALLOWED)).message,
    (await failure(`http://no-such-host.test/`, { ...LOOPBACK_ALLOWED, lookup: notFound })).message,
  ]);
  expect([...messages]).toEqual([UNREACHABLE_MESSAGE]);
});

it('gives up on a server that never answers within the time limit, with the same message', async () => {
  const started = performance.now();
  const error = await failure(`${base}/slow`, { ...LOOPBACK_ALLOWED, timeoutMs: 300 });
  expect(error.message).toBe(UNREACHABLE_MESSAGE);
  expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  expect(performance.now() - started).toBeLessThan(1_500);
});

it('stops reading an endless chunked body at the byte cap', async () => {
  const started = performance.now();
  const error = await failure(`${base}/endless`, LOOPBACK_ALLOWED);
  expect(error.message).toBe('it is larger than 64 KiB');
  expect(performance.now() - started).toBeLessThan(1_500);
  // the connection was cut, not left streaming into a buffer nobody reads
  expect(endlessSocketClosed).toBeDefined();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([endlessSocketClosed, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('the server socket stayed open')), 1_000)))]);
  clearTimeout(timer);
});

it('fetchOutbound (for the OpenID client): any method, headers and body, the status as it is, redirects not followed', async () => {
  const response = await fetchOutbound(`${base}/echo`, { method: 'POST', headers: { authorization: 'Basic abc' }, body: new URLSearchParams({ code: 'x' }) }, LOOPBACK_ALLOWED);
  expect(response.status).toBe(201);
  expect(response.headers.get('x-seen-auth')).toBe('Basic abc');
  expect(await response.text()).toBe('got code=x');
  expect((await fetchOutbound(`${base}/loop`, undefined, LOOPBACK_ALLOWED)).status).toBe(302);
});

it('fetchOutbound refuses loopback under the default policy and stops reading past the size cap', async () => {
  await expect(fetchOutbound(`${base}/definition`, undefined, DEFAULT_POLICY)).rejects.toThrow(UNREACHABLE_MESSAGE);
  await expect(fetchOutbound(`${base}/endless`, undefined, LOOPBACK_ALLOWED)).rejects.toThrow('it is larger than 64 KiB');
});
