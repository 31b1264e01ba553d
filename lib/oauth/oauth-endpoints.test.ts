import { decodeJwt } from 'jose';
import { autoImplementMethods } from 'next/dist/server/route-modules/app-route/helpers/auto-implement-methods';
import { HTTP_METHODS } from 'next/dist/server/web/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as wellKnownPathRoute from '../../app/.well-known/oauth-authorization-server/[...issuerPath]/route';
import * as wellKnownRoute from '../../app/.well-known/oauth-authorization-server/route';
import * as gatewayRevocationsRoute from '../../app/oauth2/gateway-revocations/route';
import * as introspectRoute from '../../app/oauth2/introspect/route';
import * as jwksRoute from '../../app/oauth2/jwks/route';
import * as revokeRoute from '../../app/oauth2/revoke/route';
import * as tokenRoute from '../../app/oauth2/token/route';
import { createApplication, generateApplicationKeys } from '../applications/applications.service';
import type { DatabaseHandle } from '../db/drizzle';
import { applicationKeys } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { sha256Hex } from './credentials';
import { ROUTE_HANDLER_METHODS } from '../http/allowed-methods';
import { GRANTED_SCOPE } from './token.service';
import { insertTenant, insertUser, useThrowawaySecretKey } from '../test-support/oauth-fixtures';

const { GET: wellKnownMetadata } = wellKnownRoute;
const { GET: wellKnownPathMetadata } = wellKnownPathRoute;
const { POST: introspectEndpoint } = introspectRoute;
const { GET: jwksEndpoint } = jwksRoute;
const { POST: revokeEndpoint } = revokeRoute;
const { POST: tokenEndpoint } = tokenRoute;

let database: DatabaseHandle;
let clientId: string;
let clientSecret: string;

const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`).toString('base64')}`;

function post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Request {
  return new Request(`http://localhost:3000${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

async function expectOAuthError(response: Response, status: number, error: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('pragma')).toBe('no-cache');
  const body = (await response.json()) as { error: string; error_description: string };
  expect(body.error).toBe(error);
  expect(body.error_description.length).toBeGreaterThan(10);
}

beforeAll(async () => {
  useThrowawaySecretKey();
  database = await freshTestDatabase();
  const tenant = await insertTenant(database.db, 'endpoints.test');
  const developer = await insertUser(database.db, tenant, 'eve', ['subscriber']);
  const application = await createApplication(developer, { name: 'Endpoint app', description: '', tier: 'Gold' });
  const generated = await generateApplicationKeys(developer, application.id, { tokenValiditySeconds: 900, tokenType: 'JWT' });
  clientId = generated.key.consumerKey;
  clientSecret = generated.consumerSecret;
});

afterAll(async () => {
  await database.close();
});

describe('token endpoint', () => {
  it('issues a token for Basic credentials, never to be cached', async () => {
    const response = await tokenEndpoint(post('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(clientId, clientSecret) }));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    const body = (await response.json()) as Record<string, unknown>;
    // No scope asked for: the predefined default is granted, and said (RFC 6749 §3.3, §5.1).
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: GRANTED_SCOPE });
    // The issuer is the portal's URL, not the token endpoint's (RFC 8414 §2).
    expect(decodeJwt(body.access_token as string)).toMatchObject({ iss: 'http://localhost:3000', scope: GRANTED_SCOPE });
  });

  it('puts the requested scope in the response, the JWT and the introspection answer', async () => {
    const response = await tokenEndpoint(post('/oauth2/token', { grant_type: 'client_credentials', scope: 'default' }, { authorization: basic(clientId, clientSecret) }));
    const { access_token, scope } = (await response.json()) as { access_token: string; scope: string };
    expect(scope).toBe('default');
    expect(decodeJwt(access_token).scope).toBe('default');
    const introspected = await introspectEndpoint(post('/oauth2/introspect', { token: access_token }, { authorization: basic(clientId, clientSecret) }));
    expect(await introspected.json()).toMatchObject({ active: true, scope: 'default', iss: 'http://localhost:3000' });
  });

  it('answers invalid_target for resource indicators (RFC 8707), one or several, rather than ignoring them', async () => {
    const one = post('/oauth2/token', { grant_type: 'client_credentials', resource: 'https://gateway.test/orders/v1' }, { authorization: basic(clientId, clientSecret) });
    await expectOAuthError(await tokenEndpoint(one), 400, 'invalid_target');
    const several = new Request('http://localhost:3000/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId, clientSecret) },
      body: 'grant_type=client_credentials&resource=https%3A%2F%2Fa.test%2F&resource=https%3A%2F%2Fb.test%2F',
    });
    const response = await tokenEndpoint(several);
    expect(((await response.clone().json()) as { error_description: string }).error_description).toContain('Send the request without "resource"');
    await expectOAuthError(response, 400, 'invalid_target');
  });

  it('issues a token for form credentials', async () => {
    const response = await tokenEndpoint(post('/oauth2/token', { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }));
    expect(response.status).toBe(200);
  });

  it('answers invalid_request when grant_type is missing', async () => {
    await expectOAuthError(await tokenEndpoint(post('/oauth2/token', {}, { authorization: basic(clientId, clientSecret) })), 400, 'invalid_request');
  });

  it('answers unsupported_grant_type for any other grant', async () => {
    const request = post('/oauth2/token', { grant_type: 'password', username: 'eve', password: 'x' }, { authorization: basic(clientId, clientSecret) });
    await expectOAuthError(await tokenEndpoint(request), 400, 'unsupported_grant_type');
  });

  it('answers invalid_client with 401 and a Basic challenge for a wrong secret', async () => {
    const response = await tokenEndpoint(post('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(clientId, 'wrong') }));
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="privatejet"');
    await expectOAuthError(response, 401, 'invalid_client');
  });

  it('answers invalid_client for an unknown client and for no credentials at all', async () => {
    await expectOAuthError(
      await tokenEndpoint(post('/oauth2/token', { grant_type: 'client_credentials', client_id: 'unknown', client_secret: 'x' })),
      401,
      'invalid_client',
    );
    await expectOAuthError(await tokenEndpoint(post('/oauth2/token', { grant_type: 'client_credentials' })), 401, 'invalid_client');
  });

  it('answers invalid_request when both Basic and form credentials are sent', async () => {
    const request = post(
      '/oauth2/token',
      { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
      { authorization: basic(clientId, clientSecret) },
    );
    await expectOAuthError(await tokenEndpoint(request), 400, 'invalid_request');
  });

  it('answers invalid_request for a JSON body and for repeated parameters', async () => {
    const json = new Request('http://localhost:3000/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(clientId, clientSecret) },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    await expectOAuthError(await tokenEndpoint(json), 400, 'invalid_request');
    const repeated = new Request('http://localhost:3000/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId, clientSecret) },
      body: 'grant_type=client_credentials&grant_type=client_credentials',
    });
    await expectOAuthError(await tokenEndpoint(repeated), 400, 'invalid_request');
  });

  it('form-urlencoded-decodes Basic credentials (RFC 6749 §2.3.1)', async () => {
    // Characters that must be encoded: a colon in the id, spaces, plus signs, percent and non-ASCII.
    const oddId = 'client:with spaces+plus';
    const oddSecret = 'secret 100% +ü:/';
    const [application] = await database.db.query.applications.findMany({ limit: 1 });
    await database.db.delete(applicationKeys);
    await database.db.insert(applicationKeys).values({ applicationId: application!.id, consumerKey: oddId, consumerSecretHash: sha256Hex(oddSecret) });
    expect(formEncode(oddId)).toContain('%3A');

    const response = await tokenEndpoint(post('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(oddId, oddSecret) }));
    expect(response.status).toBe(200);
    // A literal "+" is a space in form encoding, so this secret is a different one.
    const plusLiteral = `Basic ${Buffer.from(`${formEncode(oddId)}:${formEncode(oddSecret).replace('%2B', '+')}`).toString('base64')}`;
    await expectOAuthError(await tokenEndpoint(post('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: plusLiteral })), 401, 'invalid_client');
    // Unencoded, "100% " is not valid form encoding.
    const malformed = `Basic ${Buffer.from(`${oddId}:${oddSecret}`).toString('base64')}`;
    await expectOAuthError(await tokenEndpoint(post('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: malformed })), 400, 'invalid_request');

    // Back to a regular key for the tests below.
    await database.db.delete(applicationKeys);
    await database.db.insert(applicationKeys).values({ applicationId: application!.id, consumerKey: clientId, consumerSecretHash: sha256Hex(clientSecret) });
  });
});

describe('introspection and revocation endpoints', () => {
  it('introspects, revokes, and then reports the token inactive', async () => {
    const tokenResponse = await tokenEndpoint(post('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(clientId, clientSecret) }));
    const { access_token } = (await tokenResponse.json()) as { access_token: string };

    const active = await introspectEndpoint(post('/oauth2/introspect', { token: access_token }, { authorization: basic(clientId, clientSecret) }));
    expect(active.status).toBe(200);
    expect(active.headers.get('cache-control')).toBe('no-store');
    expect(await active.json()).toMatchObject({ active: true, client_id: clientId, tenant: 'endpoints.test', token_type: 'Bearer' });

    const revoked = await revokeEndpoint(post('/oauth2/revoke', { token: access_token, token_type_hint: 'access_token' }, { authorization: basic(clientId, clientSecret) }));
    expect(revoked.status).toBe(200);
    expect(await revoked.text()).toBe('');

    const inactive = await introspectEndpoint(post('/oauth2/introspect', { token: access_token, client_id: clientId, client_secret: clientSecret }));
    expect(await inactive.json()).toEqual({ active: false });
  });

  it('answers 200 when revoking a token it never issued', async () => {
    const response = await revokeEndpoint(post('/oauth2/revoke', { token: 'never-issued' }, { authorization: basic(clientId, clientSecret) }));
    expect(response.status).toBe(200);
  });

  it('requires the token parameter and client authentication', async () => {
    await expectOAuthError(await introspectEndpoint(post('/oauth2/introspect', {}, { authorization: basic(clientId, clientSecret) })), 400, 'invalid_request');
    await expectOAuthError(await introspectEndpoint(post('/oauth2/introspect', { token: 'x' })), 401, 'invalid_client');
    await expectOAuthError(await revokeEndpoint(post('/oauth2/revoke', { token: 'x' }, { authorization: basic(clientId, 'wrong') })), 401, 'invalid_client');
  });
});

describe('discovery', () => {
  it('publishes the JWKS with a short cache lifetime', async () => {
    const response = await jwksEndpoint();
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(keys.length).toBeGreaterThan(0);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
  });

  const wellKnown = (rest: string) => new Request(`http://localhost:3000/.well-known/oauth-authorization-server${rest}`);

  it('publishes RFC 8414 metadata naming every endpoint, for the portal URL as issuer', async () => {
    const metadata = (await (await wellKnownMetadata()).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: 'http://localhost:3000',
      token_endpoint: 'http://localhost:3000/oauth2/token',
      jwks_uri: 'http://localhost:3000/oauth2/jwks',
      introspection_endpoint: 'http://localhost:3000/oauth2/introspect',
      revocation_endpoint: 'http://localhost:3000/oauth2/revoke',
      grant_types_supported: ['client_credentials'],
      response_types_supported: [],
      scopes_supported: ['default'],
    });
  });

  it("answers at the old issuer's location with the old issuer, as RFC 8414 §3.3 requires there", async () => {
    const response = await wellKnownPathMetadata(wellKnown('/oauth2/token'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ issuer: 'http://localhost:3000/oauth2/token', token_endpoint: 'http://localhost:3000/oauth2/token' });
  });

  it('answers 404 naming the issuer for any other issuer path', async () => {
    for (const rest of ['/oauth2', '/oauth2/token/x', '/tenant/acme']) {
      const response = await wellKnownPathMetadata(wellKnown(rest));
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: 'not_found',
        error_description: 'No authorization server here has this issuer. The issuer is http://localhost:3000; its metadata is at http://localhost:3000/.well-known/oauth-authorization-server.',
      });
    }
  });
});

describe('methods the OAuth endpoints do not answer', () => {
  // Next.js' own dispatch table for each module: what it answers for every method it routes.
  const routes = [
    { path: '/oauth2/token', module: tokenRoute, allow: 'OPTIONS, POST' },
    { path: '/oauth2/introspect', module: introspectRoute, allow: 'OPTIONS, POST' },
    { path: '/oauth2/revoke', module: revokeRoute, allow: 'OPTIONS, POST' },
    { path: '/oauth2/jwks', module: jwksRoute, allow: 'GET, HEAD, OPTIONS' },
    { path: '/oauth2/gateway-revocations', module: gatewayRevocationsRoute, allow: 'GET, HEAD, OPTIONS' },
    { path: '/.well-known/oauth-authorization-server', module: wellKnownRoute, allow: 'GET, HEAD, OPTIONS' },
    { path: '/.well-known/oauth-authorization-server/oauth2/token', module: wellKnownPathRoute, allow: 'GET, HEAD, OPTIONS' },
  ];

  it('covers every method Next.js routes to a handler', () => {
    expect([...ROUTE_HANDLER_METHODS].sort()).toEqual([...HTTP_METHODS].sort());
  });

  it.each(routes)('$path: 405 with Allow for every other method, OPTIONS lists the same', async ({ path, module, allow }) => {
    const handlers = autoImplementMethods(module as never);
    const allowed = allow.split(', ');
    for (const method of HTTP_METHODS) {
      if (allowed.includes(method) && method !== 'OPTIONS') continue;
      const response = (await handlers[method](new Request(`http://localhost:3000${path}`, { method }) as never, { params: Promise.resolve({}) } as never)) as Response;
      if (method === 'OPTIONS') {
        expect(response.status, `${method} ${path}`).toBe(204);
      } else {
        expect(response.status, `${method} ${path}`).toBe(405);
        if (method !== 'HEAD') expect(await response.json()).toMatchObject({ error: 'method_not_allowed' });
      }
      expect(response.headers.get('allow'), `${method} ${path}`).toBe(allow);
    }
  });
});
