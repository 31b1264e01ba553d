import { gatewayConfigSchema } from '@/gateway/src/config';
import type { DeployableApi, TargetCluster } from '../../container-manager';

/** The pet store as a publisher would deploy it, for the managers' tests and the benchmark. */

const PETSTORE_OPENAPI = {
  openapi: '3.0.3',
  info: { title: 'PetStore', version: '1.0.0' },
  paths: {
    '/pets': { get: { responses: { '200': { description: 'the pets' } } } },
    '/pets/{petId}': { get: { responses: { '200': { description: 'one pet' } } } },
  },
};

export interface SampleApiOverrides {
  apiId?: string;
  tenantId?: string;
  tenantDomain?: string;
  name?: string;
  version?: string;
  context?: string;
  productionEndpoints?: string[];
  /** Changes the gateway config (and nothing else): the CORS origins. */
  allowedOrigins?: string[];
}

export function sampleApi(overrides: SampleApiOverrides = {}): DeployableApi {
  const identity = {
    apiId: overrides.apiId ?? '7f3c2a9e-5b1d-4c8e-9a6f-2d4b8e1c3a5f',
    tenantId: overrides.tenantId ?? '1',
    tenantDomain: overrides.tenantDomain ?? 'carbon.super',
    name: overrides.name ?? 'PetStore',
    version: overrides.version ?? '1.0.0',
    context: overrides.context ?? '/petstore',
  };
  const productionEndpoints = overrides.productionEndpoints ?? ['http://petstore.backend.svc:8090'];
  const gatewayConfig = gatewayConfigSchema.parse({
    api: { id: identity.apiId, tenant: identity.tenantDomain, name: identity.name, context: identity.context, version: identity.version },
    openapi: PETSTORE_OPENAPI,
    endpoints: { production: productionEndpoints },
    security: { jwt: { enabled: true } },
    tokens: {
      issuer: 'https://portal.example.com/oauth2/token',
      audience: 'privatejet-gateways',
      jwksUrl: 'https://portal.example.com/oauth2/jwks',
    },
    cors: { allowedOrigins: overrides.allowedOrigins ?? ['https://portal.example.com'] },
  });
  return { ...identity, openapi: PETSTORE_OPENAPI, productionEndpoints, gatewayConfig };
}

export function sampleCluster(properties: Partial<TargetCluster['properties']> = {}): TargetCluster {
  return {
    type: 'Kubernetes',
    clusterName: 'cluster-1',
    displayName: 'Cluster 1',
    properties: {
      MasterURL: 'https://kubernetes.example.com:6443',
      AccessURL: 'https://apis.example.com',
      SAToken: 'token',
      Namespace: 'privatejet',
      Replicas: 2,
      extra: {},
      ...properties,
    },
  };
}
