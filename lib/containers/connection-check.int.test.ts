import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AuthorizationV1Api, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKubeBinaries } from '../../tools/kube/binaries';
import { startControlPlane, type ControlPlane } from '../../tools/kube/control-plane';
import { provisionServiceAccount, seedClusterRole, seedClusterRoleBinding, type ServiceAccountAccess } from '../../tools/kube/service-account';
import { REQUIRED_PERMISSIONS } from './permissions';
import type { ClusterDefinition } from '../clusters/cluster-definition';
import { clusterAccessReport } from './connection-check';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { kubeConfigForServiceAccount } from '../../tools/kube/service-account';
import type { TargetCluster } from './container-manager';
import { createKubernetesContainerManager } from './kubernetes/kubernetes-manager';
import { gatewayObjectName } from './kubernetes/object-names';
import { sampleApi, sampleCluster } from '../test-support/kubernetes/sample-api';
import { rbacObjectsFor } from './rbac';

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

/** Without security resource names, the rules on those resources are not part of the check. */
const unnamedPermissions = REQUIRED_PERMISSIONS.kubernetes.filter((p) => !(p.onlyObject && 'theClusterProperty' in p.onlyObject));

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
    const expectedMissing = unnamedPermissions.flatMap((p) => p.verbs.map((verb) => `${verb} ${p.apiGroup || 'core'}/${p.resource}`)).filter(
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
    expect(report.checks).toHaveLength(unnamedPermissions.reduce((count, p) => count + p.verbs.length, 0));
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
    const otherCa = readFileSync(path.join(__dirname, '../clusters/fixtures/tls/other-ca-cert.pem'), 'utf8');
    const report = await clusterAccessReport(clusterFrom(privatejetAccess, { CACert: otherCa }), 'kubernetes');
    expect(report).toMatchObject({ reachable: false, ready: false, error: { kind: 'tls' } });
    expect(report.error?.hint).toContain('CACert');
  });
});

describe("the cluster's named security resources against a real API server", () => {
  let plane: ControlPlane;
  let good: ServiceAccountAccess;
  let bad: ServiceAccountAccess;
  let jwtPem: string;
  const goodNames = { BasicSecurityCustomResourceName: 'securitybasic', JWTSecurityCustomResourceName: 'securityjwt', OauthSecurityCustomResourceName: 'securityoauth' };
  const badNames = { BasicSecurityCustomResourceName: 'badbasic', JWTSecurityCustomResourceName: 'absentjwt', OauthSecurityCustomResourceName: 'badoauth' };

  beforeAll(async () => {
    await ensureKubeBinaries();
  }, firstBuildTimeoutMs);

  beforeAll(async () => {
    plane = await startControlPlane({ name: 'security-resources' });
    const access = (namespace: string, names: typeof goodNames) =>
      provisionServiceAccount(plane, {
        namespace,
        serviceAccountName: 'privatejet',
        rbac: rbacObjectsFor('kubernetes', { namespace, serviceAccount: 'privatejet' }, { includeServiceAccount: false, securityResourceNames: names }).filter(
          (object) => object.kind === 'Role' || object.kind === 'RoleBinding',
        ),
      });
    [good, bad] = await Promise.all([access('secured', goodNames), access('secured-bad', badNames)]);
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    jwtPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const users = `alice:${execFileSync('openssl', ['passwd', '-6', '-stdin'], { input: 'wonderland', encoding: 'utf8' }).trim()}\n`;
    const core = plane.adminKubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedSecret({ namespace: 'secured', body: { metadata: { name: 'securitybasic' }, stringData: { users } } });
    await core.createNamespacedConfigMap({
      namespace: 'secured',
      body: { metadata: { name: 'securityjwt' }, data: { issuer: 'https://idp.example.com', audience: 'orders-api', 'public-key.pem': jwtPem } },
    });
    await core.createNamespacedSecret({
      namespace: 'secured',
      body: { metadata: { name: 'securityoauth' }, stringData: { 'introspection-url': 'https://auth.example.com/oauth2/introspect', 'client-id': 'gateway', 'client-secret': 'idp-secret' } },
    });
    await core.createNamespacedSecret({ namespace: 'secured-bad', body: { metadata: { name: 'badoauth' }, stringData: { 'introspection-url': 'https://auth.example.com/introspect', 'client-id': 'gateway' } } });
    // A Secret the service account has no business reading.
    await core.createNamespacedSecret({ namespace: 'secured', body: { metadata: { name: 'unrelated' }, stringData: { password: 'x' } } });
    await core.createNamespacedSecret({ namespace: 'secured-bad', body: { metadata: { name: 'badbasic' }, stringData: { users: `${users}bob:plaintext\n` } } });
  }, startTimeoutMs);

  afterAll(async () => {
    await plane?.stop();
  });

  it('finds each named resource, with its documented keys, and gets exactly those names', async () => {
    const report = await clusterAccessReport(clusterFrom(good, goodNames), 'kubernetes');
    expect(report.securityResources).toEqual([
      expect.objectContaining({ mechanism: 'basic', name: 'securitybasic', ok: true, foundAs: 'Secret secured/securitybasic', offers: expect.stringContaining('1 user') }),
      expect.objectContaining({ mechanism: 'jwt', name: 'securityjwt', ok: true, foundAs: 'ConfigMap secured/securityjwt', offers: expect.stringContaining('https://idp.example.com') }),
      expect.objectContaining({ mechanism: 'oauth', name: 'securityoauth', ok: true, foundAs: 'Secret secured/securityoauth', offers: expect.stringContaining('https://auth.example.com/oauth2/introspect') }),
    ]);
    expect(report.checks.filter((check) => check.name?.startsWith('security')).map((check) => `${check.verb} ${check.resource}/${check.name}`)).toEqual([
      'get secrets/securitybasic',
      'get configmaps/securityjwt',
      'get secrets/securityjwt',
      'get secrets/securityoauth',
    ]);
    // Every namespaced permission is granted (the namespace lookup is a ClusterRole this test leaves out).
    expect(report.checks.filter((check) => check.resource !== 'namespaces' && !check.allowed)).toEqual([]);
    // Nothing of a key's value reaches the report (it goes to a browser).
    expect(JSON.stringify(report)).not.toMatch(/\$6\$|BEGIN PUBLIC KEY|idp-secret/);
    // The grant is on those names only.
    const core = kubeConfigForServiceAccount(good).makeApiClient(CoreV1Api);
    await expect(core.readNamespacedSecret({ name: 'unrelated', namespace: 'secured' })).rejects.toMatchObject({ code: 403 });
  });

  it('names the resource and the key when one is malformed or missing, and the cluster is not ready', async () => {
    const report = await clusterAccessReport(clusterFrom(bad, badNames), 'kubernetes');
    expect(report.ready).toBe(false);
    const [basic, jwt, oauth] = report.securityResources!;
    expect(oauth).toMatchObject({ ok: false, problem: 'Secret secured-bad/badoauth has no key "client-secret"' });
    expect(basic).toMatchObject({ ok: false, problem: expect.stringContaining('Secret secured-bad/badbasic, key "users", line 2') });
    expect(jwt).toMatchObject({ ok: false, problem: expect.stringContaining('no ConfigMap or Secret "absentjwt" in namespace secured-bad') });
  });

  it('says a JWT key that does not parse', async () => {
    await plane.adminKubeConfig.makeApiClient(CoreV1Api).createNamespacedConfigMap({
      namespace: 'secured-bad',
      body: { metadata: { name: 'absentjwt' }, data: { issuer: 'https://idp.example.com', audience: 'orders-api', 'public-key.pem': '-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n' } },
    });
    const report = await clusterAccessReport(clusterFrom(bad, badNames), 'kubernetes');
    expect(report.securityResources![1]).toMatchObject({ ok: false, problem: expect.stringContaining('ConfigMap secured-bad/absentjwt, key "public-key.pem": not a PEM RSA public key') });
  });

  it('fails the deploy of an API that allows Basic with the resource and key, before anything is applied', async () => {
    const manager = createKubernetesContainerManager();
    const api = sampleApi({ basic: true });
    const cluster = { ...sampleCluster(), properties: { ...clusterFrom(bad, badNames).properties } } as TargetCluster;
    await expect(manager.deploy(api, cluster)).rejects.toThrow('Secret secured-bad/badbasic, key "users", line 2');
    expect(await manager.status(api, cluster)).toMatchObject({ phase: 'absent' });
  });

  it("deploys an API that allows Basic with the cluster's users mounted, and the other issuer's key in its config", async () => {
    const manager = createKubernetesContainerManager();
    const api = sampleApi({ basic: true });
    const cluster = { ...sampleCluster(), properties: { ...clusterFrom(good, goodNames).properties } } as TargetCluster;
    await manager.deploy(api, cluster);
    const apps = kubeConfigForServiceAccount(good).makeApiClient(AppsV1Api);
    const deployment = await apps.readNamespacedDeployment({ name: gatewayObjectName(api), namespace: 'secured' });
    expect(deployment.spec!.template.spec!.initContainers![0]!.name).toBe('basic-users');
    expect(deployment.spec!.template.spec!.volumes).toContainEqual(expect.objectContaining({ name: 'basic-users-secret', secret: expect.objectContaining({ secretName: 'securitybasic' }) }));
    const configMap = await kubeConfigForServiceAccount(good).makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: gatewayObjectName(api), namespace: 'secured' });
    expect(configMap.data!['external-jwt.pem']).toBe(jwtPem);
    expect(configMap.data!['haproxy.cfg']).toContain('http_auth(cluster_users)');
    expect(configMap.data!['haproxy.cfg']).toContain('setenv PRIVATEJET_EXTERNAL_INTROSPECTION_URL https://auth.example.com/oauth2/introspect');
    expect(JSON.stringify(configMap.data)).not.toMatch(/\$6\$|idp-secret/);
    expect(deployment.spec!.template.spec!.volumes).toContainEqual(
      expect.objectContaining({ name: 'introspection-client', secret: expect.objectContaining({ secretName: 'securityoauth', items: [{ key: 'client-id', path: 'client-id' }, { key: 'client-secret', path: 'client-secret' }] }) }),
    );
  });
});
