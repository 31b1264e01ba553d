import { clusterAccessReport } from '../connection-check';
import type { ApiIdentity, ContainerManager, DeployableApi, DeployResult, ObservedStatus, TargetCluster } from '../container-manager';
import { clusterObjectsFor, type ClusterObjectsOptions } from '../kubernetes/cluster-objects';
import { definitionConfigMapFor, operatorApiFor, operatorDefinitionHash, operatorObjectReferences, type OperatorApiManifest } from './manifests';
import { observedStatusOfOperatorApi } from './operator-status';

/**
 * The manager for clusters that run the WSO2 API Operator 1.2.x: it applies the definition
 * ConfigMap and the API object (server-side apply); the operator builds and runs the gateway.
 */

export const WSO2_API_OPERATOR_MANAGER_NAME = 'wso2-api-operator';

export interface Wso2ApiOperatorManagerOptions extends ClusterObjectsOptions {
  /** The clock behind spec.updateTimeStamp; replaceable in tests. */
  now?: () => Date;
}

export function createWso2ApiOperatorManager(options: Wso2ApiOperatorManagerOptions = {}): ContainerManager {
  const now = options.now ?? (() => new Date());
  return {
    name: WSO2_API_OPERATOR_MANAGER_NAME,

    checkAccess: (cluster) => clusterAccessReport(cluster, WSO2_API_OPERATOR_MANAGER_NAME),

    async deploy(api: DeployableApi, cluster: TargetCluster): Promise<DeployResult> {
      const objects = clusterObjectsFor(cluster, options);
      await objects.apply(definitionConfigMapFor(api, cluster));
      await objects.apply(operatorApiFor(api, cluster, now()));
      return { configHash: operatorDefinitionHash(api, cluster) };
    },

    async undeploy(api: ApiIdentity, cluster: TargetCluster): Promise<void> {
      const objects = clusterObjectsFor(cluster, options);
      const { definition, operatorApi } = operatorObjectReferences(api, cluster);
      // The API first, so the operator never looks for a definition that is gone.
      await objects.remove(operatorApi);
      await objects.remove(definition);
    },

    async status(api: ApiIdentity, cluster: TargetCluster): Promise<ObservedStatus> {
      const { operatorApi } = operatorObjectReferences(api, cluster);
      return observedStatusOfOperatorApi(await clusterObjectsFor(cluster, options).read<OperatorApiManifest>(operatorApi));
    },
  };
}

export const wso2ApiOperatorManager: ContainerManager = createWso2ApiOperatorManager();
