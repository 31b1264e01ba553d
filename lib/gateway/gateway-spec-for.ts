import { createPublicKey } from 'node:crypto';
import { TIERS } from '../tiers';
import { gatewaySpecSchema, type GatewaySpec } from './gateway-spec';
import type { ExternalIntrospection, ExternalJwtIssuer } from './security-resources';
import { routesOfOpenApi } from './openapi-routes';

/** What a gateway needs from the platform beyond its API: the authorization server and the portal's origin. */
export interface GatewayPlatformSettings {
  /** Issuers whose tokens gateways accept: the current one first. */
  issuers: string[];
  audience: string;
  /** The signing keys gateways must know: active, next (published before it signs) and rotated ones still valid. */
  jwks: { keys: Array<Record<string, unknown>> };
  /** The portal's origin, so the browser Try Out may call the gateway. */
  portalOrigin: string;
  /** The tenant's gateway client at the portal (its secret travels separately, as a file). */
  gatewayClientId: string;
  introspectionUrl: string;
  revocationsUrl: string;
  revocationsPollSeconds: number;
  introspectionCacheSeconds: number;
}

export interface ApiForGateway {
  apiId: string;
  tenantDomain: string;
  name: string;
  version: string;
  context: string;
  openapi: Record<string, unknown>;
  productionEndpoints: string[];
  /** Where tokens of sandbox keys go; none (or absent): the gateway refuses them. */
  sandboxEndpoints?: string[];
  /** oauth2: tokens (the portal's, and the cluster's other issuer's); basic: the cluster's Basic users. */
  security: { oauth2: boolean; basic?: boolean };
  tiers: string[];
  cors: { enabled: boolean; allowedOrigins: string[] };
}

/** Where the gateway runs: how many replicas share a tier's rate, and the scheme of its AccessURL. */
export interface GatewayPlacement {
  replicas: number;
  accessUrl: string;
}

export const GATEWAY_LIMITS = { maxBodyBytes: 10 * 1024 * 1024, connectTimeoutMs: 5_000, responseTimeoutMs: 30_000 } as const;
export const CLOCK_SKEW_SECONDS = 30;

/** An RSA JWK as the PEM public key HAProxy's jwt_verify loads. */
export function pemOfJwk(jwk: Record<string, unknown>): string {
  return createPublicKey({ key: jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * The spec of one API's gateway in one place: pure, validated by the spec's own schema, so a
 * value that could break out of the generated config is refused here with its field path.
 */
export function gatewaySpecFor(api: ApiForGateway, platform: GatewayPlatformSettings, placement: GatewayPlacement): GatewaySpec {
  const tiers = Object.fromEntries(
    api.tiers.filter((tier) => Object.hasOwn(TIERS, tier)).map((tier) => [tier, TIERS[tier as keyof typeof TIERS].requestsPerMinute]),
  );
  const origins = new Set([platform.portalOrigin, ...(api.cors.enabled ? api.cors.allowedOrigins.map((origin) => (origin === '*' ? origin : new URL(origin).origin)) : [])]);
  const keys = platform.jwks.keys
    .filter((jwk) => jwk.kty === 'RSA' && typeof jwk.kid === 'string')
    .map((jwk) => ({ kid: jwk.kid as string, pem: pemOfJwk(jwk) }));
  const result = gatewaySpecSchema.safeParse({
    api: { id: api.apiId, tenant: api.tenantDomain, name: api.name, context: api.context, version: api.version },
    routes: routesOfOpenApi(api.openapi),
    endpoints: api.productionEndpoints,
    sandboxEndpoints: api.sandboxEndpoints ?? [],
    security: { jwt: api.security.oauth2, opaqueTokens: api.security.oauth2, basic: api.security.basic === true },
    authorizationServer: {
      issuers: platform.issuers,
      audience: platform.audience,
      keys,
      clockSkewSeconds: CLOCK_SKEW_SECONDS,
      clientId: platform.gatewayClientId,
      introspectionUrl: platform.introspectionUrl,
      revocationsUrl: platform.revocationsUrl,
      revocationsPollSeconds: platform.revocationsPollSeconds,
      introspectionCacheSeconds: platform.introspectionCacheSeconds,
    },
    tiers,
    replicas: placement.replicas,
    forwardedProto: new URL(placement.accessUrl).protocol === 'https:' ? 'https' : 'http',
    cors: { allowedOrigins: [...origins], maxAgeSeconds: 600 },
    limits: GATEWAY_LIMITS,
  });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`The gateway cannot be configured for this API: ${problems}`);
  }
  return result.data;
}

/** What a cluster's security resources offer a gateway there, as read where it runs (managers). */
export interface ClusterSecurity {
  /** The cluster names a Basic Secret (its users are rendered beside the config where the gateway runs). */
  basicUsers: boolean;
  /** The cluster names a JWT resource: tokens of that issuer are accepted too. */
  externalJwt?: ExternalJwtIssuer;
  /** The cluster names an OAuth2 resource: opaque tokens the portal does not know are asked about there. */
  externalIntrospection?: ExternalIntrospection;
}

/**
 * The spec as it runs in one cluster: what the API allows, narrowed to what the cluster offers.
 * Basic needs the API's consent and the cluster's users; the other issuer's JWTs are tokens, so
 * they go with the API's "require an access token".
 */
export function gatewaySpecInCluster(spec: GatewaySpec, cluster: ClusterSecurity): GatewaySpec {
  const tokens = spec.security.jwt || spec.security.opaqueTokens;
  const { externalJwt: _jwt, externalIntrospection: _introspection, ...security } = spec.security;
  return gatewaySpecSchema.parse({
    ...spec,
    security: {
      ...security,
      basic: spec.security.basic === true && cluster.basicUsers,
      ...(tokens && cluster.externalJwt ? { externalJwt: cluster.externalJwt } : {}),
      ...(spec.security.opaqueTokens && cluster.externalIntrospection ? { externalIntrospection: cluster.externalIntrospection } : {}),
    },
  });
}
