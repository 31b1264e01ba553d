import type { Actor } from '../actor';
import { requireRole } from '../actor';
import { resolveTenantCluster, resolveTenantClusters, type ClusterSource, type ClusterSummary } from '../clusters/clusters.service';
import { clusterAccessReport, type ClusterAccessReport } from './connection-check';
import { isKubernetesManager } from './permissions';
import { DEFAULT_SERVICE_ACCOUNT, setupGuideFor, type SetupStep } from './rbac';
import { clusterSecurityOffer } from './security-resources';

/**
 * What the pages ask of a configured cluster that only its container manager can answer: the
 * connection test, the setup guide, the security its gateways offer. It sits with the managers
 * so that the dependency runs one way: lib/containers uses the cluster configuration of
 * lib/clusters, and lib/clusters knows nothing of the managers.
 */

/** What the publisher's Environments tab may know of a cluster. */
export interface ClusterChoice {
  clusterName: string;
  displayName: string;
  type: string;
  source: ClusterSource;
  /** Where its gateways answer (AccessURL), when the cluster has one. */
  accessUrl: string | null;
  /** How gateways there authenticate callers, in words (names of resources only, never their content). */
  securityOffer: string[];
}

/** For the Environments tab: display names and types, nothing about credentials. */
export async function listClusterChoices(actor: Actor): Promise<ClusterChoice[]> {
  requireRole(actor, 'publisher');
  return (await resolveTenantClusters(actor)).map(({ source, definition, manager }) => ({
    clusterName: definition.clusterName,
    displayName: definition.displayName,
    type: definition.type,
    source,
    accessUrl: definition.properties.AccessURL || null,
    securityOffer: clusterSecurityOffer(definition, manager),
  }));
}

/** The connection test: version, namespace, and every permission the cluster's manager needs. */
export async function checkClusterConnection(actor: Actor, clusterName: string): Promise<ClusterAccessReport> {
  requireRole(actor, 'admin');
  const cluster = await resolveTenantCluster(actor, clusterName);
  return clusterAccessReport(cluster.definition, cluster.manager);
}

/** The exact commands that create the service account, its RBAC and a token for a listed cluster (pure). */
export function clusterSetupGuide(cluster: Pick<ClusterSummary, 'manager' | 'properties'>): SetupStep[] | null {
  if (!isKubernetesManager(cluster.manager)) return null;
  const namespace = cluster.properties.Namespace || DEFAULT_SERVICE_ACCOUNT.namespace;
  const { BasicSecurityCustomResourceName, JWTSecurityCustomResourceName, OauthSecurityCustomResourceName } = cluster.properties;
  return setupGuideFor(
    cluster.manager,
    { namespace, serviceAccount: DEFAULT_SERVICE_ACCOUNT.serviceAccount },
    { securityResourceNames: { BasicSecurityCustomResourceName, JWTSecurityCustomResourceName, OauthSecurityCustomResourceName } },
  );
}
