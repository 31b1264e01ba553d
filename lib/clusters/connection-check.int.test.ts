import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AuthorizationV1Api, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKubeBinaries } from '../../tools/kube/binaries';
import { startControlPlane, type ControlPlane } from '../../tools/kube/control-plane';
import { provisionServiceAccount, seedClusterRole, seedClusterRoleBinding, type ServiceAccountAccess } from '../../tools/kube/service-account';
import { REQUIRED_PERMISSIONS } from '../containers/permissions';
import type { ClusterDefinition } from './cluster.schema';
import { clusterAccessReport } from './connection-check';

/**
 * The connection check against a real kube-apiserver (tools/kube), with service accounts set up
 * exactly as a user would: the seed's ClusterRole, and the committed deploy/rbac role.
 */

const firstBuildTimeoutMs = 30 * 60_000;
const startTimeoutMs = 3 * 60_000;

let controlPlane: ControlPlane;
let seedAccess: ServiceAccountAccess;
let privatejetAccess: ServiceAccountAccess;

/** deploy/rbac/kubernetes.yaml as committed, minus the ServiceAccount the harness creates itself. */
function committedNativeRbac(): { namespaced: KubernetesObject[]; clusterWide: KubernetesObject[] } {
  const text = readFileSync(path.resolve(__dirname, '../../deploy/rbac/kubernetes.yaml'), 'utf8');
  const objects = parseAllDocuments(text).map((document) => document.toJS() as KubernetesObject);
  return {
    namespaced: objects.filter((object) => object.kind === 'Role' || object.kind === 'RoleBinding'),
    clusterWide: objects.filter((object) => object.kind === 'ClusterRole' || object.kind === 'ClusterRoleBinding'),
  };
}

/**
 * Applies the ClusterRole and its binding as cluster admin and waits until the authorizer
 * honours them. provisionServiceAccount's own wait asks without a resource name, which a rule
 * limited by resourceNames (namespaces get on "privatejet" only) never allows.
 */
async function applyClusterWideRbac(objects: KubernetesObject[], access: ServiceAccountAccess): Promise<void> {
  const admin = controlPlane.adminKubeConfig;
  const api = KubernetesObjectApi.makeApiClient(admin);
  for (const object of objects) await api.patch(object, undefined, undefined, 'privatejet-test', true, PatchStrategy.ServerSideApply);
  const authorization = admin.makeApiClient(AuthorizationV1Api);
  const user = `system:serviceaccount:${access.namespace}:${access.serviceAccountName}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const review = await authorization.createSubjectAccessReview({
      body: { spec: { user, resourceAttributes: { group: '', resource: 'namespaces', verb: 'get', name: access.namespace } } },
    });
    if (review.status?.allowed) return;
    if (Date.now() > deadline) throw new Error('the ClusterRoleBinding did not take effect');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const clusterFrom = (access: ServiceAccountAccess, overrides: Partial<ClusterDefinition['properties']> = {}): Pick<ClusterDefinition, 'clusterName' | 'properties'> => ({
  clusterName: 'real-cluster',
  properties: {
    MasterURL: access.masterUrl,
    AccessURL: 'https://apis.example.com',
    SAToken: access.saToken,
    CACert: access.caCert,
    Namespace: access.namespace,
    Replicas: 1,
    extra: {},
    ...overrides,
  },
});

describe('clusterAccessReport against a real API server', () => {
  beforeAll(async () => {
    await ensureKubeBinaries();
  }, firstBuildTimeoutMs);

  beforeAll(async () => {
    controlPlane = await startControlPlane({ name: 'connection-check' });
    [seedAccess, privatejetAccess] = await Promise.all([
      provisionServiceAccount(controlPlane, {
        namespace: 'wso2',
        serviceAccountName: 'wso2sa',
        rbac: [seedClusterRole as unknown as KubernetesObject, seedClusterRoleBinding({ name: 'wso2sa', namespace: 'wso2' })],
      }),
      provisionServiceAccount(controlPlane, { namespace: 'privatejet', serviceAccountName: 'privatejet', rbac: committedNativeRbac().namespaced }),
    ]);
    await applyClusterWideRbac(committedNativeRbac().clusterWide, privatejetAccess);
  }, startTimeoutMs);

  afterAll(async () => {
    await controlPlane?.stop();
  });

  it("names exactly the native-mode permissions the seed's ClusterRole lacks", async () => {
    const report = await clusterAccessReport(clusterFrom(seedAccess), 'kubernetes');
    expect(report).toMatchObject({ reachable: true, ready: false });
    // The seed's role may not read namespaces, so whether "wso2" exists stays unknown.
    expect(report.namespaceExists).toBeUndefined();
    expect(report.serverVersion).toMatch(/^v1\./);
    const missing = report.checks.filter((check) => !check.allowed).map((check) => `${check.verb} ${check.apiGroup || 'core'}/${check.resource}`);
    // The seed grants get/list/create/update/delete on configmaps (and on CRDs and apis), nothing else.
    const seedGrants = new Set(['get', 'list', 'create', 'update', 'delete'].map((verb) => `${verb} core/configmaps`));
    const expectedMissing = REQUIRED_PERMISSIONS.kubernetes.flatMap((p) => p.verbs.map((verb) => `${verb} ${p.apiGroup || 'core'}/${p.resource}`)).filter(
      (grant) => !seedGrants.has(grant),
    );
    expect(missing).toEqual(expectedMissing);
    expect(missing).toContain('watch core/configmaps');
    expect(missing).toContain('patch core/configmaps');
    expect(missing).toContain('create apps/deployments');
    expect(missing).toContain('get apps/deployments/status');
    expect(missing).toContain('get core/namespaces');
  });

  it('finds everything allowed with the committed deploy/rbac role', async () => {
    const report = await clusterAccessReport(clusterFrom(privatejetAccess), 'kubernetes');
    expect(report.checks.filter((check) => !check.allowed)).toEqual([]);
    expect(report.checks).toHaveLength(REQUIRED_PERMISSIONS.kubernetes.reduce((count, p) => count + p.verbs.length, 0));
    expect(report).toMatchObject({ reachable: true, namespaceExists: true, ready: true });
    expect(report.error).toBeUndefined();
  });

  it('allows nothing in a namespace the role is not bound in', async () => {
    const report = await clusterAccessReport(clusterFrom(privatejetAccess, { Namespace: 'nope' }), 'kubernetes');
    // The role is bound in "privatejet" only, so nothing is allowed in "nope" either, not even
    // looking the namespace up.
    expect(report).toMatchObject({ reachable: true, ready: false });
    expect(report.namespaceExists).toBeUndefined();
    expect(report.checks.every((check) => !check.allowed)).toBe(true);
  });

  it('explains a wrong token as 401 with a hint', async () => {
    const report = await clusterAccessReport(clusterFrom(privatejetAccess, { SAToken: `${privatejetAccess.saToken.slice(0, -4)}AAAA` }), 'kubernetes');
    expect(report).toMatchObject({ reachable: true, ready: false, checks: [], error: { kind: 'unauthorized', status: 401 } });
    expect(report.error?.hint).toMatch(/expired|another cluster/);
    expect(JSON.stringify(report)).not.toContain(privatejetAccess.saToken);
  });

  it('says when the namespace does not exist, and checks what the wso2 manager needs', async () => {
    const report = await clusterAccessReport(clusterFrom(seedAccess, { Namespace: 'missing' }), 'wso2-api-operator');
    expect(report).toMatchObject({ reachable: true, ready: false });
    expect(report.checks.map((check) => `${check.verb} ${check.resource}`)).toContain('get customresourcedefinitions');
  });

  it('explains an API server certificate it cannot verify when no CACert is given', async () => {
    const report = await clusterAccessReport(clusterFrom(privatejetAccess, { CACert: undefined }), 'kubernetes');
    expect(report).toMatchObject({ reachable: false, error: { kind: 'tls' } });
    expect(report.error?.hint).toContain('CACert');
  });

  it('checks only the connection for a manager module without a permission list', async () => {
    const report = await clusterAccessReport(clusterFrom(privatejetAccess), './managers/custom.js');
    expect(report).toMatchObject({ reachable: true, namespaceExists: true, checks: [], ready: true, note: expect.stringContaining('declares no permission list') });
    expect(JSON.stringify(report)).not.toContain(privatejetAccess.saToken);
  });

  it('explains a wrong CA as a TLS error with a hint', async () => {
    const otherCa = readFileSync(path.join(__dirname, 'fixtures/tls/other-ca-cert.pem'), 'utf8');
    const report = await clusterAccessReport(clusterFrom(privatejetAccess, { CACert: otherCa }), 'kubernetes');
    expect(report).toMatchObject({ reachable: false, ready: false, error: { kind: 'tls' } });
    expect(report.error?.hint).toContain('CACert');
  });
});
