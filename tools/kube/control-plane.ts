/**
 * A real, throw-away Kubernetes control plane (etcd + kube-apiserver) on 127.0.0.1, for
 * integration tests and local development. No controller-manager or scheduler runs: objects
 * are stored, validated, admitted and authorized exactly as in a cluster, but nothing
 * reconciles them (no pods appear, deleted namespaces stay Terminating).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify as toYaml } from 'yaml';
import { ensureKubeBinaries, type KubeBinaries } from './binaries';
import { commandLineOf, isProcessAlive, launchServer, terminateProcess, type LaunchedProcess } from './processes';

export interface ControlPlaneOptions {
  /** Cluster and context name in the kubeconfig; defaults to one derived from the port. */
  name?: string;
  /** Where etcd data, certificates, logs and the kubeconfig go; defaults to a new temp folder. */
  dataDir?: string;
  /** Keep the servers running after this process exits (the `up` command). */
  detached?: boolean;
  readyTimeoutMs?: number;
  /** How long each server gets to shut down after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
}

export interface ControlPlaneProcessIds {
  etcd: number;
  kubeApiserver: number;
}

export interface ControlPlane {
  name: string;
  masterUrl: string;
  caCertPem: string;
  kubeconfigPath: string;
  /** Cluster-admin credentials (group system:masters): for test set-up only. */
  adminKubeConfig: KubeConfig;
  dataDir: string;
  pids: ControlPlaneProcessIds;
  /** Stops both servers and removes dataDir. Safe to call more than once. */
  stop(): Promise<void>;
}

/** What `processes.json` in a data folder records, so another process can stop the servers. */
interface ProcessRecord extends ControlPlaneProcessIds {
  owner: number;
  detached: boolean;
  binaries: { etcd: string; kubeApiserver: string };
}

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
}

export interface Pki {
  dir: string;
  caCertPem: string;
  adminCertPem: string;
  adminKeyPem: string;
}

const tempDirPrefix = 'privatejet-kube-';
const processRecordFile = 'processes.json';
const startAttempts = 3;
const defaultReadyTimeoutMs = 90_000;
const defaultStopTimeoutMs = 10_000;
// The in-cluster name of the API server; tokens carry it as issuer, as in a kubeadm cluster.
export const serviceAccountIssuer = 'https://kubernetes.default.svc.cluster.local';

class PortTakenError extends Error {}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const binaries = await ensureKubeBinaries();
  removeAbandonedTempDirs();
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), tempDirPrefix)));
  try {
    await mkdir(dataDir, { recursive: true });
    const pki = await generatePki(binaries, path.join(dataDir, 'pki'));
    return await startOnFreePorts(binaries, pki, dataDir, options);
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

// Free ports are picked by asking the kernel, then released for the servers to bind; another
// process can grab one in between, so a bind failure is retried with new ports.
async function startOnFreePorts(
  binaries: KubeBinaries,
  pki: Pki,
  dataDir: string,
  options: ControlPlaneOptions,
): Promise<ControlPlane> {
  for (let attempt = 1; ; attempt++) {
    const [etcdClient, etcdPeer, apiserver] = await findFreePorts(3);
    const ports = { etcdClient: etcdClient!, etcdPeer: etcdPeer!, apiserver: apiserver! };
    try {
      return await startServers(binaries, pki, dataDir, ports, options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === startAttempts) throw error;
      await rm(path.join(dataDir, 'etcd'), { recursive: true, force: true });
    }
  }
}

async function startServers(
  binaries: KubeBinaries,
  pki: Pki,
  dataDir: string,
  ports: Ports,
  options: ControlPlaneOptions,
): Promise<ControlPlane> {
  const detached = options.detached ?? false;
  const readyDeadline = Date.now() + (options.readyTimeoutMs ?? defaultReadyTimeoutMs);
  const stopTimeoutMs = options.stopTimeoutMs ?? defaultStopTimeoutMs;
  const started: LaunchedProcess[] = [];
  const stopStarted = () => Promise.all(started.map((server) => terminateProcess(server.pid, stopTimeoutMs)));
  // Recorded as soon as each server runs, so `down` or the next start can still find the
  // servers when this process is interrupted while waiting for them.
  const record: ProcessRecord = { etcd: 0, kubeApiserver: 0, owner: process.pid, detached, binaries: serverBinaries(binaries) };
  try {
    const etcdLog = path.join(dataDir, 'etcd.log');
    const etcd = launchServer(binaries.etcd, etcdArgs(dataDir, ports), etcdLog, detached);
    started.push(etcd);
    await writeProcessRecord(dataDir, { ...record, etcd: etcd.pid });
    await waitUntilReady('etcd', etcd, etcdLog, readyDeadline, () => etcdIsHealthy(ports.etcdClient));

    const apiserverLog = path.join(dataDir, 'kube-apiserver.log');
    const apiserver = launchServer(binaries.kubeApiserver, apiserverArgs(pki, dataDir, ports), apiserverLog, detached);
    started.push(apiserver);
    const pids = { etcd: etcd.pid, kubeApiserver: apiserver.pid };
    await writeProcessRecord(dataDir, { ...record, ...pids });
    const masterUrl = `https://127.0.0.1:${ports.apiserver}`;
    await waitUntilReady('kube-apiserver', apiserver, apiserverLog, readyDeadline, () =>
      apiserverIsReady(masterUrl, pki),
    );

    const name = options.name ?? `privatejet-${ports.apiserver}`;
    const kubeconfigPath = path.join(dataDir, 'kubeconfig');
    const kubeconfigYaml = adminKubeconfigYaml(name, masterUrl, pki);
    await writeFile(kubeconfigPath, kubeconfigYaml, { mode: 0o600 });
    const adminKubeConfig = new KubeConfig();
    adminKubeConfig.loadFromString(kubeconfigYaml);

    const forgetOnExit = detached ? () => {} : removeOnExit(dataDir);
    let stopping: Promise<void> | undefined;
    const stop = () => (stopping ??= stopServersAndRemove(pids, dataDir, stopTimeoutMs).finally(forgetOnExit));
    return { name, masterUrl, caCertPem: pki.caCertPem, kubeconfigPath, adminKubeConfig, dataDir, pids, stop };
  } catch (error) {
    await stopStarted();
    throw error;
  }
}

export function etcdArgs(dataDir: string, ports: Pick<Ports, 'etcdClient' | 'etcdPeer'>): string[] {
  const clientUrl = `http://127.0.0.1:${ports.etcdClient}`;
  const peerUrl = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    '--name=privatejet',
    `--data-dir=${path.join(dataDir, 'etcd')}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    // The peer port defaults to 2380; each control plane needs its own to run side by side.
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=privatejet=${peerUrl}`,
    // Test data is thrown away: skipping fsync makes writes many times faster.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
}

function apiserverArgs(pki: Pki, dataDir: string, ports: Ports): string[] {
  const file = (name: string) => path.join(pki.dir, name);
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${ports.apiserver}`,
    `--tls-cert-file=${file('apiserver.crt')}`,
    `--tls-private-key-file=${file('apiserver.key')}`,
    `--client-ca-file=${file('ca.crt')}`,
    '--authorization-mode=RBAC',
    `--service-account-issuer=${serviceAccountIssuer}`,
    `--service-account-key-file=${file('sa.pub')}`,
    `--service-account-signing-key-file=${file('sa.key')}`,
    // That plugin waits for the token controller, which lives in the absent controller-manager.
    '--disable-admission-plugins=ServiceAccount',
    // Room for a few thousand gateways' Services (bench/replicas publishes hundreds per run); no
    // node exists here, so these addresses never reach a network.
    '--service-cluster-ip-range=10.0.0.0/20',
    // Endpoints may not hold a loopback address, so the reconciler would only log errors.
    '--endpoint-reconciler-type=none',
    // Otherwise it writes self-signed certificates under /var/run/kubernetes.
    `--cert-dir=${path.join(dataDir, 'apiserver-certs')}`,
    '--profiling=false',
  ];
}

/** extraArgs: kube-pki's -ip and -client flags, for a full cluster's addresses and components. */
export async function generatePki(
  binaries: Pick<KubeBinaries, 'kubePki'>,
  dir: string,
  extraArgs: string[] = [],
): Promise<Pki> {
  await new Promise<void>((resolve, reject) => {
    const pkiTool = spawn(binaries.kubePki, ['-out', dir, ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    pkiTool.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    pkiTool.on('error', reject);
    pkiTool.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kube-pki failed: ${stderr}`))));
  });
  const read = (name: string) => readFile(path.join(dir, name), 'utf8');
  return {
    dir,
    caCertPem: await read('ca.crt'),
    adminCertPem: await read('admin.crt'),
    adminKeyPem: await read('admin.key'),
  };
}

export async function findFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  // All listeners stay open until every port is known, so the kernel cannot hand one out twice.
  const servers = await Promise.all(
    Array.from({ length: count }, () => {
      const server = net.createServer();
      return new Promise<net.Server>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, host, () => resolve(server));
      });
    }),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

export async function waitUntilReady(
  serverName: string,
  server: LaunchedProcess,
  logFile: string,
  deadline: number,
  isReady: () => Promise<boolean>,
): Promise<void> {
  let exitedWith: string | undefined;
  void server.exited.then((how) => (exitedWith = how));
  while (!(await isReady())) {
    if (exitedWith !== undefined) {
      const log = await tailOf(logFile);
      const message = `${serverName} exited (${exitedWith}) before it was ready. Last log lines:\n${log}`;
      throw /address already in use/i.test(log) ? new PortTakenError(message) : new Error(message);
    }
    if (Date.now() > deadline) {
      throw new Error(`${serverName} was not ready in time. Last log lines:\n${await tailOf(logFile)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function tailOf(file: string, lines = 30): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function etcdIsHealthy(clientPort: number): Promise<boolean> {
  return new Promise((resolve) => {
    // No keep-alive agent: a pooled socket would hold the `up` command open for seconds.
    const request = http.get(`http://127.0.0.1:${clientPort}/health`, { timeout: 2_000, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

// /readyz covers etcd, RBAC bootstrap roles and the other post-start hooks: once it answers
// 200 the server behaves as a cluster's would.
export function apiserverIsReady(masterUrl: string, pki: Pki): Promise<boolean> {
  return new Promise((resolve) => {
    const request = https.get(
      `${masterUrl}/readyz`,
      { ca: pki.caCertPem, cert: pki.adminCertPem, key: pki.adminKeyPem, timeout: 2_000, agent: false },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

export function adminKubeconfigYaml(name: string, masterUrl: string, pki: Pki): string {
  const base64 = (pem: string) => Buffer.from(pem).toString('base64');
  const user = `${name}-admin`;
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: masterUrl, 'certificate-authority-data': base64(pki.caCertPem) } }],
    users: [
      {
        name: user,
        user: { 'client-certificate-data': base64(pki.adminCertPem), 'client-key-data': base64(pki.adminKeyPem) },
      },
    ],
    contexts: [{ name, context: { cluster: name, user } }],
    'current-context': name,
  });
}

function serverBinaries(binaries: KubeBinaries): ProcessRecord['binaries'] {
  return { etcd: binaries.etcd, kubeApiserver: binaries.kubeApiserver };
}

async function writeProcessRecord(dataDir: string, record: ProcessRecord): Promise<void> {
  await writeFile(path.join(dataDir, processRecordFile), JSON.stringify(record, null, 2));
}

function readProcessRecord(dataDir: string): ProcessRecord | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dataDir, processRecordFile), 'utf8')) as ProcessRecord;
  } catch {
    return undefined;
  }
}

async function stopServersAndRemove(pids: ControlPlaneProcessIds, dataDir: string, timeoutMs: number): Promise<void> {
  // The API server goes first so it never spends its shutdown retrying a vanished etcd.
  await terminateProcess(pids.kubeApiserver, timeoutMs);
  await terminateProcess(pids.etcd, timeoutMs);
  await rm(dataDir, { recursive: true, force: true });
}

// Runs after processes.ts has killed the servers on exit; returns the way to cancel it.
function removeOnExit(dataDir: string): () => void {
  const remove = () => rmSync(dataDir, { recursive: true, force: true });
  process.once('exit', remove);
  return () => process.off('exit', remove);
}

/** The PIDs recorded in dataDir that still run the servers they were recorded for. */
function liveServerPids(record: ProcessRecord): number[] {
  const candidates = [
    { pid: record.kubeApiserver, binary: record.binaries.kubeApiserver },
    { pid: record.etcd, binary: record.binaries.etcd },
  ];
  // A recorded PID may since have been reused by an unrelated process: never signal that one.
  return candidates
    .filter(({ pid, binary }) => isProcessAlive(pid) && commandLineOf(pid)?.startsWith(binary))
    .map(({ pid }) => pid);
}

/** Whether the control plane recorded in dataDir (by `up`) is still running. */
export function isControlPlaneRunning(dataDir: string): boolean {
  const record = readProcessRecord(dataDir);
  return record !== undefined && liveServerPids(record).length > 0;
}

/** Stops a control plane started by another process (the `up` command) and removes dataDir. */
export async function stopControlPlaneIn(dataDir: string, timeoutMs = defaultStopTimeoutMs): Promise<boolean> {
  const record = readProcessRecord(dataDir);
  if (!record) return false;
  for (const pid of liveServerPids(record)) await terminateProcess(pid, timeoutMs);
  await rm(dataDir, { recursive: true, force: true });
  return true;
}

// A test process killed outright leaves its temp folder behind (its servers die with it):
// the next start removes folders whose owner and servers are all gone.
function removeAbandonedTempDirs(): void {
  const tempDir = os.tmpdir();
  for (const entry of readdirSync(tempDir)) {
    if (!entry.startsWith(tempDirPrefix)) continue;
    const dataDir = path.join(tempDir, entry);
    const record = readProcessRecord(dataDir);
    if (!record || record.detached || isProcessAlive(record.owner) || liveServerPids(record).length > 0) continue;
    rmSync(dataDir, { recursive: true, force: true });
  }
}
