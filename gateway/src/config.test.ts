import { describe, expect, it } from 'vitest';
import { apiBasePath, parseGatewayConfig, parseGatewayConfigText } from './config';
import { testConfig } from './test-support/test-gateway';

const valid = () => testConfig('http://127.0.0.1:8090', undefined);

describe('parseGatewayConfig', () => {
  it('accepts a minimal config and fills in the defaults', () => {
    const result = parseGatewayConfig(valid());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.limits).toEqual({ maxBodyBytes: 10 * 1024 * 1024, connectTimeoutMs: 5000, responseTimeoutMs: 30000 });
    expect(result.config.tokens.clockSkewSeconds).toBe(30);
    expect(apiBasePath(result.config)).toBe('/petstore/1.0.0');
  });

  it.each(['/health', '/metrics', '/Health/sub'])('rejects the reserved context %s', (context) => {
    const config = valid();
    const result = parseGatewayConfig({ ...config, api: { ...config.api, context } });
    expect(result).toEqual({ ok: false, errors: ['api.context: must not start with /health or /metrics: the gateway serves those paths itself'] });
  });

  it('names the field and the problem for each error', () => {
    const config = valid();
    const result = parseGatewayConfig({ ...config, endpoints: { production: ['ftp://files'] }, api: { ...config.api, version: '1/0' } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toContain('api.version: must be one URL-safe path segment such as "1.0.0"');
    expect(result.errors).toContain('endpoints.production.0: must be an http:// or https:// URL');
  });

  it('requires keys or a JWKS URL when JWT security is on', () => {
    const config = valid();
    const result = parseGatewayConfig({ ...config, security: { jwt: { enabled: true } } });
    expect(result).toEqual({ ok: false, errors: ['tokens.jwks: JWT security needs embedded keys or a jwksUrl'] });
  });

  it('rejects a Basic user whose tier is not defined', () => {
    const config = valid();
    const result = parseGatewayConfig({
      ...config,
      security: { jwt: { enabled: false }, basic: { enabled: true, users: [{ username: 'bob', passwordHash: 'scrypt$x', tier: 'Platinum' }] } },
    });
    expect(result).toEqual({ ok: false, errors: ['security.basic.users.0.tier: tier "Platinum" is not defined in "tiers"'] });
  });

  it('reports JSON syntax errors like schema errors', () => {
    const result = parseGatewayConfigText('{ "api": ');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatch(/^\(root\): not valid JSON/);
  });
});
