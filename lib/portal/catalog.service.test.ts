import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../actor';
import { SUPER_TENANT } from '../super-tenant';
import type { ClusterDefinition } from '../clusters/cluster-definition';
import { DEFAULT_MANAGERS } from '../clusters/container-managers';
import { setPlatformClusterConfig } from '../clusters/platform-config';
import type { DatabaseHandle } from '../db/drizzle';
import { apis, deployments, type DeploymentStatus } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { insertApi, insertTenant, insertUser, type TestApi, type TestTenant } from '../test-support/oauth-fixtures';
import { createApplication } from '../applications/applications.service';
import { decideSubscription, subscribe } from '../subscriptions/subscriptions.service';
import { CATALOG_PAGE_SIZE, listCatalog, listCatalogTags, portalApiOverview, portalDefinitionText, usableEnvironments } from './catalog.service';

let database: DatabaseHandle;
let superTenant: TestTenant;
let otherTenant: TestTenant;
let dev: Actor;
let foreignDev: Actor;
let petStore: TestApi;
let ledger: TestApi;
let legacy: TestApi;
let draft: TestApi;
let foreign: TestApi;

function cluster(clusterName: string, displayName: string, accessUrl: string): ClusterDefinition {
  return {
    type: 'Kubernetes',
    clusterName,
    displayName,
    properties: { MasterURL: 'https://api.example.test:6443', AccessURL: accessUrl, SAToken: 'secret-sa-token', Namespace: 'default', Replicas: 1, extra: {} },
  };
}

async function recordDeployment(tenant: TestTenant, apiId: string, clusterName: string, status: DeploymentStatus) {
  await database.db.insert(deployments).values({ tenantId: tenant.id, apiId, clusterName, status, message: status === 'failed' ? 'Forbidden: secret internals' : null });
}

beforeAll(async () => {
  database = await freshTestDatabase();
  setPlatformClusterConfig({
    clusters: [cluster('docker-desktop', 'cluster-1', 'https://internal.example.com/'), cluster('east', 'East', 'https://east.example.com'), cluster('west', 'West', 'https://west.example.com')],
    managers: DEFAULT_MANAGERS,
    warnings: [],
  });
  superTenant = await insertTenant(database.db, SUPER_TENANT);
  otherTenant = await insertTenant(database.db, 'other.test');
  dev = await insertUser(database.db, superTenant, 'dev', ['subscriber']);
  foreignDev = await insertUser(database.db, otherTenant, 'fdev', ['subscriber']);
  petStore = await insertApi(database.db, superTenant, { name: 'PetStore', version: '1.0.0' });
  await database.db
    .update(apis)
    .set({
      description: 'Pets for sale',
      tags: ['animals', 'shop'],
      openapi: { openapi: '3.0.3', info: { title: 'PetStore', version: '1.0.0' }, servers: [{ url: 'http://backend.internal:8090' }], paths: { '/pets': { get: { summary: 'List pets' } } } },
    })
    .where(eq(apis.id, petStore.id));
  ledger = await insertApi(database.db, superTenant, { name: 'Ledger', visibility: 'private' });
  await database.db
    .update(apis)
    .set({ openapi: { openapi: '3.0.3', info: { title: 'Ledger', version: 'v1' }, paths: { '/internal-transfers': { post: { summary: 'Move money' } } } } })
    .where(eq(apis.id, ledger.id));
  await recordDeployment(superTenant, ledger.id, 'east', 'ready');
  legacy = await insertApi(database.db, superTenant, { name: 'Legacy', state: 'DEPRECATED' });
  draft = await insertApi(database.db, superTenant, { name: 'Draft', state: 'CREATED' });
  await insertApi(database.db, superTenant, { name: 'Gone', state: 'RETIRED' });
  await insertApi(database.db, superTenant, { name: 'Stopped', state: 'BLOCKED' });
  foreign = await insertApi(database.db, otherTenant, { name: 'Foreign' });
  await recordDeployment(superTenant, petStore.id, 'docker-desktop', 'ready');
  await recordDeployment(superTenant, petStore.id, 'east', 'failed');
  await recordDeployment(superTenant, petStore.id, 'west', 'applying');
  await recordDeployment(superTenant, petStore.id, 'removed-from-config', 'ready');
});

afterAll(async () => {
  await database.close();
});

const names = (page: { items: { name: string }[] }) => page.items.map((item) => item.name);

describe('catalog', () => {
  it('lists published and deprecated APIs of the signed-in user’s tenant, public and private, deprecated marked', async () => {
    const page = await listCatalog({ actor: dev });
    expect(names(page)).toEqual(['Ledger', 'Legacy', 'PetStore']);
    expect(page.items.find((i) => i.name === 'Legacy')?.deprecated).toBe(true);
    expect(page.items.find((i) => i.name === 'PetStore')?.deprecated).toBe(false);
    expect(page.items.find((i) => i.name === 'Ledger')?.visibility).toBe('private');
    expect(page.total).toBe(3);
  });

  it('shows visitors only the public APIs of the portal they picked', async () => {
    expect(names(await listCatalog({ actor: null, tenantDomain: SUPER_TENANT }))).toEqual(['Legacy', 'PetStore']);
    expect(names(await listCatalog({ actor: null, tenantDomain: 'other.test' }))).toEqual(['Foreign']);
    expect(names(await listCatalog({ actor: null, tenantDomain: 'nowhere.test' }))).toEqual([]);
  });

  it('keeps a signed-in user in their own tenant whatever portal is asked for', async () => {
    expect(names(await listCatalog({ actor: foreignDev, tenantDomain: SUPER_TENANT }))).toEqual(['Foreign']);
  });

  it('searches name, description, context and tags, case-insensitively', async () => {
    expect(names(await listCatalog({ actor: dev, q: 'petst' }))).toEqual(['PetStore']);
    expect(names(await listCatalog({ actor: dev, q: 'FOR SALE' }))).toEqual(['PetStore']);
    expect(names(await listCatalog({ actor: dev, q: '/ledger' }))).toEqual(['Ledger']);
    expect(names(await listCatalog({ actor: dev, q: 'animals' }))).toEqual(['PetStore']);
  });

  it('treats LIKE wildcards in the search as plain characters', async () => {
    expect(names(await listCatalog({ actor: dev, q: '%' }))).toEqual([]);
    expect(names(await listCatalog({ actor: dev, q: '_' }))).toEqual([]);
  });

  it('filters by tag and by state, combined with each other and with the search', async () => {
    await database.db.update(apis).set({ tags: ['shop', 'finance'] }).where(eq(apis.id, ledger.id));
    await database.db.update(apis).set({ tags: ['shop'] }).where(eq(apis.id, legacy.id));
    await database.db.update(apis).set({ tags: ['shop'] }).where(eq(apis.id, draft.id));
    expect(names(await listCatalog({ actor: dev, tag: 'shop' }))).toEqual(['Ledger', 'Legacy', 'PetStore']);
    expect(names(await listCatalog({ actor: dev, tag: 'Shop' }))).toEqual([]);
    expect(names(await listCatalog({ actor: dev, state: 'deprecated' }))).toEqual(['Legacy']);
    expect(names(await listCatalog({ actor: dev, state: 'published', tag: 'shop' }))).toEqual(['Ledger', 'PetStore']);
    expect(names(await listCatalog({ actor: dev, state: 'published', tag: 'shop', q: 'sale' }))).toEqual(['PetStore']);
    expect((await listCatalog({ actor: dev, tag: 'finance', state: 'deprecated' })).total).toBe(0);
    // A visitor's tag filter still sees only public APIs.
    expect(names(await listCatalog({ actor: null, tenantDomain: SUPER_TENANT, tag: 'finance' }))).toEqual([]);
  });

  it('offers the tags of the APIs the caller can see, the most used first, never those of drafts, private APIs for visitors or other tenants', async () => {
    await database.db.update(apis).set({ tags: ['shop', 'finance'] }).where(eq(apis.id, ledger.id));
    await database.db.update(apis).set({ tags: ['shop'] }).where(eq(apis.id, legacy.id));
    await database.db.update(apis).set({ tags: ['shop', 'draft-only'] }).where(eq(apis.id, draft.id));
    await database.db.update(apis).set({ tags: ['elsewhere'] }).where(eq(apis.id, foreign.id));
    expect(await listCatalogTags({ actor: dev })).toEqual([
      { tag: 'shop', apis: 3 },
      { tag: 'animals', apis: 1 },
      { tag: 'finance', apis: 1 },
    ]);
    expect(await listCatalogTags({ actor: null, tenantDomain: SUPER_TENANT })).toEqual([
      { tag: 'shop', apis: 2 },
      { tag: 'animals', apis: 1 },
    ]);
    expect(await listCatalogTags({ actor: foreignDev, tenantDomain: SUPER_TENANT })).toEqual([{ tag: 'elsewhere', apis: 1 }]);
  });

  it('pages by twelve with a total count', async () => {
    const tenant = await insertTenant(database.db, 'many.test');
    const reader = await insertUser(database.db, tenant, 'reader', ['subscriber']);
    for (let i = 1; i <= 14; i++) await insertApi(database.db, tenant, { name: `Api${String(i).padStart(2, '0')}` });
    const first = await listCatalog({ actor: reader });
    expect(first).toMatchObject({ total: 14, page: 1, pageSize: CATALOG_PAGE_SIZE, pageCount: 2 });
    expect(first.items).toHaveLength(12);
    const second = await listCatalog({ actor: reader, page: 2 });
    expect(names(second)).toEqual(['Api13', 'Api14']);
    expect((await listCatalog({ actor: reader, page: 9 })).items).toEqual([]);
  });
});

describe('API overview', () => {
  it('shows the API with its tiers and rates, and a definition without backend servers', async () => {
    const overview = await portalApiOverview(dev, petStore.id);
    expect(overview).toMatchObject({ name: 'PetStore', version: '1.0.0', context: '/petstore', description: 'Pets for sale', tags: ['animals', 'shop'], deprecated: false });
    expect(overview.tiers).toEqual([
      { name: 'Gold', description: '5000 requests per minute', requestsPerMinute: 5000 },
      { name: 'Unlimited', description: 'No limit', requestsPerMinute: 'unlimited' },
    ]);
    expect(overview.operations).toContainEqual({ path: '/pets', method: 'GET', summary: 'List pets', tags: [] });
    const definition = JSON.parse(await portalDefinitionText(dev, petStore.id)) as Record<string, unknown>;
    expect(definition).not.toHaveProperty('servers');
    expect(definition).toHaveProperty('paths./pets.get.summary', 'List pets');
  });

  it("lists each cluster's gateway with AccessURL + context + version and its live status", async () => {
    const { environments } = await portalApiOverview(dev, petStore.id);
    // How to call: the portal's tokens wherever the cluster is still configured.
    expect(environments.map((e) => e.howToCall.length)).toEqual([1, 1, 0, 1]);
    expect(environments[0]!.howToCall[0]).toContain('Bearer <access token>');
    expect(environments.map(({ howToCall: _, ...rest }) => rest)).toEqual([
      { clusterName: 'docker-desktop', displayName: 'cluster-1', accessUrl: 'https://internal.example.com/petstore/1.0.0', status: 'ready' },
      { clusterName: 'east', displayName: 'East', accessUrl: 'https://east.example.com/petstore/1.0.0', status: 'failed' },
      { clusterName: 'removed-from-config', displayName: 'removed-from-config', accessUrl: null, status: 'ready' },
      { clusterName: 'west', displayName: 'West', accessUrl: 'https://west.example.com/petstore/1.0.0', status: 'deploying' },
    ]);
    // Only a ready gateway with a known address is offered for calls.
    expect(usableEnvironments(environments).map((e) => e.clusterName)).toEqual(['docker-desktop']);
    // No credential or cluster message reaches the page.
    const text = JSON.stringify(environments);
    expect(text).not.toContain('secret-sa-token');
    expect(text).not.toContain('api.example.test');
    expect(text).not.toContain('internals');
  });

  it('shows a deprecated API, marked, but not one still being created', async () => {
    expect((await portalApiOverview(dev, legacy.id)).deprecated).toBe(true);
    await expect(portalApiOverview(dev, draft.id)).rejects.toMatchObject({ kind: 'not_found' });
  });

  it("treats another tenant's API as not found", async () => {
    await expect(portalApiOverview(dev, foreign.id)).rejects.toMatchObject({ kind: 'not_found' });
    await expect(portalApiOverview(foreignDev, petStore.id)).rejects.toMatchObject({ kind: 'not_found' });
    await expect(portalApiOverview(dev, 'not-a-uuid')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('opens a private API only to publishers and to developers with an approved subscription', async () => {
    const publisher = await insertUser(database.db, superTenant, 'pub', ['publisher']);
    const closed = await portalApiOverview(dev, ledger.id);
    expect(closed).toMatchObject({ name: 'Ledger', visibility: 'private', restricted: true, subscriptionNeedsApproval: true, operations: [], environments: [] });
    await expect(portalDefinitionText(dev, ledger.id)).rejects.toMatchObject({ kind: 'forbidden' });
    // Nothing of the definition or the gateways reaches a developer without approval.
    expect(JSON.stringify(closed)).not.toMatch(/internal-transfers|Move money|east\.example\.com/);

    expect(await portalApiOverview(publisher, ledger.id)).toMatchObject({ restricted: false, environments: [expect.objectContaining({ clusterName: 'east' })] });

    const application = await createApplication(dev, { name: 'Books', description: '', tier: 'Gold' });
    const request = await subscribe(dev, { applicationId: application.id, apiId: ledger.id, tier: 'Gold' });
    expect(request.status).toBe('ON_HOLD');
    expect((await portalApiOverview(dev, ledger.id)).restricted).toBe(true);
    await decideSubscription(publisher, request.id, 'approve');
    const open = await portalApiOverview(dev, ledger.id);
    expect(open.restricted).toBe(false);
    expect(open.operations).toContainEqual(expect.objectContaining({ path: '/internal-transfers', method: 'POST', summary: 'Move money' }));
    expect(JSON.parse(await portalDefinitionText(dev, ledger.id))).toHaveProperty(['paths', '/internal-transfers', 'post', 'summary'], 'Move money');
    await decideSubscription(publisher, request.id, 'block');
    expect((await portalApiOverview(dev, ledger.id)).restricted).toBe(true);
  });

  it('shows visitors public APIs only, and only of the portal they picked', async () => {
    await expect(portalApiOverview(null, petStore.id, SUPER_TENANT)).resolves.toMatchObject({ name: 'PetStore' });
    await expect(portalApiOverview(null, ledger.id, SUPER_TENANT)).rejects.toMatchObject({ kind: 'not_found' });
    await expect(portalApiOverview(null, petStore.id, 'other.test')).rejects.toMatchObject({ kind: 'not_found' });
  });
});
