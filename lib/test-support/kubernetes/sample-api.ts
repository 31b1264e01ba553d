import { gatewaySpecFor, type GatewayPlatformSettings } from '@/lib/gateway/gateway-spec-for';
import type { DeployableApi, TargetCluster } from '../../containers/container-manager';

/** The pet store as a publisher would deploy it, for the managers' tests and the benchmark. */

const PETSTORE_OPENAPI = {
  openapi: '3.0.3',
  info: { title: 'PetStore', version: '1.0.0' },
  paths: {
    '/pets': { get: { responses: { '200': { description: 'the pets' } } } },
    '/pets/{petId}': { get: { responses: { '200': { description: 'one pet' } } } },
  },
};

/** A fixed public key (the private half was thrown away): manifests and golden files stay stable. */
export const SAMPLE_SIGNING_JWK = { kty: 'RSA', kid: 'sample-key-1', n: '8ly2f1eVYVgsE5z817Psc5ChMP_SEW7_7DRHLj49ft5Qvu1IxygkQwtHNBSVzVUxhF3Vv7XdflLn3wRskiU-QtMJWdm1yBeOHW4SYGzIC46U2UrwC91XITukmWDn97XvdvwAnFQ-4df3ALWLosYnfxFK4vdZqgAgGwA1V5tr2YCjOC5iXH1Jt3lqy15MAsBtKvT3gxwMEzs-yQW_DQDoO2ebMp1oCWhVI5spd9nGYg33h_nb7kObWaXHOvnxi7fi-exOzRKwxwOOp3yr2GAeppHmGUd7eYb1QmxiSpw4EtppGsNVAiyEprlfNy6MeUI1cUs7tmfhytJxP_JYrURYBQ', e: 'AQAB' };

export const SAMPLE_PLATFORM: GatewayPlatformSettings = {
  issuers: ['https://portal.example.com/oauth2/token'],
  audience: 'privatejet-gateway',
  jwks: { keys: [SAMPLE_SIGNING_JWK] },
  portalOrigin: 'https://portal.example.com',
  gatewayClientId: 'introspection-sample',
  introspectionUrl: 'https://portal.example.com/oauth2/introspect',
  revocationsUrl: 'https://portal.example.com/oauth2/gateway-revocations',
  revocationsPollSeconds: 10,
  introspectionCacheSeconds: 60,
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
  /** The replicas that share each tier's rate. */
  replicas?: number;
  gatewayClientSecret?: string;
  /** Another definition than the pet store's (a large one). */
  openapi?: Record<string, unknown>;
  /** The API also allows Basic credentials of the cluster's users. */
  basic?: boolean;
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
  const openapi = overrides.openapi ?? PETSTORE_OPENAPI;
  const gateway = gatewaySpecFor(
    {
      ...identity,
      openapi,
      productionEndpoints,
      security: { oauth2: true, basic: overrides.basic ?? false },
      tiers: ['Gold', 'Bronze'],
      cors: { enabled: true, allowedOrigins: overrides.allowedOrigins ?? [] },
    },
    SAMPLE_PLATFORM,
    { replicas: overrides.replicas ?? 2, accessUrl: 'https://apis.example.com' },
  );
  return { ...identity, openapi, productionEndpoints, gateway, gatewayClientSecret: overrides.gatewayClientSecret ?? 'sample-gateway-secret' };
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
