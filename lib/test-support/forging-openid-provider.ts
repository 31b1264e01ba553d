import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';

/**
 * The few endpoints of an OpenID provider that a relying party's callback talks to (discovery,
 * JWKS, token), answering with an ID token the test shapes: expired, of another issuer, for
 * another audience, signed by a key the provider never published. Real HTTP and real RS256
 * signatures, so next-auth and our own checks judge them exactly as they would a provider's.
 * node-oidc-provider (./oidc-test-provider) never issues such tokens, hence this. Tests only.
 */

export interface ForgedTokenRecipe {
  /** Claims over the defaults (iss, aud, sub, iat, exp); `undefined` removes one. */
  claims?: Record<string, unknown>;
  /** Sign with a key that is not in the JWKS. */
  foreignKey?: boolean;
}

export interface ForgingOpenIdProvider {
  issuer: string;
  /** The ID token of the next token request; `nonce` is the one the relying party sent. */
  nextToken(recipe: ForgedTokenRecipe & { nonce: string; clientId: string }): void;
  stop(): Promise<void>;
}

export async function startForgingOpenIdProvider(): Promise<ForgingOpenIdProvider> {
  const published = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let next: (ForgedTokenRecipe & { nonce: string; clientId: string }) | undefined;
  let issuer = '';

  async function idToken(recipe: ForgedTokenRecipe & { nonce: string; clientId: string }): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = { iss: issuer, aud: recipe.clientId, sub: 'forged-0001', iat: now, exp: now + 300, nonce: recipe.nonce, email: 'mallory@example.com', email_verified: true, ...recipe.claims };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    const key: KeyObject = recipe.foreignKey ? foreign.privateKey : published.privateKey;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'forge-1' }).sign(key);
  }

  const server = http.createServer(async (req, res) => {
    const path = req.url?.split('?')[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    req.resume();
    if (path === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/me`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (path === '/jwks') return json(200, { keys: [{ ...published.publicKey.export({ format: 'jwk' }), kid: 'forge-1', alg: 'RS256', use: 'sig' }] });
    if (path === '/token' && req.method === 'POST' && next) {
      const recipe = next;
      next = undefined;
      return json(200, { access_token: 'forged-access-token', token_type: 'Bearer', expires_in: 300, id_token: await idToken(recipe) });
    }
    return json(400, { error: 'invalid_request' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    nextToken(recipe) {
      next = recipe;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
