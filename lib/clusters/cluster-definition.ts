/**
 * What a cluster definition is once validated (by cluster.schema.ts): its type and names, and
 * its properties with their defaults, in the seed's spelling.
 */

export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_REPLICAS = 1;
export const DEFAULT_INGRESS_CLASS = 'nginx';
/** A sane ceiling: a typo like 1000 should not schedule a thousand gateway pods. */
export const REPLICAS_LIMIT = 100;

/** The seed's properties, in the seed's order (the tenant export keeps this order). */
export const SEED_PROPERTIES = [
  'MasterURL',
  'AccessURL',
  'SAToken',
  'Namespace',
  'Replicas',
  'BasicSecurityCustomResourceName',
  'OauthSecurityCustomResourceName',
  'JWTSecurityCustomResourceName',
] as const;

/** Properties beyond the seed, all optional. */
export const OPTIONAL_PROPERTIES = [
  'CACert',
  'InsecureSkipTLSVerify',
  'IngressClass',
  'GatewayImage',
  'MaxReplicas',
  'SharedWithTenants',
] as const;

export const KNOWN_PROPERTIES = [...SEED_PROPERTIES, ...OPTIONAL_PROPERTIES] as const;
export type KnownPropertyName = (typeof KNOWN_PROPERTIES)[number];

export interface KnownClusterProperties {
  /** API server URL; empty together with SAToken = in-cluster credentials. */
  MasterURL: string;
  /** Base URL where this cluster's gateways are reached. */
  AccessURL: string;
  /** Service account token; empty together with MasterURL = in-cluster credentials. */
  SAToken: string;
  Namespace: string;
  Replicas: number;
  BasicSecurityCustomResourceName?: string;
  OauthSecurityCustomResourceName?: string;
  JWTSecurityCustomResourceName?: string;
  /** PEM or base64 PEM of the API server's CA, as written by the user. */
  CACert?: string;
  InsecureSkipTLSVerify?: boolean;
  /** Absent = {@link DEFAULT_INGRESS_CLASS}. */
  IngressClass?: string;
  GatewayImage?: string;
  /** Present = the gateway gets a HorizontalPodAutoscaler from Replicas to MaxReplicas. */
  MaxReplicas?: number;
  /**
   * deployment.toml only: the tenants (domains, comma-separated, or "*") that may deploy to
   * this platform cluster besides the super tenant. Local clusters are never a tenant's own.
   */
  SharedWithTenants?: string;
}

export type ClusterProperties = KnownClusterProperties & {
  /** Properties this version does not know: kept (and exported again), never dropped. */
  extra: Record<string, unknown>;
};

export interface ClusterDefinition {
  type: string;
  clusterName: string;
  displayName: string;
  properties: ClusterProperties;
}

