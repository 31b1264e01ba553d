import { publicBaseUrl } from '../env';

/**
 * Where the authorization server lives and what its tokens are for. Gateway configs are
 * written with these values, and gateways reject tokens whose `iss`/`aud` differ, so this
 * module is the only place they are spelled out.
 */

/** The `aud` of every access token: any PrivateJet dedicated gateway. */
export const ACCESS_TOKEN_AUDIENCE = 'privatejet-gateway';

/**
 * The `iss` of every access token and the `issuer` of the metadata: the portal's public URL,
 * which identifies the authorization server (RFC 8414 §2), so a client that is given the portal's
 * address finds the metadata at the well-known location derived from it (§3.1) and the issuer
 * there is the one it expects (§3.3). Read at call time, so a changed environment is picked up
 * on restart.
 */
export function issuerUrl(): string {
  return publicBaseUrl();
}

/**
 * The issuer of tokens issued before the issuer became the portal's URL: the token endpoint's
 * URL. Tokens carrying it are signed by the same keys and stay valid until they expire, so
 * gateways and the portal keep accepting it (one more string compared; the keys decide).
 */
export function legacyIssuerUrl(): string {
  return `${publicBaseUrl()}/oauth2/token`;
}

/** Every `iss` gateways and the portal accept: the current issuer first. */
export function acceptedIssuers(): string[] {
  return [issuerUrl(), legacyIssuerUrl()];
}

export const METADATA_WELL_KNOWN_PATH = '/.well-known/oauth-authorization-server';

/**
 * Where RFC 8414 §3.1 puts the metadata of an issuer: the well-known name goes between the
 * host and the issuer's path (`https://h/.well-known/oauth-authorization-server/path`).
 */
export function metadataUrlOf(issuer: string): string {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${METADATA_WELL_KNOWN_PATH}${path}`;
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
