import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiSchema, updateApiSchema } from '../apis/apis.schema';
import { changeLifecycleState, createApi, createNewVersion, deleteApi, setClusterSelection, updateApi } from '../apis/apis.service';
import {
  createApplication,
  deleteApplication,
  generateAccessTokenForApplication,
  generateApplicationKeys,
  regenerateConsumerSecret,
  revokeApplicationTokens,
  updateApplication,
  updateKeySettings,
} from '../applications/applications.service';
import type { Actor } from '../actor';
import { deleteTenantCluster, saveTenantClusterFromForm, saveTenantClustersFromJson } from '../clusters/clusters.service';
import type { DatabaseHandle } from '../db/drizzle';
import { auditEvents, tenants } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { usePlatformClusters } from '../test-support/deployments';
import { insertApi, insertTenant, insertUser, useThrowawaySecretKey, type TestTenant } from '../test-support/oauth-fixtures';
import { createPersonalTokenSchema } from '../personal-tokens/personal-tokens.schema';
import { authenticatePersonalToken, createPersonalToken, deletePersonalToken, revokePersonalToken } from '../personal-tokens/personal-tokens.service';
import { decideSubscription, subscribe, unsubscribe } from '../subscriptions/subscriptions.service';
import { createTenant, setSelfSignup } from '../tenants/tenants.service';
import { createTenantUser, setUserRoles, signUpDeveloper } from '../users/users.service';
import { dispatchRestRequest } from '../test-support/rest-routes';
import { auditExportResponse } from './audit-export-route';
import { auditLogPage, purgeExpiredAuditEvents } from './audit.service';

/**
 * The audit log against a real database: one record per change with the acting user and channel,
 * nothing for a change that rolled back, no secret anywhere in the table, one tenant's admins
 * never reading another's records, and a table the app cannot edit or delete from.
 */

let database: DatabaseHandle;
let tenant: TestTenant;
let otherTenant: TestTenant;
let admin: Actor;
let publisher: Actor;
let developer: Actor;
let otherAdmin: Actor;
let superAdmin: Actor;
/** Every secret the run makes or sets; none may appear in the audit table. */
const secrets: string[] = [];

/** Drizzle wraps the database's error: the trigger's message is on the cause. */
const refusedByTrigger = (error: unknown) => /cannot be changed or deleted/.test(String((error as Error).cause ?? error));

const at = (actor: Actor, address: string): Actor => ({ ...actor, clientAddress: address });

async function recordsOf(action: string, objectId?: string) {
  return database.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), objectId === undefined ? undefined : eq(auditEvents.objectId, objectId)));
}

/** Runs one change and expects exactly one new record of `action`, made by `actor` over `channel`. */
async function expectOneRecord<T>(action: string, actor: Actor, change: () => Promise<T>, channel: 'session' | 'token' = 'session'): Promise<T> {
  const before = (await recordsOf(action)).length;
  const result = await change();
  const records = await recordsOf(action);
  expect(records.length - before, `${action} left ${records.length - before} records`).toBe(1);
  const record = records.sort((a, b) => b.at.getTime() - a.at.getTime())[0]!;
  expect(record).toMatchObject({ actorUserId: actor.userId, actorUsername: actor.username, tenantId: actor.tenantId, channel, outcome: 'ok' });
  if (actor.clientAddress) expect(record.clientAddress).toBe(actor.clientAddress);
  return result;
}

beforeAll(async () => {
  useThrowawaySecretKey();
  database = await freshTestDatabase();
  usePlatformClusters([]);
  const [superTenant] = await database.db.insert(tenants).values({ domain: 'carbon.super', displayName: 'Super' }).returning({ id: tenants.id, domain: tenants.domain });
  superAdmin = at(await insertUser(database.db, superTenant!, 'root', ['admin']), '192.0.2.1');
  tenant = await insertTenant(database.db, 'audit.test');
  otherTenant = await insertTenant(database.db, 'other.test');
  admin = at(await insertUser(database.db, tenant, 'ada', ['admin']), '192.0.2.10');
  publisher = at(await insertUser(database.db, tenant, 'pia', ['publisher']), '192.0.2.11');
  developer = at(await insertUser(database.db, tenant, 'dev', ['subscriber']), '2001:db8::12');
  otherAdmin = at(await insertUser(database.db, otherTenant, 'otto', ['admin']), '192.0.2.20');
});
afterAll(() => database.close());

describe('every change leaves one record with its actor', () => {
  let apiId: string;

  it('APIs: create, update, definition, environments, lifecycle, new version, delete', async () => {
    const created = await expectOneRecord('api.create', publisher, () =>
      createApi(publisher, createApiSchema.parse({ source: 'scratch', name: 'Ledger', version: 'v1', context: 'ledger', resources: 'GET /entries', productionEndpoints: 'http://backend.test', tiers: ['Gold'] })),
    );
    apiId = created.id;
    const settings = { apiId, resources: 'GET /entries\nPOST /entries', productionEndpoints: 'http://backend.test', tiers: ['Gold', 'Bronze'], description: 'Money' };
    await expectOneRecord('api.update', publisher, () => updateApi(publisher, updateApiSchema.parse(settings)));
    const [update] = await recordsOf('api.update', apiId);
    expect(update!.summary).toMatchObject({ changed: { description: { from: '', to: 'Money' }, tiers: { from: ['Gold'], to: ['Gold', 'Bronze'] } } });
    await expectOneRecord('api.definition.update', publisher, () =>
      updateApi(publisher, { ...updateApiSchema.parse(settings), definition: 'openapi: 3.0.3\ninfo: {title: Ledger, version: v1}\npaths:\n  /entries:\n    get:\n      responses: {"200": {description: ok}}\n' }),
    );
    await expectOneRecord('api.environments.update', publisher, () => setClusterSelection(publisher, apiId, []));
    await expectOneRecord('api.lifecycle.change', publisher, () => changeLifecycleState(publisher, apiId, 'PUBLISHED'));
    const [lifecycle] = await recordsOf('api.lifecycle.change', apiId);
    expect(lifecycle!.summary).toEqual({ changed: { state: { from: 'CREATED', to: 'PUBLISHED' } } });
    const copy = await expectOneRecord('api.create', publisher, () => createNewVersion(publisher, apiId, 'v2'));
    await expectOneRecord('api.delete', publisher, () => deleteApi(publisher, copy.id));
  });

  it('applications, keys, secrets and tokens, subscriptions', async () => {
    const application = await expectOneRecord('application.create', developer, () => createApplication(developer, { name: 'Shop', description: '', tier: 'Gold' }));
    await expectOneRecord('application.update', developer, () => updateApplication(developer, application.id, { name: 'Shop', description: 'Checkout', tier: 'Gold' }));
    const keys = await expectOneRecord('application.keys.generate', developer, () => generateApplicationKeys(developer, application.id, { tokenValiditySeconds: 600, tokenType: 'OPAQUE' }));
    secrets.push(keys.consumerSecret);
    const renewed = await expectOneRecord('application.secret.regenerate', developer, () => regenerateConsumerSecret(developer, application.id));
    secrets.push(renewed.consumerSecret);
    expect((await recordsOf('application.secret.regenerate', application.id))[0]!.summary).toEqual({ changed: { consumerSecret: 'secret replaced' } });
    await expectOneRecord('application.keys.update', developer, () => updateKeySettings(developer, application.id, { tokenValiditySeconds: 900, tokenType: 'JWT' }));
    const token = await expectOneRecord('application.token.issue', developer, () => generateAccessTokenForApplication(developer, application.id));
    secrets.push(token.access_token);
    await expectOneRecord('application.tokens.revoke', developer, () => revokeApplicationTokens(developer, application.id));

    const api = await insertApi(database.db, tenant, { name: 'Orders', tiers: ['Gold'], subscriptionApproval: true });
    const subscription = await expectOneRecord('subscription.create', developer, () => subscribe(developer, { applicationId: application.id, apiId: api.id, tier: 'Gold' }));
    await expectOneRecord('subscription.approve', publisher, () => decideSubscription(publisher, subscription.id, 'approve'));
    await expectOneRecord('subscription.block', publisher, () => decideSubscription(publisher, subscription.id, 'block'));
    // A decision that changes nothing (blocking a blocked subscription) is refused and recorded as nothing.
    await expect(decideSubscription(publisher, subscription.id, 'block')).rejects.toMatchObject({ kind: 'conflict' });
    expect(await recordsOf('subscription.block', subscription.id)).toHaveLength(1);
    await expectOneRecord('subscription.delete', developer, () => unsubscribe(developer, subscription.id));
    await expectOneRecord('application.delete', developer, () => deleteApplication(developer, application.id));
  });

  it('users, sign-up, tenants and settings', async () => {
    const password = 'Correct-Horse-Battery-9';
    secrets.push(password);
    const user = await expectOneRecord('user.create', admin, () => createTenantUser(admin, { username: 'newbie', displayName: 'New', email: null, password, roles: ['subscriber'] }));
    expect((await recordsOf('user.create', user.id))[0]!.summary).toMatchObject({ created: { password: 'password set' } });
    await expectOneRecord('user.roles.update', admin, () => setUserRoles(admin, user.id, ['publisher']));
    await expectOneRecord('settings.self-signup.update', admin, () => setSelfSignup(admin, true));

    const signUpPassword = 'Sign-Up-Secret-Pass-77';
    secrets.push(signUpPassword);
    await signUpDeveloper({ tenant: 'audit.test', username: 'walkin', displayName: 'Walk In', email: null, password: signUpPassword, confirmPassword: signUpPassword } as never, { clientAddress: '198.51.100.7' });
    const [signUp] = await recordsOf('user.sign-up');
    expect(signUp).toMatchObject({ actorUsername: 'walkin', channel: 'anonymous', tenantId: tenant.id, clientAddress: '198.51.100.7' });
    // A taken name changes nothing, so it leaves nothing.
    await signUpDeveloper({ tenant: 'audit.test', username: 'walkin', displayName: 'Walk In', email: null, password: signUpPassword, confirmPassword: signUpPassword } as never);
    expect(await recordsOf('user.sign-up')).toHaveLength(1);

    const adminPassword = 'Tenant-Admin-Secret-42';
    secrets.push(adminPassword);
    await expectOneRecord('tenant.create', superAdmin, () => createTenant(superAdmin, { domain: 'fresh.test', displayName: 'Fresh', adminUsername: 'boss', adminPassword } as never));
  });

  it('clusters: save, import and delete, with the service-account token only ever "replaced"', async () => {
    const tokenA = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLWEtc2VjcmV0';
    const tokenB = 'plain-service-account-token-B-7f3c9d';
    secrets.push(tokenA, tokenB);
    const form = (token: string, displayName = 'Cluster one') => ({ type: 'Kubernetes', clusterName: 'one', displayName, properties: { MasterURL: 'https://203.0.113.5:6443', SAToken: token, Namespace: 'apis', AccessURL: 'https://gw.audit.test' }, extra: {} });
    await expectOneRecord('cluster.save', admin, () => saveTenantClusterFromForm(admin, form(tokenA)));
    await expectOneRecord('cluster.save', admin, () => saveTenantClusterFromForm(admin, { ...form(tokenB, 'Cluster 1'), originalName: 'one' }));
    const saves = (await recordsOf('cluster.save', 'one')).sort((a, b) => a.at.getTime() - b.at.getTime());
    expect(saves[0]!.summary).toMatchObject({ created: { properties: { SAToken: 'token set' } } });
    expect(saves[1]!.summary).toMatchObject({ changed: { displayName: { from: 'Cluster one', to: 'Cluster 1' }, 'properties.SAToken': 'token replaced' } });
    // The form left empty keeps the stored token: nothing about it is recorded.
    await saveTenantClusterFromForm(admin, { ...form('', 'Cluster I'), originalName: 'one' });
    const third = (await recordsOf('cluster.save', 'one')).sort((a, b) => b.at.getTime() - a.at.getTime())[0]!;
    expect(third.summary).toEqual({ changed: { displayName: { from: 'Cluster 1', to: 'Cluster I' } } });

    const json = JSON.stringify({ ContainerMgt: [{ Type: 'Kubernetes', ContainerMgtInfo: [{ ClusterName: 'two', DisplayName: 'Two', Properties: { MasterURL: 'https://203.0.113.6:6443', SAToken: tokenA, Namespace: 'x', AccessURL: 'https://gw2.audit.test' } }] }] });
    await expectOneRecord('cluster.import', admin, () => saveTenantClustersFromJson(admin, json));
    await expectOneRecord('cluster.delete', admin, () => deleteTenantCluster(admin, 'two'));
  });

  it('personal access tokens, and the REST API attributing a change to the token it came with', async () => {
    const made = await expectOneRecord('personal-token.create', developer, () =>
      createPersonalToken(developer, createPersonalTokenSchema.parse({ name: 'ci', scopes: ['applications:read', 'applications:write'], expiresInDays: 7 })),
    );
    secrets.push(made.token);
    const response = await dispatchRestRequest(
      new Request('http://portal.test/api/v1/applications', { method: 'POST', headers: { authorization: `Bearer ${made.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'From CI', tier: 'Gold' }) }),
    );
    expect(response.response.status).toBe(201);
    const [viaToken] = await recordsOf('application.create');
    const records = await database.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'application.create'), eq(auditEvents.channel, 'token')));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ actorUserId: developer.userId, tokenId: made.view.id, tokenName: 'ci' });
    expect(viaToken).toBeDefined();

    // A write refused for want of a scope is recorded as refused.
    const refused = await dispatchRestRequest(new Request('http://portal.test/api/v1/admin/clusters/one', { method: 'DELETE', headers: { authorization: `Bearer ${made.token}` } }));
    expect(refused.response.status).toBe(403);
    const refusals = await database.db.select().from(auditEvents).where(eq(auditEvents.outcome, 'refused'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ actorUserId: developer.userId, channel: 'token', objectId: 'one' });
    expect(refusals[0]!.reason).toMatch(/scope/);

    await expectOneRecord('personal-token.revoke', developer, () => revokePersonalToken(developer, made.view.id));
    await expect(authenticatePersonalToken(made.token)).rejects.toMatchObject({ kind: 'unauthenticated' });
    await expectOneRecord('personal-token.delete', developer, () => deletePersonalToken(developer, made.view.id));
  });
});

describe('a change that rolls back', () => {
  it('leaves no record, and a record that cannot be written undoes its change', async () => {
    const application = await createApplication(developer, { name: 'Rollback', description: '', tier: 'Gold' });
    // Fails at commit, after the change and its record were both written: both must go.
    await database.db.execute(sql`
      create function refuse_exploding_name() returns trigger language plpgsql as $$
      begin
        if new.name = 'explode-on-commit' then raise exception 'refused at commit'; end if;
        return new;
      end $$`);
    await database.db.execute(sql`create constraint trigger refuse_exploding_name after update on applications deferrable initially deferred for each row execute function refuse_exploding_name()`);
    try {
      await expect(updateApplication(developer, application.id, { name: 'explode-on-commit', description: '', tier: 'Gold' })).rejects.toThrow();
      expect(await recordsOf('application.update', application.id)).toHaveLength(0);
    } finally {
      await database.db.execute(sql`drop trigger refuse_exploding_name on applications`);
    }
    await updateApplication(developer, application.id, { name: 'Rolled forward', description: '', tier: 'Gold' });
    expect(await recordsOf('application.update', application.id)).toHaveLength(1);
  });
});

describe('secrets', () => {
  it('appear nowhere in the audit table, in any column', async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(9);
    // Every column of every row, as PostgreSQL prints it.
    const result = await database.db.execute(sql`select coalesce(string_agg(t::text, E'\n'), '') as text from audit_events t`);
    const rows = ((result as { rows?: unknown }).rows ?? result) as Array<{ text: string }>;
    const text = rows[0]!.text;
    expect(text.length).toBeGreaterThan(1000);
    for (const secret of secrets) expect(text, `a secret of ${secret.length} characters is in the audit table`).not.toContain(secret);
    // Nor the pieces of a JWT or a personal token that would let one be rebuilt.
    expect(text).not.toMatch(/pjp_[A-Za-z0-9_-]{20,}/);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  });
});

describe('who reads which records', () => {
  it('a tenant admin sees only their tenant, on the page and in the export', async () => {
    await setSelfSignup(otherAdmin, true);
    const own = await auditLogPage(admin, {});
    expect(own.records.length).toBeGreaterThan(0);
    expect(new Set(own.records.map((r) => r.tenantDomain))).toEqual(new Set(['audit.test']));
    // Naming another tenant changes nothing for a tenant admin.
    const probing = await auditLogPage(admin, { tenant: 'other.test' });
    expect(probing.records.every((r) => r.tenantDomain === 'audit.test')).toBe(true);
    const other = await auditLogPage(otherAdmin, {});
    expect(other.records.map((r) => r.action)).toEqual(['settings.self-signup.update']);

    for (const format of ['csv', 'jsonl']) {
      const response = auditExportResponse(admin, new URL(`http://portal.test/api/admin/audit/export?format=${format}&tenant=other.test`));
      expect(response.status).toBe(200);
      const body = await response.text();
      expect(body).toContain('audit.test');
      expect(body).not.toContain('other.test');
    }
    const jsonLines = (await auditExportResponse(otherAdmin, new URL('http://portal.test/x?format=jsonl')).text()).trim().split('\n');
    expect(jsonLines.map((line) => JSON.parse(line).tenant)).toEqual(['other.test']);
  });

  it('the super tenant admin sees every tenant and can narrow to one; non-admins are refused', async () => {
    const all = await auditLogPage(superAdmin, {});
    expect(new Set(all.records.map((r) => r.tenantDomain))).toEqual(new Set(['audit.test', 'other.test', 'carbon.super']));
    const narrowed = await auditLogPage(superAdmin, { tenant: 'other.test' });
    expect(narrowed.records.map((r) => r.tenantDomain)).toEqual(['other.test']);
    await expect(auditLogPage(publisher, {})).rejects.toMatchObject({ kind: 'forbidden' });
    expect(auditExportResponse(publisher, new URL('http://portal.test/x')).status).toBe(403);
    expect(auditExportResponse(null, new URL('http://portal.test/x')).status).toBe(401);
  });

  it('filters by user, action prefix, object and time', async () => {
    const byUser = await auditLogPage(admin, { user: 'dev' });
    expect(byUser.records.length).toBeGreaterThan(0);
    expect(byUser.records.every((r) => r.actorUsername === 'dev')).toBe(true);
    const subscriptionsOnly = await auditLogPage(admin, { action: 'subscription' });
    expect(new Set(subscriptionsOnly.records.map((r) => r.action))).toEqual(new Set(['subscription.create', 'subscription.approve', 'subscription.block', 'subscription.delete']));
    const cluster = await auditLogPage(admin, { objectType: 'cluster', objectId: 'one' });
    expect(cluster.records.map((r) => r.action)).toEqual(['cluster.save', 'cluster.save', 'cluster.save']);
    expect((await auditLogPage(admin, { from: new Date(Date.now() + 60_000) })).records).toHaveLength(0);
    expect((await auditLogPage(admin, { to: new Date(Date.now() - 24 * 3600_000) })).records).toHaveLength(0);
  });
});

describe('the table itself', () => {
  it('refuses updates, deletes and truncation; only the retention purge removes records, and only expired ones', async () => {
    await expect(database.db.update(auditEvents).set({ actorUsername: 'someone else' })).rejects.toSatisfy(refusedByTrigger);
    await expect(database.db.delete(auditEvents)).rejects.toSatisfy(refusedByTrigger);
    await expect(database.db.execute(sql`truncate audit_events`)).rejects.toSatisfy(refusedByTrigger);
    // A cutoff set by hand does not reach younger rows.
    await expect(
      database.db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('privatejet.audit_purge_before', '2000-01-01T00:00:00Z', true)`);
        await tx.delete(auditEvents);
      }),
    ).rejects.toSatisfy(refusedByTrigger);

    const total = (await database.db.select().from(auditEvents)).length;
    const old = new Date(Date.now() - 400 * 24 * 3600_000);
    await database.db.insert(auditEvents).values({ at: old, tenantId: tenant.id, tenantDomain: 'audit.test', actorUsername: 'ancient', channel: 'session', action: 'api.update', objectType: 'api', outcome: 'ok' });
    expect(await purgeExpiredAuditEvents(365)).toBe(1);
    expect((await database.db.select().from(auditEvents)).length).toBe(total);
    // The setting was the purge's transaction's only: a plain delete is refused again.
    await expect(database.db.delete(auditEvents)).rejects.toSatisfy(refusedByTrigger);
  });

  it('exports every record once across batches, however many share a millisecond', async () => {
    const bulk = await insertTenant(database.db, 'bulk.test');
    const bulkAdmin = await insertUser(database.db, bulk, 'bulky', ['admin']);
    const shared = new Date(Date.now() - 60_000);
    const rows = Array.from({ length: 2_500 }, (_, i) => ({
      // Some a few microseconds apart: the column keeps milliseconds, so the cursor never skips them.
      at: i % 3 === 0 ? shared : i % 3 === 1 ? new Date(shared.getTime() + (i % 7)) : sql`${shared.toISOString()}::timestamptz + ${i % 997} * interval '1 microsecond'`,
      tenantId: bulk.id,
      tenantDomain: 'bulk.test',
      actorUsername: 'bulky',
      channel: 'session' as const,
      action: 'api.update',
      objectType: 'api',
      objectId: `api-${i}`,
      outcome: 'ok' as const,
    }));
    await database.db.insert(auditEvents).values(rows);
    const lines = (await auditExportResponse(bulkAdmin, new URL('http://portal.test/x?format=jsonl')).text()).trim().split('\n');
    const ids = lines.map((line) => JSON.parse(line).objectId as string);
    expect(ids).toHaveLength(2_500);
    expect(new Set(ids).size).toBe(2_500);
    const times = lines.map((line) => Date.parse(JSON.parse(line).at as string));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });
});
