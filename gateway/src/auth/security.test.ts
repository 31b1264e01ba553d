import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashBasicPassword } from '../basic-password';
import { startTestBackend, type TestBackend } from '@/lib/test-support/test-backend';
import { errorOf, startTestGateway, testConfig, type TestGateway } from '../test-support/test-gateway';
import { createSigningKey, signToken, TEST_ISSUER, tokenClaims, type SigningKey } from '../test-support/test-tokens';

// The token attack matrix and the other security schemes, against a real gateway on loopback.

let backend: TestBackend;
let portalKey: SigningKey;
let rotatedKey: SigningKey;
let strangerKey: SigningKey;
let gateway: TestGateway;
let authorizationServer: http.Server;
let authorizationServerUrl: string;
const introspectionCalls: string[] = [];
const activeOpaqueTokens = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  backend = await startTestBackend();
  [portalKey, rotatedKey, strangerKey] = await Promise.all([
    createSigningKey('portal-key-1'),
    createSigningKey('portal-key-2'),
    createSigningKey('stranger-key'),
  ]);
  authorizationServer = http.createServer((request, response) => {
    if (request.url === '/jwks') {
      // The rotated key is published only here, not embedded in the config.
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [portalKey.publicJwk, rotatedKey.publicJwk] }));
      return;
    }
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.headers.authorization !== `Basic ${Buffer.from('gateway-client:gateway-secret').toString('base64')}`) {
        response.writeHead(401).end();
        return;
      }
      const token = new URLSearchParams(body).get('token') ?? '';
      introspectionCalls.push(token);
      const claims = activeOpaqueTokens.get(token);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(claims ? { active: true, ...claims } : { active: false }));
    });
  });
  await new Promise<void>((resolve) => authorizationServer.listen(0, '127.0.0.1', resolve));
  authorizationServerUrl = `http://127.0.0.1:${(authorizationServer.address() as AddressInfo).port}`;

  const config = testConfig(backend.url, portalKey);
  gateway = await startTestGateway(
    {
      ...config,
      tokens: { ...config.tokens, jwksUrl: `${authorizationServerUrl}/jwks` },
      security: {
        jwt: { enabled: true },
        oauth2: {
          enabled: true,
          introspectionUrl: `${authorizationServerUrl}/introspect`,
          clientId: 'gateway-client',
          clientSecret: 'gateway-secret',
        },
        basic: { enabled: true, users: [{ username: 'alice', passwordHash: await hashBasicPassword('wonderland'), tier: 'Bronze' }] },
      },
    },
    { jwksMinRefreshIntervalMs: 0 },
  );
});

afterAll(async () => {
  await gateway?.stop();
  await backend?.close();
  await new Promise((resolve) => authorizationServer?.close(resolve));
});

const petsUrl = () => `${gateway.url}/petstore/1.0.0/pets`;
const callWithToken = (token: string, url = petsUrl()) => fetch(url, { headers: { authorization: `Bearer ${token}` } });
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('JWT access tokens', () => {
  it('accepts a valid token and forwards the call without the token', async () => {
    const response = await callWithToken(await signToken(portalKey, tokenClaims()));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { headers: Record<string, string> }).headers.authorization).toBeUndefined();
  });

  it('asks for credentials with WWW-Authenticate when there are none', async () => {
    const response = await fetch(petsUrl());
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Bearer realm="/petstore/1.0.0"');
    expect(response.headers.get('www-authenticate')).toContain('Basic realm="/petstore/1.0.0"');
    expect((await errorOf(response)).message).toContain('Authorization: Bearer <access token>');
  });

  it('serves an operation declared with security: [] without credentials', async () => {
    expect((await fetch(`${gateway.url}/petstore/1.0.0/public/status`)).status).toBe(200);
  });

  const attacks: Array<{ name: string; token: () => Promise<string>; status: number; message: string | RegExp }> = [
    {
      name: 'alg none',
      token: async () => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(tokenClaims())}.`,
      status: 401,
      message: 'token algorithm "none" is not allowed; expected one of RS256',
    },
    {
      name: 'HS256 signed with the public key as the secret',
      token: async () =>
        new SignJWT({ ...tokenClaims() })
          .setProtectedHeader({ alg: 'HS256', kid: portalKey.kid })
          .sign(new TextEncoder().encode(JSON.stringify(portalKey.publicJwk))),
      status: 401,
      message: 'token algorithm "HS256" is not allowed; expected one of RS256',
    },
    {
      name: 'expired',
      token: () => signToken(portalKey, tokenClaims({ exp: Math.floor(Date.now() / 1000) - 600 })),
      status: 401,
      message: /^token expired at \d{4}-/,
    },
    {
      name: 'not yet valid',
      token: () => signToken(portalKey, tokenClaims({ nbf: Math.floor(Date.now() / 1000) + 600 })),
      status: 401,
      message: /^token is not valid before \d{4}-/,
    },
    {
      name: 'issued in the future',
      token: () => signToken(portalKey, tokenClaims({ iat: Math.floor(Date.now() / 1000) + 600 })),
      status: 401,
      message: /^token was issued in the future \(\d{4}-/,
    },
    {
      name: 'an ID token (typ id+jwt) of the same issuer',
      token: () => new SignJWT({ ...tokenClaims() }).setProtectedHeader({ alg: 'RS256', kid: portalKey.kid, typ: 'id+jwt' }).sign(portalKey.privateKey),
      status: 401,
      message: 'token type "id+jwt" is not an access token; expected "at+jwt"',
    },
    {
      name: 'wrong issuer',
      token: () => signToken(portalKey, tokenClaims({ iss: 'https://elsewhere.test' })),
      status: 401,
      message: `token issuer "https://elsewhere.test" is not the expected "${TEST_ISSUER}"`,
    },
    {
      name: 'wrong audience',
      token: () => signToken(portalKey, tokenClaims({ aud: 'some-other-service' })),
      status: 401,
      message: 'token audience "some-other-service" does not include the expected "privatejet-gateways"',
    },
    {
      name: 'unknown kid (not in the config, not at the JWKS URL either)',
      token: () => signToken(strangerKey, tokenClaims()),
      status: 401,
      message: `token key id "stranger-key" is not a key of the issuer (checked again at the issuer's JWKS URL)`,
    },
    {
      name: 'tampered payload',
      token: async () => {
        const [header, , signature] = (await signToken(portalKey, tokenClaims({ tier: 'Bronze' }))).split('.');
        return `${header}.${base64url(tokenClaims({ tier: 'Unlimited' }))}.${signature}`;
      },
      status: 401,
      message: 'token signature is invalid',
    },
    {
      name: 'valid token subscribed to another API only',
      token: () =>
        signToken(portalKey, tokenClaims({ subscriptions: [{ apiId: 'api-other', context: '/other', version: '1.0.0', tier: 'Gold' }] })),
      status: 403,
      message: /^application "Application app-1" is not subscribed to API "PetStore" 1\.0\.0 \(id api-petstore-1\)/,
    },
    {
      name: 'valid token of another tenant',
      token: () => signToken(portalKey, tokenClaims({ tenant: 'example.com' })),
      status: 403,
      message: 'token belongs to tenant "example.com", but API "PetStore" 1.0.0 is in tenant "carbon.super"',
    },
    {
      name: 'signed token missing the subscription claims',
      token: () => signToken(portalKey, { ...tokenClaims(), subscriptions: undefined } as never),
      status: 401,
      message: /^token claims do not follow the portal's access-token contract \(subscriptions:/,
    },
  ];

  for (const attack of attacks) {
    it(`refuses a token: ${attack.name}`, async () => {
      const response = await callWithToken(await attack.token());
      expect(response.status).toBe(attack.status);
      const error = await errorOf(response);
      if (typeof attack.message === 'string') expect(error.message).toBe(attack.message);
      else expect(error.message).toMatch(attack.message);
      if (attack.status === 401) expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    });
  }

  it('never lets a refused token reach the backend', async () => {
    const before = backend.received.length;
    for (const attack of attacks) await callWithToken(await attack.token());
    expect(backend.received.length).toBe(before);
  });

  it('accepts a token signed with a rotated key, fetched from the JWKS URL by its kid', async () => {
    const response = await callWithToken(await signToken(rotatedKey, tokenClaims()));
    expect(response.status).toBe(200);
    expect(gateway.events.join('')).toContain('"event":"jwks_refreshed"');
  });
});

describe('opaque OAuth2 tokens (RFC 7662 introspection)', () => {
  it('accepts an active token and caches the answer until it expires', async () => {
    activeOpaqueTokens.set('opaque-active', tokenClaims());
    expect((await callWithToken('opaque-active')).status).toBe(200);
    expect((await callWithToken('opaque-active')).status).toBe(200);
    expect(introspectionCalls.filter((token) => token === 'opaque-active')).toHaveLength(1);
  });

  it('refuses a revoked (inactive) token', async () => {
    const response = await callWithToken('opaque-revoked');
    expect(response.status).toBe(401);
    expect((await errorOf(response)).message).toBe('token is not active (revoked, expired or unknown to the issuer)');
  });

  it('refuses an active token of an application not subscribed to this API', async () => {
    activeOpaqueTokens.set('opaque-other-api', tokenClaims({ subscriptions: [] }));
    const response = await callWithToken('opaque-other-api');
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe('not_subscribed');
  });
});

describe('Basic authentication', () => {
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  it('accepts a configured user with the right password', async () => {
    expect((await fetch(petsUrl(), { headers: { authorization: basic('alice', 'wonderland') } })).status).toBe(200);
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    for (const [user, password] of [['alice', 'guess'], ['mallory', 'wonderland']] as const) {
      const response = await fetch(petsUrl(), { headers: { authorization: basic(user, password) } });
      expect(response.status).toBe(401);
      expect((await errorOf(response)).message).toBe('user name or password is not correct');
    }
  });
});

describe('throttling by subscription tier', () => {
  it('gives a Bronze application 429 at its limit while a Gold application goes on', async () => {
    const bronze = await signToken(portalKey, tokenClaims({ tier: 'Bronze', applicationId: 'bronze-app' }));
    const gold = await signToken(portalKey, tokenClaims({ tier: 'Gold', applicationId: 'gold-app' }));
    const bronzeStatuses: number[] = [];
    for (let call = 0; call < 6; call++) bronzeStatuses.push((await callWithToken(bronze)).status);
    expect(bronzeStatuses).toEqual([200, 200, 200, 200, 200, 429]);

    const refused = await callWithToken(bronze);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('ratelimit-limit')).toBe('5');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect((await errorOf(refused)).message).toMatch(/^rate limit of tier "Bronze" \(5 requests per minute\) reached/);

    for (let call = 0; call < 10; call++) expect((await callWithToken(gold)).status).toBe(200);
  });
});
