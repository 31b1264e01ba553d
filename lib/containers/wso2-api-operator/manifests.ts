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

/**
 * Kubernetes refuses a ConfigMap over 1 MiB (data and metadata together): the definition gets
 * that less room for the metadata.
 */
export const DEFINITION_CONFIGMAP_BUDGET_BYTES = 1024 * 1024 - 16 * 1024;

const OPERATION_KEYS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * What the operator routes by, from a definition too large for a ConfigMap (real providers
 * publish 5 to 15 MB): info, each path and method with its operationId, summary, security and
 * x-wso2-* extensions, path parameters as the template names them, and the security schemes.
 * Schemas, examples and descriptions stay in PrivateJet (the portal shows them); nothing here
 * points at a component that is gone.
 */
export function operatorRoutingDefinition(openapi: Record<string, unknown>): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [template, item] of Object.entries((openapi.paths ?? {}) as Record<string, Record<string, unknown> | null>)) {
    if (!item || typeof item !== 'object') continue;
    const parameters = [...template.matchAll(/\{([^}]+)\}/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } }));
    const operations: Record<string, unknown> = {};
    for (const method of OPERATION_KEYS) {
      const operation = item[method] as Record<string, unknown> | undefined;
      if (!operation || typeof operation !== 'object') continue;
      const kept = Object.fromEntries(Object.entries(operation).filter(([key]) => key === 'operationId' || key === 'summary' || key === 'security' || key.startsWith('x-wso2')));
      operations[method] = { ...kept, ...(parameters.length > 0 ? { parameters } : {}), responses: { default: { description: 'Response from the backend' } } };
    }
    paths[template] = operations;
  }
  const securitySchemes = (openapi.components as { securitySchemes?: unknown } | undefined)?.securitySchemes;
  return {
    openapi: openapi.openapi,
    info: openapi.info,
    ...Object.fromEntries(Object.entries(openapi).filter(([key]) => key.startsWith('x-wso2'))),
    paths,
    ...(securitySchemes ? { components: { securitySchemes } } : {}),
  };
}

/**
 * The API's OpenAPI document with the operator's base path, endpoints and security; when the
 * whole document would not fit a ConfigMap, its routing part (operatorRoutingDefinition).
 */
export function operatorOpenApiFor(
  api: Pick<DeployableApi, 'openapi' | 'productionEndpoints' | 'sandboxEndpoints' | 'context' | 'version'>,
  cluster: Pick<TargetCluster, 'properties'>,
): Record<string, unknown> {
  const operatorFields = {
    'x-wso2-basePath': apiPathPrefix(api),
    'x-wso2-production-endpoints': { urls: [...api.productionEndpoints] },
    // The operator's microgateway routes sandbox tokens by this extension, as WSO2's own gateway does.
    ...(api.sandboxEndpoints?.length ? { 'x-wso2-sandbox-endpoints': { urls: [...api.sandboxEndpoints] } } : {}),
    security: securityRequirementsFor(cluster),
  };
  const whole = { ...structuredClone(api.openapi), ...operatorFields };
  if (Buffer.byteLength(canonicalJson(whole)) + 1 <= DEFINITION_CONFIGMAP_BUDGET_BYTES) return whole;
  return { ...operatorRoutingDefinition(api.openapi), ...operatorFields };
}

/** The definition file exactly as the operator reads it: indented for people, compact when only that fits. */
export function operatorDefinitionText(api: Pick<DeployableApi, 'openapi' | 'productionEndpoints' | 'sandboxEndpoints' | 'context' | 'version'>, cluster: Pick<TargetCluster, 'properties'>): string {
  const definition = operatorOpenApiFor(api, cluster);
  const indented = `${canonicalJson(definition)}\n`;
  return Buffer.byteLength(indented) <= DEFINITION_CONFIGMAP_BUDGET_BYTES ? indented : `${canonicalJson(definition, { compact: true })}\n`;
}

/** Changes exactly when the operator must build a different gateway (not with the deploy time). */
export function operatorDefinitionHash(api: Pick<DeployableApi, 'openapi' | 'productionEndpoints' | 'sandboxEndpoints' | 'context' | 'version'>, cluster: Pick<TargetCluster, 'properties'>): string {
  return configHash(operatorOpenApiFor(api, cluster));
}

export function definitionConfigMapFor(api: OperatorApi & Pick<DeployableApi, 'openapi' | 'productionEndpoints' | 'sandboxEndpoints' | 'context'>, cluster: TargetCluster): Manifest<V1ConfigMap> {
  const text = operatorDefinitionText(api, cluster);
  if (Buffer.byteLength(text) > DEFINITION_CONFIGMAP_BUDGET_BYTES) {
    throw new Error(
      `The API's routes alone take ${Math.round(Buffer.byteLength(text) / 1024)} KiB, more than a Kubernetes ConfigMap holds (1 MiB): split the API into several, or use the native kubernetes manager, whose gateway config is smaller.`,
    );
  }
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: gatewayObjectName(api), namespace: cluster.properties.Namespace, labels: gatewayLabels(api) },
    data: { [SWAGGER_KEY]: text },
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
