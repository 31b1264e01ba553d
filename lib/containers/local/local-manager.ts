import fs from 'node:fs/promises';
import path from 'node:path';
import { clusterAccessReport } from '../../clusters/connection-check';
import { dataDir } from '../../env';
import type { ApiIdentity, ContainerManager, DeployableApi, ObservedStatus, TargetCluster } from '../container-manager';
import { configHash } from '../gateway-config';
import { GatewayProcess } from './gateway-process';
import { LocalIngress, RouteTakenError } from './ingress';

/**
 * The `local` container manager (type Local): one supervised gateway process per API, and one
 * local ingress per Local cluster on the stable port of its AccessURL, which routes
 * /<context>/<version> to that API's gateway — the one-machine stand-in for a cluster.
 * Config files live in the data folder; the gateway reloads them in place on change.
 */
class LocalContainerManager implements ContainerManager {
  readonly name = 'local';
  private readonly ingresses = new Map<number, Promise<LocalIngress>>();
  private readonly gateways = new Map<string, GatewayProcess>();

  checkAccess(cluster: TargetCluster) {
    return clusterAccessReport(cluster, 'local');
  }

  private key(api: ApiIdentity, cluster: TargetCluster): string {
    return `${cluster.clusterName}/${api.apiId}`;
  }

  private configPath(api: ApiIdentity, cluster: TargetCluster): string {
    return path.join(dataDir(), 'gateways', cluster.clusterName, `${api.apiId}.json`);
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
    const file = this.configPath(api, cluster);
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    // Write-then-rename, so the running gateway never reads half a file.
    const temporary = `${file}.${process.pid}.tmp`;
    await fs.writeFile(temporary, JSON.stringify(api.gatewayConfig, null, 2), { mode: 0o600 });
    await fs.rename(temporary, file);
    const key = this.key(api, cluster);
    let gateway = this.gateways.get(key);
    if (!gateway) {
      gateway = new GatewayProcess({ configPath: file });
      this.gateways.set(key, gateway);
    }
    const state = gateway.status().state;
    if (state === 'stopped' || state === 'failed') void gateway.start().catch(() => undefined);
    try {
      ingress.setRoute(this.routePrefix(api), api.apiId, gateway);
    } catch (error) {
      this.gateways.delete(key);
      await gateway.stop();
      await fs.rm(file, { force: true });
      throw error;
    }
    return { configHash: configHash(api.gatewayConfig) };
  }

  async undeploy(api: ApiIdentity, cluster: TargetCluster): Promise<void> {
    const ingress = this.ingresses.get(this.ingressPort(cluster));
    if (ingress) (await ingress).removeRoute(this.routePrefix(api), api.apiId);
    const key = this.key(api, cluster);
    const gateway = this.gateways.get(key);
    this.gateways.delete(key);
    await gateway?.stop();
    await fs.rm(this.configPath(api, cluster), { force: true });
  }

  async status(api: ApiIdentity, cluster: TargetCluster): Promise<ObservedStatus> {
    const gateway = this.gateways.get(this.key(api, cluster));
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

  /** Stops every gateway and ingress of this process (on shutdown). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.gateways.values()].map((g) => g.stop()));
    this.gateways.clear();
    await Promise.all([...this.ingresses.values()].map(async (i) => (await i).close().catch(() => undefined)));
    this.ingresses.clear();
  }
}

const globalForLocal = globalThis as unknown as { privatejetLocalManager?: LocalContainerManager };

export const localContainerManager: LocalContainerManager = (globalForLocal.privatejetLocalManager ??= new LocalContainerManager());
