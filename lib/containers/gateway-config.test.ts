import { describe, expect, it } from 'vitest';
import { configHash, gatewayConfigFor, type ApiForGateway, type GatewayPlatformSettings } from './gateway-config';

const api: ApiForGateway = {
  apiId: '11111111-1111-4111-8111-111111111111',
  tenantId: 't1',
  tenantDomain: 'carbon.super',
  name: 'PetStore',
  version: '1.0.0',
  context: '/pets',
  openapi: { openapi: '3.0.3', info: { title: 'PetStore', version: '1.0.0' }, paths: { '/pets': { get: { responses: {} } } } },
  productionEndpoints: ['http://localhost:8090'],
  security: { oauth2: true, basic: false },
  tiers: ['Gold', 'Bronze'],
  cors: { enabled: true, allowedOrigins: ['https://app.example.com'] },
};

const platform: GatewayPlatformSettings = {
  issuer: 'http://localhost:3000/oauth2/token',
  audience: 'privatejet-gateway',
  jwks: { keys: [{ kty: 'RSA', kid: 'k1', n: 'abc', e: 'AQAB' }] },
  jwksUrl: 'http://localhost:3000/oauth2/jwks',
  portalOrigin: 'http://localhost:3000',
};

describe('gatewayConfigFor', () => {
  it('carries the API, its tiers with their rates, the issuer and the portal origin', () => {
    const config = gatewayConfigFor(api, platform);
    expect(config.api).toEqual({ id: api.apiId, tenant: 'carbon.super', name: 'PetStore', context: '/pets', version: '1.0.0' });
    expect(config.tiers).toEqual({ Gold: { requestsPerMinute: 5000 }, Bronze: { requestsPerMinute: 1000 } });
    expect(config.tokens).toMatchObject({ issuer: platform.issuer, audience: 'privatejet-gateway', jwksUrl: platform.jwksUrl });
    expect(config.cors.allowedOrigins).toEqual(['http://localhost:3000', 'https://app.example.com']);
    expect(config.security.jwt.enabled).toBe(true);
    expect(config.security.oauth2).toBeUndefined();
  });

  it('adds introspection for opaque tokens when the tenant has a client', () => {
    const config = gatewayConfigFor(api, { ...platform, introspection: { url: 'http://localhost:3000/oauth2/introspect', clientId: 'gw', clientSecret: 's' } });
    expect(config.security.oauth2).toMatchObject({ enabled: true, clientId: 'gw' });
  });

  it('hashes equal configs equally and different ones differently', () => {
    const a = gatewayConfigFor(api, platform);
    const b = gatewayConfigFor({ ...api, tiers: ['Bronze', 'Gold'] }, platform);
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(a)).not.toBe(configHash(gatewayConfigFor({ ...api, productionEndpoints: ['http://localhost:9999'] }, platform)));
  });
});
