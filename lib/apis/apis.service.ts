import { and, asc, count, desc, eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../actor';
import { actorLabel, requireRole } from '../actor';
import { recordAudit } from '../audit/audit.service';
import { resolveTenantClusters } from '../clusters/clusters.service';
import { db } from '../db/drizzle';
import { isUniqueViolation } from '../db/errors';
import { isUuid } from '../ids';
import { apiClusterSelections, apiDocumentation, apis, definitionUploads, deployments, lifecycleEvents, subscriptions, type ApiState } from '../db/schema';
import { AppError, conflict, invalid, notFound, staleRevision } from '../errors';
import { reconcileApiDeployments } from '../deployments/deployments.service';
import { canTransition, isDeployedState, STATE_LABELS } from '../lifecycle/lifecycle';
import { endpointPolicyIssues } from '../net/endpoint-policy';
import { apiMatchesText } from './api-search';
import { settingsInputOf, type CreateApiInput, type UpdateApiInput } from './apis.schema';
import { storedDefinitionSummary, storedDefinitionText, storedOperations, type StoredDefinitionSummary } from './definition-queries';
import { ownUploadCondition, stagedDefinition } from './definition-uploads.service';
import { checkApiDefinition, fetchApiDefinition, importApiDefinition, newOpenApiDocument, parseResourceLines, resourcesOf, withResources, type OpenApiDocument, type Resource } from './openapi';

/** The publisher's view of an API: everything editable, nothing secret. */
export interface ApiDetails {
  id: string;
  name: string;
  version: string;
  context: string;
  description: string;
  tags: string[];
  visibility: 'public' | 'private';
  /** As the publisher set it; private APIs need approval regardless. */
  subscriptionApproval: boolean;
  state: ApiState;
  productionEndpoints: string[];
  /** Where tokens of sandbox keys go; empty when the API has no sandbox endpoint. */
  sandboxEndpoints: string[];
  security: { oauth2: boolean; basic: boolean };
  tiers: string[];
  cors: { enabled: boolean; allowedOrigins: string[] };
  selectedClusters: string[];
  /** Bumped by every change: the REST API's ETag. */
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ApiListItem {
  id: string;
  name: string;
  version: string;
  context: string;
  state: ApiState;
  tags: string[];
  updatedAt: Date;
}

const uniqueApiConflict = () =>
  conflict('An API with this name or context already has this version.', {
    version: ['This version exists already for that name or context.'],
  });

/** Every column but the definition: pages and checks read these on each load, the document (up to tens of MB) only where it is used. */
const { openapi: _definitionColumn, ...apiColumnsWithoutDefinition } = getTableColumns(apis);

async function apiRowForPublisher(actor: Actor, apiId: string) {
  requireRole(actor, 'publisher');
  if (!isUuid(apiId)) throw notFound('That API');
  const [row] = await (await db())
    .select(apiColumnsWithoutDefinition)
    .from(apis)
    .where(and(eq(apis.id, apiId), eq(apis.tenantId, actor.tenantId)));
  if (!row) throw notFound('That API');
  return row;
}

/** Writes of the REST API name the revision they read (If-Match); pages pass nothing. */
export interface RevisionCheck {
  expectedRevision?: number;
}

function checkRevision(row: { revision: number }, options: RevisionCheck | undefined, what = 'The API'): void {
  if (options?.expectedRevision !== undefined && options.expectedRevision !== row.revision) throw staleRevision(what);
}

/** The revision condition of an update: a concurrent writer between read and write loses, never overwrites. */
function atRevision(apiId: string, options: RevisionCheck | undefined) {
  return and(eq(apis.id, apiId), options?.expectedRevision !== undefined ? eq(apis.revision, options.expectedRevision) : undefined);
}

const nextRevision = sql`${apis.revision} + 1`;

export async function listApisForPublisher(actor: Actor, search: { q?: string; state?: ApiState } = {}): Promise<ApiListItem[]> {
  requireRole(actor, 'publisher');
  const filters = [eq(apis.tenantId, actor.tenantId)];
  if (search.state) filters.push(eq(apis.state, search.state));
  if (search.q) filters.push(apiMatchesText(search.q));
  return (await db())
    .select({ id: apis.id, name: apis.name, version: apis.version, context: apis.context, state: apis.state, tags: apis.tags, updatedAt: apis.updatedAt })
    .from(apis)
    .where(and(...filters))
    .orderBy(asc(apis.name), desc(apis.version))
    .limit(500);
}

export interface ApiListPage {
  items: ApiListItem[];
  total: number;
}

/** The same list as listApisForPublisher, a page at a time (the REST API). */
export async function pageOfApisForPublisher(
  actor: Actor,
  search: { q?: string; state?: ApiState },
  page: { offset: number; limit: number },
): Promise<ApiListPage> {
  requireRole(actor, 'publisher');
  const filters = and(eq(apis.tenantId, actor.tenantId), search.state ? eq(apis.state, search.state) : undefined, search.q ? apiMatchesText(search.q) : undefined);
  const database = await db();
  const [items, [totals]] = await Promise.all([
    database
      .select({ id: apis.id, name: apis.name, version: apis.version, context: apis.context, state: apis.state, tags: apis.tags, updatedAt: apis.updatedAt })
      .from(apis)
      .where(filters)
      .orderBy(asc(apis.name), desc(apis.version), asc(apis.id))
      .limit(page.limit)
      .offset(page.offset),
    database.select({ total: count() }).from(apis).where(filters),
  ]);
  return { items, total: totals?.total ?? 0 };
}

/** An API of the actor's tenant by name and version (both unique per tenant), or null. */
export async function findApiByNameAndVersion(actor: Actor, name: string, version: string): Promise<ApiWithDefinition | null> {
  requireRole(actor, 'publisher');
  const [row] = await (await db())
    .select({ id: apis.id })
    .from(apis)
    .where(and(eq(apis.tenantId, actor.tenantId), eq(apis.name, name), eq(apis.version, version)));
  return row ? getApiWithDefinitionForPublisher(actor, row.id) : null;
}

export async function getApiForPublisher(actor: Actor, apiId: string): Promise<ApiDetails> {
  const row = await apiRowForPublisher(actor, apiId);
  const selections = await (await db()).select().from(apiClusterSelections).where(eq(apiClusterSelections.apiId, apiId));
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    context: row.context,
    description: row.description,
    tags: row.tags,
    visibility: row.visibility,
    subscriptionApproval: row.subscriptionApproval,
    state: row.state,
    productionEndpoints: row.productionEndpoints,
    sandboxEndpoints: row.sandboxEndpoints,
    security: row.security,
    tiers: row.tiers,
    cors: row.cors,
    selectedClusters: selections.map((s) => s.clusterName).sort(),
    revision: row.revision,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * The new API's document: one the REST API checked already, built from resource lines, fetched
 * and checked, or (file and paste) an upload checked before the form was sent, which the insert
 * copies inside the database.
 */
async function definitionFor(actor: Actor, input: CreateApiInput): Promise<{ document: OpenApiDocument | SQL; description?: string } | { uploadId: string; description: string }> {
  if (input.checkedDefinition) return { document: input.checkedDefinition, description: input.checkedDefinition.info?.description };
  if (input.source === 'scratch') {
    const { resources, errors } = parseResourceLines(input.resources || 'GET /');
    if (errors.length > 0) throw invalid('Please correct the resources.', { resources: errors });
    return { document: newOpenApiDocument({ name: input.name, version: input.version, description: input.description, resources }) };
  }
  if (input.source === 'url') {
    const { json, summary } = await checkApiDefinition(await fetchApiDefinition(input.definitionUrl));
    return { document: sql`${json}::jsonb`, description: summary.description };
  }
  if (!input.definitionUpload) throw invalid('Paste or choose an OpenAPI definition.', { definition: ['Paste or choose an OpenAPI definition.'] });
  const { id, summary } = await stagedDefinitionOrGone(actor, input.definitionUpload);
  return { uploadId: id, description: summary.description };
}

/** The caller's checked upload; one that expired (or never was theirs) is a field error to act on, not a 404. */
async function stagedDefinitionOrGone(actor: Actor, uploadId: string) {
  try {
    return await stagedDefinition(actor, uploadId);
  } catch (error) {
    if (error instanceof AppError && error.kind === 'not_found') {
      throw invalid('The uploaded definition is gone (uploads are kept for a day): choose or paste it again.', { definition: ['Choose or paste the definition again.'] });
    }
    throw error;
  }
}

/** An API with its routed resources: what the REST API returns for it. */
export interface ApiWithResources extends ApiDetails {
  resources: Resource[];
}

/** An API with its whole definition as objects: what an API file holds (the REST API's files carry at most 4 MiB). */
export interface ApiWithDefinition extends ApiWithResources {
  openapi: OpenApiDocument;
}

export async function getApiWithResourcesForPublisher(actor: Actor, apiId: string): Promise<ApiWithResources> {
  const api = await getApiForPublisher(actor, apiId);
  // The caller's access was checked by getApiForPublisher: the index comes straight from the database.
  return { ...api, resources: (await storedOperations(api.id)).map(({ path, method }) => ({ path, method })) };
}

export async function getApiWithDefinitionForPublisher(actor: Actor, apiId: string): Promise<ApiWithDefinition> {
  const api = await getApiForPublisher(actor, apiId);
  // The document is read once; its resources come from it rather than from a second query.
  const openapi = JSON.parse((await storedDefinitionText(api.id))!) as OpenApiDocument;
  return { ...api, openapi, resources: resourcesOf(openapi) };
}

/** The routed resources of the API (its definition's paths and methods), read by the database from the stored document. */
export async function apiResourcesForPublisher(actor: Actor, apiId: string): Promise<Resource[]> {
  const row = await apiRowForPublisher(actor, apiId);
  return (await storedOperations(row.id)).map(({ path, method }) => ({ path, method }));
}

/** Title, version, counts and size of the stored definition, for the summary beside the editor. */
export async function apiDefinitionSummaryForPublisher(actor: Actor, apiId: string): Promise<StoredDefinitionSummary> {
  const row = await apiRowForPublisher(actor, apiId);
  return (await storedDefinitionSummary(row.id))!;
}

/** The stored definition as JSON text, opened on demand (read-only view, download). */
export async function apiDefinitionTextForPublisher(actor: Actor, apiId: string): Promise<{ name: string; version: string; text: string }> {
  const row = await apiRowForPublisher(actor, apiId);
  return { name: row.name, version: row.version, text: (await storedDefinitionText(row.id))! };
}

/** The platform's endpoint policy holds for sandbox endpoints as for production ones: both are called by the gateways. */
async function checkEndpointPolicy(actor: Actor, { productionEndpoints, sandboxEndpoints = [] }: { productionEndpoints: readonly string[]; sandboxEndpoints?: readonly string[] }): Promise<void> {
  const input = { productionEndpoints, sandboxEndpoints };
  for (const field of ['productionEndpoints', 'sandboxEndpoints'] as const) {
    const issues = await endpointPolicyIssues(input[field], actor.tenantDomain, { resolveNames: false });
    if (issues.length > 0) throw invalid(issues[0]!, { [field]: issues });
  }
  for (const field of ['productionEndpoints', 'sandboxEndpoints'] as const) {
    // A gateway rewrites every request to one base path per kind of endpoint.
    if (new Set(input[field].map((url) => new URL(url).pathname.replace(/\/+$/, ''))).size > 1) {
      const message = 'Endpoints of one kind must share one base path (such as /api), as the gateway forwards to each in turn.';
      throw invalid(message, { [field]: [message] });
    }
  }
}

export async function createApi(actor: Actor, input: CreateApiInput): Promise<{ id: string }> {
  requireRole(actor, 'publisher');
  await checkEndpointPolicy(actor, input);
  const definition = await definitionFor(actor, input);
  try {
    return await (await db()).transaction(async (tx) => {
      const [row] = await tx
        .insert(apis)
        .values({
          tenantId: actor.tenantId,
          name: input.name,
          version: input.version,
          context: input.context,
          // The API's description field holds 2000 characters; a long one of the definition stays in it.
          description: input.description || (definition.description ?? '').slice(0, 2000),
          tags: input.tags,
          visibility: input.visibility,
          subscriptionApproval: input.subscriptionApproval ?? false,
          productionEndpoints: input.productionEndpoints,
          sandboxEndpoints: input.sandboxEndpoints ?? [],
          // An upload's document moves inside the database: megabytes never pass through this process again.
          openapi: 'uploadId' in definition ? sql`(select ${definitionUploads.document} from ${definitionUploads} where ${ownUploadCondition(actor, definition.uploadId)})` : definition.document,
          security: { oauth2: input.securityOauth2, basic: input.securityBasic },
          tiers: input.tiers,
          cors: { enabled: input.corsEnabled, allowedOrigins: input.corsOrigins },
          createdBy: actor.userId,
        })
        .returning({ id: apis.id });
      if ('uploadId' in definition) await tx.delete(definitionUploads).where(ownUploadCondition(actor, definition.uploadId));
      await recordAudit(tx, actor, {
        action: 'api.create',
        objectType: 'api',
        objectId: row!.id,
        after: { name: input.name, version: input.version, context: input.context, visibility: input.visibility, tiers: input.tiers, productionEndpoints: input.productionEndpoints, definitionFrom: input.checkedDefinition ? 'request' : input.source },
      });
      return row!;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw uniqueApiConflict();
    throw error;
  }
}

/**
 * Saves the API; a deployed API's gateways are re-applied with the new configuration. The
 * operations come from the resource lines (the form), from a whole new definition (the REST
 * API), which is checked like an imported one, or from an upload the route checked already (the
 * definition editor), whose document moves inside the database as on create.
 */
export async function updateApi(actor: Actor, input: UpdateApiInput, options?: RevisionCheck): Promise<{ revision: number }> {
  const row = await apiRowForPublisher(actor, input.apiId);
  checkRevision(row, options);
  await checkEndpointPolicy(actor, input);
  const upload = input.definitionUpload ? await stagedDefinitionOrGone(actor, input.definitionUpload) : null;
  const replacesDefinition = input.definition !== undefined || upload !== null;
  let openapi: OpenApiDocument | SQL;
  if (upload) {
    openapi = sql`(select ${definitionUploads.document} from ${definitionUploads} where ${ownUploadCondition(actor, upload.id)})`;
  } else if (input.definition !== undefined) {
    openapi = typeof input.definition === 'string' ? await importApiDefinition(input.definition) : input.definition;
  } else {
    const { resources, errors } = parseResourceLines(input.resources);
    if (errors.length > 0) throw invalid('Please correct the resources.', { resources: errors });
    // Rewriting the paths needs the document itself, once per save.
    const [stored] = await (await db()).select({ openapi: apis.openapi }).from(apis).where(eq(apis.id, row.id));
    openapi = withResources(stored!.openapi as OpenApiDocument, resources);
  }
  const settings = {
    description: input.description,
    tags: input.tags,
    visibility: input.visibility,
    subscriptionApproval: input.subscriptionApproval ?? false,
    productionEndpoints: input.productionEndpoints,
    sandboxEndpoints: input.sandboxEndpoints ?? [],
    security: { oauth2: input.securityOauth2, basic: input.securityBasic },
    tiers: input.tiers,
    cors: { enabled: input.corsEnabled, allowedOrigins: input.corsOrigins },
  };
  const updated = await (await db()).transaction(async (tx) => {
    const saved = await tx
      .update(apis)
      .set({ ...settings, openapi, revision: nextRevision, updatedAt: new Date() })
      .where(atRevision(row.id, options))
      .returning({ revision: apis.revision });
    if (saved.length === 0) throw staleRevision('The API');
    if (upload) await tx.delete(definitionUploads).where(ownUploadCondition(actor, upload.id));
    const { description, tags, visibility, subscriptionApproval, productionEndpoints, sandboxEndpoints, security, tiers, cors } = row;
    await recordAudit(tx, actor, {
      action: replacesDefinition ? 'api.definition.update' : 'api.update',
      objectType: 'api',
      objectId: row.id,
      before: { description, tags, visibility, subscriptionApproval, productionEndpoints, sandboxEndpoints, security, tiers, cors },
      after: settings,
      note: `${row.name} ${row.version}: ${replacesDefinition ? 'definition replaced' : 'resources saved'} (revision ${saved[0]!.revision})`,
    });
    return saved;
  });
  if (isDeployedState(row.state)) await reconcileApiDeployments(row.id);
  return updated[0]!;
}

/**
 * Replaces only the definition (the publisher's editor): the settings stay as stored, and the
 * revision the editor was opened at must still be current, so a change saved meanwhile (another
 * tab, the REST API) is refused rather than overwritten.
 */
export async function replaceApiDefinition(actor: Actor, input: { apiId: string; definitionUpload: string }, options: Required<RevisionCheck>): Promise<{ revision: number }> {
  const api = await getApiForPublisher(actor, input.apiId);
  return updateApi(
    actor,
    { apiId: api.id, ...settingsInputOf(api), resources: '', definitionUpload: input.definitionUpload },
    options,
  );
}

/**
 * Deletes an API with its lifecycle history. Only once no gateway runs for it (Created, Blocked
 * or Retired, every deployment removed), and — unless it is retired — once nobody subscribes:
 * deleting would otherwise end developers' access without the publisher ever saying so.
 */
export async function deleteApi(actor: Actor, apiId: string, options?: RevisionCheck): Promise<void> {
  const row = await apiRowForPublisher(actor, apiId);
  checkRevision(row, options);
  const label = `${row.name} ${row.version}`;
  if (isDeployedState(row.state)) {
    throw conflict(`${label} is ${STATE_LABELS[row.state]}: its gateways are running. Demote it to Created, block or retire it first.`);
  }
  const database = await db();
  const remaining = await database.select({ clusterName: deployments.clusterName }).from(deployments).where(eq(deployments.apiId, row.id));
  if (remaining.length > 0) {
    throw conflict(`The gateways of ${label} are still being removed from ${remaining.map((r) => r.clusterName).sort().join(', ')}; try again once they are gone.`);
  }
  if (row.state !== 'RETIRED') {
    const [subscribed] = await database.select({ total: count() }).from(subscriptions).where(eq(subscriptions.apiId, row.id));
    if ((subscribed?.total ?? 0) > 0) {
      throw conflict(`${label} has ${subscribed!.total} subscription${subscribed!.total === 1 ? '' : 's'}: retire it before deleting it, so its developers are told first.`);
    }
  }
  await database.transaction(async (tx) => {
    const deleted = await tx.delete(apis).where(atRevision(row.id, options)).returning({ id: apis.id });
    if (deleted.length === 0) throw staleRevision('The API');
    await recordAudit(tx, actor, { action: 'api.delete', objectType: 'api', objectId: row.id, before: { name: row.name, version: row.version, context: row.context, state: row.state } });
  });
}

/** Copies an API to a new version in state Created, with the same clusters selected. */
export async function createNewVersion(actor: Actor, apiId: string, version: string): Promise<{ id: string }> {
  const row = await apiRowForPublisher(actor, apiId);
  const database = await db();
  try {
    return await database.transaction(async (tx) => {
      const { id: _id, createdAt: _c, updatedAt: _u, state: _s, version: _v, revision: _r, ...copy } = row;
      const [created] = await tx
        .insert(apis)
        // The definition is copied inside the database.
        .values({ ...copy, openapi: sql`(select ${apis.openapi} from ${apis} where ${apis.id} = ${apiId})`, version, createdBy: actor.userId })
        .returning({ id: apis.id });
      const selections = await tx.select().from(apiClusterSelections).where(eq(apiClusterSelections.apiId, apiId));
      if (selections.length > 0) await tx.insert(apiClusterSelections).values(selections.map((s) => ({ apiId: created!.id, clusterName: s.clusterName })));
      await recordAudit(tx, actor, { action: 'api.create', objectType: 'api', objectId: created!.id, after: { name: row.name, version, context: row.context, copiedFrom: `${row.name} ${row.version}` } });
      // The guide carries over too: a new version usually changes a little of it, not all.
      await tx.execute(
        sql`insert into ${apiDocumentation} (api_id, markdown, updated_by) select ${created!.id}::uuid, ${apiDocumentation.markdown}, ${actor.userId}::uuid from ${apiDocumentation} where ${apiDocumentation.apiId} = ${apiId}`,
      );
      return created!;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw uniqueApiConflict();
    throw error;
  }
}

/** The Environments tab: which of the tenant's clusters get a gateway for this API. */
export async function setClusterSelection(actor: Actor, apiId: string, clusterNames: string[], options?: RevisionCheck): Promise<{ revision: number }> {
  const row = await apiRowForPublisher(actor, apiId);
  checkRevision(row, options);
  const known = new Set((await resolveTenantClusters(actor)).map((c) => c.definition.clusterName));
  const unknown = clusterNames.filter((name) => !known.has(name));
  if (unknown.length > 0) throw invalid(`Unknown cluster: ${unknown.join(', ')}.`, { clusters: [`Unknown cluster: ${unknown.join(', ')}.`] });
  const revision = await (await db()).transaction(async (tx) => {
    const [bumped] = await tx.update(apis).set({ revision: nextRevision, updatedAt: new Date() }).where(atRevision(apiId, options)).returning({ revision: apis.revision });
    if (!bumped) throw staleRevision('The API');
    const previous = await tx.select({ clusterName: apiClusterSelections.clusterName }).from(apiClusterSelections).where(eq(apiClusterSelections.apiId, apiId));
    await recordAudit(tx, actor, {
      action: 'api.environments.update',
      objectType: 'api',
      objectId: apiId,
      before: { clusters: previous.map((s) => s.clusterName).sort() },
      after: { clusters: [...new Set(clusterNames)].sort() },
    });
    await tx.delete(apiClusterSelections).where(eq(apiClusterSelections.apiId, apiId));
    if (clusterNames.length > 0) await tx.insert(apiClusterSelections).values([...new Set(clusterNames)].map((clusterName) => ({ apiId, clusterName })));
    return bumped.revision;
  });
  if (isDeployedState(row.state)) await reconcileApiDeployments(row.id, { changedClustersOnly: true });
  return { revision };
}

export interface LifecycleEventView {
  fromState: ApiState;
  toState: ApiState;
  actorName: string;
  at: Date;
}

/**
 * Moves an API along its lifecycle. The change is recorded first; deployments to each
 * cluster then run on their own, so one failing cluster never undoes it or blocks others.
 */
export async function changeLifecycleState(actor: Actor, apiId: string, to: ApiState, options?: RevisionCheck): Promise<{ revision: number }> {
  const row = await apiRowForPublisher(actor, apiId);
  checkRevision(row, options);
  if (!canTransition(row.state, to)) {
    throw invalid(`An API in state ${STATE_LABELS[row.state]} cannot move to ${STATE_LABELS[to]}.`);
  }
  const database = await db();
  const revision = await database.transaction(async (tx) => {
    // The state in the WHERE clause makes two simultaneous clicks apply once.
    const [updated] = await tx
      .update(apis)
      .set({ state: to, revision: nextRevision, updatedAt: new Date() })
      .where(and(atRevision(apiId, options), eq(apis.state, row.state)))
      .returning({ revision: apis.revision });
    if (!updated) {
      if (options?.expectedRevision !== undefined) throw staleRevision('The API');
      throw conflict('The API changed state meanwhile; reload and try again.');
    }
    await tx.insert(lifecycleEvents).values({ apiId, fromState: row.state, toState: to, actorId: actor.userId, actorName: actorLabel(actor) });
    await recordAudit(tx, actor, { action: 'api.lifecycle.change', objectType: 'api', objectId: apiId, before: { state: row.state }, after: { state: to } });
    return updated.revision;
  });
  await reconcileApiDeployments(apiId);
  return { revision };
}

export async function lifecycleHistory(actor: Actor, apiId: string): Promise<LifecycleEventView[]> {
  await apiRowForPublisher(actor, apiId);
  return (await db())
    .select({ fromState: lifecycleEvents.fromState, toState: lifecycleEvents.toState, actorName: lifecycleEvents.actorName, at: lifecycleEvents.at })
    .from(lifecycleEvents)
    .where(eq(lifecycleEvents.apiId, apiId))
    .orderBy(desc(lifecycleEvents.at));
}
