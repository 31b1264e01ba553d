import { recordAudit } from '../audit/audit.service';
import type { Actor } from '../actor';
import { requireRole } from '../actor';
import { SUPER_TENANT } from '../super-tenant';
import { AppError, notFound, type FieldErrors } from '../errors';
import type { ClusterDefinition } from './cluster-definition';
import { checkClusterDrafts, type ClusterDraft, type LocatedClusterDraft } from './cluster.schema';
import type { ConfigIssue } from '../config-issues';
import { readTenantClusters, replaceTenantClusters } from './clusters.store';
import { managerForType, type ContainerManagerMap } from './container-managers';
import { platformClusterConfig } from './platform-config';
import { isSharedWithTenant } from './shared-with-tenants';
import { exportTenantContainerMgt, mergeWithStoredSecrets, parseTenantContainerMgt } from './tenant-container-mgt';
import { describeServiceAccountToken } from './token-info';

/**
 * A tenant's clusters come from two sources: deployment.toml (the super tenant's, read-only)
 * and the tenant's own ContainerMgt configuration in the database. This service merges them,
 * and is the only way pages reach cluster configuration: its DTOs never carry a token.
 */

export type ClusterSource = 'deployment.toml' | 'tenant';

export interface ResolvedCluster {
  source: ClusterSource;
  manager: string;
  definition: ClusterDefinition;
}

/** What the admin page shows of a cluster: everything but the token, which is described. */
export interface ClusterSummary {
  source: ClusterSource;
  manager: string;
  type: string;
  clusterName: string;
  displayName: string;
  properties: Omit<ClusterDefinition['properties'], 'SAToken'>;
  token: { set: boolean; expiresAt?: string; expired: boolean; expiresSoon: boolean; subject?: string };
  /** MasterURL and SAToken both empty: the app's own in-cluster service account is used. */
  inCluster: boolean;
}

export interface SaveResult {
  warnings: ConfigIssue[];
}

async function platformManagers(): Promise<ContainerManagerMap> {
  return (await platformClusterConfig()).managers;
}

/** Every cluster a tenant may deploy to, with its manager; secrets included — never return this to a page. */
export async function resolveTenantClusters(tenant: { tenantId: string; tenantDomain: string }): Promise<ResolvedCluster[]> {
  const platform = await platformClusterConfig();
  const fromFile =
    tenant.tenantDomain === SUPER_TENANT ? platform.clusters : platform.clusters.filter((c) => isSharedWithTenant(c.properties, tenant.tenantDomain));
  const withManager = (source: ClusterSource) => (definition: ClusterDefinition) => ({
    source,
    definition,
    manager: managerForType(definition.type, platform.managers) ?? 'unknown',
  });
  // A tenant's own cluster never runs on this machine (saves refuse it); one stored before
  // that rule is left out rather than trusted with the platform's ports.
  const fromTenant = (await readTenantClusters(tenant.tenantId)).map(withManager('tenant')).filter((c) => c.manager !== 'local');
  return [...fromFile.map(withManager('deployment.toml')), ...fromTenant];
}

export async function resolveTenantCluster(actor: Actor, clusterName: string): Promise<ResolvedCluster> {
  const cluster = (await resolveTenantClusters(actor)).find((c) => c.definition.clusterName === clusterName);
  if (!cluster) throw notFound(`Cluster "${clusterName}"`);
  return cluster;
}

function summaryOf(cluster: ResolvedCluster, now: Date): ClusterSummary {
  const { SAToken, ...properties } = cluster.definition.properties;
  const token = describeServiceAccountToken(SAToken, now);
  return {
    source: cluster.source,
    manager: cluster.manager,
    type: cluster.definition.type,
    clusterName: cluster.definition.clusterName,
    displayName: cluster.definition.displayName,
    properties,
    token: { ...token, expiresAt: token.expiresAt?.toISOString() },
    inCluster: cluster.manager !== 'local' && !properties.MasterURL && !SAToken,
  };
}

export async function listClustersForAdmin(actor: Actor, now = new Date()): Promise<ClusterSummary[]> {
  requireRole(actor, 'admin');
  return (await resolveTenantClusters(actor)).map((cluster) => summaryOf(cluster, now));
}

/** The tenant's own clusters as the seed's `"ContainerMgt": [...]` block, tokens blanked. */
export async function exportTenantClusters(actor: Actor): Promise<string> {
  requireRole(actor, 'admin');
  return exportTenantContainerMgt(await readTenantClusters(actor.tenantId), { secrets: 'redact' });
}

/**
 * What a tenant may not configure as its own cluster, whoever the tenant is: a name the
 * platform's clusters use (ambiguous, and on a shared ingress a way into another tenant's
 * routes), a cluster that runs on this machine (the platform's ports and processes), or a
 * platform-only property.
 */
async function tenantOwnedClusterIssues(clusters: readonly ClusterDraftLike[], locate: (index: number, field: 'clusterName' | 'type' | 'properties') => string): Promise<ConfigIssue[]> {
  const platform = await platformClusterConfig();
  const reserved = new Set(platform.clusters.map((c) => c.clusterName.toLowerCase()));
  return clusters.flatMap((cluster, index) => {
    const issues: ConfigIssue[] = [];
    if (reserved.has(cluster.clusterName.trim().toLowerCase())) {
      issues.push({ path: locate(index, 'clusterName'), message: `"${cluster.clusterName}" is already a cluster of deployment.toml (the platform's): choose another name` });
    }
    if (managerForType(cluster.type, platform.managers) === 'local') {
      issues.push({
        path: locate(index, 'type'),
        message: `a ${cluster.type} cluster runs gateways on this machine and belongs to the platform (deployment.toml): use a cluster the platform shares with your tenant, or a Kubernetes cluster of your own`,
      });
    }
    if ((cluster.properties as { SharedWithTenants?: unknown }).SharedWithTenants !== undefined) {
      issues.push({ path: locate(index, 'properties'), message: 'SharedWithTenants is set in deployment.toml only: a tenant cluster is never shared' });
    }
    return issues;
  });
}

type ClusterDraftLike = { type: string; clusterName: string; properties: object };

export class ClusterConfigRejected extends AppError {
  constructor(readonly issues: ConfigIssue[], fieldErrors?: FieldErrors) {
    super('validation', `The configuration was not saved: ${issues.length} problem${issues.length === 1 ? '' : 's'} to fix.`, fieldErrors);
  }
}

/**
 * Replaces the tenant's clusters with a pasted `"ContainerMgt": [...]` block. An empty SAToken
 * keeps the stored token of a cluster of the same name. Rejected text changes nothing.
 */
export async function saveTenantClustersFromJson(actor: Actor, text: string): Promise<SaveResult> {
  requireRole(actor, 'admin');
  const stored = await readTenantClusters(actor.tenantId);
  const result = parseTenantContainerMgt(text, { managers: await platformManagers(), storedClusters: stored });
  if (!result.ok) throw new ClusterConfigRejected(result.errors);
  const clashes = await tenantOwnedClusterIssues(result.clusters, (i) => `cluster ${i + 1} (${result.clusters[i]!.clusterName})`);
  if (clashes.length > 0) throw new ClusterConfigRejected(clashes);
  await replaceTenantClusters(actor.tenantId, result.clusters, (tx) =>
    recordAudit(tx, actor, { action: 'cluster.import', objectType: 'cluster', objectId: null, before: byName(stored), after: byName(result.clusters) }),
  );
  return { warnings: result.warnings };
}

/** The admin form's fields for one cluster, as posted. */
export interface ClusterFormInput {
  originalName?: string;
  type: string;
  clusterName: string;
  displayName: string;
  properties: Record<string, string>;
  extra: Record<string, unknown>;
}

const formLocate: LocatedClusterDraft['locate'] = (field, property) =>
  field === 'properties' ? (property === undefined ? 'properties' : `properties.${property}`) : field === 'entry' ? '_form' : field;

function issuesToFieldErrors(issues: ConfigIssue[]): FieldErrors {
  const fieldErrors: FieldErrors = {};
  for (const issue of issues) (fieldErrors[issue.path] ??= []).push(issue.message);
  return fieldErrors;
}

/**
 * Adds or replaces one cluster from the admin form. The SAToken field left empty keeps the
 * stored token (same MasterURL), so other fields change without retyping it.
 */
export async function saveTenantClusterFromForm(actor: Actor, input: ClusterFormInput): Promise<SaveResult> {
  requireRole(actor, 'admin');
  const stored = await readTenantClusters(actor.tenantId);
  const properties: Record<string, unknown> = { ...input.extra };
  for (const [key, value] of Object.entries(input.properties)) if (value.trim() !== '') properties[key] = value.trim();
  for (const key of ['MasterURL', 'SAToken']) properties[key] ??= '';
  const draft: ClusterDraft = { type: input.type, clusterName: input.clusterName, displayName: input.displayName, properties };
  const [merged] = mergeWithStoredSecrets([draft], stored.filter((c) => c.clusterName === (input.originalName ?? input.clusterName)).map((c) => ({ ...c, clusterName: input.clusterName })));

  const others = stored.filter((c) => c.clusterName !== input.originalName);
  const check = checkClusterDrafts(
    [
      ...others.map((definition) => ({ draft: definitionAsDraft(definition), locate: (() => `_other`) as LocatedClusterDraft['locate'] })),
      { draft: merged, locate: formLocate },
    ],
    await platformManagers(),
  );
  const errors = [...check.errors];
  errors.push(...(await tenantOwnedClusterIssues([{ type: input.type, clusterName: input.clusterName, properties }], (_, field) => (field === 'properties' ? '_form' : field))));
  if (errors.length > 0) {
    const fieldErrors = issuesToFieldErrors(errors.map((e) => (e.path === '_other' ? { ...e, path: 'clusterName' } : e)));
    throw new ClusterConfigRejected(errors, fieldErrors);
  }
  const saved = check.clusters[check.clusters.length - 1]!;
  const position = stored.findIndex((c) => c.clusterName === input.originalName);
  const next = [...others];
  next.splice(position === -1 ? next.length : position, 0, saved);
  const previous = stored.find((c) => c.clusterName === input.originalName);
  await replaceTenantClusters(actor.tenantId, next, (tx) =>
    recordAudit(tx, actor, { action: 'cluster.save', objectType: 'cluster', objectId: saved.clusterName, before: previous ? { ...previous } : null, after: { ...saved } }),
  );
  return { warnings: check.warnings.filter((w) => w.path !== '_other') };
}

/** A cluster list keyed by name, so the audit summary names the cluster and property that changed. */
function byName(clusters: readonly ClusterDefinition[]): Record<string, unknown> {
  return Object.fromEntries(clusters.map((c) => [c.clusterName, { type: c.type, displayName: c.displayName, properties: c.properties }]));
}

function definitionAsDraft(definition: ClusterDefinition): ClusterDraft {
  const { extra, ...known } = definition.properties;
  return { type: definition.type, clusterName: definition.clusterName, displayName: definition.displayName, properties: { ...known, ...extra } };
}

export async function deleteTenantCluster(actor: Actor, clusterName: string): Promise<void> {
  requireRole(actor, 'admin');
  const stored = await readTenantClusters(actor.tenantId);
  const removed = stored.find((c) => c.clusterName === clusterName);
  if (!removed) throw notFound(`Cluster "${clusterName}"`);
  await replaceTenantClusters(
    actor.tenantId,
    stored.filter((c) => c.clusterName !== clusterName),
    (tx) => recordAudit(tx, actor, { action: 'cluster.delete', objectType: 'cluster', objectId: clusterName, before: { ...removed } }),
  );
}
