/**
 * Where the authorization server lives and what its tokens are for. Gateway configs are
 * written with these values, and gateways reject tokens whose `iss`/`aud` differ, so this
 * module is the only place they are spelled out.
 */

/** The `aud` of every access token: any PrivateJet dedicated gateway. */
export const ACCESS_TOKEN_AUDIENCE = 'privatejet-gateway';

/** The portal's public origin (plus any base path), without a trailing slash. */
export function publicBaseUrl(): string {
  const base = process.env.PRIVATEJET_PUBLIC_URL?.trim() || `http://localhost:${process.env.PORT ?? 3000}`;
  return base.replace(/\/+$/, '');
}

/** The `iss` of every access token (read at call time, so a changed environment is picked up on restart). */
export function issuerUrl(): string {
  return `${publicBaseUrl()}/oauth2/token`;
}

/** Every `iss` gateways accept: the current issuer first. */
export function acceptedIssuers(): string[] {
  return [issuerUrl()];
}

/**
 * Where gateways reach the portal (introspection, revocation list). The public URL unless
 * PRIVATEJET_GATEWAY_PORTAL_URL says otherwise: a cluster's pods may need another route to the
 * portal than browsers (an in-cluster Service, a private address).
 */
export function gatewayFacingBaseUrl(): string {
  const configured = process.env.PRIVATEJET_GATEWAY_PORTAL_URL?.trim();
  return (configured || publicBaseUrl()).replace(/\/+$/, '');
}

export interface OAuthEndpoints {
  issuer: string;
  tokenEndpoint: string;
  jwksUri: string;
  introspectionEndpoint: string;
  revocationEndpoint: string;
}

export function oauthEndpoints(): OAuthEndpoints {
  const base = publicBaseUrl();
  return {
    issuer: issuerUrl(),
    tokenEndpoint: `${base}/oauth2/token`,
    jwksUri: `${base}/oauth2/jwks`,
    introspectionEndpoint: `${base}/oauth2/introspect`,
    revocationEndpoint: `${base}/oauth2/revoke`,
  };
}
