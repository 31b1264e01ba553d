import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../actor';
import type { DatabaseHandle } from '../db/drizzle';
import { tenantClusters, tenants, users } from '../db/schema';
import { freshTestDatabase } from '../test-support/test-database';
import { AppError } from '../errors';
import { listClusterChoices } from '../containers/cluster-use.service';
import { exportTenantClusters, listClustersForAdmin, saveTenantClusterFromForm, saveTenantClustersFromJson } from './clusters.service';
import { replaceTenantClusters } from './clusters.store';
import { parseDeploymentToml } from './deployment-toml';
import { setPlatformClusterConfig } from './platform-config';

const seedJson = fs.readFileSync(path.join(__dirname, 'fixtures/seed-tenant-example.json'), 'utf8');
const seedToken = /"SAToken": "([^"]+)"/.exec(seedJson)![1]!;

let database: DatabaseHandle;
let superAdmin: Actor;
let tenantAdmin: Actor;
let tenantPublisher: Actor;
let otherAdmin: Actor;

async function makeTenant(domain: string): Promise<string> {
  const [row] = await database.db.insert(tenants).values({ domain, displayName: domain }).returning();
  return row!.id;
}

function actor(tenantId: string, tenantDomain: string, roles: Actor['roles'], username = roles[0]!): Actor {
  return { userId: crypto.randomUUID(), username, displayName: username, tenantId, tenantDomain, roles };
}

async function rejection(promise: Promise<unknown>): Promise<AppError & { issues?: { path: string; message: string }[] }> {
  try {
    await promise;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  database = await freshTestDatabase();
  setPlatformClusterConfig(parseDeploymentToml(fs.readFileSync(path.join(__dirname, '../../deploy/deployment.toml'), 'utf8'), 'deployment.toml'));
  const superId = await makeTenant('carbon.super');
  const exampleId = await makeTenant('example.com');
  const otherId = await makeTenant('other.org');
  superAdmin = actor(superId, 'carbon.super', ['admin']);
  tenantAdmin = actor(exampleId, 'example.com', ['admin']);
  tenantPublisher = actor(exampleId, 'example.com', ['publisher']);
  otherAdmin = actor(otherId, 'other.org', ['admin']);
  await database.db.insert(users).values({ tenantId: exampleId, username: 'x', displayName: 'x', passwordHash: 'x', roles: ['admin'] });
});
afterAll(() => database.close());

describe('tenant clusters', () => {
  it("accepts the seed's tenant JSON verbatim and never hands the token back", async () => {
    const result = await saveTenantClustersFromJson(tenantAdmin, seedJson);
    expect(result.warnings).toEqual([]);
    const clusters = await listClustersForAdmin(tenantAdmin);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]).toMatchObject({ source: 'tenant', manager: 'kubernetes', clusterName: 'docker-desktop', displayName: 'cluster-1', token: { set: true } });
    expect(JSON.stringify(clusters)).not.toContain(seedToken);
    expect(await exportTenantClusters(tenantAdmin)).not.toContain(seedToken);
  });

  it('stores the token only encrypted', async () => {
    const rows = await database.db.select().from(tenantClusters).where(eq(tenantClusters.tenantId, tenantAdmin.tenantId));
    expect(JSON.stringify(rows)).not.toContain(seedToken);
    expect(rows[0]!.saTokenEncrypted).toMatch(/^v1:/);
  });

  it('keeps the previous configuration when an edit is rejected, naming the path', async () => {
    const broken = seedJson.replace('"Namespace": "default"', '"Namespace": "Not_Valid"');
    const error = await rejection(saveTenantClustersFromJson(tenantAdmin, broken));
    expect(error.kind).toBe('validation');
    expect(error.issues![0]!.path).toBe('ContainerMgt[0].ContainerMgtInfo[0].Properties.Namespace');
    const clusters = await listClustersForAdmin(tenantAdmin);
    expect(clusters[0]!.properties.Namespace).toBe('default');
  });

  it('re-imports its own redacted export without losing the token', async () => {
    const exported = await exportTenantClusters(tenantAdmin);
    await saveTenantClustersFromJson(tenantAdmin, exported.replace('"cluster-1"', '"cluster one"'));
    const [cluster] = await listClustersForAdmin(tenantAdmin);
    expect(cluster).toMatchObject({ displayName: 'cluster one', token: { set: true } });
  });

  it('edits one cluster from the form without retyping the token, and maps errors to fields', async () => {
    const form = {
      originalName: 'docker-desktop',
      type: 'Kubernetes',
      clusterName: 'docker-desktop',
      displayName: 'Cluster One',
      properties: { MasterURL: 'https://kubernetes.docker.internal:6443', AccessURL: 'https://internal.wso2.com', SAToken: '', Namespace: 'apis', Replicas: '2' },
      extra: {},
    };
    await saveTenantClusterFromForm(tenantAdmin, form);
    const [cluster] = await listClustersForAdmin(tenantAdmin);
    expect(cluster).toMatchObject({ displayName: 'Cluster One', properties: { Namespace: 'apis', Replicas: 2 }, token: { set: true } });

    const error = await rejection(saveTenantClusterFromForm(tenantAdmin, { ...form, properties: { ...form.properties, Replicas: '0', AccessURL: 'not a url' } }));
    expect(Object.keys(error.fieldErrors!)).toEqual(expect.arrayContaining(['properties.Replicas', 'properties.AccessURL']));
    expect((await listClustersForAdmin(tenantAdmin))[0]!.properties.Replicas).toBe(2);
  });

  it("shows a tenant's clusters to its publishers only, by display name", async () => {
    expect(await listClusterChoices(tenantPublisher)).toEqual([
      {
        clusterName: 'docker-desktop',
        displayName: 'Cluster One',
        type: 'Kubernetes',
        source: 'tenant',
        accessUrl: 'https://internal.wso2.com',
        securityOffer: [expect.stringContaining("Access tokens of the portal's applications")],
      },
    ]);
    expect(await listClustersForAdmin(otherAdmin)).toEqual([]);
    expect(JSON.stringify(await listClusterChoices(tenantPublisher))).not.toMatch(/MasterURL|SAToken/);
  });

  it("gives the super tenant deployment.toml's clusters, read-only, and refuses their names", async () => {
    const clusters = await listClustersForAdmin(superAdmin);
    expect(clusters.map((c) => [c.source, c.clusterName, c.manager])).toEqual([['deployment.toml', 'local', 'local']]);
    const error = await rejection(saveTenantClustersFromJson(superAdmin, seedJson.replace('"docker-desktop"', '"local"')));
    expect(error.issues![0]!.message).toContain('already a cluster of deployment.toml');
  });

  it('refuses any tenant a cluster on this machine, a platform cluster name, or platform-only properties, and keeps the previous config', async () => {
    const before = await listClustersForAdmin(tenantAdmin);
    const local = (cluster: Record<string, unknown>) => JSON.stringify([{ Type: 'Local', ContainerMgtInfo: [cluster] }]);
    const attempts: { actor: Actor; text: string; message: RegExp }[] = [
      // the probe's takeover: a tenant Local cluster on the platform's port, under another name and under the platform's name
      { actor: tenantAdmin, text: local({ ClusterName: 'mine', DisplayName: 'Mine', Properties: { AccessURL: 'http://localhost:8243' } }), message: /belongs to the platform/ },
      { actor: tenantAdmin, text: local({ ClusterName: 'mine', DisplayName: 'Mine', Properties: { AccessURL: 'http://localhost:9999' } }), message: /belongs to the platform/ },
      { actor: superAdmin, text: local({ ClusterName: 'mine', DisplayName: 'Mine', Properties: { AccessURL: 'http://localhost:9999' } }), message: /belongs to the platform/ },
      { actor: tenantAdmin, text: seedJson.replace('"docker-desktop"', '"local"'), message: /already a cluster of deployment.toml/ },
      { actor: otherAdmin, text: seedJson.replace('"docker-desktop"', '"local"'), message: /already a cluster of deployment.toml/ },
      { actor: tenantAdmin, text: seedJson.replace('"Namespace"', '"SharedWithTenants": "*", "Namespace"'), message: /deployment.toml only/ },
    ];
    for (const { actor: admin, text, message } of attempts) {
      const error = await rejection(saveTenantClustersFromJson(admin, text));
      expect(error.issues!.map((issue) => issue.message).join('\n'), text).toMatch(message);
    }
    const form = { type: 'Local', clusterName: 'mine', displayName: 'Mine', properties: { AccessURL: 'http://localhost:8243' }, extra: {} };
    expect((await rejection(saveTenantClusterFromForm(tenantAdmin, form))).fieldErrors!.type![0]).toMatch(/belongs to the platform/);
    expect((await rejection(saveTenantClusterFromForm(tenantAdmin, { ...form, type: 'Kubernetes', clusterName: 'local', properties: { AccessURL: 'https://apis.example.com' } }))).fieldErrors!.clusterName![0]).toMatch(
      /already a cluster of deployment.toml/,
    );
    expect(await listClustersForAdmin(tenantAdmin)).toEqual(before);
  });

  it('gives a tenant only the platform clusters shared with it, and never a Local cluster stored as its own', async () => {
    setPlatformClusterConfig(
      parseDeploymentToml(
        fs
          .readFileSync(path.join(__dirname, '../../deploy/deployment.toml'), 'utf8')
          .replace('properties.AccessURL = "http://localhost:8243"', '$&\nproperties.SharedWithTenants = "example.com"'),
        'deployment.toml',
      ),
    );
    try {
      expect((await listClusterChoices(tenantPublisher)).map((c) => [c.source, c.clusterName])).toContainEqual(['deployment.toml', 'local']);
      expect((await listClustersForAdmin(otherAdmin)).map((c) => c.clusterName)).not.toContain('local');
      // a row written before the rule (or by hand) is not trusted with the platform's ports
      await replaceTenantClusters(otherAdmin.tenantId, [
        { type: 'Local', clusterName: 'sneaky', displayName: 'S', properties: { AccessURL: 'http://localhost:8243', MasterURL: '', SAToken: '', Namespace: 'default', Replicas: 1, extra: {} } },
      ]);
      expect((await listClustersForAdmin(otherAdmin)).map((c) => c.clusterName)).not.toContain('sneaky');
    } finally {
      setPlatformClusterConfig(parseDeploymentToml(fs.readFileSync(path.join(__dirname, '../../deploy/deployment.toml'), 'utf8'), 'deployment.toml'));
    }
  });

  it('refuses non-admins', async () => {
    expect((await rejection(listClustersForAdmin(tenantPublisher))).kind).toBe('forbidden');
    expect((await rejection(saveTenantClustersFromJson(tenantPublisher, seedJson))).kind).toBe('forbidden');
  });
});
