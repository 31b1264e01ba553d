import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { AccessTokenClaims } from '../token-claims';

export const TEST_ISSUER = 'https://portal.test/oauth2/token';
export const TEST_AUDIENCE = 'privatejet-gateways';
export const TEST_API = { id: 'api-petstore-1', tenant: 'carbon.super', name: 'PetStore', context: '/petstore', version: '1.0.0' };

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function createSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** Claims of a valid token for TEST_API, following the portal's contract; override per case. */
export function tokenClaims(overrides: Partial<AccessTokenClaims> & { tier?: string; applicationId?: string } = {}): AccessTokenClaims {
  const { tier = 'Gold', applicationId = 'app-1', ...claimOverrides } = overrides;
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: TEST_ISSUER,
    sub: `key-${applicationId}`,
    aud: TEST_AUDIENCE,
    exp: now + 3600,
    iat: now,
    nbf: now,
    jti: `jti-${Math.random().toString(36).slice(2)}`,
    client_id: `key-${applicationId}`,
    tenant: TEST_API.tenant,
    application: { id: applicationId, name: `Application ${applicationId}`, tier: 'Unlimited', owner: 'dev1' },
    subscriptions: [{ apiId: TEST_API.id, context: TEST_API.context, version: TEST_API.version, tier }],
    ...claimOverrides,
  };
}

export function signToken(key: SigningKey, claims: AccessTokenClaims): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
}
