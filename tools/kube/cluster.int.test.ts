import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import {
  AppsV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
  type V1Container,
  type V1Pod,
  type V1PodSpec,
} from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeLifecycleState, setClusterSelection } from '../../lib/apis/apis.service';
import { SUPER_TENANT } from '../../lib/super-tenant';
import { loadDeploymentToml } from '../../lib/clusters/deployment-toml';
import { setPlatformClusterConfig } from '../../lib/clusters/platform-config';
import type { DatabaseHandle } from '../../lib/db/drizzle';
import { apis, deployments } from '../../lib/db/schema';
import { freshTestDatabase } from '../../lib/test-support/test-database';
import { configureDeploymentEngine } from '../../lib/deployments/deployments.service';
import { seedPublisherWithApi } from '../../lib/test-support/deployments';
import { ensureSigningKeys } from '../../lib/oauth/signing-keys';
import { useThrowawaySecretKey } from '../../lib/test-support/oauth-fixtures';
import { renderChart } from '../helm/helm';
import { startCluster, type Cluster } from './cluster';
import { sysctlsToRestore } from './cluster-host';
import { kubeConfigForServiceAccount, provisionServiceAccount, seedClusterRole, seedClusterRoleBinding } from './service-account';
import { ensureAppImage } from './test-images';

// On a machine that has never built the binaries and images, the first run makes them (minutes).
const firstBuildTimeoutMs = 60 * 60_000;
const namespace = 'cluster-test';
const backendPort = 8090;
const gatewayPort = 8080;

/** Polls until `check` returns a value (not undefined), or fails with the last reason. */
async function eventually<T>(description: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}${lastProblem ? `: ${lastProblem}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function getText(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.text() };
}

/**
 * What the cluster could leave on this machine, compared before start and after stop. Only
 * the kinds of things a cluster makes count, so other work on the machine cannot upset it.
 */
function hostSnapshot() {
  const lines = (command: string, args: string[]) =>
    execFileSync(command, args, { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
  const filesUnder = (dir: string) => (existsSync(dir) ? lines('find', [dir]) : []);
  return {
    sysctls: Object.fromEntries(sysctlsToRestore.map((name) => [name, readFileSync(`/proc/sys/${name}`, 'utf8').trim()])),
    bridgesAndVeths: lines('ip', ['-o', 'link', 'show'])
      .map((line) => line.split(':')[1]?.trim() ?? '')
      .filter((name) => /^(pjk-|veth)/.test(name)),
    nftTables: lines('nft', ['list', 'tables']).filter((table) => /kube-proxy|privatejet/.test(table)),
    routes: lines('ip', ['-4', 'route', 'show', 'table', 'all']).filter((route) => /pjk-|10\.21[34]\./.test(route)),
    cgroups: lines('find', ['/sys/fs/cgroup', '-maxdepth', '2', '-name', 'privatejet-*']),
    cniCache: filesUnder('/var/lib/cni'),
    containerdRun: filesUnder('/run/containerd'),
    netns: filesUnder('/run/netns').filter((file) => file.includes('/cni-')),
  };
}

/** The hardening production gateway pods get (lib/containers/kubernetes/manifests.ts). */
const restrictedContainer: Pick<V1Container, 'securityContext'> = {
  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
};

function restrictedPodSpec(userId: number, spec: V1PodSpec): V1PodSpec {
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: 1,
    securityContext: { runAsNonRoot: true, runAsUser: userId, runAsGroup: userId, seccompProfile: { type: 'RuntimeDefault' } },
    ...spec,
  };
}

interface PodReachablePostgres {
  /** For this process, on loopback. */
  loopbackUrl: string;
  /** For pods: the bridge address, with the password. */
  networkUrl: string;
  stop(): Promise<void>;
}

/** tools/postgres.sh, also listening on `network`'s address (one the cluster created). */
async function startPostgres(network: string): Promise<PodReachablePostgres> {
  const output = execFileSync('bash', ['tools/postgres.sh', 'start', '--also-listen', network], { encoding: 'utf8' });
  const value = (key: string) => output.match(new RegExp(`^${key}=(.*)$`, 'm'))?.[1] ?? '';
  const dir = value('DIR');
  return {
    loopbackUrl: value('DATABASE_URL'),
    networkUrl: value('NETWORK_DATABASE_URL'),
    stop: async () => void execFileSync('bash', ['tools/postgres.sh', 'stop', dir]),
  };
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
}

describe('a real single-node cluster', () => {
  let cluster: Cluster;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let networking: NetworkingV1Api;
  let before: ReturnType<typeof hostSnapshot>;
  let postgres: PodReachablePostgres | undefined;
  let database: (DatabaseHandle & { url: string | null }) | undefined;
  let tomlDir: string | undefined;

  beforeAll(async () => {
    before = hostSnapshot();
    cluster = await startCluster({ name: 'cluster-test' });
    console.log(`cluster ready in ${cluster.startSeconds}s: API server ${cluster.masterUrl}, ingress ${cluster.ingressUrl}`);
    core = cluster.adminKubeConfig.makeApiClient(CoreV1Api);
    apps = cluster.adminKubeConfig.makeApiClient(AppsV1Api);
    networking = cluster.adminKubeConfig.makeApiClient(NetworkingV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  }, firstBuildTimeoutMs);

  afterAll(async () => {
    await cluster?.stop();
    await database?.close();
    if (postgres) await postgres.stop();
    if (tomlDir) await rm(tomlDir, { recursive: true, force: true });
  });

  it('runs a 2-replica Deployment of the sample backend and reports it Ready from the kubelet', async () => {
    const labels = { app: 'petstore' };
    const createdAt = performance.now();
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'petstore' },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: restrictedPodSpec(10001, {
              containers: [
                {
                  name: 'petstore',
                  image: cluster.images.sampleBackend,
                  ports: [{ name: 'http', containerPort: backendPort }],
                  readinessProbe: { httpGet: { path: '/pets', port: 'http' }, periodSeconds: 1 },
                  ...restrictedContainer,
                },
              ],
            }),
          },
        },
      },
    });

    const deployment = await eventually('2 ready replicas', async () => {
      const current = await apps.readNamespacedDeployment({ name: 'petstore', namespace });
      return current.status?.readyReplicas === 2 ? current : undefined;
    });
    console.log(`Deployment ready ${((performance.now() - createdAt) / 1000).toFixed(1)}s after it was created`);

    expect(deployment.status?.availableReplicas).toBe(2);
    const pods = (await core.listNamespacedPod({ namespace, labelSelector: 'app=petstore' })).items;
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      // Set by the kubelet after its readiness probe passed, not by anything in this test.
      expect(isReady(pod)).toBe(true);
      expect(pod.spec?.nodeName).toBe(cluster.nodeName);
      expect(pod.status?.podIP?.startsWith(cluster.podCidr.replace(/0\/24$/, ''))).toBe(true);
      expect(pod.status?.containerStatuses?.[0]?.started).toBe(true);
    }
  });

  it('answers on the Service ClusterIP from this machine through kube-proxy', async () => {
    const service = await core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'petstore' },
        spec: { selector: { app: 'petstore' }, ports: [{ name: 'http', port: backendPort, targetPort: 'http' }] },
      },
    });
    const backendClusterIp = service.spec!.clusterIP!;

    const answer = await eventually('the ClusterIP to answer', async () => {
      const response = await getText(`http://${backendClusterIp}:${backendPort}/pets/1`);
      return response.status === 200 ? response : undefined;
    });
    expect(JSON.parse(answer.body)).toMatchObject({ id: 1, name: 'Rex' });
  });

  it('routes an Ingress of its class to the Service, and ignores an Ingress of another class', async () => {
    const ingressFor = (name: string, className: string, pathPrefix: string) => ({
      metadata: { name },
      spec: {
        ingressClassName: className,
        rules: [
          {
            http: {
              paths: [
                {
                  path: pathPrefix,
                  pathType: 'Prefix',
                  backend: { service: { name: 'petstore', port: { number: backendPort } } },
                },
              ],
            },
          },
        ],
      },
    });
    await networking.createNamespacedIngress({ namespace, body: ingressFor('petstore', cluster.ingressClassName, '/pets') });
    await networking.createNamespacedIngress({ namespace, body: ingressFor('elsewhere', 'some-other-class', '/pets/2') });

    const answer = await eventually('the Ingress to route', async () => {
      const response = await getText(`${cluster.ingressUrl}/pets`);
      return response.status === 200 ? response : undefined;
    });
    expect(JSON.parse(answer.body).map((pet: { name: string }) => pet.name)).toEqual(['Rex', 'Tom', 'Nemo']);
    // /pets/2 would be the other class's route if it were served; it falls under /pets instead.
    expect(JSON.parse((await getText(`${cluster.ingressUrl}/pets/2`)).body)).toMatchObject({ id: 2, name: 'Tom' });
    expect((await getText(`${cluster.ingressUrl}/nothing-here`)).status).toBe(404);
  });

  it('runs the gateway image as production does: uid 99, read-only root, no capabilities, config from a ConfigMap', async () => {
    const config = [
      'global',
      '  log stdout format raw local0',
      'defaults',
      '  mode http',
      '  log global',
      '  option httplog',
      '  timeout connect 5s',
      '  timeout client 30s',
      '  timeout server 30s',
      'frontend gateway',
      `  bind :${gatewayPort}`,
      '  http-request return status 200 content-type text/plain string "ready" if { path /health/ready }',
      '  default_backend petstore',
      'backend petstore',
      // A Service name, resolved at start through the cluster DNS; its ClusterIP then goes
      // through kube-proxy's rules, which serve pods as well as the host.
      `  server petstore petstore.${namespace}.svc.cluster.local:${backendPort}`,
      '',
    ].join('\n');
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'gateway' }, data: { 'haproxy.cfg': config } } });
    const configVolume = {
      volumes: [{ name: 'config', configMap: { name: 'gateway' } }],
      mountPath: '/usr/local/etc/haproxy',
    };

    // The image's own `haproxy -c` (through its entrypoint) accepts the mounted config, and
    // refuses a broken one: HAProxy really parses it.
    const checkConfig = async (name: string, configMap: string) => {
      await core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name },
          spec: restrictedPodSpec(99, {
            restartPolicy: 'Never',
            volumes: [{ name: 'config', configMap: { name: configMap } }],
            containers: [
              {
                name: 'check',
                image: cluster.images.gateway,
                args: ['haproxy', '-c', '-f', '/usr/local/etc/haproxy/haproxy.cfg'],
                volumeMounts: [{ name: 'config', mountPath: configVolume.mountPath, readOnly: true }],
                ...restrictedContainer,
              },
            ],
          }),
        },
      });
      const exitCode = await eventually(`${name} to finish`, async () => {
        const pod = await core.readNamespacedPod({ name, namespace });
        return pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode;
      });
      // Logs travel API server → kubelet → containerd: the node's whole log path works.
      return { exitCode, log: await core.readNamespacedPodLog({ name, namespace }) };
    };
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'gateway-broken' }, data: { 'haproxy.cfg': config.replace(`bind :${gatewayPort}`, 'bind :no-port') } },
    });
    const [valid, broken] = await Promise.all([
      checkConfig('gateway-config-check', 'gateway'),
      checkConfig('gateway-broken-config-check', 'gateway-broken'),
    ]);
    expect(valid).toEqual({ exitCode: 0, log: '' });
    expect(broken.exitCode).not.toBe(0);
    expect(broken.log).toMatch(/ALERT.*no-port/);

    // The image's default command (entrypoint + CMD) serves the mounted config.
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'gateway', labels: { app: 'gateway' } },
        spec: restrictedPodSpec(99, {
          volumes: configVolume.volumes,
          containers: [
            {
              name: 'gateway',
              image: cluster.images.gateway,
              ports: [{ name: 'http', containerPort: gatewayPort }],
              readinessProbe: { httpGet: { path: '/health/ready', port: 'http' }, periodSeconds: 1 },
              volumeMounts: [{ name: 'config', mountPath: configVolume.mountPath, readOnly: true }],
              ...restrictedContainer,
            },
          ],
        }),
      },
    });
    const gateway = await eventually('the gateway pod to be Ready', async () => {
      const pod = await core.readNamespacedPod({ name: 'gateway', namespace });
      return isReady(pod) ? pod : undefined;
    });

    const answer = await getText(`http://${gateway.status!.podIP}:${gatewayPort}/pets/3`);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ id: 3, name: 'Nemo' });
    // HAProxy logs a request once it is done, a moment after the answer.
    const accessLog = await eventually('the access log line', async () => {
      const log = await core.readNamespacedPodLog({ name: 'gateway', namespace });
      return log.includes('GET /pets/3') ? log : undefined;
    });
    expect(accessLog).toMatch(/gateway petstore\/petstore .* 200 .*"GET \/pets\/3 HTTP\/1.1"/);
  });

  it('lets a pod reach the API server in-cluster, by address and by name, with its ServiceAccount token', async () => {
    const rbac = cluster.adminKubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'greeting' }, data: { text: 'hello from the API' } } });
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'reader' } } });
    await rbac.createNamespacedRole({
      namespace,
      body: {
        metadata: { name: 'reader' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace }],
      },
    });
    // What any in-cluster client does: the API server's address from the environment (or
    // its Service name through the cluster DNS), the mounted token and CA, and a TLS check of
    // the API server's certificate against that CA.
    const script = `
      const https = require('node:https');
      const fs = require('node:fs');
      const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
      const get = (host) => new Promise((resolve) => {
        const request = https.get({
          host,
          port: process.env.KUBERNETES_SERVICE_PORT,
          path: '/api/v1/namespaces/${namespace}/configmaps/greeting',
          ca: fs.readFileSync(dir + '/ca.crt'),
          headers: { authorization: 'Bearer ' + fs.readFileSync(dir + '/token', 'utf8') },
        }, (response) => {
          let body = '';
          response.on('data', (chunk) => (body += chunk));
          response.on('end', () => resolve({ host, status: response.statusCode, data: JSON.parse(body).data }));
        });
        request.on('error', (error) => resolve({ host, error: error.message }));
      });
      Promise.all([get(process.env.KUBERNETES_SERVICE_HOST), get('kubernetes.default.svc')])
        .then((results) => console.log(JSON.stringify(results)));
    `;
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'in-cluster-client' },
        spec: {
          serviceAccountName: 'reader',
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'client', image: cluster.images.sampleBackend, command: ['node', '-e', script] }],
        },
      },
    });
    const phase = await eventually('the in-cluster client to finish', async () => {
      const pod = await core.readNamespacedPod({ name: 'in-cluster-client', namespace });
      return ['Succeeded', 'Failed'].includes(pod.status?.phase ?? '') ? pod.status?.phase : undefined;
    });
    const log = await core.readNamespacedPodLog({ name: 'in-cluster-client', namespace });
    const kubernetesService = await core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
    const data = { text: 'hello from the API' };
    expect({ phase, results: JSON.parse(log) }).toEqual({
      phase: 'Succeeded',
      results: [
        { host: kubernetesService.spec?.clusterIP, status: 200, data },
        { host: 'kubernetes.default.svc', status: 200, data },
      ],
    });
  });

  it('serves the MasterURL, CA and ServiceAccount token a user pastes into PrivateJet', async () => {
    const serviceAccount = { name: 'wso2am-privatejet', namespace: 'privatejet' };
    const access = await provisionServiceAccount(cluster, {
      namespace: serviceAccount.namespace,
      serviceAccountName: serviceAccount.name,
      rbac: [seedClusterRole, seedClusterRoleBinding(serviceAccount)],
    });
    expect(access.masterUrl).toBe(cluster.masterUrl);

    const asPrivateJet = kubeConfigForServiceAccount(access).makeApiClient(CoreV1Api);
    await asPrivateJet.createNamespacedConfigMap({
      namespace: serviceAccount.namespace,
      body: { metadata: { name: 'gateway-config' }, data: { 'config.json': '{}' } },
    });
    const stored = await core.readNamespacedConfigMap({ name: 'gateway-config', namespace: serviceAccount.namespace });
    expect(stored.data).toEqual({ 'config.json': '{}' });
  });

  it('runs PrivateJet from its Helm chart: 2 replicas on PostgreSQL, publishing a gateway with their own ServiceAccount', async () => {
    const release = { releaseName: 'portal', namespace: 'portal' };
    const stepStarted = performance.now();
    const appImage = await ensureAppImage();
    await cluster.importImage(appImage.archive);
    console.log(`app image ready and imported in ${((performance.now() - stepStarted) / 1000).toFixed(1)}s`);

    // PostgreSQL for the pods: on the cluster's bridge address (pods may reach only that one),
    // password required from the pod network; this process uses loopback.
    postgres = await startPostgres(`${cluster.nodeIp}/${cluster.podCidr.split('/')[1]}`);
    // The replicas and this process share the master key, as replicas share one Secret.
    useThrowawaySecretKey();
    const testDatabase = await freshTestDatabase({ serverUrl: postgres.loopbackUrl });
    database = testDatabase;
    const podDatabaseUrl = new URL(postgres.networkUrl);
    podDatabaseUrl.pathname = new URL(testDatabase.url!).pathname;

    // One in-cluster entry: MasterURL and SAToken left out, so the app uses its pod's ServiceAccount.
    const deploymentToml = [
      '[[ContainerMgtClusterConfig]]',
      'type = "Kubernetes"',
      'clusterName = "this-cluster"',
      'displayName = "This cluster"',
      'properties.Replicas = 1',
      `properties.AccessURL = "${cluster.ingressUrl}"`,
      `properties.Namespace = "${release.namespace}"`,
      `properties.IngressClass = "${cluster.ingressClassName}"`,
      `properties.GatewayImage = "${cluster.images.gateway}"`,
      '',
      '[ContainerMgtConfig]',
      'Kubernetes = "kubernetes"',
      '',
    ].join('\n');
    tomlDir = await mkdtemp(path.join(os.tmpdir(), 'privatejet-chart-'));
    await writeFile(path.join(tomlDir, 'deployment.toml'), deploymentToml);
    const platform = await loadDeploymentToml(path.join(tomlDir, 'deployment.toml'));
    expect(platform.clusters[0]!.properties).toMatchObject({ MasterURL: '', SAToken: '' });
    // This process only records requests; it has no way to reach the cluster (no MasterURL, no
    // pod environment), so every apply below is a replica's, made in its pod.
    setPlatformClusterConfig(platform);
    configureDeploymentEngine({ concurrency: 0 });
    expect(process.env.KUBERNETES_SERVICE_HOST).toBeUndefined();

    // The sample pet store of the first tests is the backend; GET /pets is open (security: []).
    const { actor, apiId } = await seedPublisherWithApi(testDatabase.db, {
      tenantDomain: SUPER_TENANT,
      context: '/petstore',
      endpoint: `http://petstore.${namespace}.svc.cluster.local:${backendPort}`,
    });
    const [api] = await testDatabase.db.select().from(apis).where(eq(apis.id, apiId));
    const openapi = structuredClone(api!.openapi) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    openapi.paths['/pets']!.get!.security = [];
    await testDatabase.db.update(apis).set({ openapi }).where(eq(apis.id, apiId));
    await ensureSigningKeys();

    const objects = renderChart(
      {
        replicaCount: 2,
        image: { repository: appImage.reference.split(':')[0], tag: appImage.reference.split(':')[1], pullPolicy: 'Never' },
        database: { url: podDatabaseUrl.toString() },
        secrets: { masterKey: process.env.PRIVATEJET_SECRET_KEY, authSecret: randomBytes(32).toString('base64') },
        config: { deploymentToml },
        ingress: { enabled: true, className: cluster.ingressClassName, hosts: [{ paths: [{ path: '/', pathType: 'Prefix' }] }] },
        // The node has two shared cores; the probes look often so Ready is seen soon.
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
        probes: {
          startup: { httpGet: { path: '/api/health', port: 'http' }, periodSeconds: 1, failureThreshold: 180 },
          readiness: { httpGet: { path: '/api/health', port: 'http' }, periodSeconds: 2 },
          liveness: { httpGet: { path: '/api/health', port: 'http' }, periodSeconds: 20, failureThreshold: 6 },
        },
      },
      release,
    );
    await core.createNamespace({ body: { metadata: { name: release.namespace } } });
    const client = KubernetesObjectApi.makeApiClient(cluster.adminKubeConfig);
    const appliedAt = performance.now();
    for (const object of objects) await client.create(object);

    const portal = await eventually(
      'both replicas Ready',
      async () => {
        const current = await apps.readNamespacedDeployment({ name: 'portal-privatejet', namespace: release.namespace });
        return current.status?.readyReplicas === 2 ? current : undefined;
      },
      300_000,
    ).catch(async (error: Error) => {
      const pods = (await core.listNamespacedPod({ namespace: release.namespace })).items;
      const logs = await Promise.all(pods.map((pod) => core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: release.namespace }).catch((e: Error) => e.message)));
      throw new Error(`${error.message}\n${pods.map((pod, i) => `${pod.metadata?.name}: ${JSON.stringify(pod.status?.containerStatuses)}\n${logs[i]}`).join('\n')}`);
    });
    console.log(`chart applied → both replicas Ready in ${((performance.now() - appliedAt) / 1000).toFixed(1)}s`);
    expect(portal.status?.availableReplicas).toBe(2);
    const portalPods = (await core.listNamespacedPod({ namespace: release.namespace, labelSelector: 'app.kubernetes.io/instance=portal' })).items;
    expect(portalPods).toHaveLength(2);
    for (const pod of portalPods) {
      expect(isReady(pod)).toBe(true);
      expect(pod.spec?.serviceAccountName).toBe('portal-privatejet');
      expect(pod.spec?.containers[0]?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    }
    const logs = (await Promise.all(portalPods.map((pod) => core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: release.namespace })))).join('\n');
    expect(logs).toMatch(/PrivateJet database: postgres/);

    // The portal through its own Ingress, and its health on the database the pods share.
    const health = await eventually('the portal through its Ingress', async () => {
      const response = await getText(`${cluster.ingressUrl}/api/health`);
      return response.status === 200 ? response : undefined;
    });
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', database: { kind: 'postgres', ok: true } });

    // Publish: the replicas claim the job and apply the gateway with their pod's ServiceAccount.
    await setClusterSelection(actor, apiId, ['this-cluster']);
    await changeLifecycleState(actor, apiId, 'PUBLISHED');
    // Settled either way; a failure says why at once (e.g. a permission the pod's account lacks).
    const record = await eventually(
      'the deployment record to settle',
      async () => {
        const [row] = await testDatabase.db.select().from(deployments).where(eq(deployments.apiId, apiId));
        return row?.status === 'ready' || row?.status === 'failed' ? row : undefined;
      },
      180_000,
    );
    expect(`${record.clusterName}: ${record.status} ${record.message ?? ''}`).toMatch(/^this-cluster: ready/);

    const gatewayPods = (await core.listNamespacedPod({ namespace: release.namespace, labelSelector: 'app.kubernetes.io/name=privatejet-gateway' })).items;
    expect(gatewayPods.length).toBeGreaterThan(0);
    expect(gatewayPods.every(isReady)).toBe(true);
    expect(gatewayPods[0]!.spec?.containers[0]?.image).toBe(cluster.images.gateway);

    const answer = await eventually('the API through its gateway', async () => {
      const response = await getText(`${cluster.ingressUrl}/petstore/1.0.0/pets`);
      return response.status === 200 ? response : undefined;
    });
    expect(JSON.parse(answer.body).map((pet: { name: string }) => pet.name)).toEqual(['Rex', 'Tom', 'Nemo']);
    // Answered by the gateway, which still guards what is not open.
    expect((await getText(`${cluster.ingressUrl}/petstore/1.0.0/pets/1`)).status).toBe(401);

    // No init process in the image: the server is PID 1 and ends on SIGTERM by itself, long
    // before the chart's 30 s grace period would end it with SIGKILL.
    const stopped = portalPods[0]!.metadata!.name!;
    const deletedAt = performance.now();
    await core.deleteNamespacedPod({ name: stopped, namespace: release.namespace });
    await eventually('the deleted replica to be gone', async () => {
      try {
        await core.readNamespacedPod({ name: stopped, namespace: release.namespace });
        return undefined;
      } catch (error) {
        if ((error as { code?: number }).code === 404) return true;
        throw error;
      }
    });
    const stopSeconds = (performance.now() - deletedAt) / 1000;
    console.log(`a replica stopped on SIGTERM in ${stopSeconds.toFixed(1)}s (grace period 30 s)`);
    expect(stopSeconds).toBeLessThan(15);
  }, firstBuildTimeoutMs);

  it('stop() ends every process and leaves the machine as it was', async () => {
    const pids = Object.values(cluster.pids);
    const stoppingAt = performance.now();
    await cluster.stop();
    console.log(`cluster stopped in ${((performance.now() - stoppingAt) / 1000).toFixed(1)}s`);

    expect(cluster.leftovers()).toEqual([]);
    expect(hostSnapshot()).toEqual(before);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});
