import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '@/lib/test-support/test-backend';
import { errorOf, startTestGateway, testConfig, type TestGateway } from './test-support/test-gateway';

// Routing, proxying, limits, CORS and operational endpoints, with security off so each case
// isolates one behaviour (security has its own suite).

let backend: TestBackend;
let gateway: TestGateway;

beforeAll(async () => {
  backend = await startTestBackend();
  gateway = await startTestGateway(
    testConfig(backend.url, undefined, {
      limits: { maxBodyBytes: 1024, connectTimeoutMs: 1000, responseTimeoutMs: 300 },
    }),
  );
});

afterAll(async () => {
  await gateway?.stop();
  await backend?.close();
});

describe('routing', () => {
  it('forwards a templated path with its query to the backend, without the API base path', async () => {
    const response = await fetch(`${gateway.url}/petstore/1.0.0/pets/42?expand=owner`);
    expect(response.status).toBe(200);
    const received = (await response.json()) as { url: string; method: string };
    expect(received).toMatchObject({ url: '/pets/42?expand=owner', method: 'GET' });
  });

  it('answers 404 with a JSON error for a path the OpenAPI does not define', async () => {
    const response = await fetch(`${gateway.url}/petstore/1.0.0/owners`);
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toEqual({ code: 'not_found', message: 'no resource /owners in /petstore/1.0.0' });
  });

  it('answers 404 for another API context or version', async () => {
    for (const path of ['/other/1.0.0/pets', '/petstore/2.0.0/pets', '/petstore/1.0.0x/pets']) {
      const response = await fetch(`${gateway.url}${path}`);
      expect(response.status, path).toBe(404);
      expect((await errorOf(response)).message).toContain('this gateway serves /petstore/1.0.0');
    }
  });

  it('answers 405 with Allow for a method the path does not define', async () => {
    const response = await fetch(`${gateway.url}/petstore/1.0.0/pets/1`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, PUT, DELETE, HEAD');
    expect((await errorOf(response)).code).toBe('method_not_allowed');
  });

  it('refuses dot segments instead of letting the backend resolve them outside the API', async () => {
    const response = await rawRequest(gateway.url, 'GET', '/petstore/1.0.0/pets/../admin');
    expect(response.status).toBe(400);
  });

  it('sets X-Forwarded-* and strips the Authorization header', async () => {
    const response = await fetch(`${gateway.url}/petstore/1.0.0/pets`, {
      headers: { authorization: 'Bearer secret-token', 'x-custom': 'kept' },
    });
    const received = (await response.json()) as { headers: Record<string, string> };
    expect(received.headers.authorization).toBeUndefined();
    expect(received.headers['x-custom']).toBe('kept');
    expect(received.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(received.headers['x-forwarded-prefix']).toBe('/petstore/1.0.0');
    expect(received.headers['x-forwarded-host']).toBe(new URL(gateway.url).host);
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });
});

describe('proxying', () => {
  it('streams a body of unknown length through, chunk by chunk and byte for byte', async () => {
    const response = await fetch(`${gateway.url}/petstore/1.0.0/stream?chunks=40&bytes=65536`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.length).toBe(40 * 65536);
    expect(body[0]).toBe(0x61);
    expect(body[39 * 65536]).toBe(0x61 + 39 % 26);
  });

  it('answers Expect: 100-continue itself and forwards the body without the header', async () => {
    const { hostname, port } = new URL(gateway.url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(
        { hostname, port, method: 'POST', path: '/petstore/1.0.0/pets', headers: { expect: '100-continue', 'content-length': '5' } },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on('continue', () => request.end('hello'));
      request.on('error', reject);
    });
    expect(answer.status).toBe(200);
    const received = JSON.parse(answer.body) as { bodyBytes: number; headers: Record<string, string> };
    expect(received.bodyBytes).toBe(5);
    expect(received.headers.expect).toBeUndefined();
  });

  it('keeps X-Forwarded-* headers it does not set and replaces a caller-sent request id only once', async () => {
    const response = await fetch(`${gateway.url}/petstore/1.0.0/pets`, {
      headers: { 'x-forwarded-port': '443', 'x-request-id': 'caller-id-1', 'x-forwarded-for': '203.0.113.9' },
    });
    const received = (await response.json()) as { headers: Record<string, string> };
    expect(received.headers['x-forwarded-port']).toBe('443');
    expect(received.headers['x-request-id']).toBe('caller-id-1');
    expect(received.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(response.headers.get('x-request-id')).toBe('caller-id-1');
  });
});

describe('backend failures', () => {
  it('answers 504 when the backend is slower than the response timeout', async () => {
    const started = Date.now();
    const response = await fetch(`${gateway.url}/petstore/1.0.0/slow?ms=2000`);
    expect(response.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await errorOf(response)).toEqual({ code: 'gateway_timeout', message: 'the backend did not answer within 300 ms' });
  });

  it('answers 502 without backend internals when nothing listens at the endpoint', async () => {
    const closedPort = await unusedPort();
    const down = await startTestGateway(testConfig(`http://127.0.0.1:${closedPort}`, undefined));
    try {
      const response = await fetch(`${down.url}/petstore/1.0.0/pets`);
      expect(response.status).toBe(502);
      const error = await errorOf(response);
      expect(error).toEqual({ code: 'bad_gateway', message: 'the backend is unavailable' });
      expect(JSON.stringify(error)).not.toContain(String(closedPort));
    } finally {
      await down.stop();
    }
  });

  it('sends an idempotent request once more when the backend drops the connection, and a POST never', async () => {
    // Drops the connection on the first attempt of each path, answers the second.
    const attempts = new Map<string, number>();
    const flaky = http.createServer((request, response) => {
      const seen = (attempts.get(`${request.method} ${request.url}`) ?? 0) + 1;
      attempts.set(`${request.method} ${request.url}`, seen);
      if (seen === 1) request.socket.destroy();
      else response.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    const flakyGateway = await startTestGateway(testConfig(`http://127.0.0.1:${(flaky.address() as AddressInfo).port}`, undefined));
    try {
      expect((await fetch(`${flakyGateway.url}/petstore/1.0.0/pets/1`)).status).toBe(200);
      expect(attempts.get('GET /pets/1')).toBe(2);
      expect((await fetch(`${flakyGateway.url}/petstore/1.0.0/pets`, { method: 'POST' })).status).toBe(502);
      expect(attempts.get('POST /pets')).toBe(1);
    } finally {
      await flakyGateway.stop();
      flaky.closeAllConnections();
      await new Promise((resolve) => flaky.close(resolve));
    }
  });

  it.skipIf(!pythonAvailable)('answers 504 when connecting to the backend takes longer than the connect timeout', async () => {
    const blackhole = await startUnacceptingListener();
    const unreachable = await startTestGateway(
      testConfig(`http://127.0.0.1:${blackhole.port}`, undefined, {
        limits: { maxBodyBytes: 1024, connectTimeoutMs: 200, responseTimeoutMs: 5000 },
      }),
    );
    try {
      const response = await fetch(`${unreachable.url}/petstore/1.0.0/pets`);
      expect(response.status).toBe(504);
      expect((await errorOf(response)).message).toBe('the backend could not be reached within 200 ms');
    } finally {
      await unreachable.stop();
      blackhole.stop();
    }
  });
});

describe('request body limit', () => {
  it('answers 413 for a declared Content-Length over the limit', async () => {
    const response = await fetch(`${gateway.url}/petstore/1.0.0/pets`, { method: 'POST', body: 'x'.repeat(2048) });
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toEqual({
      code: 'payload_too_large',
      message: 'request body is larger than the limit of 1024 bytes',
    });
  });

  it('answers 413 for a chunked body that grows over the limit', async () => {
    const response = await rawRequest(gateway.url, 'POST', '/petstore/1.0.0/pets', ['x'.repeat(700), 'y'.repeat(700)]);
    expect(response.status).toBe(413);
  });

  it('forwards a body within the limit', async () => {
    const response = await fetch(`${gateway.url}/petstore/1.0.0/pets`, { method: 'POST', body: 'x'.repeat(1000) });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { bodyBytes: number }).bodyBytes).toBe(1000);
  });
});

describe('CORS', () => {
  it('answers a preflight from an allowed origin without credentials', async () => {
    const response = await fetch(`${gateway.url}/petstore/1.0.0/pets/7`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://portal.test',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://portal.test');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, PUT, DELETE, HEAD');
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
  });

  it('refuses a preflight from an origin that is not configured', async () => {
    const response = await fetch(`${gateway.url}/petstore/1.0.0/pets`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.test', 'access-control-request-method': 'GET' },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets the browser read the rate-limit and request-id headers of an actual response', async () => {
    const response = await fetch(`${gateway.url}/petstore/1.0.0/pets`, { headers: { origin: 'https://portal.test' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://portal.test');
    expect(response.headers.get('access-control-expose-headers')).toContain('RateLimit-Remaining');
  });

  it("puts its own CORS and request-id headers over a backend's, and merges Vary", async () => {
    const backendHeaders = { 'access-control-allow-origin': '*', 'x-request-id': 'from-backend', vary: 'Accept-Encoding' };
    const response = await fetch(`${gateway.url}/petstore/1.0.0/pets`, {
      headers: { origin: 'https://portal.test', 'x-request-id': 'from-caller', 'x-test-response-headers': JSON.stringify(backendHeaders) },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://portal.test');
    expect(response.headers.get('x-request-id')).toBe('from-caller');
    expect(response.headers.get('vary')).toBe('Accept-Encoding, Origin');
    expect(response.headers.get('x-backend')).toBe('test');
  });
});

describe('operational endpoints', () => {
  it('reports live and ready', async () => {
    expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${gateway.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('counts requests by status and upstream errors in Prometheus format', async () => {
    await fetch(`${gateway.url}/petstore/1.0.0/nowhere`);
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(text).toMatch(/gateway_requests_total\{code="404"\} [1-9]/);
    expect(text).toMatch(/gateway_upstream_errors_total\{kind="response_timeout"\} [1-9]/);
    expect(text).toContain('gateway_request_duration_seconds_bucket');
  });

  it('writes one JSON access-log line per request', async () => {
    await fetch(`${gateway.url}/petstore/1.0.0/pets?secret=1`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = gateway.accessLog.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const line = lines.find((entry) => entry.path === '/petstore/1.0.0/pets' && entry.method === 'GET');
    expect(line).toMatchObject({ status: 200, consumer: '-' });
    expect(JSON.stringify(lines)).not.toContain('secret=1');
  });

  it('is not ready and answers 503 while its config file is invalid from the start', async () => {
    const broken = await startTestGateway({ api: { id: 'x' } });
    try {
      expect((await fetch(`${broken.url}/health/ready`)).status).toBe(503);
      expect((await fetch(`${broken.url}/petstore/1.0.0/pets`)).status).toBe(503);
      expect(broken.events.join('')).toContain('"event":"config_rejected"');
    } finally {
      await broken.stop();
    }
  });
});

const pythonAvailable = spawnSync('python3', ['--version']).status === 0;

/**
 * A TCP listener that never accepts, with its accept queue already full, so new connections
 * hang in the handshake (Node always accepts, hence a few lines of Python).
 */
async function startUnacceptingListener(): Promise<{ port: number; stop(): void }> {
  const script = [
    'import socket, sys, time',
    's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
    'port = s.getsockname()[1]',
    'fillers = []',
    'for _ in range(4):',
    '    c = socket.socket(); c.setblocking(False)',
    '    try: c.connect(("127.0.0.1", port))',
    '    except BlockingIOError: pass',
    '    fillers.append(c)',
    'print(port, flush=True)',
    'time.sleep(60)',
  ].join('\n');
  const child = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('error', reject);
  });
  return { port, stop: () => child.kill('SIGKILL') };
}

async function unusedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A request fetch would not send as-is: literal dot segments, or a chunked body. */
function rawRequest(baseUrl: string, method: string, path: string, chunks: string[] = []): Promise<{ status: number }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request({ hostname, port, method, path, headers: chunks.length ? { 'transfer-encoding': 'chunked' } : {} }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0 });
    });
    request.on('error', reject);
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}
