import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../actor';
import { SUPER_TENANT } from '../super-tenant';
import type { DatabaseHandle } from '../db/drizzle';
import { freshTestDatabase } from '../test-support/test-database';
import { AppError } from '../errors';
import { insertApi, insertTenant, insertUser, type TestApi } from '../test-support/oauth-fixtures';
import { portalApiOverview } from '../portal/catalog.service';
import { MAX_DOCUMENTATION_CHARACTERS } from './api-documentation.schema';
import { apiDocumentationForPublisher, saveApiDocumentation } from './api-documentation.service';
import { createNewVersion } from './apis.service';

let database: DatabaseHandle;
let publisher: Actor;
let developer: Actor;
let foreignPublisher: Actor;
let petStore: TestApi;
let ledger: TestApi;

async function kindOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    return error instanceof AppError ? error.kind : String(error);
  }
}

beforeAll(async () => {
  database = await freshTestDatabase();
  const home = await insertTenant(database.db, SUPER_TENANT);
  const other = await insertTenant(database.db, 'other.test');
  publisher = await insertUser(database.db, home, 'pub', ['publisher']);
  developer = await insertUser(database.db, home, 'dev', ['subscriber']);
  foreignPublisher = await insertUser(database.db, other, 'fpub', ['publisher']);
  petStore = await insertApi(database.db, home, { name: 'PetStore' });
  ledger = await insertApi(database.db, home, { name: 'Ledger', visibility: 'private' });
});
afterAll(() => database.close());

describe('API documentation (Markdown guide)', () => {
  it('is saved by a publisher of the tenant and shown on the portal Overview to visitors and developers', async () => {
    await saveApiDocumentation(publisher, { apiId: petStore.id, markdown: '# Start\r\nCall `GET /pets`.' });
    expect((await apiDocumentationForPublisher(publisher, petStore.id)).markdown).toBe('# Start\nCall `GET /pets`.');
    expect((await portalApiOverview(null, petStore.id, SUPER_TENANT)).documentation).toBe('# Start\nCall `GET /pets`.');
    expect((await portalApiOverview(developer, petStore.id)).documentation).toContain('GET /pets');
  });

  it('is refused to developers, to signed-out callers and to publishers of another tenant (who cannot tell the API exists)', async () => {
    expect(await kindOf(saveApiDocumentation(developer, { apiId: petStore.id, markdown: 'defaced' }))).toBe('forbidden');
    expect(await kindOf(saveApiDocumentation(null as unknown as Actor, { apiId: petStore.id, markdown: 'defaced' }))).toBe('unauthenticated');
    expect(await kindOf(saveApiDocumentation(foreignPublisher, { apiId: petStore.id, markdown: 'defaced' }))).toBe('not_found');
    expect(await kindOf(apiDocumentationForPublisher(foreignPublisher, petStore.id))).toBe('not_found');
    expect(await kindOf(apiDocumentationForPublisher(developer, petStore.id))).toBe('forbidden');
    expect((await apiDocumentationForPublisher(publisher, petStore.id)).markdown).not.toContain('defaced');
  });

  it('refuses a guide over the size limit and keeps the saved one', async () => {
    expect(await kindOf(saveApiDocumentation(publisher, { apiId: petStore.id, markdown: 'x'.repeat(MAX_DOCUMENTATION_CHARACTERS + 1) }))).not.toBe('none');
    expect((await apiDocumentationForPublisher(publisher, petStore.id)).markdown).toContain('# Start');
  });

  it('of a private API stays hidden from developers without an approved subscription', async () => {
    await saveApiDocumentation(publisher, { apiId: ledger.id, markdown: 'Internal transfer rules' });
    const overview = await portalApiOverview(developer, ledger.id);
    expect(overview.restricted).toBe(true);
    expect(overview.documentation).toBe('');
    expect((await portalApiOverview(publisher, ledger.id)).documentation).toBe('Internal transfer rules');
  });

  it('carries over to a new version, and saving it empty removes it', async () => {
    const { id } = await createNewVersion(publisher, petStore.id, 'v2');
    expect((await apiDocumentationForPublisher(publisher, id)).markdown).toContain('# Start');
    await saveApiDocumentation(publisher, { apiId: id, markdown: '  \n' });
    expect(await apiDocumentationForPublisher(publisher, id)).toEqual({ markdown: '', updatedAt: null });
    expect((await apiDocumentationForPublisher(publisher, petStore.id)).markdown).toContain('# Start');
  });
});
