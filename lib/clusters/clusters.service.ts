import type { Actor } from '../auth/actor';
import { requireRole } from '../auth/actor';
import { SUPER_TENANT } from '../auth/identity';
import { AppError, notFound, type FieldErrors } from '../errors';
import { isKubernetesManager } from '../containers/permissions';
import {
  checkClusterDrafts,
  managerForType,
  type ClusterDefinition,
  type ClusterDraft,
  type ContainerManagerMap,
  type LocatedClusterDraft,
} from './cluster.schema';
import type { ConfigIssue } from './config-issues';
import { clusterAccessReport, type ClusterAccessReport } from './connection-check';
import { readTenantClusters, replaceTenantClusters } from './clusters.store';
import { platformClusterConfig } from './platform-config';
import { DEFAULT_SERVICE_ACCOUNT, setupGuideFor, type SetupStep } from './rbac';
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

/** What the publisher's Environments tab may know of a cluster. */
export interface ClusterChoice {
  clusterName: string;
  displayName: string;
  type: string;
  source: ClusterSource;
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
  const fromFile = tenant.tenantDomain === SUPER_TENANT ? platform.clusters : [];
  const fromTenant = await readTenantClusters(tenant.tenantId);
  const withManager = (source: ClusterSource) => (definition: ClusterDefinition) => ({
    source,
    definition,
    manager: managerForType(definition.type, platform.managers) ?? 'unknown',
  });
  return [...fromFile.map(withManager('deployment.toml')), ...fromTenant.map(withManager('tenant'))];
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

/** For the Environments tab: display names and types, nothing about credentials. */
export async function listClusterChoices(actor: Actor): Promise<ClusterChoice[]> {
  requireRole(actor, 'publisher');
  return (await resolveTenantClusters(actor)).map(({ source, definition }) => ({
    clusterName: definition.clusterName,
    displayName: definition.displayName,
    type: definition.type,
    source,
  }));
}

/** The tenant's own clusters as the seed's `"ContainerMgt": [...]` block, tokens blanked. */
export async function exportTenantClusters(actor: Actor): Promise<string> {
  requireRole(actor, 'admin');
  return exportTenantContainerMgt(await readTenantClusters(actor.tenantId), { secrets: 'redact' });
}

/** Names the file's clusters already use: a tenant cluster of the same name would be ambiguous. */
async function reservedNames(actor: Actor): Promise<Set<string>> {
  if (actor.tenantDomain !== SUPER_TENANT) return new Set();
  return new Set((await platformClusterConfig()).clusters.map((c) => c.clusterName));
}

function rejectReservedNames(clusters: readonly ClusterDefinition[], reserved: Set<string>, locate: (index: number) => string): ConfigIssue[] {
  return clusters.flatMap((cluster, index) =>
    reserved.has(cluster.clusterName)
      ? [{ path: locate(index), message: `"${cluster.clusterName}" is already a cluster of deployment.toml: choose another name` }]
      : [],
  );
}

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
  const clashes = rejectReservedNames(result.clusters, await reservedNames(actor), (i) => `cluster ${i + 1} (${result.clusters[i]!.clusterName})`);
  if (clashes.length > 0) throw new ClusterConfigRejected(clashes);
  await replaceTenantClusters(actor.tenantId, result.clusters);
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
  const reserved = await reservedNames(actor);
  if (reserved.has(input.clusterName.trim())) errors.push({ path: 'clusterName', message: `"${input.clusterName}" is already a cluster of deployment.toml: choose another name` });
  if (errors.length > 0) {
    const fieldErrors = issuesToFieldErrors(errors.map((e) => (e.path === '_other' ? { ...e, path: 'clusterName' } : e)));
    throw new ClusterConfigRejected(errors, fieldErrors);
  }
  const saved = check.clusters[check.clusters.length - 1]!;
  const position = stored.findIndex((c) => c.clusterName === input.originalName);
  const next = [...others];
  next.splice(position === -1 ? next.length : position, 0, saved);
  await replaceTenantClusters(actor.tenantId, next);
  return { warnings: check.warnings.filter((w) => w.path !== '_other') };
}

function definitionAsDraft(definition: ClusterDefinition): ClusterDraft {
  const { extra, ...known } = definition.properties;
  return { type: definition.type, clusterName: definition.clusterName, displayName: definition.displayName, properties: { ...known, ...extra } };
}

export async function deleteTenantCluster(actor: Actor, clusterName: string): Promise<void> {
  requireRole(actor, 'admin');
  const stored = await readTenantClusters(actor.tenantId);
  if (!stored.some((c) => c.clusterName === clusterName)) throw notFound(`Cluster "${clusterName}"`);
  await replaceTenantClusters(actor.tenantId, stored.filter((c) => c.clusterName !== clusterName));
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
  return setupGuideFor(cluster.manager, { namespace, serviceAccount: DEFAULT_SERVICE_ACCOUNT.serviceAccount });
}
