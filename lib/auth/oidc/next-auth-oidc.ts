import type { OIDCConfig } from '@auth/core/providers';
import { customFetch } from '@auth/core';
import { createRemoteJWKSet, customFetch as joseCustomFetch, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Database } from '../../db/drizzle';
import { publicBaseUrl } from '../../env';
import type { IdTokenClaims } from './oidc-claims';
import { discoverProvider, OIDC_FETCH_LIMITS, oidcFetch } from './oidc-fetch';
import type { OidcProviderConfig } from './oidc-provider-config';
import { signInOidcUser } from './oidc-users';

/**
 * A configured provider as next-auth's `oidc` provider: next-auth runs the authorization code
 * flow (PKCE, state and nonce checked; the ID token's issuer, audience, expiry and nonce
 * validated by oauth4webapi) and every request it makes goes through {@link oidcFetch}.
 */
export function nextAuthOidcProvider(provider: OidcProviderConfig): OIDCConfig<Record<string, unknown>> {
  return {
    id: provider.key,
    name: provider.displayName,
    type: 'oidc',
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    checks: ['pkce', 'state', 'nonce'],
    // The redirect URI is always the one the admin page shows (the portal's public URL), whatever
    // origin a request reached the app under: next-auth otherwise derives it per request, and the
    // callback route's URL need not match the sign-in's, which the provider refuses at the token step.
    redirectProxyUrl: `${publicBaseUrl()}/api/auth`,
    authorization: { params: { scope: provider.scopes } },
    // Only the ID token's claims are used: its signature is checked in verifyIdToken, userinfo is not signed.
    idToken: true,
    profile: (claims) => ({ id: String(claims.sub), name: typeof claims.name === 'string' ? claims.name : null, email: typeof claims.email === 'string' ? claims.email : null }),
    [customFetch]: oidcFetch,
  };
}

// Key sets by jwks_uri, so a sign-in does not refetch them (jose refetches on an unknown key id: rotation works).
const keySets = new Map<string, JWTVerifyGetKey>();
function keySetFor(jwksUri: string): JWTVerifyGetKey {
  let keySet = keySets.get(jwksUri);
  if (!keySet) {
    if (keySets.size >= 100) keySets.delete(keySets.keys().next().value!);
    keySet = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: OIDC_FETCH_LIMITS.timeoutMs, [joseCustomFetch]: oidcFetch });
    keySets.set(jwksUri, keySet);
  }
  return keySet;
}

export type IdTokenCheck = { ok: true; claims: IdTokenClaims } | { ok: false; reason: 'token' | 'unreachable'; detail: string };

/**
 * oauth4webapi trusts an ID token it received over TLS from the token endpoint and does not
 * check its signature; this does, with the provider's published keys, and checks issuer and
 * audience again, so a token is accepted only as the provider signed it.
 */
export async function verifyIdToken(provider: OidcProviderConfig, idToken: unknown): Promise<IdTokenCheck> {
  if (typeof idToken !== 'string') return { ok: false, reason: 'token', detail: 'no ID token' };
  let jwksUri: string;
  try {
    jwksUri = (await discoverProvider(provider.issuer)).jwks_uri;
  } catch (error) {
    return { ok: false, reason: 'unreachable', detail: (error as Error).message };
  }
  try {
    const { payload } = await jwtVerify(idToken, keySetFor(jwksUri), { issuer: provider.issuer, audience: provider.clientId, requiredClaims: ['sub', 'exp', 'iat'] });
    return { ok: true, claims: payload as IdTokenClaims };
  } catch (error) {
    return { ok: false, reason: 'token', detail: (error as Error).message };
  }
}

export type OidcSignInOutcome = { ok: true; userId: string } | { ok: false; reason: 'token' | 'unreachable' | 'domain' | 'disabled' };

/** After next-auth's checks: the signature check, then the user (created just in time) with roles from the claims. */
export async function completeOidcSignIn(database: Database, provider: OidcProviderConfig, idToken: unknown): Promise<OidcSignInOutcome> {
  const checked = await verifyIdToken(provider, idToken);
  if (!checked.ok) {
    console.warn(`PrivateJet sign-in refused through ${provider.key} (${provider.tenantDomain}): ID token not accepted: ${checked.detail}`);
    return { ok: false, reason: checked.reason };
  }
  const result = await signInOidcUser(database, provider, checked.claims);
  if (!result.ok) {
    console.warn(`PrivateJet sign-in refused through ${provider.key} (${provider.tenantDomain}) for subject ${checked.claims.sub}: ${result.reason === 'domain' ? 'e-mail domain not allowed' : 'account disabled'}`);
    return result;
  }
  return { ok: true, userId: result.userId };
}

/** Which provider an auth route request is for: `/api/auth/signin/<key>` or `/api/auth/callback/<key>`. */
export function oidcKeyOfAuthPath(pathname: string): string | null {
  const match = /\/api\/auth\/(?:signin|callback)\/(oidc-[a-z0-9-]{1,64})$/.exec(pathname);
  return match ? match[1]! : null;
}
