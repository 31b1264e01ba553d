import {
  ApiException,
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  VersionApi,
  type V1CustomResourceDefinition,
  type V1Deployment,
  type V1DeploymentSpec,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKubeBinaries } from './binaries';
import { startControlPlane, type ControlPlane } from './control-plane';
import {
  kubeConfigForServiceAccount,
  provisionServiceAccount,
  seedClusterRole,
  seedClusterRoleBinding,
  type ServiceAccountAccess,
} from './service-account';

// On a machine that has never built the servers, the first run compiles them (minutes).
const firstBuildTimeoutMs = 30 * 60_000;
const startTimeoutMs = 3 * 60_000;

async function startControlPlanes(names: string[]): Promise<ControlPlane[]> {
  const results = await Promise.allSettled(names.map((name) => startControlPlane({ name })));
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) {
    await Promise.all(started.map((controlPlane) => controlPlane.stop()));
    throw failure.reason;
  }
  return started;
}

/** The HTTP status and the API server's own message from a failed call. */
async function apiFailureOf(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body: unknown = typeof error.body === 'string' ? JSON.parse(error.body || '{}') : error.body;
    return { code: error.code, message: (body as { message?: string } | undefined)?.message ?? '' };
  }
  throw new Error('expected the API server to refuse the request');
}

/** The token with its subject changed to another ServiceAccount and the signature kept. */
function withForgedSubject(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as { sub: string };
  claims.sub = 'system:serviceaccount:kube-system:default';
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
}

function gatewayDeployment(name: string): V1Deployment {
  const labels = { app: name };
  return {
    metadata: { name },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'gateway', image: 'example/gateway:1' }] } },
    },
  };
}

// privatejet-mode.md steps 2.ii and 2.iii, as a user pastes them into `kubectl apply -f -`.
const seedRbacYaml = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: clusterrole-privatejet
rules:
- apiGroups: ["","apiextensions.k8s.io","wso2.com"]
  resources: ["configmaps","customresourcedefinitions","apis"]
  verbs: ["get", "post", "create", "delete", "put", "list","update"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
 name: clusterrolebinding-privatejet
subjects:
- kind: ServiceAccount
  name: wso2sa # Name is case sensitive
  apiGroup: ""
  namespace: default
roleRef:
  kind: ClusterRole
  name: clusterrole-privatejet
  apiGroup: rbac.authorization.k8s.io
`;

// No namespace in metadata: the helper puts both objects in the requested namespace.
const namespacedWriterYaml = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: config-writer
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["create", "get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: config-writer
subjects:
- kind: ServiceAccount
  name: config-writer
roleRef:
  kind: Role
  name: config-writer
  apiGroup: rbac.authorization.k8s.io
`;

const gadgetCrd: V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gadgets.test.privatejet.dev' },
  spec: {
    group: 'test.privatejet.dev',
    scope: 'Namespaced',
    names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['replicas'],
                properties: { replicas: { type: 'integer', minimum: 1 } },
              },
            },
          },
        },
      },
    ],
  },
};

describe('a real Kubernetes control plane', () => {
  let clusterA: ControlPlane;
  let clusterB: ControlPlane;
  let privatejetAccount: ServiceAccountAccess;

  beforeAll(async () => {
    await ensureKubeBinaries();
  }, firstBuildTimeoutMs);

  beforeAll(async () => {
    const startedAt = performance.now();
    [clusterA, clusterB] = (await startControlPlanes(['cluster-a', 'cluster-b'])) as [ControlPlane, ControlPlane];
    console.log(`two control planes ready in ${((performance.now() - startedAt) / 1000).toFixed(1)}s`);

    const serviceAccount = { name: 'wso2am-privatejet', namespace: 'privatejet' };
    privatejetAccount = await provisionServiceAccount(clusterA, {
      namespace: serviceAccount.namespace,
      serviceAccountName: serviceAccount.name,
      rbac: [seedClusterRole, seedClusterRoleBinding(serviceAccount)],
    });
  }, startTimeoutMs);

  afterAll(async () => {
    await Promise.all([clusterA?.stop(), clusterB?.stop()]);
  });

  it('lets a ServiceAccount bound to the seed ClusterRole create a ConfigMap with its token', async () => {
    const core = kubeConfigForServiceAccount(privatejetAccount).makeApiClient(CoreV1Api);
    const namespace = privatejetAccount.namespace;

    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'gateway-config' }, data: { 'config.json': '{"routes":[]}' } },
    });

    const admin = clusterA.adminKubeConfig.makeApiClient(CoreV1Api);
    const stored = await admin.readNamespacedConfigMap({ name: 'gateway-config', namespace });
    expect(stored.data).toEqual({ 'config.json': '{"routes":[]}' });
  });

  it('refuses the same token for Deployments with 403', async () => {
    const apps = kubeConfigForServiceAccount(privatejetAccount).makeApiClient(AppsV1Api);

    const failure = await apiFailureOf(
      apps.createNamespacedDeployment({ namespace: privatejetAccount.namespace, body: gatewayDeployment('gateway') }),
    );

    console.log(`403 from the API server: ${failure.message}`);
    expect(failure.code).toBe(403);
    expect(failure.message).toContain('system:serviceaccount:privatejet:wso2am-privatejet');
  });

  it('refuses a tampered token with 401', async () => {
    const forged = { ...privatejetAccount, saToken: withForgedSubject(privatejetAccount.saToken) };
    const core = kubeConfigForServiceAccount(forged).makeApiClient(CoreV1Api);

    const failure = await apiFailureOf(core.listNamespacedConfigMap({ namespace: forged.namespace }));

    expect(failure.code).toBe(401);
  });

  it('rejects a Deployment without a selector with 422 and says why', async () => {
    const apps = clusterA.adminKubeConfig.makeApiClient(AppsV1Api);
    const { selector: _omitted, ...specWithoutSelector } = gatewayDeployment('no-selector').spec!;

    const failure = await apiFailureOf(
      apps.createNamespacedDeployment({
        namespace: privatejetAccount.namespace,
        // apps/v1 requires spec.selector; the client's types do too, hence the cast.
        body: { metadata: { name: 'no-selector' }, spec: specWithoutSelector as V1DeploymentSpec },
      }),
    );

    console.log(`422 from the API server: ${failure.message}`);
    expect(failure.code).toBe(422);
    expect(failure.message).toContain('spec.selector: Required value');
  });

  it('installs a CustomResourceDefinition, stores an object of it and validates its schema', async () => {
    const extensions = clusterA.adminKubeConfig.makeApiClient(ApiextensionsV1Api);
    const customObjects = clusterA.adminKubeConfig.makeApiClient(CustomObjectsApi);
    await extensions.createCustomResourceDefinition({ body: gadgetCrd });
    await waitUntilEstablished(extensions, gadgetCrd.metadata!.name!);
    const gadgets = { group: 'test.privatejet.dev', version: 'v1alpha1', namespace: 'privatejet', plural: 'gadgets' };

    await customObjects.createNamespacedCustomObject({
      ...gadgets,
      body: { apiVersion: 'test.privatejet.dev/v1alpha1', kind: 'Gadget', metadata: { name: 'one' }, spec: { replicas: 2 } },
    });
    const stored = (await customObjects.getNamespacedCustomObject({ ...gadgets, name: 'one' })) as {
      spec: { replicas: number };
    };
    const invalid = await apiFailureOf(
      customObjects.createNamespacedCustomObject({
        ...gadgets,
        body: { apiVersion: 'test.privatejet.dev/v1alpha1', kind: 'Gadget', metadata: { name: 'two' }, spec: { replicas: 0 } },
      }),
    );

    expect(stored.spec.replicas).toBe(2);
    expect(invalid.code).toBe(422);
    expect(invalid.message).toContain('spec.replicas');
  });

  it("accepts the seed's RBAC YAML verbatim, for its ServiceAccount wso2sa in default", async () => {
    const access = await provisionServiceAccount(clusterB, {
      namespace: 'default',
      serviceAccountName: 'wso2sa',
      rbac: seedRbacYaml,
    });
    const core = kubeConfigForServiceAccount(access).makeApiClient(CoreV1Api);

    const configMaps = await core.listNamespacedConfigMap({ namespace: 'default' });

    expect(configMaps.kind).toBe('ConfigMapList');
  });

  it('keeps a namespaced Role given as YAML to its own namespace', async () => {
    const access = await provisionServiceAccount(clusterB, {
      namespace: 'team-a',
      serviceAccountName: 'config-writer',
      rbac: namespacedWriterYaml,
    });
    const core = kubeConfigForServiceAccount(access).makeApiClient(CoreV1Api);

    await core.createNamespacedConfigMap({ namespace: 'team-a', body: { metadata: { name: 'allowed' } } });
    const elsewhere = await apiFailureOf(
      core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'refused' } } }),
    );

    expect(elsewhere.code).toBe(403);
  });

  it('refuses RBAC whose binding names another subject than the ServiceAccount', async () => {
    const provisioning = provisionServiceAccount(clusterB, {
      namespace: 'default',
      serviceAccountName: 'someone-else',
      rbac: seedRbacYaml,
    });

    await expect(provisioning).rejects.toThrow('its subjects must include ServiceAccount default/someone-else');
  });

  it('runs two independent control planes at once', async () => {
    const coreA = clusterA.adminKubeConfig.makeApiClient(CoreV1Api);
    const coreB = clusterB.adminKubeConfig.makeApiClient(CoreV1Api);
    await coreA.createNamespace({ body: { metadata: { name: 'only-in-a' } } });

    const inB = await apiFailureOf(coreB.readNamespace({ name: 'only-in-a' }));
    const versions = await Promise.all(
      [clusterA, clusterB].map((cluster) => cluster.adminKubeConfig.makeApiClient(VersionApi).getCode()),
    );

    expect(clusterA.masterUrl).not.toBe(clusterB.masterUrl);
    expect(clusterA.caCertPem).not.toBe(clusterB.caCertPem);
    expect(inB.code).toBe(404);
    expect(versions.map((version) => version.gitVersion)).toEqual(['v1.37.2', 'v1.37.2']);
  });
});

async function waitUntilEstablished(extensions: ApiextensionsV1Api, name: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const crd = await extensions.readCustomResourceDefinition({ name });
    const established = crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    if (established) return;
    if (Date.now() > deadline) throw new Error(`CRD ${name} was not established in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
