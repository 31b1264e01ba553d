import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../actor';
import type { DatabaseHandle } from '../db/drizzle';
import { freshTestDatabase } from '../test-support/test-database';
import { usePlatformClusters } from '../test-support/deployments';
import { insertTenant, insertUser } from '../test-support/oauth-fixtures';
import { apiFileSchema } from './api-file.schema';
import { apiFileOf, apiFileYaml, applyApiSpec, exportApiFile, lifecyclePath, PartiallyApplied } from './api-file.service';
import { apiSpecSchema } from './apis.schema';
import { createApi, getApiForPublisher, lifecycleHistory, setClusterSelection } from './apis.service';

let database: DatabaseHandle;
let publisher: Actor;
let elsewhere: Actor;
const definition = fs.readFileSync('tools/sample-backend/openapi.yaml', 'utf8');

/** A cluster that is configured but never reached: these tests keep every API out of deployed states while clusters are selected. */
const idleCluster = (clusterName: string) => ({
  type: 'Kubernetes',
  clusterName,
  displayName: clusterName,
  properties: { AccessURL: `https://${clusterName}.test`, MasterURL: 'https://127.0.0.1:9', SAToken: 'x', Namespace: 'default', Replicas: 1, SharedWithTenants: '*', extra: {} },
});

const spec = (overrides: Record<string, unknown> = {}) =>
  apiSpecSchema.parse({ context: '/pets', definition, productionEndpoints: ['http://pets.backend.test'], tiers: ['Gold'], ...overrides });

beforeAll(async () => {
  database = await freshTestDatabase();
  usePlatformClusters([idleCluster('east'), idleCluster('west')]);
  publisher = await insertUser(database.db, await insertTenant(database.db, 'files.test'), 'pub', ['publisher']);
  elsewhere = await insertUser(database.db, await insertTenant(database.db, 'elsewhere.test'), 'pub', ['publisher']);
});

afterAll(() => database.close());

describe('lifecycle paths', () => {
  it('finds the shortest way through allowed transitions, or none', () => {
    expect(lifecyclePath('CREATED', 'PUBLISHED')).toEqual(['PUBLISHED']);
    expect(lifecyclePath('BLOCKED', 'CREATED')).toEqual(['PUBLISHED', 'CREATED']);
    expect(lifecyclePath('CREATED', 'RETIRED')).toEqual(['PUBLISHED', 'DEPRECATED', 'RETIRED']);
    expect(lifecyclePath('RETIRED', 'PUBLISHED')).toBeNull();
    expect(lifecyclePath('DEPRECATED', 'DEPRECATED')).toEqual([]);
  });
});

describe('applying a spec', () => {
  it('creates the API, then reports no change for the same spec', async () => {
    const created = await applyApiSpec(publisher, 'Pets', 'v1', spec({ clusters: ['east'], tags: ['animals'] }));
    expect(created.outcome).toBe('created');
    expect(created.changes.map((c) => c.summary)).toEqual(['created Pets v1 at /pets with 5 operations', 'clusters: +east']);
    expect(created.api).toMatchObject({ name: 'Pets', state: 'CREATED', selectedClusters: ['east'], description: 'A small pet store, served by tools/sample-backend/server.mjs.' });

    const again = await applyApiSpec(publisher, 'Pets', 'v1', spec({ clusters: ['east'], tags: ['animals'] }));
    expect(again).toMatchObject({ outcome: 'unchanged', changes: [] });
    expect(again.api!.revision).toBe(created.api!.revision);
  });

  it('changes only what differs, and says what', async () => {
    const result = await applyApiSpec(publisher, 'Pets', 'v1', spec({ clusters: ['west'], tags: ['animals'], tiers: ['Gold', 'Bronze'], cors: { enabled: true, allowedOrigins: ['https://shop.test'] }, resources: undefined }));
    expect(result.outcome).toBe('updated');
    expect(result.changes.map((c) => c.summary)).toEqual([
      'tiers: [Gold] → [Gold, Bronze]',
      'cors.enabled: false → true',
      'cors.allowedOrigins: [] → [https://shop.test]',
      'clusters: +west, -east',
    ]);
    expect(result.api).toMatchObject({ tiers: ['Gold', 'Bronze'], selectedClusters: ['west'], cors: { enabled: true } });
  });

  it('reports a new definition by its operations', async () => {
    const fewer = parseYaml(definition) as { paths: Record<string, Record<string, unknown>> };
    delete fewer.paths['/pets/{petId}']!.delete;
    const result = await applyApiSpec(publisher, 'Pets', 'v1', spec({ definition: fewer, clusters: ['west'], tiers: ['Gold', 'Bronze'], tags: ['animals'], cors: { enabled: true, allowedOrigins: ['https://shop.test'] } }));
    expect(result.changes.map((c) => c.summary)).toEqual(['definition: operations -DELETE /pets/{petId}']);
  });

  it('a dry run validates and reports, and changes nothing', async () => {
    const before = await getApiForPublisher(publisher, (await applyApiSpec(publisher, 'Pets', 'v1', spec(), { dryRun: true })).api!.id);
    const dry = await applyApiSpec(publisher, 'Pets', 'v1', spec({ description: 'New words', state: 'PUBLISHED' }), { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, outcome: 'updated' });
    expect(dry.changes.map((c) => c.field)).toContain('state');
    expect(await getApiForPublisher(publisher, before.id)).toEqual(before);
    await expect(applyApiSpec(publisher, 'Pets', 'v1', spec({ definition: 'openapi: 3.0.3\npaths: {}' }), { dryRun: true })).rejects.toMatchObject({ kind: 'validation', fieldErrors: { definition: [expect.any(String)] } });
    expect((await applyApiSpec(publisher, 'New', 'v1', spec({ context: '/new' }), { dryRun: true })).api).toBeNull();
  });

  it('refuses a context change, an impossible state, a stale revision, and a state change when told to', async () => {
    await expect(applyApiSpec(publisher, 'Pets', 'v1', spec({ context: '/other' }))).rejects.toMatchObject({ kind: 'validation', fieldErrors: { context: [expect.stringContaining('cannot change')] } });
    const current = (await applyApiSpec(publisher, 'Pets', 'v1', spec(), { dryRun: true })).api!;
    await expect(applyApiSpec(publisher, 'Pets', 'v1', spec({ description: 'x' }), { expectedRevision: current.revision - 1 })).rejects.toMatchObject({ kind: 'precondition_failed' });
    await expect(applyApiSpec(publisher, 'Pets', 'v1', spec(), { createOnly: true })).rejects.toMatchObject({ kind: 'precondition_failed' });
    await expect(applyApiSpec(publisher, 'Pets', 'v1', spec({ state: 'PUBLISHED' }), { stateChangeRefusal: 'no publishing' })).rejects.toMatchObject({ kind: 'forbidden', message: 'no publishing' });
    expect((await getApiForPublisher(publisher, current.id)).revision).toBe(current.revision);
  });

  it('walks the lifecycle to the wanted state, recording each transition', async () => {
    const api = await createApi(publisher, { source: 'scratch', name: 'Walker', version: 'v1', context: '/walker', resources: 'GET /', definitionUpload: '', definitionUrl: '', description: '', tags: [], visibility: 'public', productionEndpoints: ['http://pets.backend.test'], tiers: ['Gold'], securityOauth2: true, securityBasic: false, corsEnabled: false, corsOrigins: [] });
    const walk = (state: string) => applyApiSpec(publisher, 'Walker', 'v1', apiSpecSchema.parse({ context: '/walker', resources: ['GET /'], productionEndpoints: ['http://pets.backend.test'], tiers: ['Gold'], state }));
    expect((await walk('BLOCKED')).changes.map((c) => c.summary)).toEqual(['state: CREATED → PUBLISHED', 'state: PUBLISHED → BLOCKED']);
    expect((await walk('CREATED')).changes.map((c) => c.summary)).toEqual(['state: BLOCKED → PUBLISHED', 'state: PUBLISHED → CREATED']);
    expect((await lifecycleHistory(publisher, api.id)).map((e) => `${e.fromState}>${e.toState}`)).toHaveLength(4);
    await expect(walk('RETIRED')).resolves.toMatchObject({ api: { state: 'RETIRED' } });
    await expect(walk('PUBLISHED')).rejects.toMatchObject({ kind: 'validation', message: 'No lifecycle transition leads from Retired to Published.' });
  });

  it('keeps what was applied when a later step fails, and says so', async () => {
    // An unknown cluster fails the selection step after the settings were saved.
    const error = await applyApiSpec(publisher, 'Pets', 'v1', spec({ description: 'Saved before the failure', clusters: ['nowhere'] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartiallyApplied);
    const applied = (error as PartiallyApplied).applied.map((c) => c.field);
    expect(applied).toContain('description');
    expect(applied).not.toContain('clusters');
    expect((error as PartiallyApplied).fieldErrors).toEqual({ clusters: ['Unknown cluster: nowhere.'] });
    expect((await applyApiSpec(publisher, 'Pets', 'v1', spec(), { dryRun: true })).api!.description).toBe('Saved before the failure');
  });
});

describe('export and apply round trip', () => {
  it('exports a file that applies back into the same API, here and in another tenant', async () => {
    const source = (await applyApiSpec(publisher, 'Round', '2.0', spec({ context: '/round', tags: ['a', 'b'], visibility: 'private', subscriptionApproval: true, clusters: ['east', 'west'], security: { oauth2: false }, description: 'Own words' }))).api!;
    const text = apiFileYaml(await exportApiFile(publisher, source.id), { schemaUrl: 'http://portal.test/api/v1/schemas/api-file.json' });
    expect(text).toMatch(/^# PrivateJet API file/);
    const file = apiFileSchema.parse(parseYaml(text));
    expect(Object.keys(file.spec.definition as object).slice(0, 3)).toEqual(['openapi', 'info', 'servers']);

    // Applied where it came from: nothing to change.
    const same = await applyApiSpec(publisher, file.metadata.name, file.metadata.version, apiSpecSchema.parse(file.spec));
    expect(same).toMatchObject({ outcome: 'unchanged', changes: [] });

    // Applied in another tenant: the same API, whose own export is the same file.
    const copy = await applyApiSpec(elsewhere, file.metadata.name, file.metadata.version, apiSpecSchema.parse(file.spec));
    expect(copy.outcome).toBe('created');
    const strip = (api: typeof source) => ({ ...api, id: undefined, createdAt: undefined, updatedAt: undefined, revision: undefined });
    expect(strip(copy.api!)).toEqual(strip(source));
    expect(apiFileOf(copy.api!)).toEqual(apiFileOf(source));
  });

  it('round-trips an API made in the publisher form from resource lines', async () => {
    const made = await createApi(publisher, { source: 'scratch', name: 'Lines', version: 'v1', context: '/lines', resources: 'GET /orders\nPOST /orders', definitionUpload: '', definitionUrl: '', description: '', tags: [], visibility: 'public', productionEndpoints: ['http://pets.backend.test'], tiers: ['Gold'], securityOauth2: true, securityBasic: false, corsEnabled: false, corsOrigins: [] });
    await setClusterSelection(publisher, made.id, ['west']);
    const file = apiFileSchema.parse(parseYaml(apiFileYaml(await exportApiFile(publisher, made.id))));
    expect(await applyApiSpec(publisher, 'Lines', 'v1', apiSpecSchema.parse(file.spec))).toMatchObject({ outcome: 'unchanged' });
  });
});
