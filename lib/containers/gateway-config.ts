import { createHash } from 'node:crypto';
import { gatewayConfigSchema, type GatewayConfig } from '@/gateway/src/config';
import { TIERS } from '../apis/tiers';
import type { ApiIdentity } from './container-manager';

/** What a gateway config needs beyond the API: where tokens come from and who may call from a browser. */
export interface GatewayPlatformSettings {
  issuer: string;
  audience: string;
  jwks: { keys: Record<string, unknown>[] };
  jwksUrl: string;
  /** The portal's origin, so the browser Try Out may call the gateway. */
  portalOrigin: string;
  /** Credentials of the tenant's introspection client, for opaque tokens; omitted = JWT only. */
  introspection?: { url: string; clientId: string; clientSecret: string };
}

export interface ApiForGateway extends ApiIdentity {
  openapi: Record<string, unknown>;
  productionEndpoints: string[];
  security: { oauth2: boolean; basic: boolean };
  tiers: string[];
  cors: { enabled: boolean; allowedOrigins: string[] };
}

/** The dedicated gateway's config file for one API: pure, validated by the gateway's own schema. */
export function gatewayConfigFor(api: ApiForGateway, platform: GatewayPlatformSettings): GatewayConfig {
  const tiers = Object.fromEntries(
    api.tiers.filter((tier) => Object.hasOwn(TIERS, tier)).map((tier) => [tier, { requestsPerMinute: TIERS[tier as keyof typeof TIERS].requestsPerMinute }]),
  );
  const origins = new Set([platform.portalOrigin, ...(api.cors.enabled ? api.cors.allowedOrigins : [])]);
  return gatewayConfigSchema.parse({
    api: { id: api.apiId, tenant: api.tenantDomain, name: api.name, context: api.context, version: api.version },
    openapi: api.openapi,
    endpoints: { production: api.productionEndpoints },
    security: {
      jwt: { enabled: api.security.oauth2 },
      ...(api.security.oauth2 && platform.introspection
        ? {
            oauth2: {
              enabled: true,
              introspectionUrl: platform.introspection.url,
              clientId: platform.introspection.clientId,
              clientSecret: platform.introspection.clientSecret,
            },
          }
        : {}),
      // Basic needs user credentials provisioned per gateway; none are issued yet, so it admits nobody.
      ...(api.security.basic ? { basic: { enabled: true, users: [] } } : {}),
    },
    tokens: { issuer: platform.issuer, audience: platform.audience, jwks: platform.jwks, jwksUrl: platform.jwksUrl },
    tiers,
    cors: { allowedOrigins: [...origins] },
  });
}

/** A stable hash of a config: equal configs hash equally whatever the key order. */
export function configHash(config: unknown): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]))
        : value;
  return createHash('sha256').update(JSON.stringify(canonical(config))).digest('hex').slice(0, 16);
}
