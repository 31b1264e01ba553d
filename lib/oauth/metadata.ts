import { oauthEndpoints } from './issuer';
import { SIGNING_ALGORITHM } from './signing-keys';
import { GRANTED_SCOPE } from './token.service';

const clientAuthMethods = ['client_secret_basic', 'client_secret_post'];

/** RFC 8414 authorization server metadata, so standard clients configure themselves from the issuer. */
export function authorizationServerMetadata(): Record<string, unknown> {
  const endpoints = oauthEndpoints();
  return {
    issuer: endpoints.issuer,
    token_endpoint: endpoints.tokenEndpoint,
    jwks_uri: endpoints.jwksUri,
    introspection_endpoint: endpoints.introspectionEndpoint,
    revocation_endpoint: endpoints.revocationEndpoint,
    grant_types_supported: ['client_credentials'],
    // No authorization endpoint: client_credentials needs none.
    response_types_supported: [],
    scopes_supported: [GRANTED_SCOPE],
    token_endpoint_auth_methods_supported: clientAuthMethods,
    introspection_endpoint_auth_methods_supported: clientAuthMethods,
    revocation_endpoint_auth_methods_supported: clientAuthMethods,
    access_token_signing_alg_values_supported: [SIGNING_ALGORITHM],
  };
}
