import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSigningKey,
  haproxyRuntimes,
  signToken,
  startTestGateway,
  testSpec,
  tokenClaims,
  type SigningKey,
  type TestGateway,
} from '@/lib/test-support/gateway-harness';
import { startTestBackend, type TestBackend } from '@/lib/test-support/test-backend';

// WSO2's production/sandbox pair through real HAProxy (2.6 and 3.0) on loopback: a token's
// keytype claim (or its introspection answer) picks the backend, and a token of a key type the
// API has no endpoint for is refused with a JSON hint. Two real backends tell the routes apart.

const basicAuth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The portal's introspection endpoint as a gateway sees it: answers for the opaque tokens it was given. */
async function startIntrospection(activeTokens: Map<string, Record<string, unknown>>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.headers.authorization !== basicAuth('gateway-client', 'gateway-secret')) return void response.writeHead(401).end();
      if (request.url?.startsWith('/revocations')) return void response.writeHead(200, { 'content-type': 'text/plain' }).end('');
      const claims = activeTokens.get(new URLSearchParams(body).get('token') ?? '');
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(claims ? { active: true, ...claims } : { active: false }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())),
  };
}

describe.each(haproxyRuntimes())('$name', (runtime) => {
  let production: TestBackend;
  let sandbox: TestBackend;
  let key: SigningKey;
  let introspection: Awaited<ReturnType<typeof startIntrospection>>;
  const opaque = new Map<string, Record<string, unknown>>();
  let both: TestGateway;
  let productionOnly: TestGateway;
  let sandboxOnly: TestGateway;

  beforeAll(async () => {
    [production, sandbox, key] = await Promise.all([startTestBackend(), startTestBackend(), createSigningKey('portal-key-1')]);
    introspection = await startIntrospection(opaque);
    const spec = (endpoints: string[], sandboxEndpoints: string[]) => {
      const base = testSpec(production.url, [key]);
      return {
        ...base,
        endpoints,
        sandboxEndpoints,
        security: { jwt: true, opaqueTokens: true },
        authorizationServer: { ...base.authorizationServer, introspectionUrl: `${introspection.url}/introspect`, revocationsUrl: `${introspection.url}/revocations` },
      };
    };
    [both, productionOnly, sandboxOnly] = await Promise.all([
      startTestGateway(runtime, spec([`${production.url}/live`], [`${sandbox.url}/test`]), { secret: 'gateway-secret' }),
      startTestGateway(runtime, spec([`${production.url}/live`], []), { secret: 'gateway-secret' }),
      startTestGateway(runtime, spec([], [`${sandbox.url}/test`]), { secret: 'gateway-secret' }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([both?.stop(), productionOnly?.stop(), sandboxOnly?.stop()]);
    await Promise.all([production?.close(), sandbox?.close(), introspection?.close()]);
  });

  const call = (gateway: TestGateway, token: string, path = '/pets/7') => fetch(`${gateway.url}/petstore/1.0.0${path}`, { headers: { authorization: `Bearer ${token}` } });
  const jwt = (keytype?: 'PRODUCTION' | 'SANDBOX') => signToken(key, tokenClaims(keytype ? { keytype } : {}));
  /** Which backend answered, and the path it was asked for. */
  async function reached(response: Response): Promise<{ backend: 'production' | 'sandbox'; url: string }> {
    expect(response.status).toBe(200);
    const { url } = (await response.json()) as { url: string };
    const last = (backend: TestBackend) => backend.received.at(-1)?.url;
    return { backend: last(sandbox) === url && url.startsWith('/test/') ? 'sandbox' : last(production) === url && url.startsWith('/live/') ? 'production' : (null as never), url };
  }

  it('sends a production token to the production endpoint and a sandbox token to the sandbox endpoint', async () => {
    expect(await reached(await call(both, await jwt('PRODUCTION')))).toEqual({ backend: 'production', url: '/live/pets/7' });
    expect(await reached(await call(both, await jwt('SANDBOX'), '/pets/8'))).toEqual({ backend: 'sandbox', url: '/test/pets/8' });
  });

  it('treats a token without keytype (issued before key types) as a production token', async () => {
    expect((await reached(await call(both, await jwt()))).backend).toBe('production');
  });

  it('routes opaque tokens by the keytype of their introspection answer', async () => {
    opaque.set('opaque-sandbox-token', tokenClaims({ keytype: 'SANDBOX', applicationId: 'app-opaque' }));
    opaque.set('opaque-production-token', tokenClaims({ keytype: 'PRODUCTION', applicationId: 'app-opaque' }));
    expect((await reached(await call(both, 'opaque-sandbox-token'))).backend).toBe('sandbox');
    expect((await reached(await call(both, 'opaque-production-token'))).backend).toBe('production');
  });

  it('refuses a sandbox token when the API has no sandbox endpoint, with a hint, and lets production tokens through', async () => {
    const before = production.received.length + sandbox.received.length;
    const refused = await call(productionOnly, await jwt('SANDBOX'));
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toBe('application/json');
    const { error } = (await refused.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('sandbox_endpoint_missing');
    expect(error.message).toBe('API "PetStore" 1.0.0 has no sandbox endpoint, so tokens of sandbox keys cannot call it; use a token of the production keys of application "Application app-1"');
    expect(production.received.length + sandbox.received.length).toBe(before);
    expect((await reached(await call(productionOnly, await jwt('PRODUCTION')))).backend).toBe('production');
  });

  it('refuses a production token when the API has only a sandbox endpoint', async () => {
    const refused = await call(sandboxOnly, await jwt('PRODUCTION'));
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('production_endpoint_missing');
    expect((await reached(await call(sandboxOnly, await jwt('SANDBOX')))).backend).toBe('sandbox');
  });
});
