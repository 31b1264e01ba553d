import fs from 'node:fs/promises';
import path from 'node:path';
import { clusterAccessReport } from '../connection-check';
import { dataDir, deploymentTomlPath } from '../../env';
import type { ApiIdentity, ContainerManager, CounterReadLimits, DeployableApi, GatewayCounterReads, ObservedStatus, TargetCluster } from '../container-manager';
import { readBoundedText } from '@/lib/http/bounded-body';
import { gatewayConfigHash, haproxyGatewayFiles } from '@/lib/gateway/haproxy-config';
import { checkHaproxyConfig, GatewayProcess } from './haproxy-process';
import { createHash } from 'node:crypto';
import { gatewaySpecInCluster } from '@/lib/gateway/gateway-spec-for';
import { BASIC_USERS_CONFIG_FILE, basicUsersConfig } from '@/lib/gateway/security-resources';
import { clusterSecurityFor } from '../security-resources';
import { localSecurityResourceReader } from './security-folder';
import { LocalIngress, RouteTakenError } from './ingress';

/**
 * The `local` container manager (type Local): one supervised HAProxy per API — the same files a
 * cluster's pods mount — and one local ingress per Local cluster on the stable port of its
 * AccessURL, which routes /<context>/<version> to that API's gateway: the one-machine stand-in
 * for a cluster. Files live in the data folder; a change is checked with `haproxy -c` first and
 * then loaded by a seamless reload.
 */
class LocalContainerManager implements ContainerManager {
  readonly name = 'local';
  private readonly ingresses = new Map<number, Promise<LocalIngress>>();
  private readonly gateways = new Map<string, { process: GatewayProcess; configHash: string }>();

  checkAccess(cluster: TargetCluster) {
    return clusterAccessReport(cluster, 'local');
  }

  private key(api: ApiIdentity, cluster: TargetCluster): string {
    return `${cluster.clusterName}/${api.apiId}`;
  }

  private gatewayDir(api: ApiIdentity, cluster: TargetCluster): string {
    return path.join(dataDir(), 'gateways', cluster.clusterName, api.apiId);
  }

  /** One ingress per port: two Local clusters of the platform on one port share its routes. */
  private ingressPort(cluster: TargetCluster): number {
    const url = new URL(cluster.properties.AccessURL);
    return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  }

  private ingressFor(cluster: TargetCluster): Promise<LocalIngress> {
    const port = this.ingressPort(cluster);
    let ingress = this.ingresses.get(port);
    if (!ingress) {
      const created = new LocalIngress({ host: '127.0.0.1', port });
      ingress = created.start().then(
        () => created,
        (error: unknown) => {
          this.ingresses.delete(port);
          throw new Error(`The local ingress cannot listen on port ${port} (AccessURL of ${cluster.clusterName}): ${(error as Error).message}`);
        },
      );
      this.ingresses.set(port, ingress);
    }
    return ingress;
  }

  private routePrefix(api: ApiIdentity): string {
    return `${api.context}/${api.version}`;
  }

  async deploy(api: DeployableApi, cluster: TargetCluster) {
    const ingress = await this.ingressFor(cluster);
    // Refuse before starting anything: the path may belong to another tenant's API.
    ingress.checkRouteFree(this.routePrefix(api), api.apiId);
    // The platform's security folders next to deployment.toml; a missing or malformed one fails here.
    const { security, basicResource, oauthResource } = await clusterSecurityFor(api.gateway, cluster, localSecurityResourceReader(deploymentTomlPath()), `next to ${deploymentTomlPath()}`);
    api = { ...api, gateway: gatewaySpecInCluster(api.gateway, security) };
    const basicUsers = basicResource ? basicUsersConfig(basicResource) : NO_BASIC_USERS;
    // The users take part in the hash only as a hash: a change of users reloads the gateway.
    // The other server's client credentials are read by the gateway from their folder at start.
    const introspectionClient = oauthResource ? path.join(path.dirname(deploymentTomlPath()), cluster.properties.OauthSecurityCustomResourceName!.trim()) : undefined;
    const credentialsDigest = createHash('sha256')
      .update(basicUsers)
      .update(JSON.stringify(oauthResource?.data ?? {}))
      .digest('hex');
    const configHash = gatewayConfigHash(api.gateway, `${api.gatewayClientSecret}\0${credentialsDigest}`);
    const key = this.key(api, cluster);
    const running = this.gateways.get(key);
    if (running?.configHash === configHash && running.process.status().state !== 'failed') {
      ingress.setRoute(this.routePrefix(api), api.apiId, running.process);
      return { configHash };
    }
    const directory = this.gatewayDir(api, cluster);
    await writeCheckedGatewayFiles(directory, api, basicUsers);
    let gateway = running?.process;
    if (!gateway) {
      // The folder is fixed for the process's life (a reload keeps its environment); a renamed
      // OauthSecurityCustomResourceName takes effect when the app restarts its gateways.
      gateway = new GatewayProcess({ directory, secretFile: path.join(directory, SECRET_FILE), ...(introspectionClient ? { externalIntrospectionDir: introspectionClient } : {}) });
    }
    this.gateways.set(key, { process: gateway, configHash });
    const state = gateway.status().state;
    if (state === 'stopped' || state === 'failed') void gateway.start().catch(() => undefined);
    else gateway.reload();
    try {
      ingress.setRoute(this.routePrefix(api), api.apiId, gateway);
    } catch (error) {
      this.gateways.delete(key);
      await gateway.stop();
      await fs.rm(directory, { recursive: true, force: true });
      throw error;
    }
    return { configHash };
  }

  async undeploy(api: ApiIdentity, cluster: TargetCluster): Promise<void> {
    const ingress = this.ingresses.get(this.ingressPort(cluster));
    if (ingress) (await ingress).removeRoute(this.routePrefix(api), api.apiId);
    const key = this.key(api, cluster);
    const gateway = this.gateways.get(key);
    this.gateways.delete(key);
    await gateway?.process.stop();
    await fs.rm(this.gatewayDir(api, cluster), { recursive: true, force: true });
  }

  async status(api: ApiIdentity, cluster: TargetCluster): Promise<ObservedStatus> {
    const gateway = this.gateways.get(this.key(api, cluster))?.process;
    if (!gateway) return { phase: 'absent' };
    // Ready means requests to this API's path reach this API's gateway, nobody else's.
    const ingress = await this.ingresses.get(this.ingressPort(cluster))?.catch(() => undefined);
    const owner = ingress?.routeOwner(this.routePrefix(api));
    if (owner !== api.apiId) {
      return { phase: 'failed', message: owner ? new RouteTakenError(this.routePrefix(api)).message : `No route for ${this.routePrefix(api)} on the local ingress` };
    }
    const status = gateway.status();
    const restarts = status.restarts > 0 ? ` (restarted ${status.restarts}× — last exit: ${status.lastExitReason ?? 'unknown'})` : '';
    switch (status.state) {
      case 'ready':
        return { phase: 'ready', message: `Gateway process ${status.pid} on port ${status.port}${restarts}`, readyReplicas: 1, desiredReplicas: 1 };
      case 'failed':
        return { phase: 'failed', message: `The gateway keeps crashing${restarts}` };
      case 'stopped':
        return { phase: 'absent' };
      default:
        return { phase: 'progressing', message: `Gateway ${status.state}${restarts}` };
    }
  }

  /** One process per gateway on Local, read on its own port (the ingress routes only the API's path). */
  async readGatewayCounters(api: ApiIdentity, cluster: TargetCluster, counterPath: string, limits: CounterReadLimits): Promise<GatewayCounterReads> {
    const status = this.gateways.get(this.key(api, cluster))?.process.status();
    if (!status || status.state === 'stopped') return { answered: {}, present: [] };
    if (status.state !== 'ready' || status.port === undefined) throw new Error(`the gateway process is ${status.state}`);
    const response = await fetch(`http://127.0.0.1:${status.port}${counterPath}`, { signal: AbortSignal.timeout(limits.timeoutMs), redirect: 'error' });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`the gateway answered ${response.status} for ${counterPath}`);
    }
    const text = await readBoundedText(response, limits.maxBytes).catch((error: unknown) => {
      throw new Error(`the gateway's counters are larger than ${limits.maxBytes} bytes`, { cause: error });
    });
    return { answered: { [LOCAL_PROCESS]: text }, present: [LOCAL_PROCESS] };
  }

  /** Stops every gateway and ingress of this process (on shutdown). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.gateways.values()].map((g) => g.process.stop()));
    this.gateways.clear();
    await Promise.all([...this.ingresses.values()].map(async (i) => (await i).close().catch(() => undefined)));
    this.ingresses.clear();
  }
}

const SECRET_FILE = 'client-secret';
/** The name of a Local gateway's one process in its traffic counters. */
const LOCAL_PROCESS = 'local';
const NO_BASIC_USERS = '# This gateway accepts no Basic credentials.\n';

/**
 * Writes the gateway's files into a staging folder, has haproxy check them, then moves each into
 * the live folder (write-then-rename: a restart never reads half a file). A config haproxy
 * refuses never replaces one that works.
 */
async function writeCheckedGatewayFiles(directory: string, api: DeployableApi, basicUsers: string): Promise<void> {
  const staging = `${directory}.staging-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging, { recursive: true, mode: 0o700 });
  try {
    // basic-users.cfg is always there (a comment when Basic is off): haproxy's list of config files cannot change on reload.
    const files = { ...haproxyGatewayFiles(api.gateway), [SECRET_FILE]: api.gatewayClientSecret, [BASIC_USERS_CONFIG_FILE]: basicUsers };
    await Promise.all(Object.entries(files).map(([name, text]) => fs.writeFile(path.join(staging, name), text, { mode: 0o600 })));
    await checkHaproxyConfig(staging);
    await fs.mkdir(directory, { recursive: true, mode: 0o700 });
    const previous = new Set(await fs.readdir(directory));
    for (const name of Object.keys(files)) {
      await fs.rename(path.join(staging, name), path.join(directory, name));
      previous.delete(name);
    }
    // Key files of keys no longer published.
    await Promise.all([...previous].map((name) => fs.rm(path.join(directory, name), { force: true })));
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

const globalForLocal = globalThis as unknown as { privatejetLocalManager?: LocalContainerManager };

export const localContainerManager: LocalContainerManager = (globalForLocal.privatejetLocalManager ??= new LocalContainerManager());
