import type { V1ConfigMap } from '@kubernetes/client-node';
import type { ApiIdentity, DeployableApi, TargetCluster } from '../container-manager';
import { canonicalJson, configHash } from '../config-hash';
import { apiPathPrefix, type Manifest, type ObjectReference } from '../kubernetes/manifests';
import { gatewayLabels, gatewayObjectName } from '../kubernetes/object-names';

/**
 * Pure builders of what the WSO2 API Operator 1.2.x needs to run an API in PrivateJet mode:
 * a ConfigMap with the OpenAPI definition (the operator's x-wso2-* extensions added) and an
 * API custom resource pointing at it. Unlike WSO2 API Manager, the version is part of every
 * name and every object is labelled, so two versions never collide and undeploy finds all.
 */

/** Group wso2.com, resource apis (the CRD is named apis.wso2.com), version v1alpha1. */
export const OPERATOR_API_VERSION = 'wso2.com/v1alpha1';
export const OPERATOR_API_KIND = 'API';
export const SWAGGER_KEY = 'swagger.json';
/**
 * The Security the operator installs with its controller configs and applies when an API
 * names none. Naming it explicitly keeps the "JWT by default" rule visible in the definition.
 */
export const DEFAULT_JWT_SECURITY_NAME = 'default-security-jwt';

type OperatorApi = Pick<ApiIdentity, 'tenantId' | 'tenantDomain' | 'apiId' | 'name' | 'version'>;

export interface OperatorApiSpec {
  definition: { swaggerConfigmapNames: string[]; type: 'swagger' };
  mode: 'privateJet';
  replicas: number;
  override: true;
  updateTimeStamp: string;
}

/** What operators write back; 1.2.x sets only `replicas`, later ones may add conditions. */
export interface OperatorApiStatus {
  replicas?: number;
  conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  [field: string]: unknown;
}

export interface OperatorApiManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string>; generation?: number };
  spec: OperatorApiSpec;
  status?: OperatorApiStatus;
}

/**
 * The security requirements at the root of the definition, one alternative per configured
 * security resource of the cluster (the operator accepts any of them), JWT / OAuth2 / Basic.
 */
export function securityRequirementsFor(cluster: Pick<TargetCluster, 'properties'>): Record<string, string[]>[] {
  const { JWTSecurityCustomResourceName, OauthSecurityCustomResourceName, BasicSecurityCustomResourceName } = cluster.properties;
  const names = [JWTSecurityCustomResourceName, OauthSecurityCustomResourceName, BasicSecurityCustomResourceName].filter(
    (name): name is string => name !== undefined && name !== '',
  );
  return (names.length > 0 ? names : [DEFAULT_JWT_SECURITY_NAME]).map((name) => ({ [name]: [] }));
}

/** The API's OpenAPI document with the operator's base path, endpoints and security. */
export function operatorOpenApiFor(
  api: Pick<DeployableApi, 'openapi' | 'productionEndpoints' | 'context' | 'version'>,
  cluster: Pick<TargetCluster, 'properties'>,
): Record<string, unknown> {
  return {
    ...structuredClone(api.openapi),
    'x-wso2-basePath': apiPathPrefix(api),
    'x-wso2-production-endpoints': { urls: [...api.productionEndpoints] },
    security: securityRequirementsFor(cluster),
  };
}

/** The definition file exactly as the operator reads it. */
export function operatorDefinitionText(api: Pick<DeployableApi, 'openapi' | 'productionEndpoints' | 'context' | 'version'>, cluster: Pick<TargetCluster, 'properties'>): string {
  return `${canonicalJson(operatorOpenApiFor(api, cluster))}\n`;
}

/** Changes exactly when the operator must build a different gateway (not with the deploy time). */
export function operatorDefinitionHash(api: Pick<DeployableApi, 'openapi' | 'productionEndpoints' | 'context' | 'version'>, cluster: Pick<TargetCluster, 'properties'>): string {
  return configHash(operatorOpenApiFor(api, cluster));
}

export function definitionConfigMapFor(api: OperatorApi & Pick<DeployableApi, 'openapi' | 'productionEndpoints' | 'context'>, cluster: TargetCluster): Manifest<V1ConfigMap> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: gatewayObjectName(api), namespace: cluster.properties.Namespace, labels: gatewayLabels(api) },
    data: { [SWAGGER_KEY]: operatorDefinitionText(api, cluster) },
  };
}

/**
 * `updateTimeStamp` is what makes the operator rebuild and roll the gateway, so it is new on
 * every deploy (`appliedAt`); `override: true` lets it replace the image it built before.
 */
export function operatorApiFor(api: OperatorApi, cluster: TargetCluster, appliedAt: Date): OperatorApiManifest {
  const name = gatewayObjectName(api);
  return {
    apiVersion: OPERATOR_API_VERSION,
    kind: OPERATOR_API_KIND,
    metadata: { name, namespace: cluster.properties.Namespace, labels: gatewayLabels(api) },
    spec: {
      definition: { swaggerConfigmapNames: [name], type: 'swagger' },
      mode: 'privateJet',
      replicas: cluster.properties.Replicas,
      override: true,
      updateTimeStamp: String(appliedAt.getTime()),
    },
  };
}

/** Both objects of one API: the definition ConfigMap and the API object that names it. */
export function operatorObjectReferences(api: OperatorApi, cluster: Pick<TargetCluster, 'properties'>): { definition: ObjectReference; operatorApi: ObjectReference } {
  const metadata = { name: gatewayObjectName(api), namespace: cluster.properties.Namespace };
  return {
    definition: { apiVersion: 'v1', kind: 'ConfigMap', metadata },
    operatorApi: { apiVersion: OPERATOR_API_VERSION, kind: OPERATOR_API_KIND, metadata },
  };
}
