import type { GatewaySpec } from '@/lib/gateway/gateway-spec';
import type { ClusterDefinition } from '../clusters/cluster-definition';
import type { ClusterAccessReport } from './connection-check';

/**
 * One interface for every place a dedicated gateway can run (design: ContainerManager).
 * Every call is idempotent: deploy twice creates nothing twice, undeploy of something
 * absent is done. Failures throw a KubeError (lib/containers/kube-errors.ts) or an Error
 * whose message is what the user should see next to the cluster.
 */

/** Which API version, of which tenant: enough to name and find its objects. */
export interface ApiIdentity {
  apiId: string;
  tenantId: string;
  tenantDomain: string;
  name: string;
  version: string;
  /** Base path without version, e.g. `/pets`; the gateway serves `/<context>/<version>`. */
  context: string;
}

/** What a manager deploys: the identity, the OpenAPI document and the gateway for this cluster. */
export interface DeployableApi extends ApiIdentity {
  openapi: Record<string, unknown>;
  productionEndpoints: string[];
  /** Where tokens of sandbox keys go (none: refused); the native gateway has them in `gateway` too. */
  sandboxEndpoints?: string[];
  /** Built by gatewaySpecFor() for this cluster; rendered into HAProxy files by the managers that run gateways. */
  gateway: GatewaySpec;
  /** The tenant gateway client's secret: a Secret in clusters, a 0600 file on Local — never a ConfigMap. */
  gatewayClientSecret: string;
}

export type TargetCluster = ClusterDefinition;

export interface DeployResult {
  /** Hash of what was applied; it changes exactly when the gateway must roll. */
  configHash: string;
}

/** What the cluster says, read back rather than remembered. */
export interface ObservedStatus {
  phase: 'absent' | 'progressing' | 'ready' | 'failed';
  /** For people: why it is not ready yet, or what failed. */
  message?: string;
  readyReplicas?: number;
  desiredReplicas?: number;
}

/** The traffic counters of a gateway's processes (lib/traffic), read by the manager that runs them. */
export interface GatewayCounterReads {
  /** The exposition text of each process that answered, by process (pod name; "local" on Local). */
  answered: Record<string, string>;
  /** Every process that still exists, answered or not: the counters of the others are kept for later. */
  present: string[];
}

export interface CounterReadLimits {
  timeoutMs: number;
  maxBytes: number;
}

export interface ContainerManager {
  readonly name: string;
  checkAccess(cluster: TargetCluster): Promise<ClusterAccessReport>;
  deploy(api: DeployableApi, cluster: TargetCluster): Promise<DeployResult>;
  undeploy(api: ApiIdentity, cluster: TargetCluster): Promise<void>;
  status(api: ApiIdentity, cluster: TargetCluster): Promise<ObservedStatus>;
  /**
   * GETs `path` of every process of the API's gateway in the cluster; throws when any that should
   * answer does not (a partial read would be taken for a restart). Absent: the manager runs no
   * gateway of PrivateJet's (the WSO2 operator's), so there is no traffic to read.
   */
  readGatewayCounters?(api: ApiIdentity, cluster: TargetCluster, path: string, limits: CounterReadLimits): Promise<GatewayCounterReads>;
}
