import { Document } from 'yaml';
import type { Actor } from '../actor';
import { AppError, forbidden, invalid, staleRevision } from '../errors';
import type { ApiState } from '../db/schema';
import { isDeployedState, STATE_LABELS, transitionsFrom } from '../lifecycle/lifecycle';
import { API_FILE_API_VERSION, API_FILE_KIND, type ApiFile } from './api-file.schema';
import { settingsInputOf, definitionText, type ApiSpec } from './apis.schema';
import {
  changeLifecycleState,
  createApi,
  findApiByNameAndVersion,
  getApiForPublisher,
  getApiWithDefinitionForPublisher,
  setClusterSelection,
  updateApi,
  type ApiDetails,
  type ApiWithDefinition,
  type RevisionCheck,
} from './apis.service';
import { formatResourceLines, importApiDefinition, parseResourceLines, resourcesOf, type CheckedOpenApiDocument, type OpenApiDocument, type Resource } from './openapi';

/**
 * Declarative APIs: make an API match a desired state (an API file's spec, the REST API's PUT by
 * name and version), and write an existing API out as such a file. Every change goes through
 * the same domain functions as the publisher's pages, in an order that never deploys what is
 * about to be removed; the result lists what changed, so a second apply says "no change".
 */

export interface ApiChange {
  /** What changed, as a path into the spec ("description", "cors.allowedOrigins", "state"). */
  field: string;
  /** One line for people: "tiers: [Gold] → [Gold, Bronze]". */
  summary: string;
}

export interface ApplyResult {
  outcome: 'created' | 'updated' | 'unchanged';
  dryRun: boolean;
  changes: ApiChange[];
  /** The API after the apply; null for a dry run that would create it. */
  api: ApiWithDefinition | null;
}

export interface ApplyOptions extends RevisionCheck {
  /** Work out the changes, validate the definition, change nothing. */
  dryRun?: boolean;
  /** If-None-Match: * — refuse when the API exists. */
  createOnly?: boolean;
  /** When set, a needed lifecycle change is refused with this sentence (the caller may not publish). */
  stateChangeRefusal?: string;
}

/** Steps applied before a later one failed: the caller reports them, so nothing done is hidden. */
export class PartiallyApplied extends AppError {
  constructor(
    cause: AppError,
    readonly applied: ApiChange[],
  ) {
    super(cause.kind, cause.message, cause.fieldErrors, { cause });
  }
}

/** JSON with object keys sorted: PostgreSQL's jsonb reorders keys, so documents are compared this way. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, node: unknown) =>
    node && typeof node === 'object' && !Array.isArray(node) ? Object.fromEntries(Object.entries(node).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : node,
  );
}

/** The shortest way through allowed transitions, e.g. Blocked → Published → Created; null when there is none. */
export function lifecyclePath(from: ApiState, to: ApiState): ApiState[] | null {
  if (from === to) return [];
  const previous = new Map<ApiState, ApiState>([[from, from]]);
  const queue: ApiState[] = [from];
  while (queue.length > 0) {
    const state = queue.shift()!;
    for (const { to: next } of transitionsFrom(state)) {
      if (previous.has(next)) continue;
      previous.set(next, state);
      if (next === to) {
        const path: ApiState[] = [];
        for (let at: ApiState = to; at !== from; at = previous.get(at)!) path.unshift(at);
        return path;
      }
      queue.push(next);
    }
  }
  return null;
}

const show = (value: unknown): string => (Array.isArray(value) ? `[${value.join(', ')}]` : JSON.stringify(value));

function resourceKeys(resources: Resource[]): string[] {
  return resources.map((r) => `${r.method} ${r.path}`).sort();
}

function operationsChange(before: Resource[], after: Resource[]): string {
  const was = new Set(resourceKeys(before));
  const now = new Set(resourceKeys(after));
  const added = [...now].filter((k) => !was.has(k)).map((k) => `+${k}`);
  const removed = [...was].filter((k) => !now.has(k)).map((k) => `-${k}`);
  const delta = [...added, ...removed];
  return delta.length > 0 ? `operations ${delta.join(', ')}` : 'same operations, other details';
}

/** Where the operations come from, resolved and checked (the definition in the bounded worker). */
interface DesiredOperations {
  kind: 'definition' | 'resources' | 'keep';
  document?: CheckedOpenApiDocument;
  resources?: Resource[];
}

async function desiredOperations(spec: ApiSpec): Promise<DesiredOperations> {
  if (spec.definition !== undefined) {
    return { kind: 'definition', document: await importApiDefinition(definitionText(spec.definition)) };
  }
  if (spec.resources !== undefined) {
    const { resources, errors } = parseResourceLines(spec.resources.join('\n'));
    if (errors.length > 0) throw invalid('Please correct the resources.', { resources: errors });
    return { kind: 'resources', resources };
  }
  return { kind: 'keep' };
}

/** As on create: an empty description takes the definition's own. */
function effectiveDescription(spec: ApiSpec, document: OpenApiDocument | undefined): string {
  return spec.description || document?.info?.description || '';
}

function settingsChanges(current: ApiDetails, spec: ApiSpec, description: string): ApiChange[] {
  const pairs: [string, unknown, unknown][] = [
    ['description', current.description, description],
    ['tags', current.tags, spec.tags],
    ['visibility', current.visibility, spec.visibility],
    ['subscriptionApproval', current.subscriptionApproval, spec.subscriptionApproval],
    ['productionEndpoints', current.productionEndpoints, spec.productionEndpoints],
    ['sandboxEndpoints', current.sandboxEndpoints, spec.sandboxEndpoints],
    ['tiers', current.tiers, spec.tiers],
    ['security.oauth2', current.security.oauth2, spec.security.oauth2],
    ['security.basic', current.security.basic, spec.security.basic],
    ['cors.enabled', current.cors.enabled, spec.cors.enabled],
    ['cors.allowedOrigins', current.cors.allowedOrigins, spec.cors.allowedOrigins],
  ];
  return pairs
    .filter(([, before, after]) => canonicalJson(before) !== canonicalJson(after))
    .map(([field, before, after]) => ({ field, summary: `${field}: ${show(before)} → ${show(after)}` }));
}

function clustersChange(current: string[], wanted: string[] | undefined): ApiChange | null {
  if (wanted === undefined) return null;
  const was = new Set(current);
  const now = new Set(wanted);
  const added = [...now].filter((c) => !was.has(c)).sort();
  const removed = [...was].filter((c) => !now.has(c)).sort();
  if (added.length + removed.length === 0) return null;
  return { field: 'clusters', summary: `clusters: ${[...added.map((c) => `+${c}`), ...removed.map((c) => `-${c}`)].join(', ')}` };
}

/** The transitions to the wanted state, one change each (Blocked → Published, Published → Created). */
function stateChanges(from: ApiState, to: ApiState | undefined): { to: ApiState; change: ApiChange }[] {
  if (to === undefined || to === from) return [];
  const path = lifecyclePath(from, to);
  if (!path) {
    const message = `No lifecycle transition leads from ${STATE_LABELS[from]} to ${STATE_LABELS[to]}.`;
    throw invalid(message, { state: [message] });
  }
  return path.map((state, index) => ({ to: state, change: { field: 'state', summary: `state: ${index === 0 ? from : path[index - 1]} → ${state}` } }));
}

/**
 * Makes the API `name` `version` of the actor's tenant match `spec`, creating it when missing.
 * Idempotent: applying the same spec again changes nothing and reports no change.
 */
export async function applyApiSpec(actor: Actor, name: string, version: string, spec: ApiSpec, options: ApplyOptions = {}): Promise<ApplyResult> {
  const current = await findApiByNameAndVersion(actor, name, version);
  const operations = await desiredOperations(spec);
  if (!current) return applyCreate(actor, name, version, spec, operations, options);

  if (options.createOnly) throw new AppError('precondition_failed', `${name} ${version} exists already (If-None-Match: *).`);
  if (options.expectedRevision !== undefined && options.expectedRevision !== current.revision) throw staleRevision(`${name} ${version}`);
  if (spec.context !== current.context) {
    const message = `The context of an API version cannot change (it is ${current.context}); make a new version for ${spec.context}.`;
    throw invalid(message, { context: [message] });
  }
  const document = operations.kind === 'definition' ? operations.document : (current.openapi as OpenApiDocument);
  const description = effectiveDescription(spec, document);
  const changes = settingsChanges(current, spec, description);
  if (operations.kind === 'definition' && canonicalJson(operations.document) !== canonicalJson(current.openapi)) {
    changes.push({ field: 'definition', summary: `definition: ${operationsChange(current.resources, resourcesOf(operations.document!))}` });
  }
  if (operations.kind === 'resources' && canonicalJson(resourceKeys(operations.resources!)) !== canonicalJson(resourceKeys(current.resources))) {
    changes.push({ field: 'resources', summary: `resources: ${operationsChange(current.resources, operations.resources!)}` });
  }
  const settingsChanged = changes.length > 0;
  const clusters = clustersChange(current.selectedClusters, spec.clusters);
  const transitions = stateChanges(current.state, spec.state);
  if (transitions.length > 0 && options.stateChangeRefusal) throw forbidden(options.stateChangeRefusal);
  const allChanges = [...changes, ...(clusters ? [clusters] : []), ...transitions.map((t) => t.change)];
  if (options.dryRun || allChanges.length === 0) {
    return { outcome: allChanges.length === 0 ? 'unchanged' : 'updated', dryRun: !!options.dryRun, changes: allChanges, api: current };
  }

  const applied: ApiChange[] = [];
  let revision = current.revision;
  const step = async (change: ApiChange[] | ApiChange, run: () => Promise<{ revision: number }>) => {
    try {
      revision = (await run()).revision;
    } catch (error) {
      if (error instanceof AppError) throw new PartiallyApplied(error, applied);
      throw error;
    }
    applied.push(...(Array.isArray(change) ? change : [change]));
  };

  if (settingsChanged) {
    await step(changes, () =>
      updateApi(
        actor,
        {
          apiId: current.id,
          ...settingsInputOf(spec),
          description,
          resources: formatResourceLines(operations.kind === 'resources' ? operations.resources! : current.resources),
          ...(operations.kind === 'definition' ? { definition: operations.document } : {}),
        },
        { expectedRevision: revision },
      ),
    );
  }
  // Into a deployed state: clusters first, so the publish deploys straight to them. Out of one:
  // the state first, so no gateway is started on a cluster only to be removed again.
  const applyClusters = async () => {
    if (clusters) await step(clusters, () => setClusterSelection(actor, current.id, spec.clusters!, { expectedRevision: revision }));
  };
  const applyState = async () => {
    for (const { to, change } of transitions) await step(change, () => changeLifecycleState(actor, current.id, to, { expectedRevision: revision }));
  };
  if (spec.state === undefined || isDeployedState(spec.state)) {
    await applyClusters();
    await applyState();
  } else {
    await applyState();
    await applyClusters();
  }
  return { outcome: 'updated', dryRun: false, changes: applied, api: await getApiWithDefinitionForPublisher(actor, current.id) };
}

async function applyCreate(actor: Actor, name: string, version: string, spec: ApiSpec, operations: DesiredOperations, options: ApplyOptions): Promise<ApplyResult> {
  if (options.expectedRevision !== undefined) throw new AppError('precondition_failed', `${name} ${version} does not exist, so it cannot match If-Match.`);
  const operationCount = operations.document ? resourcesOf(operations.document).length : (operations.resources?.length ?? 1);
  const created: ApiChange = { field: 'api', summary: `created ${name} ${version} at ${spec.context} with ${operationCount} operation${operationCount === 1 ? '' : 's'}` };
  const clusters = clustersChange([], spec.clusters);
  const transitions = stateChanges('CREATED', spec.state);
  if (transitions.length > 0 && options.stateChangeRefusal) throw forbidden(options.stateChangeRefusal);
  const changes = [created, ...(clusters ? [clusters] : []), ...transitions.map((t) => t.change)];
  if (options.dryRun) return { outcome: 'created', dryRun: true, changes, api: null };

  const { id } = await createApi(actor, {
    source: operations.kind === 'definition' ? 'paste' : 'scratch',
    name,
    version,
    context: spec.context,
    ...settingsInputOf(spec),
    resources: operations.kind === 'resources' ? formatResourceLines(operations.resources!) : '',
    definitionUpload: '',
    definitionUrl: '',
    checkedDefinition: operations.document,
  });
  const applied: ApiChange[] = [created];
  try {
    if (clusters) {
      await setClusterSelection(actor, id, spec.clusters!);
      applied.push(clusters);
    }
    for (const { to, change } of transitions) {
      await changeLifecycleState(actor, id, to);
      applied.push(change);
    }
  } catch (error) {
    if (error instanceof AppError) throw new PartiallyApplied(error, applied);
    throw error;
  }
  return { outcome: 'created', dryRun: false, changes: applied, api: await getApiWithDefinitionForPublisher(actor, id) };
}

/** The conventional order of an OpenAPI document's top-level keys (jsonb keeps its own order). */
const DOCUMENT_KEY_ORDER = ['openapi', 'swagger', 'info', 'servers', 'host', 'basePath', 'schemes', 'tags', 'security', 'paths', 'components'];

function readableDocument(document: Record<string, unknown>): Record<string, unknown> {
  const rank = (key: string) => {
    const index = DOCUMENT_KEY_ORDER.indexOf(key);
    return index === -1 ? DOCUMENT_KEY_ORDER.length : index;
  };
  return Object.fromEntries(Object.entries(document).sort(([a], [b]) => rank(a) - rank(b)));
}

/** An existing API as an API file that `apply` turns back into the same API. */
export function apiFileOf(api: ApiWithDefinition): ApiFile {
  return {
    apiVersion: API_FILE_API_VERSION,
    kind: API_FILE_KIND,
    metadata: { name: api.name, version: api.version },
    spec: {
      context: api.context,
      description: api.description,
      tags: api.tags,
      visibility: api.visibility,
      subscriptionApproval: api.subscriptionApproval,
      productionEndpoints: api.productionEndpoints,
      sandboxEndpoints: api.sandboxEndpoints,
      tiers: api.tiers,
      security: { oauth2: api.security.oauth2, basic: api.security.basic },
      cors: { enabled: api.cors.enabled, allowedOrigins: api.cors.allowedOrigins },
      clusters: api.selectedClusters,
      state: api.state,
      definition: readableDocument(api.openapi),
    },
  };
}

export async function exportApiFile(actor: Actor, apiId: string): Promise<ApiFile> {
  return apiFileOf(await getApiWithDefinitionForPublisher(actor, apiId));
}

/** The file as YAML, with a header saying what it is and where its schema is. */
export function apiFileYaml(file: ApiFile, options: { schemaUrl?: string } = {}): string {
  const document = new Document(file);
  document.commentBefore = [
    ` PrivateJet API file: \`privatejet apply -f <this file>\` makes ${file.metadata.name} ${file.metadata.version} match it.`,
    ...(options.schemaUrl ? [` yaml-language-server: $schema=${options.schemaUrl}`] : []),
  ].join('\n');
  return document.toString({ lineWidth: 0 });
}
