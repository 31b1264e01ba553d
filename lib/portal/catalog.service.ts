import { and, arrayContains, asc, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../actor';
import { hasRole } from '../actor';
import { resolveTenantClusters } from '../clusters/clusters.service';
import { howToCallOnCluster } from '../containers/security-resources';
import { db } from '../db/drizzle';
import { isUuid } from '../ids';
import { apis, applications, deployments, subscriptions, tenants, type ApiState, type DeploymentStatus } from '../db/schema';
import { CATALOG_STATES, type CatalogStateFilter } from './catalog-filters';
import { storedApiDocumentation } from '../apis/api-documentation.service';
import { apiMatchesText } from '../apis/api-search';
import { accessUrlFor } from '../deployments/deployments.service';
import { forbidden, notFound } from '../errors';
import { storedOperations, storedPublicDefinitionText, type StoredOperation } from '../apis/definition-queries';
import { isTierName, TIERS } from '../tiers';
import { subscriptionsNeedApproval } from '../subscriptions/subscriptions.service';
import { PLATFORM_API_ID, platformApiDefinitionText, platformApiOverview } from './platform-api';

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
  /** Only APIs carrying this tag (exactly, as the publisher wrote it). */
  tag?: string;
  /** Only APIs in this state; both portal states when absent. */
  state?: CatalogStateFilter;
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
  const where = and(
    visibleTo(query.actor, query.tenantDomain),
    query.state ? eq(apis.state, CATALOG_STATES[query.state]) : inArray(apis.state, PORTAL_STATES),
    query.tag ? arrayContains(apis.tags, [query.tag]) : undefined,
    q ? apiMatchesText(q) : undefined,
  );
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

export interface CatalogTag {
  tag: string;
  /** How many of the caller's visible APIs carry it. */
  apis: number;
}

/** At most this many tags are offered, the most used first; a filter by any other still works from the URL. */
export const MAX_CATALOG_TAGS = 200;

/**
 * The tags of the APIs the caller can see in the catalog (whatever the other filters), the most
 * used first, for the tag filter. One grouped scan of the tenant's listed APIs.
 */
export async function listCatalogTags(query: Pick<CatalogQuery, 'actor' | 'tenantDomain'>): Promise<CatalogTag[]> {
  const tag = sql<string>`catalog_tag`;
  const rows = await (await db())
    .select({ tag, apis: sql<number>`count(*)::int` })
    .from(sql`${apis} cross join lateral unnest(${apis.tags}) as catalog_tag`)
    .innerJoin(tenants, eq(tenants.id, apis.tenantId))
    .where(and(visibleTo(query.actor, query.tenantDomain), inArray(apis.state, PORTAL_STATES)))
    .groupBy(tag)
    .orderBy(desc(sql`count(*)`), asc(tag))
    .limit(MAX_CATALOG_TAGS);
  return rows;
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
  /** How to authenticate at this cluster's gateway, one line per way. */
  howToCall: string[];
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
  /**
   * The definition's operations (method, path, summary, tags), read by the database from the
   * stored document: the page lists them without the document, which Try Out fetches on its own
   * (portalDefinitionText).
   */
  operations: StoredOperation[];
  environments: GatewayEnvironment[];
  /** The publisher's Markdown guide ('' when none, or restricted); render it only through SafeMarkdown. */
  documentation: string;
  /** The portal's own REST API (lib/portal/platform-api.ts): called with personal access tokens, not subscriptions. */
  platform?: boolean;
  /**
   * Whether tokens of sandbox keys reach a backend (the API has a sandbox endpoint). Only the fact
   * leaves the portal, never the endpoint's URL: backends are the publisher's business.
   */
  hasSandboxEndpoint?: boolean;
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

/** The API as the caller may see it on the portal (never its definition, which may be tens of MB), or not_found. */
async function visiblePortalApi(actor: Actor | null, apiId: string, tenantDomain?: string) {
  if (!isUuid(apiId)) throw notFound('That API');
  const visibility = actor ? eq(apis.tenantId, actor.tenantId) : and(eq(apis.visibility, 'public'), tenantDomain ? eq(tenants.domain, tenantDomain) : undefined);
  const [row] = await (await db())
    .select({
      api: {
        id: apis.id,
        tenantId: apis.tenantId,
        name: apis.name,
        version: apis.version,
        context: apis.context,
        description: apis.description,
        tags: apis.tags,
        state: apis.state,
        visibility: apis.visibility,
        subscriptionApproval: apis.subscriptionApproval,
        tiers: apis.tiers,
        security: apis.security,
        hasSandboxEndpoint: sql<boolean>`cardinality(${apis.sandboxEndpoints}) > 0`,
      },
      tenantDomain: tenants.domain,
    })
    .from(apis)
    .innerJoin(tenants, eq(tenants.id, apis.tenantId))
    .where(and(eq(apis.id, apiId), inArray(apis.state, PORTAL_STATES), visibility));
  if (!row) throw notFound('That API');
  return row;
}

/**
 * The definition developers may read, as JSON text for Try Out (without `servers` and x-wso2-*,
 * see storedPublicDefinitionText): written by the database and sent as is. A private API's only to those
 * who may use it.
 */
export async function portalDefinitionText(actor: Actor | null, apiId: string, tenantDomain?: string): Promise<string> {
  if (apiId === PLATFORM_API_ID) return platformApiDefinitionText();
  const { api } = await visiblePortalApi(actor, apiId, tenantDomain);
  if (!(await mayUsePrivateApi(actor, api))) throw forbidden('This API is private: its definition opens once the publisher approves a subscription of one of your applications.');
  return (await storedPublicDefinitionText(api.id)) ?? '{}';
}

export async function portalApiOverview(actor: Actor | null, apiId: string, tenantDomain?: string): Promise<PortalApiOverview> {
  if (apiId === PLATFORM_API_ID) return platformApiOverview();
  const row = await visiblePortalApi(actor, apiId, tenantDomain);
  const database = await db();
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
  if (!(await mayUsePrivateApi(actor, api))) return { ...summary, restricted: true, operations: [], environments: [], documentation: '' };

  // Statuses as the deployment engine last read them back: a page view never calls a cluster.
  const [records, clusters, guide] = await Promise.all([
    database.select({ clusterName: deployments.clusterName, status: deployments.status }).from(deployments).where(eq(deployments.apiId, api.id)),
    resolveTenantClusters({ tenantId: api.tenantId, tenantDomain: row.tenantDomain }),
    storedApiDocumentation(api.id),
  ]);
  // Only display names and access URLs leave this function: the resolved clusters hold credentials.
  const environments = records
    .map((record): GatewayEnvironment => {
      const resolved = clusters.find((c) => c.definition.clusterName === record.clusterName);
      const cluster = resolved?.definition;
      return {
        clusterName: record.clusterName,
        displayName: cluster?.displayName ?? record.clusterName,
        accessUrl: cluster?.properties.AccessURL ? accessUrlFor(cluster.properties.AccessURL, api) : null,
        status: environmentStatusOf[record.status],
        howToCall: resolved ? howToCallOnCluster(api, resolved.definition, resolved.manager) : [],
      };
    })
    .sort((a, b) => a.displayName.localeCompare(b.displayName));

  return { ...summary, restricted: false, operations: await storedOperations(api.id), environments, documentation: guide?.markdown ?? '', hasSandboxEndpoint: api.hasSandboxEndpoint };
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
