import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '@/lib/containers/local/haproxy-process';
import {
  createSigningKey,
  haproxyRuntimes,
  signToken,
  startTestGateway,
  TEST_API,
  TEST_ISSUER,
  TEST_LEGACY_ISSUER,
  testSpec,
  tokenClaims,
  type SigningKey,
  type TestGateway,
} from '@/lib/test-support/gateway-harness';
import { startTestBackend, type TestBackend } from '@/lib/test-support/test-backend';
import type { GatewaySpec } from './gateway-spec';

// The generated gateway, run by real HAProxy processes on loopback — the machine's 2.6 and
// Debian 13's 3.0 — against a real backend and a small authorization server that speaks
// RFC 7662 and the portal's revocation list. Every behaviour the gateway promises is here.

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const basicAuth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return body.error;
}

/** A request exactly as written (fetch would normalise the path). */
function rawRequest(url: string, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      const lines = [`${method} ${path} HTTP/1.1`, `Host: ${hostname}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.end(`${lines.join('\r\n')}\r\n\r\n`);
    });
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0), body: text.slice(text.indexOf('\r\n\r\n') + 4) }));
    socket.on('error', reject);
  });
}

/** The portal's side as a gateway sees it: introspection (RFC 7662) and the revocation list. */
class TestAuthorizationServer {
  readonly introspected: string[] = [];
  readonly activeTokens = new Map<string, Record<string, unknown>>();
  revocations = '';
  revocationPolls = 0;
  private server = http.createServer((request, response) => this.handle(request, response));
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.headers.authorization !== basicAuth('gateway-client', 'gateway-secret')) {
        response.writeHead(401).end();
        return;
      }
      if (request.url?.startsWith('/revocations')) {
        this.revocationPolls++;
        response.writeHead(200, { 'content-type': 'text/plain' }).end(this.revocations);
        return;
      }
      const token = new URLSearchParams(body).get('token') ?? '';
      this.introspected.push(token);
      const claims = this.activeTokens.get(token);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(claims ? { active: true, ...claims } : { active: false }));
    });
  }
}

const runtimes = haproxyRuntimes();

describe.each(runtimes)('$name', (runtime) => {
  let backend: TestBackend;
  let portalKey: SigningKey;
  let strangerKey: SigningKey;
  let authorizationServer: TestAuthorizationServer;
  let gateway: TestGateway;
  let spec: GatewaySpec;

  beforeAll(async () => {
    backend = await startTestBackend();
    [portalKey, strangerKey] = await Promise.all([createSigningKey('portal-key-1'), createSigningKey('stranger-key')]);
    authorizationServer = new TestAuthorizationServer();
    await authorizationServer.start();
    spec = testSpec(backend.url, [portalKey], {
      security: { jwt: true, opaqueTokens: true },
      authorizationServer: {
        ...testSpec(backend.url, [portalKey]).authorizationServer,
        introspectionUrl: `${authorizationServer.url}/introspect`,
        revocationsUrl: `${authorizationServer.url}/revocations`,
        revocationsPollSeconds: 1,
        introspectionCacheSeconds: 2,
      },
    });
    gateway = await startTestGateway(runtime, spec, { secret: 'gateway-secret' });
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await backend?.close();
    await authorizationServer?.close();
  });

  const api = (path: string) => `${gateway.url}/petstore/1.0.0${path}`;
  const withToken = (token: string, path = '/pets', init: RequestInit = {}) =>
    fetch(api(path), { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } });
  const now = () => Math.floor(Date.now() / 1000);
  const goodToken = (overrides: Parameters<typeof tokenClaims>[0] = {}) => signToken(portalKey, tokenClaims(overrides));

  describe('routing', () => {
    it('forwards a templated path with its query to the backend, under the endpoint base path, without the token', async () => {
      const response = await withToken(await goodToken(), '/pets/42?expand=owner');
      expect(response.status).toBe(200);
      const received = (await response.json()) as { url: string; method: string; headers: Record<string, string> };
      expect(received).toMatchObject({ url: '/pets/42?expand=owner', method: 'GET' });
      expect(received.headers.authorization).toBeUndefined();
    });

    it('prefers a literal path over a templated one, and matches a parameter inside a segment', async () => {
      const token = await goodToken();
      expect(((await (await withToken(token, '/pets/mine')).json()) as { url: string }).url).toBe('/pets/mine');
      expect((await withToken(token, '/files/report.json')).status).toBe(200);
      expect((await withToken(token, '/files/report.xml')).status).toBe(404);
    });

    it('answers 404 with a JSON error for a path the OpenAPI does not define, and for other APIs', async () => {
      const response = await fetch(api('/owners'));
      expect(response.status).toBe(404);
      expect(await errorOf(response)).toEqual({ code: 'not_found', message: 'no resource /petstore/1.0.0/owners in /petstore/1.0.0' });
      for (const path of ['/other/1.0.0/pets', '/petstore/2.0.0/pets', '/petstore/1.0.0x/pets', '/pets/1/extra']) {
        expect((await fetch(`${gateway.url}${path}`)).status, path).toBe(404);
      }
    });

    it('answers 405 with Allow for a method the path does not define, HEAD where GET is', async () => {
      const response = await fetch(api('/pets/1'), { method: 'POST', body: '{}' });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET,PUT,DELETE,HEAD');
      expect((await errorOf(response)).code).toBe('method_not_allowed');
      expect((await withToken(await goodToken(), '/pets', { method: 'HEAD' })).status).toBe(200);
    });

    it('refuses ambiguous paths: dot segments, encoded slashes and backslashes, backslashes, encoded NUL', async () => {
      const before = backend.received.length;
      for (const path of ['/pets/../admin', '/pets/%2e%2e/admin', '/pets/.', '/pets/1%2Fadmin', '/pets/1%5cadmin', '/pets/1\\admin', '/pets/1%00', '/pets/%2E']) {
        const response = await rawRequest(gateway.url, 'GET', `/petstore/1.0.0${path}`, { authorization: `Bearer ${await goodToken()}` });
        expect(response.status, path).toBe(400);
      }
      expect(backend.received.length).toBe(before);
    });

    it('drops method overrides, rewritten URLs and client-sent forwarding headers, and sets X-Forwarded-* itself', async () => {
      const response = await withToken(await goodToken(), '/pets', {
        headers: {
          'x-http-method-override': 'DELETE',
          'x-original-url': '/admin',
          'x-rewrite-url': '/admin',
          'x-forwarded-for': '203.0.113.9',
          'x-forwarded-host': 'evil.test',
          'x-forwarded-proto': 'http',
          forwarded: 'for=203.0.113.9',
          'x-request-id': 'caller-chosen',
          'x-custom': 'kept',
        },
      });
      const received = (await response.json()) as { headers: Record<string, string> };
      for (const header of ['x-http-method-override', 'x-original-url', 'x-rewrite-url', 'forwarded']) expect(received.headers[header], header).toBeUndefined();
      expect(received.headers['x-custom']).toBe('kept');
      expect(received.headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(received.headers['x-forwarded-proto']).toBe('https');
      expect(received.headers['x-forwarded-prefix']).toBe('/petstore/1.0.0');
      expect(received.headers['x-forwarded-host']).toBe(new URL(gateway.url).host);
      expect(received.headers['x-request-id']).not.toBe('caller-chosen');
      expect(response.headers.get('x-request-id')).toBe(received.headers['x-request-id']);
      expect(response.headers.get('keep-alive')).toBeNull();
    });
  });

  describe('JWT access tokens', () => {
    it('asks for credentials with WWW-Authenticate when there are none', async () => {
      const response = await fetch(api('/pets'));
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="/petstore/1.0.0"');
      expect((await errorOf(response)).message).toContain('Authorization: Bearer <access token>');
    });

    it('serves an operation declared with security: [] without credentials', async () => {
      expect((await fetch(api('/public/status'))).status).toBe(200);
    });

    const attacks: Array<{ name: string; token: () => Promise<string>; status: number; message: string | RegExp }> = [
      { name: 'alg none', token: async () => `${base64url({ alg: 'none', typ: 'JWT', kid: 'portal-key-1' })}.${base64url(tokenClaims())}.`, status: 401, message: /^token (algorithm "none" is not allowed|is not a JWT)/ },
      {
        name: 'HS256 signed with the public key as the secret',
        token: async () =>
          new SignJWT({ ...tokenClaims() }).setProtectedHeader({ alg: 'HS256', kid: portalKey.kid }).sign(new TextEncoder().encode(portalKey.pem)),
        status: 401,
        message: 'token algorithm "HS256" is not allowed; expected one of RS256',
      },
      { name: 'own key with a real kid', token: () => signToken(strangerKey, tokenClaims(), { kid: portalKey.kid }), status: 401, message: 'token signature is invalid' },
      {
        name: 'jku, x5u and jwk headers pointing at the attacker',
        token: () => signToken(strangerKey, tokenClaims(), { kid: portalKey.kid, jku: 'https://evil.test/jwks', x5u: 'https://evil.test/cert', jwk: strangerKey.publicJwk }),
        status: 401,
        message: 'token signature is invalid',
      },
      { name: 'expired', token: () => goodToken({ exp: now() - 600 }), status: 401, message: /^token expired at \d{4}-\d\d-\d\dT/ },
      { name: 'not yet valid', token: () => goodToken({ nbf: now() + 600 }), status: 401, message: /^token is not valid before \d{4}-/ },
      { name: 'issued in the future', token: () => goodToken({ iat: now() + 600 }), status: 401, message: /^token was issued in the future \(\d{4}-/ },
      {
        name: 'an ID token (typ id+jwt) of the same issuer',
        token: () => signToken(portalKey, tokenClaims(), { typ: 'id+jwt' }),
        status: 401,
        message: 'token type "id+jwt" is not an access token; expected "at+jwt"',
      },
      { name: 'wrong issuer', token: () => goodToken({ iss: 'https://elsewhere.test' }), status: 401, message: `token issuer "https://elsewhere.test" is not the expected "${TEST_ISSUER}" or "${TEST_LEGACY_ISSUER}"` },
      { name: 'an issuer that only extends an accepted one', token: () => goodToken({ iss: `${TEST_ISSUER}/other` }), status: 401, message: /^token issuer "https:\/\/portal\.test\/other" is not the expected/ },
      { name: 'wrong audience', token: () => goodToken({ aud: 'some-other-service' }), status: 401, message: 'token audience "some-other-service" does not include the expected "privatejet-gateway"' },
      { name: 'unknown kid', token: () => signToken(strangerKey, tokenClaims()), status: 401, message: 'token key id "stranger-key" is not a key of the issuer' },
      {
        name: 'tampered payload',
        token: async () => {
          const [header, , signature] = (await goodToken({ tier: 'Bronze' })).split('.');
          return `${header}.${base64url(tokenClaims({ tier: 'Unlimited' }))}.${signature}`;
        },
        status: 401,
        message: 'token signature is invalid',
      },
      {
        name: 'valid token subscribed to another API only',
        token: () => goodToken({ subscriptions: { 'b1b2c3d4-0000-4000-8000-000000000002': 'Gold' } }),
        status: 403,
        message: /^application "Application app-1" is not subscribed to API "PetStore" 1\.0\.0 \(id a1b2c3d4-/,
      },
      {
        name: 'subscriptions in the old array form',
        token: () => goodToken({ subscriptions: [{ apiId: TEST_API.id, tier: 'Gold' }] }),
        status: 403,
        message: /is not subscribed to API "PetStore"/,
      },
      { name: 'valid token of another tenant', token: () => goodToken({ tenant: 'example.com' }), status: 403, message: 'token belongs to tenant "example.com", but API "PetStore" 1.0.0 is in tenant "carbon.super"' },
      { name: 'missing the application claims', token: () => goodToken({ application: undefined }), status: 401, message: /^token claims do not follow the access-token contract/ },
      { name: 'a tier this gateway does not offer', token: () => goodToken({ tier: 'Platinum' }), status: 403, message: /^subscription tier "Platinum" is not configured on this gateway/ },
    ];

    for (const attack of attacks) {
      it(`refuses a token: ${attack.name}`, async () => {
        const response = await withToken(await attack.token());
        expect(response.status).toBe(attack.status);
        const error = await errorOf(response);
        if (typeof attack.message === 'string') expect(error.message).toBe(attack.message);
        else expect(error.message).toMatch(attack.message);
        if (attack.status === 401) expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
      });
    }

    it('never lets a refused token reach the backend', async () => {
      const before = backend.received.length;
      for (const attack of attacks) await withToken(await attack.token());
      expect(backend.received.length).toBe(before);
    });

    it('accepts tokens of the current issuer and of the earlier one, whose tokens may still live', async () => {
      expect((await withToken(await goodToken({ iss: TEST_ISSUER }))).status).toBe(200);
      expect((await withToken(await goodToken({ iss: TEST_LEGACY_ISSUER }))).status).toBe(200);
    });

    it('checks the claims of a token whose signature it already verified on every request', async () => {
      const token = await goodToken({ exp: now() + 2 - 30 });
      expect((await withToken(token)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const response = await withToken(token);
      expect(response.status).toBe(401);
      expect((await errorOf(response)).message).toMatch(/^token expired at/);
    });

    it('accepts a key id that starts with a dash, as a JWK thumbprint in base64url may', async () => {
      const dashed = await createSigningKey('-dashed-key');
      const gatewayWithDashedKey = await startTestGateway(runtime, { ...spec, authorizationServer: { ...spec.authorizationServer, keys: [{ kid: dashed.kid, pem: dashed.pem }] } }, { secret: 'gateway-secret' });
      try {
        const response = await fetch(`${gatewayWithDashedKey.url}/petstore/1.0.0/pets`, { headers: { authorization: `Bearer ${await signToken(dashed, tokenClaims())}` } });
        expect(response.status).toBe(200);
      } finally {
        await gatewayWithDashedKey.stop();
      }
    });

    it('accepts a token signed with a key added by a reload, without dropping the previous one', async () => {
      const rotated = await createSigningKey('portal-key-2');
      const rotating = await startTestGateway(runtime, spec, { secret: 'gateway-secret' });
      try {
        const call = async (key: SigningKey) =>
          (await fetch(`${rotating.url}/petstore/1.0.0/pets`, { headers: { authorization: `Bearer ${await signToken(key, tokenClaims())}` } })).status;
        expect(await call(rotated)).toBe(401);
        await rotating.update({ ...spec, authorizationServer: { ...spec.authorizationServer, keys: [...spec.authorizationServer.keys, { kid: rotated.kid, pem: rotated.pem }] } });
        // A kept-alive connection may still reach the old worker once or twice after the reload
        // (it closes idle connections as it stops); a busy machine makes that take seconds.
        await expect.poll(() => call(rotated), { timeout: 15_000 }).toBe(200);
        expect(await call(portalKey)).toBe(200);
      } finally {
        await rotating.stop();
      }
    });
  });

  describe('opaque tokens (RFC 7662 introspection)', () => {
    it('accepts an active token and caches the answer for at most the configured time', async () => {
      authorizationServer.activeTokens.set('opaque-active', tokenClaims());
      expect((await withToken('opaque-active')).status).toBe(200);
      expect((await withToken('opaque-active')).status).toBe(200);
      expect(authorizationServer.introspected.filter((token) => token === 'opaque-active')).toHaveLength(1);
      // Revoked at the portal: the cached answer holds for at most 2 s (the spec's bound here).
      authorizationServer.activeTokens.delete('opaque-active');
      await expect.poll(async () => (await withToken('opaque-active')).status, { timeout: 5_000, interval: 250 }).toBe(401);
    });

    it('refuses a revoked, unknown or other-API token, and answers 503 when the portal cannot be asked', async () => {
      const revoked = await withToken('opaque-revoked');
      expect(revoked.status).toBe(401);
      expect((await errorOf(revoked)).message).toBe('token is not active (revoked, expired or unknown to the issuer)');
      authorizationServer.activeTokens.set('opaque-other-api', tokenClaims({ subscriptions: {} }));
      const other = await withToken('opaque-other-api');
      expect(other.status).toBe(403);
      expect((await errorOf(other)).code).toBe('not_subscribed');

      const unreachable = await startTestGateway(runtime, { ...spec, authorizationServer: { ...spec.authorizationServer, introspectionUrl: `http://127.0.0.1:${await freeLoopbackPort()}/introspect` } }, { secret: 'gateway-secret' });
      try {
        const response = await fetch(`${unreachable.url}/petstore/1.0.0/pets`, { headers: { authorization: 'Bearer opaque-x' } });
        expect(response.status).toBe(503);
        expect((await errorOf(response)).code).toBe('service_unavailable');
      } finally {
        await unreachable.stop();
      }
    });
  });

  describe('revocations', () => {
    it('refuses a revoked JWT and tokens of a blocked subscription within the poll interval, and admits new tokens after it', async () => {
      const token = await goodToken({ jti: 'jti-revoked-1' });
      const blockedAppToken = await goodToken({ applicationId: 'app-blocked', iat: now() - 5 });
      expect((await withToken(token)).status).toBe(200);
      expect((await withToken(blockedAppToken)).status).toBe(200);

      const started = Date.now();
      authorizationServer.revocations = `token jti-revoked-1\napplication app-blocked ${now()}\n`;
      await expect.poll(async () => (await withToken(token)).status, { timeout: 5_000, interval: 100 }).toBe(401);
      await expect.poll(async () => (await withToken(blockedAppToken)).status, { timeout: 5_000, interval: 100 }).toBe(403);
      // The poll interval of this gateway is 1 s: the refusal came within it plus one call.
      expect(Date.now() - started).toBeLessThan(3_500);
      expect((await errorOf(await withToken(token))).message).toBe('token was revoked');

      // A token issued after the block was lifted (a new subscription) is accepted again.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await withToken(await goodToken({ applicationId: 'app-blocked' }))).status).toBe(200);
      authorizationServer.revocations = '';
      await expect.poll(async () => (await withToken(blockedAppToken)).status, { timeout: 5_000, interval: 100 }).toBe(200);
    });
  });

  describe('throttling by subscription tier', () => {
    it('gives a Bronze application 429 at its limit while a Gold application goes on', async () => {
      const bronze = await goodToken({ tier: 'Bronze', applicationId: 'bronze-app' });
      const gold = await goodToken({ tier: 'Gold', applicationId: 'gold-app' });
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let call = 0; call < 6; call++) {
        last = await withToken(bronze);
        statuses.push(last.status);
        if (call === 0) expect(last.headers.get('ratelimit-remaining')).toBe('4');
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(last!.headers.get('ratelimit-limit')).toBe('5');
      expect(last!.headers.get('ratelimit-remaining')).toBe('0');
      expect((await errorOf(last!)).message).toMatch(/^rate limit of tier "Bronze" \(5 requests per minute per replica\) reached/);
      for (let call = 0; call < 10; call++) expect((await withToken(gold)).status).toBe(200);
    });

    it('splits a tier between replicas', async () => {
      const shared = await startTestGateway(runtime, { ...spec, replicas: 2 });
      try {
        const bronze = await goodToken({ tier: 'Bronze', applicationId: 'bronze-split' });
        const statuses: number[] = [];
        for (let call = 0; call < 4; call++) statuses.push((await fetch(`${shared.url}/petstore/1.0.0/pets`, { headers: { authorization: `Bearer ${bronze}` } })).status);
        expect(statuses).toEqual([200, 200, 200, 429]);
      } finally {
        await shared.stop();
      }
    });
  });

  describe('backend failures and limits', () => {
    it('answers 504 when the backend is slower than the response timeout, and 502 when nothing listens', async () => {
      const slow = await withToken(await goodToken(), '/slow?ms=3000');
      expect(slow.status).toBe(504);
      expect(await errorOf(slow)).toEqual({ code: 'gateway_timeout', message: 'the backend did not answer within 2000 ms' });

      const closedPort = await freeLoopbackPort();
      const down = await startTestGateway(runtime, testSpec(`http://127.0.0.1:${closedPort}`, [portalKey]));
      try {
        const response = await fetch(`${down.url}/petstore/1.0.0/public/status`);
        expect(response.status).toBe(502);
        const error = await errorOf(response);
        expect(error).toEqual({ code: 'bad_gateway', message: 'the backend is unavailable' });
      } finally {
        await down.stop();
      }
    });

    it('answers 413 for a declared body over the limit and forwards one within it', async () => {
      const token = await goodToken();
      // Refused on the declared length alone: the client learns before it sends the body.
      const tooLarge = await rawRequest(gateway.url, 'POST', '/petstore/1.0.0/upload', { authorization: `Bearer ${token}`, 'content-length': String(1024 * 1024 + 1) });
      expect(tooLarge.status).toBe(413);
      expect((JSON.parse(tooLarge.body) as { error: { code: string } }).error.code).toBe('payload_too_large');
      const fine = await withToken(token, '/upload', { method: 'POST', body: Buffer.alloc(4096) });
      expect(((await fine.json()) as { bodyBytes: number }).bodyBytes).toBe(4096);
    });
  });

  describe('CORS', () => {
    it('answers a preflight from an allowed origin without credentials, and refuses other origins', async () => {
      const preflight = await fetch(api('/pets'), {
        method: 'OPTIONS',
        headers: { origin: 'https://portal.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://portal.test');
      expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST,HEAD');
      expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
      const refused = await fetch(api('/pets'), { method: 'OPTIONS', headers: { origin: 'https://evil.test', 'access-control-request-method': 'GET' } });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('lets the portal read errors and rate-limit headers of actual responses', async () => {
      const response = await fetch(api('/pets'), { headers: { origin: 'https://portal.test' } });
      expect(response.status).toBe(401);
      expect(response.headers.get('access-control-allow-origin')).toBe('https://portal.test');
      expect(response.headers.get('access-control-expose-headers')).toContain('RateLimit-Remaining');
      expect(response.headers.get('vary')).toContain('Origin');
    });
  });

  describe('operational endpoints', () => {
    it('reports live and ready, and exports Prometheus metrics', async () => {
      expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);
      expect((await fetch(`${gateway.url}/health/ready`)).status).toBe(200);
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(metrics).toMatch(/^haproxy_frontend_http_requests_total\{proxy="gateway"\} \d+/m);
    });
  });

  describe('reload and stop', () => {
    it('reloads a changed config under steady traffic without failing a request', async () => {
      const token = await goodToken({ tier: 'Gold', applicationId: 'reload-app' });
      const statuses: Array<number | string> = [];
      let running = true;
      const traffic = (async () => {
        while (running) statuses.push(await withToken(token).then((r) => r.status, (e: Error) => `${e.message} ${String((e.cause as Error)?.message)}`));
      })();
      for (let reload = 0; reload < 3; reload++) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await gateway.update({ ...spec, limits: { ...spec.limits, maxBodyBytes: spec.limits.maxBodyBytes + reload } });
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      running = false;
      await traffic;
      expect(statuses.length).toBeGreaterThan(20);
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
    });

    it('finishes an in-flight request on a graceful stop, then stops listening', async () => {
      const draining = await startTestGateway(runtime, { ...spec, limits: { ...spec.limits, responseTimeoutMs: 5_000 } }, { secret: 'gateway-secret' });
      const inFlight = fetch(`${draining.url}/petstore/1.0.0/slow?ms=800`, { headers: { authorization: `Bearer ${await goodToken()}` } });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const stopped = draining.stop();
      expect((await inFlight).status).toBe(200);
      await stopped;
      await expect(fetch(`${draining.url}/health/live`)).rejects.toThrow();
    });
  });
});
