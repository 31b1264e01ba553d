/**
 * A real, throw-away single-node Kubernetes cluster on this machine, for tests that need
 * pods to run: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, containerd,
 * kubelet, kube-proxy (nftables) and an ingress controller (Skipper), all from the Go builds
 * of tools/kube/build.sh and the Debian packages containerd, runc and CNI plugins; images
 * from tools/kube/images/build.sh, imported without a registry.
 *
 * Everything listens on 127.0.0.1 or on the cluster's own bridge address. Needs root.
 * One cluster per machine at a time (see cluster-host.ts); a second start waits for the first.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
  type V1Node,
} from '@kubernetes/client-node';
import { ensureClusterBinaries } from './binaries';
import {
  apiserverArgs,
  apiserverUrl,
  clusterPaths,
  cniConflist,
  componentKubeconfigYaml,
  containerdConfigToml,
  controllerManagerArgs,
  corefile,
  dnsArgs,
  dnsRbac,
  ingressControllerArgs,
  ingressControllerRbac,
  ingressUrl,
  kubeletArgs,
  kubeletConfigYaml,
  kubeProxyArgs,
  kubeProxyConfigYaml,
  pkiArgs,
  requiredHostCommands,
  schedulerArgs,
  type ClusterComponent,
  type ClusterLayout,
  type ClusterPorts,
} from './cluster-config';
import {
  acquireHostLock,
  chooseClusterNetwork,
  cniCacheDir,
  createBridge,
  createCgroups,
  createTrafficGuard,
  hostLeftovers,
  liveProcesses,
  moveIntoCgroup,
  processStartTime,
  readHostRecord,
  readSysctls,
  releaseHostLock,
  run,
  undoHostChanges,
  writeHostRecord,
  type HostRecord,
} from './cluster-host';
import {
  adminKubeconfigYaml,
  apiserverIsReady,
  etcdArgs,
  etcdIsHealthy,
  findFreePorts,
  generatePki,
  tailOf,
  waitUntilReady,
  type Pki,
} from './control-plane';
import { launchServer, terminateProcess, type LaunchedProcess } from './processes';
import { ensureTestImages, type TestImages } from './test-images';

export interface ClusterOptions {
  /** Cluster and context name in the kubeconfig. */
  name?: string;
  /** Where etcd data, certificates, configs and logs go; defaults to a new temp folder. */
  dataDir?: string;
  /** Keep the cluster running after this process exits (the `kube:up` command). */
  detached?: boolean;
  /** The class the ingress controller serves; PrivateJet's clusters default to nginx. */
  ingressClassName?: string;
  readyTimeoutMs?: number;
  /** How long to wait for another test run's cluster to stop first. */
  lockWaitMs?: number;
  stopTimeoutMs?: number;
}

export interface Cluster {
  name: string;
  /** https://<node address>:<port>: reachable from this machine and, via the `kubernetes` Service, from pods. */
  masterUrl: string;
  caCertPem: string;
  kubeconfigPath: string;
  /** Cluster-admin credentials (group system:masters): for test set-up only. */
  adminKubeConfig: KubeConfig;
  adminCertPem: string;
  adminKeyPem: string;
  /** http://127.0.0.1:<port>: the ingress controller, i.e. the cluster's AccessURL. */
  ingressUrl: string;
  ingressClassName: string;
  nodeName: string;
  nodeIp: string;
  podCidr: string;
  serviceCidr: string;
  /** Image references present on the node (imagePullPolicy IfNotPresent never pulls them). */
  images: { gateway: string; sampleBackend: string; pause: string };
  /** Loads one more image archive (an OCI layout, like images/build.sh makes) onto the node. */
  importImage(archive: string): Promise<void>;
  dataDir: string;
  pids: Record<string, number>;
  /** Seconds from the call to a Ready node with every component up. */
  startSeconds: number;
  /** Stops every process, undoes every change to the machine and removes dataDir. Safe to call twice. */
  stop(): Promise<void>;
  /** What is still left on the machine of this cluster (empty after stop()). */
  leftovers(): string[];
}

const tempDirPrefix = 'privatejet-cluster-';
const defaultReadyTimeoutMs = 120_000;
const defaultStopTimeoutMs = 10_000;
const defaultLockWaitMs = 15 * 60_000;
const nodeName = 'privatejet-node';

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const startedAt = performance.now();
  if (process.getuid?.() !== 0) {
    throw new Error('The test cluster needs root: it runs containerd, creates a bridge and cgroups.');
  }
  checkHostCommands();
  const [binaries, images] = await Promise.all([ensureClusterBinaries(), ensureTestImages()]);

  const id = randomBytes(3).toString('hex');
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), tempDirPrefix)));
  const runDir = `/run/privatejet-${id}`;
  const detached = options.detached ?? false;
  const stopTimeoutMs = options.stopTimeoutMs ?? defaultStopTimeoutMs;
  const network = await chooseClusterNetwork();
  const layout: ClusterLayout = {
    id,
    name: options.name ?? `privatejet-${id}`,
    nodeName,
    ...network,
    bridge: `pjk-${id}`,
    cgroupName: `privatejet-${id}`,
    nftTable: `privatejet_${id}`,
    dataDir,
    runDir,
    ports: await pickPorts(),
    ingressClassName: options.ingressClassName ?? 'nginx',
    sandboxImage: images.pause.reference,
  };
  const paths = clusterPaths(layout);
  const record: HostRecord = {
    id,
    owner: process.pid,
    ownerStartTime: processStartTime(process.pid),
    detached,
    dataDir,
    runDir,
    bridge: layout.bridge,
    nftTable: layout.nftTable,
    cgroupName: layout.cgroupName,
    cniNetwork: `privatejet-${id}`,
    containerdSocket: paths.containerdSocket,
    containerdState: paths.containerdState,
    sysctls: {},
    createdCniCacheDir: false,
    processes: [],
  };

  try {
    await acquireHostLock(record, options.lockWaitMs ?? defaultLockWaitMs);
  } catch (error) {
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  // From here every change is recorded first, so a failure (or a kill) can be undone.
  record.sysctls = readSysctls();
  record.createdCniCacheDir = !existsSync(cniCacheDir);
  await writeHostRecord(record);
  const launch = async (name: string, binary: string, args: string[], env?: NodeJS.ProcessEnv) => {
    const launched = launchServer(binary, args, paths.log(name), detached, env);
    record.processes.push({ name, pid: launched.pid, binary });
    await writeHostRecord(record);
    return launched;
  };
  const tearDown = async () => {
    await stopInOrder(record, stopTimeoutMs);
    await undoHostChanges(record, { stopTimeoutMs });
    await rm(dataDir, { recursive: true, force: true });
    await releaseHostLock(id);
  };

  try {
    await mkdir(path.dirname(paths.log('x')), { recursive: true });
    await mkdir(runDir, { recursive: true, mode: 0o700 });
    await createBridge(layout.bridge, layout.nodeIp, layout.podCidr, layout.serviceCidr);
    await createTrafficGuard(layout.nftTable, layout.bridge, layout.nodeIp);
    await createCgroups(layout.cgroupName, ['runtime']);
    const pki = await generatePki(binaries, paths.pki, pkiArgs(layout));
    await writeConfigFiles(layout, pki);

    const readyDeadline = Date.now() + (options.readyTimeoutMs ?? defaultReadyTimeoutMs);
    const waitFor = (name: string, server: LaunchedProcess, isReady: () => Promise<boolean>) =>
      waitUntilReady(name, server, paths.log(name), readyDeadline, isReady);

    // The node's runtime and the control plane come up side by side.
    const runtimeReady = (async () => {
      const containerd = await launch('containerd', commandPath('containerd'), ['--config', paths.containerdConfig]);
      // Its shims (and so every container) inherit this cgroup: stop() can find them all.
      await moveIntoCgroup(containerd.pid, `${layout.cgroupName}/runtime`);
      await waitFor('containerd', containerd, () => containerdAnswers(paths.containerdSocket));
      await importImages(paths.containerdSocket, images);
    })();
    const controlPlaneReady = (async () => {
      const etcd = await launch('etcd', binaries.etcd, etcdArgs(dataDir, layout.ports));
      await waitFor('etcd', etcd, () => etcdIsHealthy(layout.ports.etcdClient));
      const apiserver = await launch('kube-apiserver', binaries.kubeApiserver, apiserverArgs(layout));
      await waitFor('kube-apiserver', apiserver, () => apiserverIsReady(apiserverUrl(layout), pki));
    })();
    // Both settle before any failure is raised: the teardown must not race a branch that is
    // still launching servers.
    const [runtimeResult, controlPlaneResult] = await Promise.allSettled([runtimeReady, controlPlaneReady]);
    for (const result of [runtimeResult, controlPlaneResult]) {
      if (result.status === 'rejected') throw result.reason;
    }

    const adminKubeConfig = new KubeConfig();
    adminKubeConfig.loadFromString(await readFile(paths.adminKubeconfig, 'utf8'));
    await prepareIngressController(adminKubeConfig, layout);
    await prepareDns(adminKubeConfig);

    const controllerManager = await launch('kube-controller-manager', binaries.kubeControllerManager, controllerManagerArgs(layout));
    const scheduler = await launch('kube-scheduler', binaries.kubeScheduler, schedulerArgs(layout));
    const kubelet = await launch('kubelet', binaries.kubelet, kubeletArgs(layout));
    const kubeProxy = await launch('kube-proxy', binaries.kubeProxy, kubeProxyArgs(layout));
    // Skipper takes the API server's CA from the Go default trust store, i.e. SSL_CERT_FILE.
    const ingress = await launch('ingress', binaries.skipper, ingressControllerArgs(layout), {
      ...process.env,
      SSL_CERT_FILE: paths.pkiFile('ca.crt'),
    });

    const dns = await launch('dns', binaries.coredns, dnsArgs(layout));

    const core = adminKubeConfig.makeApiClient(CoreV1Api);
    await Promise.all([
      waitFor('kube-controller-manager', controllerManager, () => healthzAnswers(layout.ports.controllerManager)),
      waitFor('kube-scheduler', scheduler, () => healthzAnswers(layout.ports.scheduler)),
      waitFor('kubelet', kubelet, () => nodeIsReady(core, layout.nodeName)),
      waitFor('kube-proxy', kubeProxy, () => httpAnswers200(layout.ports.kubeProxyHealthz, '/healthz')),
      waitFor('ingress', ingress, () => portAccepts(layout.ports.ingress)),
      // Ready once its kubernetes plugin has loaded every Service.
      waitFor('dns', dns, () => httpAnswers200(layout.ports.dnsReady, '/ready')),
      // Pods are refused until the ServiceAccount controller has made the namespace's default account.
      waitFor('kube-controller-manager', controllerManager, () => defaultServiceAccountExists(core)),
    ]);

    const startSeconds = Number(((performance.now() - startedAt) / 1000).toFixed(1));
    let stopping: Promise<void> | undefined;
    return {
      name: layout.name,
      masterUrl: apiserverUrl(layout),
      caCertPem: pki.caCertPem,
      kubeconfigPath: paths.adminKubeconfig,
      adminKubeConfig,
      adminCertPem: pki.adminCertPem,
      adminKeyPem: pki.adminKeyPem,
      ingressUrl: ingressUrl(layout),
      ingressClassName: layout.ingressClassName,
      nodeName: layout.nodeName,
      nodeIp: layout.nodeIp,
      podCidr: layout.podCidr,
      serviceCidr: layout.serviceCidr,
      images: {
        gateway: images.gateway.reference,
        sampleBackend: images.sampleBackend.reference,
        pause: images.pause.reference,
      },
      importImage: async (archive) => {
        await run('ctr', ['--address', paths.containerdSocket, '--namespace', 'k8s.io', 'images', 'import', archive]);
      },
      dataDir,
      pids: Object.fromEntries(record.processes.map(({ name, pid }) => [name, pid])),
      startSeconds,
      stop: () => (stopping ??= tearDown()),
      leftovers: () => hostLeftovers(record),
    };
  } catch (error) {
    const logs = await logTails(layout);
    await tearDown().catch((cleanupError: unknown) => console.error('cleaning up the failed cluster:', cleanupError));
    if (error instanceof Error) error.message += logs;
    throw error;
  }
}

/** Stops the cluster recorded on this machine if it was started from dataDir (`kube:down`). */
export async function stopClusterIn(dataDir: string, stopTimeoutMs = defaultStopTimeoutMs): Promise<boolean> {
  const record = readHostRecord();
  if (!record || path.resolve(record.dataDir) !== path.resolve(dataDir)) return false;
  await stopInOrder(record, stopTimeoutMs);
  await undoHostChanges(record, { stopTimeoutMs });
  await rm(record.dataDir, { recursive: true, force: true });
  await releaseHostLock(record.id);
  return true;
}

/** The cluster recorded on this machine, if it was started from dataDir and still runs. */
export function runningClusterIn(dataDir: string): HostRecord | undefined {
  const record = readHostRecord();
  if (!record || path.resolve(record.dataDir) !== path.resolve(dataDir)) return undefined;
  return record;
}

/**
 * Clients first, servers last: the ingress controller, scheduler, controller manager and
 * kube-proxy, then the kubelet, and only then the API server and etcd. Pods, containerd and
 * its shims go with the cluster's cgroups, kube-proxy's rules with its --cleanup, in
 * undoHostChanges.
 */
async function stopInOrder(record: HostRecord, timeoutMs: number): Promise<void> {
  const live = new Map(liveProcesses(record).map((process) => [process.name, process.pid]));
  const stop = (names: string[]) =>
    Promise.all(names.map((name) => (live.has(name) ? terminateProcess(live.get(name)!, timeoutMs) : undefined)));
  await stop(['ingress', 'dns', 'kube-scheduler', 'kube-controller-manager', 'kube-proxy']);
  await stop(['kubelet']);
  await stop(['kube-apiserver']);
  await stop(['etcd']);
}

function checkHostCommands(): void {
  const missing = Object.entries(requiredHostCommands).filter(([command]) => !commandExists(command));
  if (!existsSync('/usr/lib/cni/bridge')) missing.push(['/usr/lib/cni/bridge', 'containernetworking-plugins']);
  if (missing.length) {
    const packages = [...new Set(missing.map(([, debianPackage]) => debianPackage))].join(' ');
    throw new Error(
      `The test cluster needs ${missing.map(([command]) => command).join(', ')}: apt-get install ${packages}`,
    );
  }
}

function commandPath(command: string): string {
  const directories = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin']);
  for (const dir of directories) {
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return path.join(dir, command);
    } catch {
      // Not in this folder.
    }
  }
  throw new Error(`${command} is not installed`);
}

function commandExists(command: string): boolean {
  try {
    commandPath(command);
    return true;
  } catch {
    return false;
  }
}

async function pickPorts(): Promise<ClusterPorts> {
  const [etcdClient, etcdPeer, kubeletHealthz, controllerManager, scheduler, kubeProxyHealthz, kubeProxyMetrics, ingress, ingressSupport, dnsReady, apiserver, kubelet] =
    (await findFreePorts(12)) as number[];
  // The API server and kubelet bind the bridge address, which does not exist yet: a port free
  // on 127.0.0.1 is as good a guess there (nothing else listens on a fresh bridge).
  return {
    etcdClient: etcdClient!,
    etcdPeer: etcdPeer!,
    apiserver: apiserver!,
    kubelet: kubelet!,
    kubeletHealthz: kubeletHealthz!,
    controllerManager: controllerManager!,
    scheduler: scheduler!,
    kubeProxyHealthz: kubeProxyHealthz!,
    kubeProxyMetrics: kubeProxyMetrics!,
    ingress: ingress!,
    ingressSupport: ingressSupport!,
    dnsReady: dnsReady!,
  };
}

async function writeConfigFiles(layout: ClusterLayout, pki: Pki): Promise<void> {
  const paths = clusterPaths(layout);
  await writeFile(paths.adminKubeconfig, adminKubeconfigYaml(layout.name, apiserverUrl(layout), pki), { mode: 0o600 });
  const components: ClusterComponent[] = ['kubelet', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'coredns'];
  for (const component of components) {
    await writeFile(paths.componentKubeconfig(component), componentKubeconfigYaml(layout, component), { mode: 0o600 });
  }
  await writeFile(paths.containerdConfig, containerdConfigToml(layout));
  await mkdir(paths.cniConfDir, { recursive: true });
  await mkdir(paths.cniIpamDir, { recursive: true });
  await writeFile(path.join(paths.cniConfDir, '10-privatejet.conflist'), JSON.stringify(cniConflist(layout), null, 2));
  await writeFile(paths.kubeletConfig, kubeletConfigYaml(layout));
  await mkdir(paths.kubeletRoot, { recursive: true });
  await mkdir(paths.podLogs, { recursive: true });
  // No name server: pods with the Default DNS policy resolve nothing rather than ask the machine's.
  await writeFile(paths.resolvConf, '# PrivateJet test cluster: no DNS server\noptions timeout:1 attempts:1\n');
  await writeFile(paths.kubeProxyConfig, kubeProxyConfigYaml(layout));
  await writeFile(paths.corefile, corefile(layout));
}

async function containerdAnswers(socket: string): Promise<boolean> {
  if (!existsSync(socket)) return false;
  try {
    await run('ctr', ['--address', socket, 'version']);
    return true;
  } catch {
    return false;
  }
}

async function importImages(socket: string, images: TestImages): Promise<void> {
  await Promise.all(
    [images.pause, images.gateway, images.sampleBackend].map((image) =>
      run('ctr', ['--address', socket, '--namespace', 'k8s.io', 'images', 'import', image.archive]),
    ),
  );
}

/** Service account, RBAC and token for Skipper, and the IngressClass it serves. */
async function prepareIngressController(admin: KubeConfig, layout: ClusterLayout): Promise<void> {
  const { serviceAccount, clusterRole } = ingressControllerRbac;
  const core = admin.makeApiClient(CoreV1Api);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace: serviceAccount.namespace, body: { metadata: { name: serviceAccount.name } } });
  await rbac.createClusterRole({ body: clusterRole });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: clusterRole.metadata.name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole.metadata.name },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount.name, namespace: serviceAccount.namespace }],
    },
  });
  const tokenRequest = await core.createNamespacedServiceAccountToken({
    name: serviceAccount.name,
    namespace: serviceAccount.namespace,
    // The cluster's certificates last a day; so may its ingress controller's token.
    body: { spec: { expirationSeconds: 24 * 3600, audiences: [] } },
  });
  await writeFile(clusterPaths(layout).ingressToken, tokenRequest.status?.token ?? '', { mode: 0o600 });
  await admin.makeApiClient(NetworkingV1Api).createIngressClass({
    body: {
      metadata: { name: layout.ingressClassName },
      // Skipper matches ingressClassName itself; the object makes the class visible to kubectl and apps.
      spec: { controller: 'zalando.org/skipper' },
    },
  });
}

/** CoreDNS logs in as system:coredns with its own certificate; this is what that user may read. */
async function prepareDns(admin: KubeConfig): Promise<void> {
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createClusterRole({ body: dnsRbac.clusterRole });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: dnsRbac.clusterRole.metadata.name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: dnsRbac.clusterRole.metadata.name },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: dnsRbac.user }],
    },
  });
}

function isReadyNode(node: V1Node): boolean {
  return node.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
}

async function nodeIsReady(core: CoreV1Api, name: string): Promise<boolean> {
  try {
    return isReadyNode(await core.readNode({ name }));
  } catch {
    return false;
  }
}

async function defaultServiceAccountExists(core: CoreV1Api): Promise<boolean> {
  try {
    await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
    return true;
  } catch {
    return false;
  }
}

/** The controller manager's and scheduler's /healthz (self-signed serving certificates). */
function healthzAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = https.get(
      { host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, timeout: 2_000, agent: false },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

function httpAnswers200(port: number, urlPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: urlPath, timeout: 2_000, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function logTails(layout: ClusterLayout): Promise<string> {
  const names = ['containerd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy', 'ingress', 'dns'];
  const parts: string[] = [];
  for (const name of names) {
    const tail = await tailOf(clusterPaths(layout).log(name), 8);
    if (tail) parts.push(`--- ${name} ---\n${tail}`);
  }
  return parts.length ? `\n${parts.join('\n')}` : '';
}
