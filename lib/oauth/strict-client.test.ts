import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { eq } from 'drizzle-orm';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApplication, generateApplicationKeys } from '../applications/applications.service';
import type { DatabaseHandle } from '../db/drizzle';
import { accessTokens } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { subscribe } from '../subscriptions/subscriptions.service';
import { appRouteFetch } from '../test-support/app-routes';
import { ACCESS_TOKEN_AUDIENCE, legacyIssuerUrl } from './issuer';
import { signAccessToken } from './signing-keys';
import { insertApi, insertTenant, insertUser, useThrowawaySecretKey } from '../test-support/oauth-fixtures';

// A strict, independent OAuth client library (oauth4webapi) against the portal's route handlers,
// dispatched as Next.js dispatches them: discovery from the issuer alone (RFC 8414, with its
// §3.3 issuer check), client_credentials, RFC 9068 validation of the access token as a resource
// server would do it, introspection and revocation. Over the real server: e2e/oauth.spec.ts.

let database: DatabaseHandle;
let clientId: string;
let clientSecret: string;
let apiId: string;

beforeAll(async () => {
  useThrowawaySecretKey();
  database = await freshTestDatabase();
  const tenant = await insertTenant(database.db, 'strict.test');
  const developer = await insertUser(database.db, tenant, 'sam', ['subscriber']);
  const application = await createApplication(developer, { name: 'Strict client', description: '', tier: 'Gold' });
  const generated = await generateApplicationKeys(developer, application.id, { tokenValiditySeconds: 600, tokenType: 'JWT' });
  clientId = generated.key.consumerKey;
  clientSecret = generated.consumerSecret;
  const api = await insertApi(database.db, tenant, { name: 'Ledger', tiers: ['Gold'] });
  apiId = api.id;
  await subscribe(developer, { applicationId: application.id, apiId, tier: 'Gold' });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await database.close();
});

describe.each([
  { publicUrl: 'https://portal.example.test', proxyPrefix: undefined },
  // Behind a reverse proxy that serves the portal under a path and strips it.
  { publicUrl: 'https://corp.example.test/privatejet', proxyPrefix: '/privatejet' },
])('a strict client given only the issuer $publicUrl', ({ publicUrl, proxyPrefix }) => {
  const options = { [oauth.customFetch]: appRouteFetch({ stripPrefix: proxyPrefix }) };
  const client: oauth.Client = { client_id: '' };
  let as: oauth.AuthorizationServer;

  async function discover(issuer: string): Promise<oauth.AuthorizationServer> {
    const url = new URL(issuer);
    return oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { ...options, algorithm: 'oauth2' }));
  }

  async function clientCredentialsToken(parameters: Record<string, string> = {}, auth = oauth.ClientSecretBasic(clientSecret)) {
    const response = await oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams(parameters), options);
    return oauth.processClientCredentialsResponse(as, client, response);
  }

  const asResourceServer = (authorityServer: oauth.AuthorizationServer, token: string) =>
    oauth.validateJwtAccessToken(authorityServer, new Request('https://gateway.example.test/ledger/v1', { headers: { authorization: `Bearer ${token}` } }), ACCESS_TOKEN_AUDIENCE, options);

  async function introspect(token: string) {
    return oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, oauth.ClientSecretBasic(clientSecret), token, options));
  }

  beforeAll(async () => {
    vi.stubEnv('PRIVATEJET_PUBLIC_URL', publicUrl);
    client.client_id = clientId;
  });

  it('discovers the server from the issuer at the RFC 8414 §3.1 location, and the issuer matches', async () => {
    as = await discover(publicUrl);
    expect(as.issuer).toBe(publicUrl);
    expect(as).toMatchObject({
      token_endpoint: `${publicUrl}/oauth2/token`,
      jwks_uri: `${publicUrl}/oauth2/jwks`,
      introspection_endpoint: `${publicUrl}/oauth2/introspect`,
      revocation_endpoint: `${publicUrl}/oauth2/revoke`,
      grant_types_supported: ['client_credentials'],
      response_types_supported: [],
    });
  });

  it('refuses a document whose issuer is not the one asked for', async () => {
    // A client that believes the issuer is another URL of the portal must not get a document.
    await expect(discover(`${publicUrl}/oauth2`)).rejects.toThrow(/unexpected HTTP status code/);
    const wrongHost = new URL(publicUrl);
    wrongHost.hostname = 'elsewhere.example.test';
    await expect(discover(wrongHost.href.replace(/\/$/, ''))).rejects.toThrow('"response" body "issuer" property does not match the expected value');
  });

  it('gets a token with client_credentials, Basic and form authentication, with the granted scope', async () => {
    const basic = await clientCredentialsToken({ scope: 'default' });
    expect(basic).toMatchObject({ token_type: 'bearer', scope: 'default', expires_in: 600 });
    const post = await clientCredentialsToken({}, oauth.ClientSecretPost(clientSecret));
    expect(post.scope).toBe('default');
  });

  it('gets invalid_target, not a broader token, when it asks for a resource (RFC 8707)', async () => {
    const refusal = clientCredentialsToken({ resource: 'https://gateway.example.test/ledger/v1' });
    await expect(refusal).rejects.toBeInstanceOf(oauth.ResponseBodyError);
    await expect(refusal).rejects.toMatchObject({ error: 'invalid_target', status: 400 });
  });

  it('validates the JWT access token as an RFC 9068 resource server would, scope included', async () => {
    const { access_token } = await clientCredentialsToken({ scope: 'default' });
    const claims = await asResourceServer(as, access_token);
    expect(claims).toMatchObject({ iss: publicUrl, aud: ACCESS_TOKEN_AUDIENCE, sub: clientId, client_id: clientId, scope: 'default' });
    expect((claims as { subscriptions?: unknown }).subscriptions).toEqual({ [apiId]: 'Gold' });
  });

  it('introspects and revokes the token', async () => {
    const { access_token } = await clientCredentialsToken();
    expect(await introspect(access_token)).toMatchObject({ active: true, iss: publicUrl, client_id: clientId, scope: 'default', token_type: 'Bearer' });
    const revoked = await oauth.revocationRequest(as, client, oauth.ClientSecretBasic(clientSecret), access_token, options);
    await expect(oauth.processRevocationResponse(revoked)).resolves.toBeUndefined();
    expect(await introspect(access_token)).toEqual({ active: false });
  });

  it('still serves the old issuer (the token endpoint URL) its own document, and honours its unexpired tokens', async () => {
    const legacy = legacyIssuerUrl();
    expect(legacy).toBe(`${publicUrl}/oauth2/token`);
    const legacyAs = await discover(legacy);
    expect(legacyAs.issuer).toBe(legacy);
    expect(legacyAs.token_endpoint).toBe(as.token_endpoint);

    // A token as the previous release issued it: same keys, the old `iss`.
    const { access_token } = await clientCredentialsToken();
    const [record] = await database.db.select().from(accessTokens).where(eq(accessTokens.jti, decodeJwt(access_token).jti!));
    const jti = randomUUID();
    const oldToken = await signAccessToken({ ...decodeJwt(access_token), iss: legacy, jti });
    await database.db.insert(accessTokens).values({ ...record!, jti });
    expect(await asResourceServer(legacyAs, oldToken)).toMatchObject({ iss: legacy });
    expect(await introspect(oldToken)).toMatchObject({ active: true, iss: legacy });

    // Same keys, any other issuer: not a token of this server.
    const foreignJti = randomUUID();
    const foreign = await signAccessToken({ ...decodeJwt(access_token), iss: `${publicUrl}/other`, jti: foreignJti });
    await database.db.insert(accessTokens).values({ ...record!, jti: foreignJti });
    expect(await introspect(foreign)).toEqual({ active: false });
  });
});
