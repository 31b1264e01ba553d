import type { GatewayPlatformSettings } from '../gateway/gateway-spec-for';
import { introspectionClientFor } from '../oauth/introspection.service';
import { publicBaseUrl } from '../env';
import { ACCESS_TOKEN_AUDIENCE, acceptedIssuers, gatewayFacingBaseUrl } from '../oauth/issuer';
import { gatewaySigningKeys } from '../oauth/jwks';
import { INTROSPECTION_CACHE_MAX_SECONDS, REVOCATIONS_POLL_SECONDS } from '../oauth/token-lifetime';


/**
 * The authorization-server side of a gateway, and the tenant's gateway client secret. The
 * secret goes to the gateway as a file (a Kubernetes Secret, or a 0600 file on Local), never
 * into the generated config.
 */
export async function gatewayPlatformSettings(tenantId: string): Promise<{ settings: GatewayPlatformSettings; clientSecret: string }> {
  const base = gatewayFacingBaseUrl();
  const client = await introspectionClientFor(tenantId);
  return {
    settings: {
      issuers: acceptedIssuers(),
      audience: ACCESS_TOKEN_AUDIENCE,
      jwks: await gatewaySigningKeys(),
      portalOrigin: new URL(publicBaseUrl()).origin,
      gatewayClientId: client.clientId,
      introspectionUrl: `${base}/oauth2/introspect`,
      revocationsUrl: `${base}/oauth2/gateway-revocations`,
      revocationsPollSeconds: REVOCATIONS_POLL_SECONDS,
      introspectionCacheSeconds: INTROSPECTION_CACHE_MAX_SECONDS,
    },
    clientSecret: client.clientSecret,
  };
}
