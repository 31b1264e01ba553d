import fs from 'node:fs';
import { eq } from 'drizzle-orm';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiFileSchema } from '../apis/api-file.schema';
import type { Actor } from '../actor';
import type { DatabaseHandle } from '../db/drizzle';
import { users, type Role } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { configureDeploymentEngine, deploymentsSettled } from '../deployments/deployments.service';
import { usePlatformClusters } from '../test-support/deployments';
import { insertTenant, insertUser, useThrowawaySecretKey, type TestTenant } from '../test-support/oauth-fixtures';
import { createPersonalTokenSchema } from '../personal-tokens/personal-tokens.schema';
import { createPersonalToken, revokePersonalToken } from '../personal-tokens/personal-tokens.service';
import { SCOPES, scopeValues, type Scope } from '../personal-tokens/scopes';
import { dispatchRestRequest } from '../test-support/rest-routes';
import { restOperations } from './openapi-document';
import { problemSchema } from './problem';

/**
 * The REST API through its route files, as Next.js calls them: every operation's happy path,
 * refusals by scope, role and tenant, validation errors with their pointers, If-Match, and
 * tokens that expired or were revoked. Every answer is parsed with the schema the OpenAPI
 * document states for it, so the document cannot drift from what is sent.
 */

let database: DatabaseHandle;
let tenant: TestTenant;
let publisher: Actor;
let developer: Actor;
let admin: Actor;
let otherPublisher: Actor;
let otherDeveloper: Actor;
let otherAdmin: Actor;
const tokens: Record<string, string> = {};

const sample = fs.readFileSync('tools/sample-backend/openapi.yaml', 'utf8');
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
  headers: Headers;
}

async function call(method: string, path: string, options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers };
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const { response, handler } = await dispatchRestRequest(new Request(`http://portal.test/api/v1${path}`, { method, headers, body }));
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  const parsed: unknown = type.includes('json') && text ? JSON.parse(text) : text;
  if (response.status >= 400) {
    expect(type, `${method} ${path} → ${response.status} ${text}`).toBe('application/problem+json');
    problemSchema.parse(parsed);
  } else if (handler) {
    const documented = handler.operation.responses[response.status];
    expect(documented, `${method} ${path} answered ${response.status}, which its operation does not document`).toBeDefined();
    if (documented!.schema && type.includes('json')) documented!.schema.parse(parsed);
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

async function tokenFor(actor: Actor, scopes: Scope[], name = `t${Math.random().toString(36).slice(2, 8)}`, expiresInDays = 30): Promise<string> {
  return (await createPersonalToken(actor, createPersonalTokenSchema.parse({ name, scopes, expiresInDays }))).token;
}

const publisherScopes: Scope[] = ['apis:read', 'apis:write', 'apis:publish', 'subscriptions:read', 'subscriptions:manage'];
const idleCluster = (clusterName: string) => ({
  type: 'Kubernetes',
  clusterName,
  displayName: `Cluster ${clusterName}`,
  // Nothing listens there: a deployment fails at once, which is what these tests want to see reported.
  properties: { AccessURL: `https://${clusterName}.gateways.test`, MasterURL: 'https://127.0.0.1:9', SAToken: 'platform-token', Namespace: 'default', Replicas: 1, SharedWithTenants: '*', extra: {} },
});

const apiBody = (overrides: Record<string, unknown> = {}) => ({
  name: 'Orders',
  version: 'v1',
  context: '/orders',
  resources: ['GET /orders', 'POST /orders'],
  productionEndpoints: ['http://orders.backend.test'],
  tiers: ['Gold'],
  ...overrides,
});

beforeAll(async () => {
  useThrowawaySecretKey();
  vi.stubEnv('PRIVATEJET_PUBLIC_URL', 'http://portal.test');
  database = await freshTestDatabase();
  usePlatformClusters([idleCluster('east')]);
  // The idle cluster refuses connections: its tries back off 50 ms, 100 ms, … so it shows as failed within a second, not 30 s.
  configureDeploymentEngine({ retryDelayMs: 50 });
  tenant = await insertTenant(database.db, 'rest.test');
  publisher = await insertUser(database.db, tenant, 'pub', ['publisher']);
  developer = await insertUser(database.db, tenant, 'dev', ['subscriber']);
  admin = await insertUser(database.db, tenant, 'boss', ['admin']);
  const other = await insertTenant(database.db, 'other.test');
  otherPublisher = await insertUser(database.db, other, 'pub', ['publisher']);
  otherDeveloper = await insertUser(database.db, other, 'dev', ['subscriber']);
  otherAdmin = await insertUser(database.db, other, 'boss', ['admin']);
  tokens.publisher = await tokenFor(publisher, publisherScopes, 'ci');
  tokens.developer = await tokenFor(developer, ['applications:read', 'applications:write']);
  tokens.admin = await tokenFor(admin, ['clusters:read', 'clusters:admin']);
  tokens.otherPublisher = await tokenFor(otherPublisher, publisherScopes);
  tokens.otherDeveloper = await tokenFor(otherDeveloper, ['applications:read', 'applications:write']);
  tokens.otherAdmin = await tokenFor(otherAdmin, ['clusters:read', 'clusters:admin']);
});

afterAll(async () => {
  await deploymentsSettled();
  await database.close();
});

describe('authentication', () => {
  it('asks for a bearer token, and refuses other schemes, unknown, expired and revoked tokens', async () => {
    const none = await call('GET', '/me');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="privatejet"');
    expect(none.body.detail).toContain('personal access token');

    expect((await call('GET', '/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } })).status).toBe(401);
    const unknown = await call('GET', '/me', { token: `pjp_${'x'.repeat(43)}` });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toContain('error="invalid_token"');

    const expired = (await createPersonalToken(publisher, createPersonalTokenSchema.parse({ name: 'expired', scopes: ['apis:read'], expiresInDays: 1 }), new Date(Date.now() - 2 * 86_400_000))).token;
    const expiredAnswer = await call('GET', '/apis', { token: expired });
    expect(expiredAnswer.status).toBe(401);
    expect(expiredAnswer.body.detail).toMatch(/expired on/);

    const revoked = await createPersonalToken(publisher, createPersonalTokenSchema.parse({ name: 'soon-revoked', scopes: ['apis:read'] }));
    expect((await call('GET', '/apis', { token: revoked.token })).status).toBe(200);
    await revokePersonalToken(publisher, revoked.view.id);
    const revokedAnswer = await call('GET', '/apis', { token: revoked.token });
    expect(revokedAnswer.status).toBe(401);
    expect(revokedAnswer.body.detail).toMatch(/was revoked/);
  });

  it('tells a token who it belongs to and what it may do', async () => {
    const me = await call('GET', '/me', { token: tokens.publisher });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { username: 'pub', tenantDomain: 'rest.test', roles: ['publisher'] }, token: { name: 'ci', scopes: publisherScopes } });
  });

  it('needs no token for the OpenAPI document and the API file schema', async () => {
    const document = await call('GET', '/openapi.json');
    expect(document.status).toBe(200);
    expect(document.body.servers).toEqual([{ url: 'http://portal.test/api/v1', description: 'This portal' }]);
    const schema = await call('GET', '/schemas/api-file.json');
    expect(schema.headers.get('content-type')).toBe('application/schema+json');
    expect(JSON.parse(schema.text).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('answers a problem document for an address that names no operation', async () => {
    const answer = await call('GET', '/nothing/here', { token: tokens.publisher });
    expect(answer.status).toBe(404);
    expect(answer.body.detail).toContain('not an operation');
  });
});

/** A concrete address for an operation, with placeholders for its path parameters. */
const concrete = (template: string) => template.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'name' ? 'Some' : name === 'version' ? 'v1' : name === 'clusterName' ? 'east' : UNKNOWN_ID));

describe('scopes and roles', () => {
  it('refuses every operation to a token without its scope, naming the scope', async () => {
    // An admin may hold every scope, so only the missing scope can be why.
    for (const operation of restOperations) {
      if (operation.scope === 'public' || operation.scope === 'any') continue;
      const needed = operation.scope;
      const token = await tokenFor(admin, scopeValues.filter((s) => s !== needed));
      const answer = await call(operation.method.toUpperCase(), concrete(operation.path), { token, body: operation.body ? {} : undefined });
      expect(answer.status, `${operation.method} ${operation.path}`).toBe(403);
      expect(answer.body.requiredScope).toBe(needed);
      expect(answer.headers.get('www-authenticate')).toContain(`scope="${needed}"`);
    }
  });

  it('takes a scope away from a token when its owner loses the role', async () => {
    const representative: Record<Role, [string, string]> = { publisher: ['GET', '/apis'], subscriber: ['GET', '/applications'], admin: ['GET', '/admin/clusters'] };
    for (const role of ['publisher', 'subscriber', 'admin'] as Role[]) {
      const scopes = scopeValues.filter((s) => SCOPES[s].role === role);
      const person = await insertUser(database.db, tenant, `changing-${role}`, [role]);
      const token = await tokenFor(person, scopes);
      const [method, path] = representative[role];
      expect((await call(method, path, { token })).status, `${role} before`).toBe(200);
      await database.db.update(users).set({ roles: [role === 'subscriber' ? 'publisher' : 'subscriber'] }).where(eq(users.id, person.userId));
      const after = await call(method, path, { token });
      expect(after.status, `${role} after`).toBe(403);
      expect(after.body.detail).toContain('no longer allow');
    }
  });
});

describe('APIs', () => {
  let apiId: string;
  let etag: string;

  it('creates an API by importing a definition, with Location and ETag', async () => {
    const created = await call('POST', '/apis', { token: tokens.publisher, body: apiBody({ name: 'PetStore', context: '/petstore', resources: undefined, definition: sample, tags: ['pets'] }) });
    expect(created.status).toBe(201);
    apiId = created.body.id;
    etag = created.headers.get('etag')!;
    expect(created.headers.get('location')).toBe(`/api/v1/apis/${apiId}`);
    expect(etag).toBe(`"r${created.body.revision}"`);
    expect(created.body).toMatchObject({ name: 'PetStore', state: 'CREATED', security: { oauth2: true }, clusters: [], description: expect.stringContaining('pet store') });
    expect(created.body.resources).toHaveLength(5);
  });

  it('creates an API from resource lines, and refuses the same name and version twice', async () => {
    const created = await call('POST', '/apis', { token: tokens.publisher, body: apiBody() });
    expect(created.status).toBe(201);
    expect(created.body.resources).toEqual([
      { path: '/orders', method: 'GET' },
      { path: '/orders', method: 'POST' },
    ]);
    const again = await call('POST', '/apis', { token: tokens.publisher, body: apiBody() });
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual([{ pointer: '/version', detail: expect.any(String) }]);
  });

  it('points at each invalid field, unknown ones included', async () => {
    const answer = await call('POST', '/apis', {
      token: tokens.publisher,
      body: { ...apiBody(), nme: 'typo', context: 'Not A Path', productionEndpoints: ['ftp://x'], tiers: ['Platinum'], cors: { enabled: 'yes' } },
    });
    expect(answer.status).toBe(400);
    const pointers = answer.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/nme', '/context', '/productionEndpoints/0', '/tiers/0', '/cors/enabled']));
    expect(answer.body.errors.find((e: { pointer: string }) => e.pointer === '/nme').detail).toBe('"nme" is not a known field.');

    const bothSources = await call('POST', '/apis', { token: tokens.publisher, body: apiBody({ definition: sample }) });
    expect(bothSources.body.errors).toEqual([{ pointer: '/definition', detail: 'Give the operations one way: a definition, a definitionUrl or resources.' }]);
    const badDefinition = await call('POST', '/apis', { token: tokens.publisher, body: apiBody({ name: 'Bad', context: '/bad', resources: undefined, definition: 'openapi: 3.0.3\ninfo: {title: x, version: "1"}\npaths: {}' }) });
    expect(badDefinition.status).toBe(400);
    expect(badDefinition.body.errors[0]).toMatchObject({ pointer: '/definition', detail: expect.stringContaining('no paths') });
    const byUrl = await call('POST', '/apis', { token: tokens.publisher, body: apiBody({ name: 'ByUrl', context: '/byurl', resources: undefined, definitionUrl: 'http://127.0.0.1:8090/openapi.yaml' }) });
    expect(byUrl.status).toBe(400);
    expect(byUrl.body.errors[0].pointer).toBe('/definitionUrl');
  });

  it('refuses a body that is not JSON, too large, or of another media type', async () => {
    expect((await call('POST', '/apis', { token: tokens.publisher, rawBody: '{"name":', headers: { 'content-type': 'application/json' } })).body.detail).toMatch(/not valid JSON/);
    const form = await call('POST', '/applications', { token: tokens.developer, rawBody: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    const huge = await call('POST', '/applications', { token: tokens.developer, body: { name: 'x', description: 'y'.repeat(70 * 1024) } });
    expect(huge.status).toBe(413);
  });

  it('lists a page at a time with Link headers, and searches', async () => {
    const first = await call('GET', '/apis?pageSize=1', { token: tokens.publisher });
    expect(first.body).toMatchObject({ page: 1, pageSize: 1, total: 2, pageCount: 2, items: [{ name: 'Orders' }] });
    expect(first.headers.get('link')).toBe('</api/v1/apis?pageSize=1&page=2>; rel="next"');
    const second = await call('GET', '/apis?pageSize=1&page=2', { token: tokens.publisher });
    expect(second.body.items[0].name).toBe('PetStore');
    expect(second.headers.get('link')).toBe('</api/v1/apis?pageSize=1&page=1>; rel="prev"');
    expect((await call('GET', '/apis?q=pets', { token: tokens.publisher })).body.items.map((i: { name: string }) => i.name)).toEqual(['PetStore']);
    const bad = await call('GET', '/apis?pageSize=1000&state=LIVE', { token: tokens.publisher });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { parameter: string }) => e.parameter).sort()).toEqual(['pageSize', 'state']);
  });

  it('reads an API by id and by name, its definition, and its export', async () => {
    const byId = await call('GET', `/apis/${apiId}`, { token: tokens.publisher });
    expect(byId.headers.get('etag')).toBe(etag);
    const byName = await call('GET', '/apis/by-name/PetStore/v1', { token: tokens.publisher });
    expect(byName.body.id).toBe(apiId);
    expect((await call('GET', '/apis/by-name/PetStore/v9', { token: tokens.publisher })).status).toBe(404);
    const definition = await call('GET', `/apis/${apiId}/definition`, { token: tokens.publisher });
    expect(Object.keys(definition.body)[0]).toBe('openapi');
    const yamlDefinition = await call('GET', `/apis/${apiId}/definition?format=yaml`, { token: tokens.publisher });
    expect(parseYaml(yamlDefinition.text)).toEqual(definition.body);
    const exported = await call('GET', `/apis/${apiId}/export`, { token: tokens.publisher });
    expect(exported.headers.get('content-type')).toBe('application/yaml; charset=utf-8');
    expect(exported.text).toContain('$schema=http://portal.test/api/v1/schemas/api-file.json');
    expect(apiFileSchema.parse(parseYaml(exported.text))).toMatchObject({ metadata: { name: 'PetStore', version: 'v1' }, spec: { state: 'CREATED', clusters: [] } });
  });

  it('updates only with the current ETag as If-Match', async () => {
    const update = { productionEndpoints: ['http://pets.backend.test'], tiers: ['Gold', 'Silver'], description: 'Pets, updated' };
    const without = await call('PUT', `/apis/${apiId}`, { token: tokens.publisher, body: update });
    expect(without.status).toBe(428);
    expect(without.body.errors).toEqual([{ header: 'If-Match', detail: 'Required for this write.' }]);
    const stale = await call('PUT', `/apis/${apiId}`, { token: tokens.publisher, body: update, headers: { 'if-match': '"r0"' } });
    expect(stale.status).toBe(412);
    const garbage = await call('PUT', `/apis/${apiId}`, { token: tokens.publisher, body: update, headers: { 'if-match': 'W/"abc"' } });
    expect(garbage.status).toBe(400);
    const saved = await call('PUT', `/apis/${apiId}`, { token: tokens.publisher, body: update, headers: { 'if-match': etag } });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ tiers: ['Gold', 'Silver'], description: 'Pets, updated', resources: expect.any(Array) });
    expect(saved.body.resources).toHaveLength(5);
    expect(saved.headers.get('etag')).not.toBe(etag);
    // The writer who read before that change loses, rather than overwriting it.
    const late = await call('PUT', `/apis/${apiId}`, { token: tokens.publisher, body: { ...update, description: 'Lost update' }, headers: { 'if-match': etag } });
    expect(late.status).toBe(412);
    etag = saved.headers.get('etag')!;
    expect((await call('GET', `/apis/${apiId}`, { token: tokens.publisher })).body.description).toBe('Pets, updated');
  });

  it('selects clusters and moves through the lifecycle, attributing each change to the token', async () => {
    const choices = await call('GET', '/clusters', { token: tokens.publisher });
    expect(choices.body.items).toEqual([
      {
        clusterName: 'east',
        displayName: 'Cluster east',
        type: 'Kubernetes',
        source: 'deployment.toml',
        accessUrl: 'https://east.gateways.test',
        securityOffer: [expect.stringContaining("Access tokens of the portal's applications")],
      },
    ]);
    const unknown = await call('PUT', `/apis/${apiId}/clusters`, { token: tokens.publisher, body: { clusters: ['west'] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ pointer: '/clusters', detail: 'Unknown cluster: west.' }]);
    const stale = await call('PUT', `/apis/${apiId}/clusters`, { token: tokens.publisher, body: { clusters: ['east'] }, headers: { 'if-match': '"r1"' } });
    expect(stale.status).toBe(412);
    const selected = await call('PUT', `/apis/${apiId}/clusters`, { token: tokens.publisher, body: { clusters: ['east'] }, headers: { 'if-match': etag } });
    expect(selected.body.clusters).toEqual(['east']);
    expect((await call('GET', `/apis/${apiId}/clusters`, { token: tokens.publisher })).body.clusters).toEqual(['east']);

    const before = await call('GET', `/apis/${apiId}/lifecycle`, { token: tokens.publisher });
    expect(before.body.transitions.map((t: { to: string }) => t.to)).toEqual(['PUBLISHED', 'PRE_RELEASED']);
    const impossible = await call('POST', `/apis/${apiId}/lifecycle`, { token: tokens.publisher, body: { to: 'RETIRED' } });
    expect(impossible.status).toBe(400);
    const logged = vi.spyOn(console, 'info');
    const published = await call('POST', `/apis/${apiId}/lifecycle`, { token: tokens.publisher, body: { to: 'PUBLISHED' } });
    expect(published.status).toBe(200);
    expect(published.body.history[0]).toMatchObject({ fromState: 'CREATED', toState: 'PUBLISHED', actorName: 'pub (token "ci")' });
    expect(logged.mock.calls.map((c) => String(c[0]))).toContainEqual(expect.stringMatching(new RegExp(`^\\[api/v1\\] POST /api/v1/apis/${apiId}/lifecycle → 200 by pub@rest.test with token "ci"`)));
    logged.mockRestore();
  });

  it('waits for the deployments to settle, and reports a failed cluster with its message', async () => {
    const settled = await call('GET', `/apis/${apiId}/deployments?wait=30`, { token: tokens.publisher });
    expect(settled.body).toMatchObject({ state: 'PUBLISHED', outcome: 'failed', settled: true });
    expect(settled.body.clusters).toEqual([expect.objectContaining({ clusterName: 'east', status: 'failed', accessUrl: 'https://east.gateways.test/petstore/v1', message: expect.any(String) })]);
    const retried = await call('POST', `/apis/${apiId}/deployments/east/retry`, { token: tokens.publisher });
    expect(retried.status).toBe(202);
    expect(['pending', 'applying', 'failed']).toContain(retried.body.clusters[0].status);
    expect((await call('POST', `/apis/${apiId}/deployments/west/retry`, { token: tokens.publisher })).status).toBe(404);
    await deploymentsSettled(apiId);
  });

  it('deletes an API only once no gateway runs for it', async () => {
    const refused = await call('DELETE', `/apis/${apiId}`, { token: tokens.publisher });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('Demote it to Created');
    const orders = (await call('GET', '/apis/by-name/Orders/v1', { token: tokens.publisher })).body;
    expect((await call('DELETE', `/apis/${orders.id}`, { token: tokens.publisher, headers: { 'if-match': '"r99"' } })).status).toBe(412);
    expect((await call('DELETE', `/apis/${orders.id}`, { token: tokens.publisher, headers: { 'if-match': `"r${orders.revision}"` } })).status).toBe(204);
    expect((await call('GET', `/apis/${orders.id}`, { token: tokens.publisher })).status).toBe(404);
  });

  it('writes and reads the Markdown guide of an API, with its size limit', async () => {
    expect((await call('GET', `/apis/${apiId}/documentation`, { token: tokens.publisher })).body).toEqual({ markdown: '', updatedAt: null });
    const saved = await call('PUT', `/apis/${apiId}/documentation`, { token: tokens.publisher, body: { markdown: '# Orders\r\nSee [docs](https://docs.example.com).' } });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ markdown: '# Orders\nSee [docs](https://docs.example.com).', updatedAt: expect.any(String) });
    expect((await call('GET', `/apis/${apiId}/documentation`, { token: tokens.publisher })).body.markdown).toContain('# Orders');
    const tooLong = await call('PUT', `/apis/${apiId}/documentation`, { token: tokens.publisher, body: { markdown: 'x'.repeat(100_001) } });
    expect(tooLong.status).toBe(400);
  });

  it('keeps every API of a tenant from other tenants: not found, never forbidden', async () => {
    for (const operation of restOperations) {
      if (!operation.path.includes('{apiId}')) continue;
      const path = operation.path.replace('{apiId}', apiId).replace('{clusterName}', 'east');
      const body = operation.body
        ? operation.path.endsWith('/clusters')
          ? { clusters: [] }
          : operation.path.endsWith('/lifecycle')
            ? { to: 'BLOCKED' }
            : operation.path.endsWith('/documentation')
              ? { markdown: 'defaced' }
              : { productionEndpoints: ['http://x.test'], tiers: ['Gold'] }
        : undefined;
      const answer = await call(operation.method.toUpperCase(), path, { token: tokens.otherPublisher, body, headers: { 'if-match': '"r1"' } });
      expect(answer.status, `${operation.method} ${operation.path}`).toBe(404);
    }
    expect((await call('GET', '/apis/by-name/PetStore/v1', { token: tokens.otherPublisher })).status).toBe(404);
    expect((await call('GET', '/apis', { token: tokens.otherPublisher })).body.total).toBe(0);
    expect((await call('GET', `/apis/${apiId}`, { token: tokens.publisher })).body.state).toBe('PUBLISHED');
  });
});

describe('applying a desired state by name and version', () => {
  const spec = (overrides: Record<string, unknown> = {}) => ({ context: '/inventory', resources: ['GET /items'], productionEndpoints: ['http://inventory.backend.test'], tiers: ['Gold'], ...overrides });

  it('creates, then reports no change; says what a different spec would change without changing it', async () => {
    const created = await call('PUT', '/apis/by-name/Inventory/v1', { token: tokens.publisher, body: spec({ state: 'PUBLISHED' }) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ outcome: 'created', changes: [{ field: 'api' }, { summary: 'state: CREATED → PUBLISHED' }], api: { state: 'PUBLISHED' } });
    const again = await call('PUT', '/apis/by-name/Inventory/v1', { token: tokens.publisher, body: spec({ state: 'PUBLISHED' }) });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ outcome: 'unchanged', changes: [] });
    expect(again.headers.get('etag')).toBe(created.headers.get('etag'));

    const diff = await call('POST', '/apis/by-name/Inventory/v1/diff', { token: tokens.publisher, body: spec({ tiers: ['Gold', 'Bronze'], state: 'BLOCKED' }) });
    expect(diff.body).toMatchObject({ dryRun: true, changes: [{ summary: 'tiers: [Gold] → [Gold, Bronze]' }, { summary: 'state: PUBLISHED → BLOCKED' }] });
    expect((await call('GET', '/apis/by-name/Inventory/v1', { token: tokens.publisher })).body.tiers).toEqual(['Gold']);
  });

  it('needs apis:publish for a state change, and honours If-Match and If-None-Match', async () => {
    const writer = await tokenFor(publisher, ['apis:read', 'apis:write']);
    const refused = await call('PUT', '/apis/by-name/Inventory/v1', { token: writer, body: spec({ state: 'BLOCKED' }) });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('apis:publish');
    expect((await call('PUT', '/apis/by-name/Inventory/v1', { token: writer, body: spec({ state: 'PUBLISHED', description: 'Settings need only apis:write' }) })).status).toBe(200);
    expect((await call('PUT', '/apis/by-name/Inventory/v1', { token: tokens.publisher, body: spec(), headers: { 'if-match': '"r1"' } })).status).toBe(412);
    expect((await call('PUT', '/apis/by-name/Inventory/v1', { token: tokens.publisher, body: spec(), headers: { 'if-none-match': '*' } })).status).toBe(412);
    expect((await call('PUT', '/apis/by-name/Nothing/v1', { token: tokens.publisher, body: spec({ context: '/nothing' }), headers: { 'if-match': '"r1"' } })).status).toBe(412);
  });

  it('reports what it had changed when a later step fails', async () => {
    const answer = await call('PUT', '/apis/by-name/Inventory/v1', { token: tokens.publisher, body: spec({ description: 'Kept', clusters: ['nowhere'] }) });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ pointer: '/clusters', detail: 'Unknown cluster: nowhere.' }]);
    expect(answer.body.appliedChanges).toEqual([{ field: 'description', summary: expect.stringContaining('"Kept"') }]);
  });
});

describe('subscriptions and applications', () => {
  let appId: string;
  let privateApiId: string;
  let subscriptionId: string;

  it('lets a developer create an application, keys and a token', async () => {
    const created = await call('POST', '/applications', { token: tokens.developer, body: { name: 'Shop', tier: 'Gold' } });
    expect(created.status).toBe(201);
    appId = created.body.id;
    expect((await call('POST', '/applications', { token: tokens.developer, body: { name: 'Shop' } })).body.errors).toEqual([{ pointer: '/name', detail: 'You already have an application with that name.' }]);
    const keys = await call('POST', `/applications/${appId}/keys`, { token: tokens.developer, body: { tokenValiditySeconds: 900 } });
    expect(keys.status).toBe(201);
    expect(keys.body.consumerSecret.length).toBeGreaterThan(20);
    const shown = await call('GET', `/applications/${appId}`, { token: tokens.developer });
    expect(shown.body.productionKey).toMatchObject({ consumerKey: keys.body.key.consumerKey, tokenValiditySeconds: 900 });
    expect(shown.text).not.toContain(keys.body.consumerSecret);
    expect((await call('PUT', `/applications/${appId}/keys`, { token: tokens.developer, body: { tokenValiditySeconds: 600, tokenType: 'OPAQUE' } })).body.tokenType).toBe('OPAQUE');
    const regenerated = await call('POST', `/applications/${appId}/keys/secret`, { token: tokens.developer });
    expect(regenerated.body.consumerSecret).not.toBe(keys.body.consumerSecret);
    const accessToken = await call('POST', `/applications/${appId}/tokens`, { token: tokens.developer });
    expect(accessToken.body).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
    expect((await call('PUT', `/applications/${appId}`, { token: tokens.developer, body: { name: 'Shop', description: 'Our shop', tier: 'Silver' } })).body).toMatchObject({ description: 'Our shop', tier: 'Silver' });
    expect((await call('GET', '/applications', { token: tokens.developer })).body.items.map((a: { name: string }) => a.name)).toEqual(['Shop']);
    const tooLong = await call('POST', `/applications/${appId}/keys`, { token: tokens.developer, body: { tokenValiditySeconds: 'forever' } });
    expect(tooLong.body.errors[0].pointer).toBe('/tokenValiditySeconds');
  });

  it('subscribes to a private API, which waits for the publisher; the publisher approves, blocks and unblocks', async () => {
    privateApiId = (await call('PUT', '/apis/by-name/Ledger/v1', { token: tokens.publisher, body: { context: '/ledger', resources: ['GET /'], productionEndpoints: ['http://ledger.backend.test'], tiers: ['Gold'], visibility: 'private', state: 'PUBLISHED' } })).body.api.id;
    const asked = await call('POST', `/applications/${appId}/subscriptions`, { token: tokens.developer, body: { apiId: privateApiId, tier: 'Gold' } });
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ apiName: 'Ledger', status: 'ON_HOLD' });
    subscriptionId = asked.body.id;
    const wrongTier = await call('POST', `/applications/${appId}/subscriptions`, { token: tokens.developer, body: { apiId: privateApiId, tier: 'Bronze' } });
    expect(wrongTier.body.errors).toEqual([{ pointer: '/tier', detail: 'Ledger v1 offers Gold; pick one of those tiers.' }]);
    const twice = await call('POST', `/applications/${appId}/subscriptions`, { token: tokens.developer, body: { apiId: privateApiId, tier: 'Gold' } });
    expect(twice.status).toBe(409);

    const listed = await call('GET', `/apis/${privateApiId}/subscriptions`, { token: tokens.publisher });
    expect(listed.body.items).toEqual([expect.objectContaining({ subscriptionId, applicationName: 'Shop', owner: 'dev', status: 'ON_HOLD' })]);
    const decide = (decision: string, token = tokens.publisher) => call('POST', `/subscriptions/${subscriptionId}/decision`, { token, body: { decision } });
    expect((await decide('unblock')).status).toBe(409);
    expect((await decide('approve')).body.status).toBe('ACTIVE');
    expect((await decide('block')).body.status).toBe('BLOCKED');
    expect((await decide('unblock')).body.status).toBe('ACTIVE');
    expect((await decide('maybe')).body.errors[0].pointer).toBe('/decision');
    expect((await decide('block', tokens.otherPublisher)).status).toBe(404);
    expect((await call('GET', `/applications/${appId}/subscriptions`, { token: tokens.developer })).body.items).toEqual([expect.objectContaining({ id: subscriptionId, status: 'ACTIVE' })]);
  });

  it('keeps a developer’s applications from other developers and tenants', async () => {
    for (const path of [`/applications/${appId}`, `/applications/${appId}/subscriptions`]) {
      expect((await call('GET', path, { token: tokens.otherDeveloper })).status).toBe(404);
    }
    expect((await call('POST', `/applications/${appId}/tokens`, { token: tokens.otherDeveloper })).status).toBe(404);
    expect((await call('DELETE', `/applications/${appId}/subscriptions/${subscriptionId}`, { token: tokens.otherDeveloper })).status).toBe(404);
    expect((await call('POST', `/applications/${(await call('POST', '/applications', { token: tokens.otherDeveloper, body: { name: 'Theirs' } })).body.id}/subscriptions`, { token: tokens.otherDeveloper, body: { apiId: privateApiId, tier: 'Gold' } })).status).toBe(404);
    const neighbour = await tokenFor(await insertUser(database.db, tenant, 'neighbour', ['subscriber']), ['applications:read', 'applications:write']);
    expect((await call('GET', `/applications/${appId}`, { token: neighbour })).status).toBe(404);
  });

  it('unsubscribes and deletes the application', async () => {
    expect((await call('DELETE', `/applications/${appId}/subscriptions/${UNKNOWN_ID}`, { token: tokens.developer })).status).toBe(404);
    expect((await call('DELETE', `/applications/${appId}/subscriptions/${subscriptionId}`, { token: tokens.developer })).status).toBe(204);
    expect((await call('GET', `/applications/${appId}/subscriptions`, { token: tokens.developer })).body.items).toEqual([]);
    expect((await call('DELETE', `/applications/${appId}`, { token: tokens.developer })).status).toBe(204);
    expect((await call('GET', `/applications/${appId}`, { token: tokens.developer })).status).toBe(404);
  });
});

describe("a tenant's clusters", () => {
  it('adds a cluster whose token is written, never read back, and kept when left out', async () => {
    const properties = { MasterURL: 'https://10.0.0.1:6443', AccessURL: 'https://apis.rest.test', SAToken: 'sa-token-never-shown', Namespace: 'apis', Replicas: 2 };
    const added = await call('PUT', '/admin/clusters/mine', { token: tokens.admin, body: { type: 'Kubernetes', displayName: 'Mine', properties } });
    expect(added.status).toBe(201);
    expect(added.text).not.toContain('sa-token-never-shown');
    expect(added.body.cluster).toMatchObject({ clusterName: 'mine', source: 'tenant', token: { set: true }, properties: { Replicas: 2, Namespace: 'apis' } });
    const { SAToken: _omitted, ...withoutToken } = properties;
    const replaced = await call('PUT', '/admin/clusters/mine', { token: tokens.admin, body: { type: 'Kubernetes', displayName: 'Mine again', properties: withoutToken } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.cluster).toMatchObject({ displayName: 'Mine again', token: { set: true } });
    const listed = await call('GET', '/admin/clusters', { token: tokens.admin });
    expect(listed.body.items.map((c: { clusterName: string }) => c.clusterName)).toEqual(['east', 'mine']);
    expect(listed.text).not.toContain('sa-token-never-shown');
    expect(listed.text).not.toContain('platform-token');
  });

  it('refuses what the admin page refuses, with the field', async () => {
    const platformName = await call('PUT', '/admin/clusters/east', { token: tokens.admin, body: { type: 'Kubernetes', properties: { MasterURL: 'https://10.0.0.2', AccessURL: 'https://x.test', SAToken: 't' } } });
    expect(platformName.status).toBe(400);
    expect(platformName.body.errors).toEqual(expect.arrayContaining([{ pointer: '/clusterName', detail: expect.stringContaining('already a cluster of deployment.toml') }]));
    const badUrl = await call('PUT', '/admin/clusters/broken', { token: tokens.admin, body: { type: 'Kubernetes', properties: { MasterURL: 'not a url', AccessURL: 'https://x.test', SAToken: 't' } } });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.errors.map((e: { pointer: string }) => e.pointer)).toContain('/properties/MasterURL');
  });

  it('checks the connection, and removes the cluster', async () => {
    const report = await call('POST', '/admin/clusters/mine/check', { token: tokens.admin });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ clusterName: 'mine', reachable: false, ready: false });
    expect((await call('DELETE', '/admin/clusters/mine', { token: tokens.otherAdmin })).status).toBe(404);
    expect((await call('GET', '/admin/clusters', { token: tokens.otherAdmin })).body.items.map((c: { clusterName: string }) => c.clusterName)).toEqual(['east']);
    expect((await call('DELETE', '/admin/clusters/mine', { token: tokens.admin })).status).toBe(204);
    expect((await call('DELETE', '/admin/clusters/mine', { token: tokens.admin })).status).toBe(404);
  });
});
