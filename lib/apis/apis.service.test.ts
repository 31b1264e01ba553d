import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../actor';
import type { DatabaseHandle } from '../db/drizzle';
import { and, eq } from 'drizzle-orm';
import { auditEvents, tenants, users } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { usePlatformClusters } from '../test-support/deployments';
import { AppError } from '../errors';
import { createApiSchema, updateApiSchema } from './apis.schema';
import {
  apiDefinitionSummaryForPublisher,
  apiResourcesForPublisher,
  changeLifecycleState,
  createApi,
  createNewVersion,
  getApiForPublisher,
  lifecycleHistory,
  listApisForPublisher,
  replaceApiDefinition,
  setClusterSelection,
  updateApi,
} from './apis.service';
import { stagedDefinition, stageDefinition } from './definition-uploads.service';

let database: DatabaseHandle;
let publisher: Actor;
let otherPublisher: Actor;
let subscriber: Actor;

async function actorIn(domain: string, roles: Actor['roles']): Promise<Actor> {
  const [tenant] = await database.db.insert(tenants).values({ domain, displayName: domain }).onConflictDoNothing().returning();
  const tenantId = tenant?.id ?? (await database.db.query.tenants.findFirst({ where: (t, { eq }) => eq(t.domain, domain) }))!.id;
  const [user] = await database.db.insert(users).values({ tenantId, username: `${roles[0]}${Math.random().toString(36).slice(2, 6)}`, displayName: 'U', passwordHash: 'x', roles }).returning();
  return { userId: user!.id, username: user!.username, displayName: 'U', tenantId, tenantDomain: domain, roles };
}

async function kindOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    return error instanceof AppError ? error.kind : String(error);
  }
}

const petstore = fs.readFileSync('tools/sample-backend/openapi.yaml', 'utf8');

/** The create form as submitted after the definition was uploaded (and checked) by `actor`. */
const form = async (actor: Actor, overrides: Record<string, unknown> = {}) =>
  createApiSchema.parse({
    source: 'paste',
    name: 'PetStore',
    version: '1.0.0',
    context: 'pets',
    definitionUpload: (await stageDefinition(actor, { text: petstore, fileName: 'openapi.yaml' })).id,
    productionEndpoints: 'http://localhost:8090',
    tiers: ['Gold', 'Bronze'],
    securityOauth2: 'on',
    tags: 'animals, demo',
    ...overrides,
  });

beforeAll(async () => {
  database = await freshTestDatabase();
  usePlatformClusters([{ type: 'Local', clusterName: 'local', displayName: 'Local', properties: { AccessURL: 'http://localhost:8243', MasterURL: '', SAToken: '', Namespace: 'default', Replicas: 1, extra: {} } }]);
  publisher = await actorIn('carbon.super', ['publisher']);
  subscriber = await actorIn('carbon.super', ['subscriber']);
  otherPublisher = await actorIn('example.com', ['publisher']);
});
afterAll(() => database.close());

describe('APIs', () => {
  let apiId: string;

  it('creates an API from an imported definition, normalizing the context', async () => {
    const input = await form(publisher);
    ({ id: apiId } = await createApi(publisher, input));
    const api = await getApiForPublisher(publisher, apiId);
    expect(api).toMatchObject({ name: 'PetStore', version: '1.0.0', context: '/pets', state: 'CREATED', tags: ['animals', 'demo'], tiers: ['Gold', 'Bronze'] });
    expect(api).not.toHaveProperty('openapi');
    expect(await apiResourcesForPublisher(publisher, apiId)).toContainEqual({ path: '/pets/{petId}', method: 'GET' });
    expect(await apiDefinitionSummaryForPublisher(publisher, apiId)).toMatchObject({ title: 'PetStore', paths: 2, operations: 5 });
    // the upload became the API: it is gone
    expect(await kindOf(stagedDefinition(publisher, input.definitionUpload))).toBe('not_found');
  });

  it('refuses the same name or context twice for one version, with a field error, and keeps the upload for the next try', async () => {
    const input = await form(publisher, { name: 'Other' });
    await expect(createApi(publisher, input)).rejects.toMatchObject({ kind: 'conflict', fieldErrors: { version: expect.any(Array) } });
    expect(await stagedDefinition(publisher, input.definitionUpload)).toMatchObject({ fileName: 'openapi.yaml', summary: { title: 'PetStore' } });
    // nobody else can use it
    expect(await kindOf(createApi(otherPublisher, { ...input, productionEndpoints: ['http://192.0.2.10:8090'] }))).toBe('validation');
  });

  it('creates a new version with the same clusters, in state Created', async () => {
    await setClusterSelection(publisher, apiId, ['local']);
    const { id } = await createNewVersion(publisher, apiId, '2.0.0');
    expect(await getApiForPublisher(publisher, id)).toMatchObject({ version: '2.0.0', context: '/pets', state: 'CREATED', selectedClusters: ['local'] });
    expect((await listApisForPublisher(publisher, { q: 'pet' })).map((a) => a.version)).toEqual(['2.0.0', '1.0.0']);
  });

  it('refuses unknown clusters and transitions the lifecycle does not allow', async () => {
    expect(await kindOf(setClusterSelection(publisher, apiId, ['nowhere']))).toBe('validation');
    expect(await kindOf(changeLifecycleState(publisher, apiId, 'RETIRED'))).toBe('validation');
    expect(await lifecycleHistory(publisher, apiId)).toEqual([]);
  });

  it("keeps one tenant's APIs from another, and from subscribers", async () => {
    expect(await kindOf(getApiForPublisher(otherPublisher, apiId))).toBe('not_found');
    expect(await listApisForPublisher(otherPublisher)).toEqual([]);
    expect(await kindOf(listApisForPublisher(subscriber))).toBe('forbidden');
    // the same name and context are free in another tenant
    expect(await kindOf(createApi(otherPublisher, { ...(await form(otherPublisher)), productionEndpoints: ['http://192.0.2.10:8090'] }))).toBe('none');
  });

  it("refuses a tenant's endpoints on the portal's machine, in every spelling, and leaves the super tenant's alone", async () => {
    // Endpoints are checked before the definition is used: one upload serves every refused try.
    const probe = await form(otherPublisher);
    for (const endpoint of ['http://localhost:8090', 'http://127.0.0.1:3000', 'http://127.1.2.3', 'http://[::1]:8080', 'http://[::ffff:127.0.0.1]:8080', 'http://0.0.0.0:80', 'http://169.254.169.254/latest', 'http://api.localhost', 'http://localhost:3000']) {
      const error = (await createApi(otherPublisher, { ...probe, context: '/probe', productionEndpoints: [endpoint] }).catch((e: unknown) => e)) as { kind?: string; fieldErrors?: Record<string, string[]> };
      expect(error.kind, endpoint).toBe('validation');
      expect(error.fieldErrors!.productionEndpoints![0]).toContain("the portal's own machine");
    }
    expect(await kindOf(createApi(otherPublisher, { ...(await form(otherPublisher)), name: 'Internal', context: '/internal', productionEndpoints: ['http://10.1.2.3:8080'] }))).toBe('none');
  });

  it('keeps a sandbox endpoint beside the production one, under the same endpoint policy, and copies it to a new version', async () => {
    const input = await form(publisher, { name: 'Sandboxed', context: 'sandboxed', sandboxEndpoints: 'http://localhost:8091/test\n' });
    const { id } = await createApi(publisher, input);
    expect(await getApiForPublisher(publisher, id)).toMatchObject({ productionEndpoints: ['http://localhost:8090'], sandboxEndpoints: ['http://localhost:8091/test'] });

    // The form without the field (or with it emptied) means none.
    const edit = (sandboxEndpoints: string) =>
      updateApi(publisher, updateApiSchema.parse({ apiId: id, resources: 'GET /pets', productionEndpoints: 'http://localhost:8090', tiers: ['Gold'], sandboxEndpoints }));
    await edit('');
    expect((await getApiForPublisher(publisher, id)).sandboxEndpoints).toEqual([]);
    await expect(edit('http://localhost:8092/a\nhttp://localhost:8093/b')).rejects.toMatchObject({ kind: 'validation', fieldErrors: { sandboxEndpoints: [expect.stringContaining('share one base path')] } });
    await edit('http://localhost:8092/a\nhttp://localhost:8093/a/');
    expect((await getApiForPublisher(publisher, (await createNewVersion(publisher, id, '2.0.0')).id)).sandboxEndpoints).toEqual(['http://localhost:8092/a', 'http://localhost:8093/a/']);
    expect(updateApiSchema.safeParse({ apiId: id, resources: 'GET /', productionEndpoints: 'http://a', tiers: ['Gold'], sandboxEndpoints: 'ftp://sandbox' }).error?.issues[0]?.path).toEqual(['sandboxEndpoints', 0]);

    // A tenant's sandbox endpoint on the portal's machine is refused like a production one, on its own field.
    const probe = await form(otherPublisher);
    const error = (await createApi(otherPublisher, { ...probe, name: 'Probe', context: '/sandbox-probe', productionEndpoints: ['http://10.1.2.3:8080'], sandboxEndpoints: ['http://127.0.0.1:3000'] }).catch((e: unknown) => e)) as {
      kind?: string;
      fieldErrors?: Record<string, string[]>;
    };
    expect(error.kind).toBe('validation');
    expect(error.fieldErrors!.sandboxEndpoints![0]).toContain("the portal's own machine");
    expect(error.fieldErrors!.productionEndpoints).toBeUndefined();
  });
});

describe('editing the definition of an existing API', () => {
  const edited = (extraPath: string) => petstore.replace(/^paths:\n/m, `paths:\n  ${extraPath}:\n    get:\n      responses:\n        "200":\n          description: OK\n`);

  it('replaces the document with a checked upload at the revision the editor opened, keeps the settings, and records it', async () => {
    const { id } = await createApi(publisher, await form(publisher, { name: 'Edited', context: 'edited', description: 'Kept as it was' }));
    const opened = (await getApiForPublisher(publisher, id)).revision;
    const upload = await stageDefinition(publisher, { text: edited('/owners') });
    const { revision } = await replaceApiDefinition(publisher, { apiId: id, definitionUpload: upload.id }, { expectedRevision: opened });

    expect(revision).toBe(opened + 1);
    expect(await apiResourcesForPublisher(publisher, id)).toContainEqual({ path: '/owners', method: 'GET' });
    expect(await getApiForPublisher(publisher, id)).toMatchObject({ description: 'Kept as it was', tiers: ['Gold', 'Bronze'], productionEndpoints: ['http://localhost:8090'] });
    // The upload moved into the API: it cannot be saved a second time.
    expect(await kindOf(stagedDefinition(publisher, upload.id))).toBe('not_found');
    const records = await database.db.select().from(auditEvents).where(and(eq(auditEvents.objectId, id), eq(auditEvents.action, 'api.definition.update')));
    expect(records).toHaveLength(1);
  });

  it('refuses a save at a revision someone changed meanwhile, and keeps their change and the upload', async () => {
    const { id } = await createApi(publisher, await form(publisher, { name: 'Raced', context: 'raced' }));
    const opened = (await getApiForPublisher(publisher, id)).revision;
    // Another tab saves a definition first.
    await replaceApiDefinition(publisher, { apiId: id, definitionUpload: (await stageDefinition(publisher, { text: edited('/theirs') })).id }, { expectedRevision: opened });
    const mine = await stageDefinition(publisher, { text: edited('/mine') });

    await expect(replaceApiDefinition(publisher, { apiId: id, definitionUpload: mine.id }, { expectedRevision: opened })).rejects.toMatchObject({ kind: 'precondition_failed' });
    const resources = await apiResourcesForPublisher(publisher, id);
    expect(resources).toContainEqual({ path: '/theirs', method: 'GET' });
    expect(resources).not.toContainEqual({ path: '/mine', method: 'GET' });
    expect(await stagedDefinition(publisher, mine.id)).toMatchObject({ id: mine.id });

    // The settings form is held to its revision as well: its old resource lines cannot undo the new definition.
    const settings = updateApiSchema.parse({ apiId: id, resources: 'GET /pets', productionEndpoints: 'http://localhost:8090', tiers: ['Gold'], revision: String(opened) });
    const { revision: _stale, ...input } = settings;
    await expect(updateApi(publisher, input, { expectedRevision: settings.revision })).rejects.toMatchObject({ kind: 'precondition_failed' });
  });

  it("refuses another tenant's API, another publisher's upload, and a subscriber", async () => {
    const { id } = await createApi(publisher, await form(publisher, { name: 'Guarded', context: 'guarded' }));
    const { revision } = await getApiForPublisher(publisher, id);
    const foreignUpload = await stageDefinition(otherPublisher, { text: edited('/foreign') });
    expect(await kindOf(replaceApiDefinition(otherPublisher, { apiId: id, definitionUpload: foreignUpload.id }, { expectedRevision: revision }))).toBe('not_found');
    expect(await kindOf(replaceApiDefinition(publisher, { apiId: id, definitionUpload: foreignUpload.id }, { expectedRevision: revision }))).toBe('validation');
    expect(await kindOf(replaceApiDefinition(subscriber, { apiId: id, definitionUpload: foreignUpload.id }, { expectedRevision: revision }))).toBe('forbidden');
    expect(await apiResourcesForPublisher(publisher, id)).not.toContainEqual({ path: '/foreign', method: 'GET' });
  });
});
