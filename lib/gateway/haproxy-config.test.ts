import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SAMPLE_PLATFORM, SAMPLE_SIGNING_JWK } from '../test-support/kubernetes/sample-api';
import { gatewaySpecSchema } from './gateway-spec';
import { gatewaySpecFor, gatewaySpecInCluster, pemOfJwk, type ApiForGateway } from './gateway-spec-for';
import { gatewayConfigHash, haproxyGatewayFiles } from './haproxy-config';
import { compareTemplates, routesOfOpenApi, templateRegex } from './openapi-routes';

// The generated gateway pinned by golden files: a change to the output shows up in review as a
// diff of the config people read when they debug a gateway. UPDATE_GOLDEN=1 rewrites them.

const goldenDir = path.join(__dirname, 'golden');

const petstore: ApiForGateway = {
  apiId: '7f3c2a9e-5b1d-4c8e-9a6f-2d4b8e1c3a5f',
  tenantDomain: 'carbon.super',
  name: 'PetStore',
  version: '1.0.0',
  context: '/petstore',
  openapi: {
    openapi: '3.0.3',
    paths: {
      '/pets': { get: {}, post: {} },
      '/pets/{petId}': { get: {}, put: {}, delete: {} },
      '/pets/mine': { get: {} },
      '/status': { get: { security: [] } },
    },
  },
  productionEndpoints: ['http://petstore.backend.svc:8090/api'],
  security: { oauth2: true },
  tiers: ['Gold', 'Bronze', 'Unlimited'],
  cors: { enabled: true, allowedOrigins: ['https://app.example.com'] },
};

function expectGolden(name: string, text: string): void {
  const file = path.join(goldenDir, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, text);
  expect(text, `${name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(file, 'utf8'));
}

describe('the generated gateway', () => {
  const files = haproxyGatewayFiles(gatewaySpecFor(petstore, SAMPLE_PLATFORM, { replicas: 2, accessUrl: 'https://apis.example.com' }));

  it('matches the golden files', () => {
    expect(Object.keys(files).sort()).toEqual(
      ['haproxy.cfg', 'key-sample-key-1.pem', 'operations.map', 'paths.map', 'privatejet.lua', 'revoked-applications.map', 'revoked-tokens.map'].sort(),
    );
    for (const name of ['haproxy.cfg', 'operations.map', 'paths.map', 'privatejet.lua']) expectGolden(`petstore.${name}`, files[name]!);
  });

  it('is the same text for the same input, and changes with what a gateway must do', () => {
    const again = haproxyGatewayFiles(gatewaySpecFor(petstore, SAMPLE_PLATFORM, { replicas: 2, accessUrl: 'https://apis.example.com' }));
    expect(again).toEqual(files);
    const spec = gatewaySpecFor(petstore, SAMPLE_PLATFORM, { replicas: 2, accessUrl: 'https://apis.example.com' });
    expect(gatewayConfigHash(spec, 's')).toBe(gatewayConfigHash(spec, 's'));
    expect(gatewayConfigHash(gatewaySpecFor(petstore, SAMPLE_PLATFORM, { replicas: 3, accessUrl: 'https://apis.example.com' }), 's')).not.toBe(gatewayConfigHash(spec, 's'));
    expect(gatewayConfigHash(spec, 'other secret')).not.toBe(gatewayConfigHash(spec, 's'));
  });

  it('gives each replica its share of a tier, and an open API no token checks at all', () => {
    expect(files['haproxy.cfg']).toContain('int(2500) if has_token tier_Gold');
    const open = haproxyGatewayFiles(gatewaySpecFor({ ...petstore, security: { oauth2: false } }, SAMPLE_PLATFORM, { replicas: 1, accessUrl: 'http://localhost:8243' }));
    expect(open['haproxy.cfg']).not.toMatch(/jwt_verify|http_auth_bearer|track-sc/);
    expect(open['haproxy.cfg']).toContain('X-Forwarded-Proto http');
  });
});

describe("the generated gateway with the cluster's security resources", () => {
  // A fixed RSA key (the portal's sample key of SAMPLE_PLATFORM), standing in for another issuer's.
  const issuer = { issuer: 'https://idp.example.com/realms/orders', audience: 'orders-api', pem: pemOfJwk(SAMPLE_SIGNING_JWK) };
  const spec = gatewaySpecFor({ ...petstore, security: { oauth2: true, basic: true } }, SAMPLE_PLATFORM, { replicas: 2, accessUrl: 'https://apis.example.com' });
  const introspection = { introspectionUrl: 'https://auth.example.com/oauth2/introspect', audience: 'orders-api' };
  const files = haproxyGatewayFiles(gatewaySpecInCluster(spec, { basicUsers: true, externalJwt: issuer, externalIntrospection: introspection }));

  it('matches the golden file: Basic users, the other issuer and the other introspection server beside the portal\'s tokens', () => {
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['external-jwt.pem', 'basic-users.sh']));
    expectGolden('petstore-cluster-security.haproxy.cfg', files['haproxy.cfg']!);
  });

  it('offers only what both the API and the cluster allow', () => {
    const noUsers = gatewaySpecInCluster(spec, { basicUsers: false });
    expect(noUsers.security.basic).toBe(false);
    expect(haproxyGatewayFiles(noUsers)['haproxy.cfg']).not.toContain('http_auth(');
    const apiSaysNo = gatewaySpecInCluster(gatewaySpecFor(petstore, SAMPLE_PLATFORM, { replicas: 1, accessUrl: 'https://apis.example.com' }), { basicUsers: true, externalJwt: issuer });
    expect(apiSaysNo.security.basic).toBe(false);
    expect(apiSaysNo.security.externalJwt).toEqual(issuer);
    const open = gatewaySpecInCluster(gatewaySpecFor({ ...petstore, security: { oauth2: false } }, SAMPLE_PLATFORM, { replicas: 1, accessUrl: 'https://apis.example.com' }), { basicUsers: true, externalJwt: issuer });
    expect(open.security.externalJwt).toBeUndefined();
    // The users themselves never become part of the generated files (they are rendered where the gateway runs).
    expect(Object.keys(files)).not.toContain('basic-users.cfg');
  });
});

describe('the generated gateway of an API with a sandbox endpoint', () => {
  const placement = { replicas: 1, accessUrl: 'https://apis.example.com' };
  const both = haproxyGatewayFiles(gatewaySpecFor({ ...petstore, sandboxEndpoints: ['http://petstore-sandbox.backend.svc:8091/test-api'] }, SAMPLE_PLATFORM, placement));

  it('matches the golden file: sandbox tokens to their own backend, the path rewritten to its base path', () => {
    expectGolden('petstore-sandbox.haproxy.cfg', both['haproxy.cfg']!);
    const config = both['haproxy.cfg']!;
    expect(config).toContain('use_backend api_sandbox if { var(txn.key_type) -m str SANDBOX }');
    expect(config).toMatch(/backend api_sandbox\n[\s\S]*'\/test-api\/\\1'[\s\S]*server endpoint1 petstore-sandbox\.backend\.svc:8091 /);
    // Both kinds served: neither kind of token is refused for its type.
    expect(config).not.toMatch(/sandbox_endpoint_missing|production_endpoint_missing/);
  });

  it('without a sandbox endpoint refuses sandbox tokens, and with only one refuses production tokens', () => {
    const productionOnly = haproxyGatewayFiles(gatewaySpecFor(petstore, SAMPLE_PLATFORM, placement))['haproxy.cfg']!;
    expect(productionOnly).toContain('"code":"sandbox_endpoint_missing"');
    expect(productionOnly).not.toContain('backend api_sandbox');
    const sandboxOnly = haproxyGatewayFiles(
      gatewaySpecFor({ ...petstore, productionEndpoints: [], sandboxEndpoints: ['http://petstore-sandbox.backend.svc:8091/test-api'] }, SAMPLE_PLATFORM, placement),
    )['haproxy.cfg']!;
    expect(sandboxOnly).toMatch(/"code":"production_endpoint_missing".* if has_token !sandbox_token/);
    expect(sandboxOnly).toContain('default_backend api_sandbox');
    expect(sandboxOnly).not.toMatch(/^backend api$/m);
    expect(() => gatewaySpecFor({ ...petstore, productionEndpoints: [] }, SAMPLE_PLATFORM, placement)).toThrow(/endpoints: a gateway needs a production or a sandbox endpoint/);
  });

  it('gives an open API (no tokens) the production backend, with no key-type rules', () => {
    const open = haproxyGatewayFiles(gatewaySpecFor({ ...petstore, security: { oauth2: false }, sandboxEndpoints: ['http://sandbox:8091/api'] }, SAMPLE_PLATFORM, placement))['haproxy.cfg']!;
    expect(open).not.toMatch(/use_backend|sandbox_token/);
    expect(open).toContain('default_backend api\n');
  });
});

describe('route order', () => {
  it('puts literal segments before templated ones at the first difference, and longer paths first', () => {
    const order = ['/pets/{id}', '/pets/mine', '/{any}', '/pets', '/pets/{id}.json', '/a/{x}/c', '/a/b/{y}'].sort(compareTemplates);
    // Only templates that can match the same path need an order: the more specific one first.
    const before = (first: string, second: string) => expect(order.indexOf(first), `${first} before ${second}`).toBeLessThan(order.indexOf(second));
    before('/pets/mine', '/pets/{id}');
    before('/pets/{id}.json', '/pets/{id}');
    before('/a/b/{y}', '/a/{x}/c');
    before('/pets', '/{any}');
  });

  it('turns a template into a regular expression that matches one segment per parameter', () => {
    const regex = new RegExp(`^${templateRegex('/petstore/1.0.0', '/files/{name}.json')}$`);
    expect(regex.test('/petstore/1.0.0/files/a.json')).toBe(true);
    expect(regex.test('/petstore/1.0.0/files/a/b.json')).toBe(false);
    expect(regex.test('/petstore/1x0x0/files/a.json')).toBe(false);
  });

  it('reads operations and their security: [] from OpenAPI paths, ignoring what is not an operation', () => {
    expect(routesOfOpenApi({ paths: { '/a': { get: {}, parameters: [], summary: 'x', post: { security: [] } }, '/b': { description: 'none' } } })).toEqual([
      { template: '/a', operations: [{ method: 'GET', public: false }, { method: 'POST', public: true }] },
    ]);
  });
});

describe('input that could break out of the generated files', () => {
  const valid = gatewaySpecFor(petstore, SAMPLE_PLATFORM, { replicas: 1, accessUrl: 'https://apis.example.com' });
  const hostile = fc.oneof(fc.constantFrom("'", '"', '\n', '\r', '#', '\\', ' ', '%', '{', '\u0000'), fc.string({ minLength: 1, maxLength: 3 }));

  it('refuses any quote, newline, backslash or "#" in a route template', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        fc.pre(/['"\\#\s\u0000-\u001f]/.test(text));
        const result = gatewaySpecSchema.safeParse({ ...valid, routes: [{ template: `/pets/${text}`, operations: [{ method: 'GET', public: false }] }] });
        expect(result.success).toBe(false);
      }),
    );
  });

  it('refuses names, tenants, tiers, issuers and endpoints that are not plain text', () => {
    const attempts: Array<(spec: typeof valid) => unknown> = [
      (spec) => ({ ...spec, api: { ...spec.api, name: "Pet'Store" } }),
      (spec) => ({ ...spec, api: { ...spec.api, name: 'Pet\nglobal' } }),
      (spec) => ({ ...spec, api: { ...spec.api, tenant: 'a b' } }),
      (spec) => ({ ...spec, tiers: { 'Gold if TRUE': 5 } }),
      (spec) => ({ ...spec, authorizationServer: { ...spec.authorizationServer, issuers: ["https://x' y"] } }),
      (spec) => ({ ...spec, endpoints: ["http://backend:80/a'b"] }),
      (spec) => ({ ...spec, endpoints: ['http://a:80/x', 'http://b:80/y'] }),
      (spec) => ({ ...spec, sandboxEndpoints: ["http://sandbox:80/a'b"] }),
      (spec) => ({ ...spec, sandboxEndpoints: ['http://a:80/x', 'http://b:80/y'] }),
      (spec) => ({ ...spec, cors: { ...spec.cors, allowedOrigins: ['https://a.example.com/path'] } }),
    ];
    for (const attempt of attempts) expect(gatewaySpecSchema.safeParse(attempt(valid)).success).toBe(false);
  });

  it('says which field of the API could not become a gateway', () => {
    expect(() =>
      gatewaySpecFor({ ...petstore, openapi: { paths: { '/pets/{id} x': { get: {} } } } }, SAMPLE_PLATFORM, { replicas: 1, accessUrl: 'https://apis.example.com' }),
    ).toThrow(/^The gateway cannot be configured for this API: routes\.0\.template:/);
  });
});
