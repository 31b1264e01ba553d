import { expect, test } from '@playwright/test';
import * as oauth from 'oauth4webapi';
import { seededAccounts } from './support/accounts';
import { createApplicationWithKeys } from './support/portal';
import { signIn } from './support/session';

// The authorization server over real HTTP, as the production server routes it: a strict client
// library (oauth4webapi) given nothing but the portal's URL, and every method on every OAuth path.

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

test.describe('OAuth 2.0 authorization server', () => {
  test('answers every method it does not serve with 405 and Allow, and OPTIONS with the same Allow', async ({ request }) => {
    const routes = [
      { path: '/oauth2/token', allow: 'OPTIONS, POST' },
      { path: '/oauth2/introspect', allow: 'OPTIONS, POST' },
      { path: '/oauth2/revoke', allow: 'OPTIONS, POST' },
      { path: '/oauth2/jwks', allow: 'GET, HEAD, OPTIONS' },
      { path: '/oauth2/gateway-revocations', allow: 'GET, HEAD, OPTIONS' },
      { path: '/.well-known/oauth-authorization-server', allow: 'GET, HEAD, OPTIONS' },
      { path: '/.well-known/oauth-authorization-server/oauth2/token', allow: 'GET, HEAD, OPTIONS' },
    ];
    for (const { path, allow } of routes) {
      for (const method of METHODS) {
        const response = await request.fetch(path, { method, maxRedirects: 0 });
        const what = `${method} ${path}`;
        if (method === 'OPTIONS') {
          expect(response.status(), what).toBe(204);
          expect(response.headers()['allow'], what).toBe(allow);
        } else if (allow.split(', ').includes(method)) {
          expect(response.status(), what).not.toBe(405);
        } else {
          expect(response.status(), what).toBe(405);
          expect(response.headers()['allow'], what).toBe(allow);
        }
      }
    }
  });

  test('a strict client discovers it from the portal URL, gets, validates, introspects and revokes a token', async ({ page, baseURL }) => {
    await signIn(page, seededAccounts.developer.identifier, seededAccounts.developer.password);
    const { clientId, clientSecret } = await createApplicationWithKeys(page, 'Strict Client App');

    // The end-to-end server runs on plain http on loopback.
    const options = { [oauth.allowInsecureRequests]: true };
    const issuer = new URL(baseURL!);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oauth2' }));
    expect(as.issuer).toBe(baseURL);
    expect(as.token_endpoint).toBe(`${baseURL}/oauth2/token`);

    const client: oauth.Client = { client_id: clientId };
    const auth = oauth.ClientSecretBasic(clientSecret);
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      client,
      await oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams({ scope: 'default' }), options),
    );
    expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'default' });

    const claims = await oauth.validateJwtAccessToken(
      as,
      new Request('http://gateway.test/any', { headers: { authorization: `Bearer ${tokens.access_token}` } }),
      'privatejet-gateway',
      options,
    );
    expect(claims).toMatchObject({ iss: baseURL, client_id: clientId, scope: 'default' });

    const introspect = async () =>
      oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, auth, tokens.access_token, options));
    expect(await introspect()).toMatchObject({ active: true, iss: baseURL, scope: 'default' });
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, tokens.access_token, options));
    expect(await introspect()).toEqual({ active: false });

    const refused = oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams({ resource: 'http://gateway.test/' }), options);
    await expect(oauth.processClientCredentialsResponse(as, client, await refused)).rejects.toMatchObject({ error: 'invalid_target' });
  });
});
