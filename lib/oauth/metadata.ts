import { issuerUrl, legacyIssuerUrl, METADATA_WELL_KNOWN_PATH, metadataUrlOf, oauthEndpoints } from './issuer';
import { SIGNING_ALGORITHM } from './signing-keys';
import { GRANTED_SCOPE } from './token.service';

const clientAuthMethods = ['client_secret_basic', 'client_secret_post'];

/**
 * RFC 8414 authorization server metadata, so standard clients configure themselves from the
 * issuer. `issuer` is the identifier the document is published for (§3.3: it must equal the
 * issuer whose well-known location was asked); everything else is the same for both issuers.
 */
export function authorizationServerMetadata(issuer: string = issuerUrl()): Record<string, unknown> {
  const endpoints = oauthEndpoints();
  return {
    issuer,
    token_endpoint: endpoints.tokenEndpoint,
    jwks_uri: endpoints.jwksUri,
    introspection_endpoint: endpoints.introspectionEndpoint,
    revocation_endpoint: endpoints.revocationEndpoint,
    grant_types_supported: ['client_credentials'],
    // Required by RFC 8414 §2, and empty on purpose: response types are what an authorization
    // endpoint answers with, and there is none here. RFC 7591 §2.1 pairs client_credentials with
    // no response type; even "none" (OAuth 2.0 Multiple Response Types) is an authorization
    // endpoint's answer, so listing it would invite requests that can only fail.
    response_types_supported: [],
    scopes_supported: [GRANTED_SCOPE],
    token_endpoint_auth_methods_supported: clientAuthMethods,
    introspection_endpoint_auth_methods_supported: clientAuthMethods,
    revocation_endpoint_auth_methods_supported: clientAuthMethods,
    access_token_signing_alg_values_supported: [SIGNING_ALGORITHM],
  };
}

const pathOf = (issuer: string) => new URL(issuer).pathname.replace(/\/$/, '');

/**
 * The answer at `/.well-known/oauth-authorization-server<rest>` for `rest`, the request path
 * after the well-known name (`""` for the name itself):
 *
 * - `""`: the current issuer's document. It is the §3.1 location when the public URL has no path,
 *   and what a proxy that maps `<public path>/*` to the app delivers for `<public URL>/.well-known/…`.
 * - the public URL's path: the current issuer's §3.1 location when it has one.
 * - the old issuer's path (`…/oauth2/token`): the old issuer's document, so a client configured
 *   with it still discovers the endpoints; §3.3 forbids answering there with another issuer.
 *   New tokens carry the new issuer: a resource server that checks `iss` must be given it.
 */
export function wellKnownMetadataResponse(rest: string): Response {
  const issuer = issuerUrl();
  const headers = { 'Cache-Control': 'public, max-age=3600' };
  if (rest === '' || rest === pathOf(issuer)) return Response.json(authorizationServerMetadata(issuer), { headers });
  if (rest === pathOf(legacyIssuerUrl())) return Response.json(authorizationServerMetadata(legacyIssuerUrl()), { headers });
  const description = `No authorization server here has this issuer. The issuer is ${issuer}; its metadata is at ${metadataUrlOf(issuer)}.`;
  return Response.json({ error: 'not_found', error_description: description }, { status: 404 });
}
