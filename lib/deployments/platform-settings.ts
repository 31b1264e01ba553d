import type { GatewayPlatformSettings } from '../containers/gateway-config';
import { introspectionClientFor } from '../oauth/introspection.service';
import { ACCESS_TOKEN_AUDIENCE, oauthEndpoints, publicBaseUrl } from '../oauth/issuer';
import { publicJwks } from '../oauth/jwks';

/**
 * The authorization-server side of a gateway config. The introspection client's secret goes
 * only to local gateways (a file readable by this user); a cluster's ConfigMap is not a place
 * for secrets, so cluster gateways accept JWTs only.
 */
export async function gatewayPlatformSettings(tenantId: string, managerName: string): Promise<GatewayPlatformSettings> {
  const endpoints = oauthEndpoints();
  const settings: GatewayPlatformSettings = {
    issuer: endpoints.issuer,
    audience: ACCESS_TOKEN_AUDIENCE,
    jwks: (await publicJwks()) as GatewayPlatformSettings['jwks'],
    jwksUrl: endpoints.jwksUri,
    portalOrigin: new URL(publicBaseUrl()).origin,
  };
  if (managerName === 'local') {
    const client = await introspectionClientFor(tenantId);
    settings.introspection = { url: endpoints.introspectionEndpoint, clientId: client.clientId, clientSecret: client.clientSecret };
  }
  return settings;
}
