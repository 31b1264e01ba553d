import { and, asc, count, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import { hasRole } from '../auth/actor';
import { resolveTenantClusters } from '../clusters/clusters.service';
import { db } from '../db/drizzle';
import { isUuid } from '../ids';
import { apis, applications, deployments, subscriptions, tenants, type ApiState, type DeploymentStatus } from '../db/schema';
import { apiMatchesText } from '../apis/api-search';
import { accessUrlFor } from '../deployments/deployments.service';
import { notFound } from '../errors';
import { isTierName, TIERS } from '../apis/tiers';
import { subscriptionsNeedApproval } from '../subscriptions/subscriptions.service';

/**
 * What the developer portal shows of APIs: the catalog and an API's Overview. Signed-in users
 * see their own tenant's APIs (public and private); signed-out visitors see the public APIs of
 * the portal they picked. A private API shows its definition, gateways and Try Out only to
 * publishers and admins of its tenant and to developers with an approved (ACTIVE) subscription;
 * to other signed-in developers only what they need to ask for one. Nothing here carries a
 * cluster credential or a backend address.
 */

export const CATALOG_PAGE_SIZE = 12;

/** States in which an API is listed in the portal; deprecated ones stay for existing subscribers. */
const PORTAL_STATES: ApiState[] = ['PUBLISHED', 'DEPRECATED'];

export interface CatalogItem {
  id: string;
  name: string;
  version: string;
  context: string;
  description: string;
  tags: string[];
  deprecated: boolean;
  visibility: 'public' | 'private';
}

export interface CatalogPage {
  items: CatalogItem[];
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
}

export interface CatalogQuery {
  actor: Actor | null;
  /** The portal a signed-out visitor picked; ignored for signed-in users, who stay in their tenant. */
  tenantDomain?: string;
  q?: string;
  page?: number;
  pageSize?: number;
}

/** Which APIs a caller may see: the tenant filter, and for visitors only public ones. */
function visibleTo(actor: Actor | null, tenantDomain: string | undefined): SQL | undefined {
  if (actor) return eq(apis.tenantId, actor.tenantId);
  return and(eq(tenants.domain, tenantDomain ?? ''), eq(apis.visibility, 'public'));
}

export async function listCatalog(query: CatalogQuery): Promise<CatalogPage> {
  const pageSize = Math.min(Math.max(Math.trunc(query.pageSize ?? CATALOG_PAGE_SIZE), 1), 100);
  const page = Math.max(Math.trunc(query.page ?? 1) || 1, 1);
  const q = query.q?.trim().slice(0, 200);
  const where = and(visibleTo(query.actor, query.tenantDomain), inArray(apis.state, PORTAL_STATES), q ? apiMatchesText(q) : undefined);
  const database = await db();
  // The tenants join is only needed to resolve a visitor's tenant by domain; it is one row per API.
  const [rows, [totals]] = await Promise.all([
    database
      .select({
        id: apis.id,
        name: apis.name,
        version: apis.version,
        context: apis.context,
        description: apis.description,
        tags: apis.tags,
        state: apis.state,
        visibility: apis.visibility,
      })
      .from(apis)
      .innerJoin(tenants, eq(tenants.id, apis.tenantId))
      .where(where)
      .orderBy(asc(apis.name), desc(apis.version), asc(apis.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    database.select({ total: count() }).from(apis).innerJoin(tenants, eq(tenants.id, apis.tenantId)).where(where),
  ]);
  const total = totals?.total ?? 0;
  return {
    items: rows.map(({ state, ...item }) => ({ ...item, deprecated: state === 'DEPRECATED' })),
    total,
    page,
    pageSize,
    pageCount: Math.max(Math.ceil(total / pageSize), 1),
  };
}

export interface TierOffer {
  name: string;
  /** "5000 requests per minute", or empty for a tier this platform does not define. */
  description: string;
  requestsPerMinute: number | 'unlimited' | null;
}

/**
 * One cluster's gateway for this API as a developer sees it. `ready` is the only status whose
 * URL answers; the others say why it does not (yet), never the cluster's internal message.
 */
export type GatewayEnvironmentStatus = 'ready' | 'deploying' | 'failed' | 'removing';

export interface GatewayEnvironment {
  clusterName: string;
  displayName: string;
  /** `AccessURL` + context + version; null when the cluster is no longer configured. */
  accessUrl: string | null;
  status: GatewayEnvironmentStatus;
}

export interface PortalApiOverview extends CatalogItem {
  tiers: TierOffer[];
  /**
   * True for a private API the caller has no approved subscription to: `openapi` is empty and
   * `environments` too, and the page offers only a subscription request.
   */
  restricted: boolean;
  /** Whether a new subscription waits for a publisher's approval. */
  subscriptionNeedsApproval: boolean;
  /** The OpenAPI document without its servers (backend addresses); Try Out adds a gateway's. */
  openapi: Record<string, unknown>;
  environments: GatewayEnvironment[];
}

const environmentStatusOf: Record<DeploymentStatus, GatewayEnvironmentStatus> = {
  pending: 'deploying',
  applying: 'deploying',
  waiting: 'deploying',
  ready: 'ready',
  failed: 'failed',
  undeploying: 'removing',
};

function tierOffer(name: string): TierOffer {
  if (!isTierName(name)) return { name, description: '', requestsPerMinute: null };
  return { name, description: TIERS[name].description, requestsPerMinute: TIERS[name].requestsPerMinute };
}

/**
 * The definition as developers may read it: `servers` (often the backend's own address) and
 * vendor extensions that name backends are left out, since calls go through the gateways.
 */
export function publicDefinition(openapi: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(openapi).filter(([key]) => key !== 'servers' && !key.startsWith('x-wso2')));
}

export async function portalApiOverview(actor: Actor | null, apiId: string, tenantDomain?: string): Promise<PortalApiOverview> {
  if (!isUuid(apiId)) throw notFound('That API');
  const database = await db();
  const visibility = actor ? eq(apis.tenantId, actor.tenantId) : and(eq(apis.visibility, 'public'), tenantDomain ? eq(tenants.domain, tenantDomain) : undefined);
  const [row] = await database
    .select({ api: apis, tenantDomain: tenants.domain })
    .from(apis)
    .innerJoin(tenants, eq(tenants.id, apis.tenantId))
    .where(and(eq(apis.id, apiId), inArray(apis.state, PORTAL_STATES), visibility));
  if (!row) throw notFound('That API');
  const { api } = row;
  const summary = {
    id: api.id,
    name: api.name,
    version: api.version,
    context: api.context,
    description: api.description,
    tags: api.tags,
    deprecated: api.state === 'DEPRECATED',
    visibility: api.visibility,
    tiers: api.tiers.map(tierOffer),
    subscriptionNeedsApproval: subscriptionsNeedApproval(api),
  };
  if (!(await mayUsePrivateApi(actor, api))) return { ...summary, restricted: true, openapi: {}, environments: [] };

  // Statuses as the deployment engine last read them back: a page view never calls a cluster.
  const [records, clusters] = await Promise.all([
    database.select({ clusterName: deployments.clusterName, status: deployments.status }).from(deployments).where(eq(deployments.apiId, api.id)),
    resolveTenantClusters({ tenantId: api.tenantId, tenantDomain: row.tenantDomain }),
  ]);
  // Only display names and access URLs leave this function: the resolved clusters hold credentials.
  const environments = records
    .map((record): GatewayEnvironment => {
      const cluster = clusters.find((c) => c.definition.clusterName === record.clusterName)?.definition;
      return {
        clusterName: record.clusterName,
        displayName: cluster?.displayName ?? record.clusterName,
        accessUrl: cluster?.properties.AccessURL ? accessUrlFor(cluster.properties.AccessURL, api) : null,
        status: environmentStatusOf[record.status],
      };
    })
    .sort((a, b) => a.displayName.localeCompare(b.displayName));

  return { ...summary, restricted: false, openapi: publicDefinition(api.openapi), environments };
}

/**
 * Public APIs are open to whoever sees them. A private one is open to publishers and admins of its
 * tenant (the caller is already known to be of that tenant), and to a developer who owns an
 * application with an ACTIVE subscription to it; a request waiting for approval does not count.
 */
async function mayUsePrivateApi(actor: Actor | null, api: { id: string; visibility: 'public' | 'private' }): Promise<boolean> {
  if (api.visibility === 'public') return true;
  if (!actor) return false;
  if (hasRole(actor, 'publisher')) return true;
  const [approved] = await (await db())
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .innerJoin(applications, eq(applications.id, subscriptions.applicationId))
    .where(and(eq(subscriptions.apiId, api.id), eq(subscriptions.status, 'ACTIVE'), eq(applications.ownerId, actor.userId), eq(applications.tenantId, actor.tenantId)))
    .limit(1);
  return !!approved;
}

/** Gateways a request can be sent to right now: ready, with a known address. */
export function usableEnvironments(environments: GatewayEnvironment[]): (GatewayEnvironment & { accessUrl: string })[] {
  return environments.filter((e): e is GatewayEnvironment & { accessUrl: string } => e.status === 'ready' && e.accessUrl !== null);
}
