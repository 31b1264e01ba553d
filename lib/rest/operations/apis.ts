import { z } from 'zod';
import { stringify as yamlStringify } from 'yaml';
import { documentationMarkdownSchema, MAX_DOCUMENTATION_CHARACTERS } from '../../apis/api-documentation.schema';
import { apiDocumentationForPublisher, saveApiDocumentation } from '../../apis/api-documentation.service';
import { apiFileOf, apiFileYaml, applyApiSpec } from '../../apis/api-file.service';
import { apiCreateBodySchema, apiSpecSchema, apiUpdateBodySchema, clusterNameListSchema, definitionText, jsonPointerOfApiField, settingsInputOf } from '../../apis/apis.schema';
import {
  changeLifecycleState,
  createApi,
  deleteApi,
  findApiByNameAndVersion,
  apiResourcesForPublisher,
  getApiForPublisher,
  getApiWithDefinitionForPublisher,
  getApiWithResourcesForPublisher,
  lifecycleHistory,
  pageOfApisForPublisher,
  setClusterSelection,
  updateApi,
} from '../../apis/apis.service';
import { formatResourceLines, importApiDefinition } from '../../apis/openapi';
import { listClusterChoices } from '../../containers/cluster-use.service';
import { apiStateValues } from '../../db/schema';
import { retryDeployment, waitForDeployments } from '../../deployments/deployments.service';
import { notFound } from '../../errors';
import { transitionsFrom } from '../../lifecycle/lifecycle';
import { publicBaseUrl } from '../../env';
import { API_PREFIX, defineOperation, etagOf } from '../operation';
import {
  apiListItem,
  apiResource,
  apiResourceOf,
  applyResult,
  asJson,
  clusterChoice,
  clusterSelection,
  deploymentsView,
  envelope,
  lifecycleView,
  pageLinks,
  pageOf,
  pageOfList,
  pageQuery,
} from '../resources';

/** Definitions may be 2 MiB; as a JSON string (escaped YAML) they can grow past it. */
export const API_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

const tag = 'APIs';
const apiIdParams = z.object({ apiId: z.string().meta({ description: 'The API id (a UUID).' }) });
const byNameParams = z.object({ name: z.string().max(200), version: z.string().max(200) });
const etag = { ETag: 'The revision of the API: send it back as If-Match.' };
const fieldPointers = jsonPointerOfApiField;

const apiResponse = (api: Parameters<typeof apiResourceOf>[0], status = 200, headers: Record<string, string> = {}) => ({
  status,
  body: apiResourceOf(api),
  headers: { ETag: etagOf(api.revision), ...headers },
});

export const listApisOperation = defineOperation({
  operationId: 'listApis',
  method: 'get',
  path: '/apis',
  tag,
  summary: "List the tenant's APIs",
  scope: 'apis:read',
  query: pageQuery.extend({
    q: z.string().trim().max(100).optional().meta({ description: 'Text in the name, description, context or tags.' }),
    state: z.enum(apiStateValues).optional(),
  }),
  responses: { 200: { description: 'A page of APIs, by name then newest version.', schema: pageOf(apiListItem, 'ApiPage'), headers: { Link: 'Next and previous pages (RFC 8288).' } } },
  async handle({ actor, query, request }) {
    const { items, total } = await pageOfApisForPublisher(actor, { q: query.q || undefined, state: query.state }, { offset: (query.page - 1) * query.pageSize, limit: query.pageSize });
    const page = envelope(asJson(items) as unknown[], total, query);
    return { body: page, headers: pageLinks(request, page) };
  },
});

export const createApiOperation = defineOperation({
  operationId: 'createApi',
  method: 'post',
  path: '/apis',
  tag,
  summary: 'Create an API: import a definition (inline or from a URL), or list its resources',
  description: 'Give the operations one way: `definition` (an OpenAPI 3.x or Swagger 2.0 document, as an object or as JSON/YAML text), `definitionUrl`, or `resources`; none means one `GET /`.',
  scope: 'apis:write',
  body: apiCreateBodySchema,
  bodyLimitBytes: API_BODY_LIMIT_BYTES,
  fieldPointers,
  errors: [409, 413, 415],
  responses: { 201: { description: 'Created, in state CREATED.', schema: apiResource, headers: { ...etag, Location: 'The new API.' } } },
  async handle({ actor, body }) {
    const source = body.definition !== undefined ? 'paste' : body.definitionUrl !== undefined ? 'url' : 'scratch';
    const { id } = await createApi(actor, {
      source,
      name: body.name,
      version: body.version,
      context: body.context,
      ...settingsInputOf(body),
      // Checked here like an API file's: the pages' upload route is for browsers.
      ...(body.definition !== undefined ? { checkedDefinition: await importApiDefinition(definitionText(body.definition)) } : {}),
      definitionUpload: '',
      definitionUrl: body.definitionUrl ?? '',
      resources: body.resources ? body.resources.join('\n') : '',
    });
    return apiResponse(await getApiWithResourcesForPublisher(actor, id), 201, { Location: `${API_PREFIX}/apis/${id}` });
  },
});

export const getApiOperation = defineOperation({
  operationId: 'getApi',
  method: 'get',
  path: '/apis/{apiId}',
  tag,
  summary: 'Get an API',
  scope: 'apis:read',
  params: apiIdParams,
  responses: { 200: { description: 'The API.', schema: apiResource, headers: etag } },
  async handle({ actor, params }) {
    return apiResponse(await getApiWithResourcesForPublisher(actor, params.apiId));
  },
});

export const updateApiOperation = defineOperation({
  operationId: 'updateApi',
  method: 'put',
  path: '/apis/{apiId}',
  tag,
  summary: "Replace an API's settings, and optionally its definition or resources",
  description:
    'If-Match is required: the ETag of the API as you read it. Settings left out take their defaults (PUT replaces); the operations stay unless `definition` or `resources` is given. A deployed API is re-applied to its gateways.',
  scope: 'apis:write',
  params: apiIdParams,
  body: apiUpdateBodySchema,
  bodyLimitBytes: API_BODY_LIMIT_BYTES,
  fieldPointers,
  errors: [409, 412, 413, 415, 428],
  responses: { 200: { description: 'The API as saved.', schema: apiResource, headers: etag } },
  async handle({ actor, params, body, requireIfMatch }) {
    const expectedRevision = requireIfMatch('the API');
    const current = await getApiForPublisher(actor, params.apiId);
    await updateApi(
      actor,
      {
        apiId: current.id,
        ...settingsInputOf(body),
        resources: body.resources ? body.resources.join('\n') : formatResourceLines(await apiResourcesForPublisher(actor, current.id)),
        ...(body.definition !== undefined ? { definition: definitionText(body.definition) } : {}),
      },
      { expectedRevision },
    );
    return apiResponse(await getApiWithResourcesForPublisher(actor, current.id));
  },
});

export const deleteApiOperation = defineOperation({
  operationId: 'deleteApi',
  method: 'delete',
  path: '/apis/{apiId}',
  tag,
  summary: 'Delete an API',
  description: 'Only while no gateway runs for it (Created, Blocked or Retired, deployments removed), and, unless it is retired, once nobody subscribes. If-Match is honoured when sent.',
  scope: 'apis:write',
  params: apiIdParams,
  errors: [409, 412],
  responses: { 204: { description: 'Deleted.' } },
  async handle({ actor, params, ifMatch }) {
    await deleteApi(actor, params.apiId, { expectedRevision: ifMatch() });
    return { status: 204 };
  },
});

export const getDefinitionOperation = defineOperation({
  operationId: 'getApiDefinition',
  method: 'get',
  path: '/apis/{apiId}/definition',
  tag,
  summary: "Get an API's OpenAPI definition",
  scope: 'apis:read',
  params: apiIdParams,
  query: z.object({ format: z.enum(['json', 'yaml']).default('json') }),
  responses: {
    200: { description: 'The definition as stored (Swagger 2.0 was converted to OpenAPI 3 on import).', schema: z.record(z.string(), z.unknown()).meta({ id: 'OpenApiDocument' }) },
  },
  async handle({ actor, params, query }) {
    const api = await getApiWithDefinitionForPublisher(actor, params.apiId);
    const document = apiFileOf(api).spec.definition as Record<string, unknown>;
    if (query.format === 'yaml') return { text: yamlStringify(document, { lineWidth: 0 }), contentType: 'application/yaml; charset=utf-8', headers: { ETag: etagOf(api.revision) } };
    return { body: document, headers: { ETag: etagOf(api.revision) } };
  },
});

export const exportApiOperation = defineOperation({
  operationId: 'exportApi',
  method: 'get',
  path: '/apis/{apiId}/export',
  tag,
  summary: 'Export an API as an API file',
  description: '`privatejet apply -f` (or PUT /apis/by-name/{name}/{version} with its spec) turns the file back into the same API.',
  scope: 'apis:read',
  params: apiIdParams,
  query: z.object({ format: z.enum(['yaml', 'json']).default('yaml') }),
  responses: { 200: { description: 'The API file (YAML by default).', contentType: 'application/yaml', schema: z.string() } },
  async handle({ actor, params, query }) {
    const api = await getApiWithDefinitionForPublisher(actor, params.apiId);
    const file = apiFileOf(api);
    const headers = { ETag: etagOf(api.revision), 'Content-Disposition': `attachment; filename="${api.name.replace(/[^A-Za-z0-9._-]/g, '-')}-${api.version}.api.yaml"` };
    if (query.format === 'json') return { body: file, headers };
    return { text: apiFileYaml(file, { schemaUrl: `${publicBaseUrl()}${API_PREFIX}/schemas/api-file.json` }), contentType: 'application/yaml; charset=utf-8', headers };
  },
});

export const getApiByNameOperation = defineOperation({
  operationId: 'getApiByName',
  method: 'get',
  path: '/apis/by-name/{name}/{version}',
  tag,
  summary: 'Get an API by name and version',
  scope: 'apis:read',
  params: byNameParams,
  responses: { 200: { description: 'The API.', schema: apiResource, headers: etag } },
  async handle({ actor, params }) {
    const api = await findApiByNameAndVersion(actor, params.name, params.version);
    if (!api) throw notFound(`The API ${params.name} ${params.version}`);
    return apiResponse(api);
  },
});

const applyDescription =
  'Idempotent: the same body twice changes nothing the second time (outcome `unchanged`). Settings left out take their defaults; `clusters` and `state` left out stay as they are. ' +
  'A needed lifecycle change also takes the apis:publish scope. If-Match (the ETag) refuses the apply when the API changed since it was read; If-None-Match: * creates only. ' +
  'A failure after some changes were made reports them in the problem\'s `appliedChanges`.';

export const applyApiOperation = defineOperation({
  operationId: 'applyApi',
  method: 'put',
  path: '/apis/by-name/{name}/{version}',
  tag,
  summary: 'Create or update an API to match a desired state (an API file’s spec)',
  description: applyDescription,
  scope: 'apis:write',
  params: byNameParams,
  body: apiSpecSchema,
  bodyLimitBytes: API_BODY_LIMIT_BYTES,
  fieldPointers,
  errors: [409, 412, 413, 415],
  responses: {
    200: { description: 'Updated, or unchanged.', schema: applyResult, headers: etag },
    201: { description: 'Created.', schema: applyResult, headers: { ...etag, Location: 'The new API.' } },
  },
  async handle({ actor, params, body, ifMatch, ifNoneMatchAny, hasScope }) {
    const result = await applyApiSpec(actor, params.name, params.version, body, {
      expectedRevision: ifMatch(),
      createOnly: ifNoneMatchAny(),
      stateChangeRefusal: hasScope('apis:publish') ? undefined : 'This changes the lifecycle state, which needs a token with the apis:publish scope.',
    });
    const headers: Record<string, string> = result.api ? { ETag: etagOf(result.api.revision) } : {};
    if (result.outcome === 'created') headers.Location = `${API_PREFIX}/apis/${result.api!.id}`;
    return { status: result.outcome === 'created' ? 201 : 200, body: { ...result, api: result.api && apiResourceOf(result.api) }, headers };
  },
});

export const diffApiOperation = defineOperation({
  operationId: 'diffApi',
  method: 'post',
  path: '/apis/by-name/{name}/{version}/diff',
  tag,
  summary: 'What applying a desired state would change, changing nothing',
  description: 'Takes the same body as the apply (PUT /apis/by-name/{name}/{version}), checks it (the definition too) and lists the changes.',
  scope: 'apis:read',
  params: byNameParams,
  body: apiSpecSchema,
  bodyLimitBytes: API_BODY_LIMIT_BYTES,
  fieldPointers,
  errors: [409, 413, 415],
  responses: { 200: { description: 'The changes an apply would make (dryRun is true).', schema: applyResult } },
  async handle({ actor, params, body }) {
    const result = await applyApiSpec(actor, params.name, params.version, body, { dryRun: true });
    return { body: { ...result, api: result.api && apiResourceOf(result.api) } };
  },
});

export const listClusterChoicesOperation = defineOperation({
  operationId: 'listClusterChoices',
  method: 'get',
  path: '/clusters',
  tag,
  summary: 'The clusters an API can be deployed to',
  description: 'Names and types only; administrators see the configuration under /admin/clusters.',
  scope: 'apis:read',
  query: pageQuery,
  responses: { 200: { description: 'A page of clusters.', schema: pageOf(clusterChoice, 'ClusterChoicePage') } },
  async handle({ actor, query, request }) {
    const page = pageOfList(await listClusterChoices(actor), query);
    return { body: page, headers: pageLinks(request, page) };
  },
});

export const getClusterSelectionOperation = defineOperation({
  operationId: 'getApiClusters',
  method: 'get',
  path: '/apis/{apiId}/clusters',
  tag,
  summary: 'The clusters selected for an API (its Environments tab)',
  scope: 'apis:read',
  params: apiIdParams,
  responses: { 200: { description: 'The selection.', schema: clusterSelection, headers: etag } },
  async handle({ actor, params }) {
    const api = await getApiForPublisher(actor, params.apiId);
    return { body: { clusters: api.selectedClusters, revision: api.revision }, headers: { ETag: etagOf(api.revision) } };
  },
});

export const setClusterSelectionOperation = defineOperation({
  operationId: 'setApiClusters',
  method: 'put',
  path: '/apis/{apiId}/clusters',
  tag,
  summary: 'Select the clusters of an API',
  description: 'A deployed API is deployed to added clusters and removed from the others. If-Match is honoured when sent.',
  scope: 'apis:write',
  params: apiIdParams,
  body: z.strictObject({ clusters: clusterNameListSchema }).meta({ id: 'ClusterSelectionUpdate' }),
  errors: [412, 415],
  responses: { 200: { description: 'The selection as saved.', schema: clusterSelection, headers: etag } },
  async handle({ actor, params, body, ifMatch }) {
    const { revision } = await setClusterSelection(actor, params.apiId, body.clusters, { expectedRevision: ifMatch() });
    const api = await getApiForPublisher(actor, params.apiId);
    return { body: { clusters: api.selectedClusters, revision }, headers: { ETag: etagOf(revision) } };
  },
});

async function lifecycleOf(actor: Parameters<typeof getApiForPublisher>[0], apiId: string) {
  const api = await getApiForPublisher(actor, apiId);
  const history = await lifecycleHistory(actor, apiId);
  return {
    body: { state: api.state, revision: api.revision, transitions: transitionsFrom(api.state), history: asJson(history) },
    headers: { ETag: etagOf(api.revision) },
  };
}

export const getLifecycleOperation = defineOperation({
  operationId: 'getApiLifecycle',
  method: 'get',
  path: '/apis/{apiId}/lifecycle',
  tag,
  summary: "An API's lifecycle state, the transitions it allows, and its history",
  scope: 'apis:read',
  params: apiIdParams,
  responses: { 200: { description: 'The lifecycle.', schema: lifecycleView, headers: etag } },
  handle: ({ actor, params }) => lifecycleOf(actor, params.apiId),
});

export const changeLifecycleOperation = defineOperation({
  operationId: 'changeApiLifecycle',
  method: 'post',
  path: '/apis/{apiId}/lifecycle',
  tag,
  summary: 'Move an API to another lifecycle state (publish, block, deprecate, retire, demote)',
  description: 'One allowed transition (see GET). Deployments then run on their own: follow them with GET /apis/{apiId}/deployments?wait=…. If-Match is honoured when sent.',
  scope: 'apis:publish',
  params: apiIdParams,
  body: z.strictObject({ to: z.enum(apiStateValues) }).meta({ id: 'LifecycleChange' }),
  errors: [409, 412, 415],
  responses: { 200: { description: 'The lifecycle after the change.', schema: lifecycleView, headers: etag } },
  async handle({ actor, params, body, ifMatch }) {
    await changeLifecycleState(actor, params.apiId, body.to, { expectedRevision: ifMatch() });
    return lifecycleOf(actor, params.apiId);
  },
});

async function deploymentsBody(actor: Parameters<typeof getApiForPublisher>[0], apiId: string, waitSeconds: number) {
  const { state, outcome, views } = await waitForDeployments(actor, apiId, waitSeconds * 1000);
  return { apiId, state, outcome, settled: outcome !== 'progressing', clusters: views };
}

export const getDeploymentsOperation = defineOperation({
  operationId: 'getApiDeployments',
  method: 'get',
  path: '/apis/{apiId}/deployments',
  tag,
  summary: "An API's deployment in each cluster, read back from the clusters",
  description: 'With `wait`, the answer comes once the outcome settles (every selected cluster ready, or one failed) or after that many seconds, whichever is first: ask again until `settled`.',
  scope: 'apis:read',
  params: apiIdParams,
  query: z.object({ wait: z.coerce.number().int().min(0).max(60).default(0).meta({ description: 'Seconds to wait for the outcome to settle (0 to 60).' }) }),
  responses: { 200: { description: 'Per-cluster status and the overall outcome.', schema: deploymentsView } },
  async handle({ actor, params, query }) {
    return { body: await deploymentsBody(actor, params.apiId, query.wait) };
  },
});

export const retryDeploymentOperation = defineOperation({
  operationId: 'retryApiDeployment',
  method: 'post',
  path: '/apis/{apiId}/deployments/{clusterName}/retry',
  tag,
  summary: "Run a cluster's deployment job again",
  scope: 'apis:publish',
  params: z.object({ apiId: z.string(), clusterName: z.string().max(253) }),
  responses: { 202: { description: 'Started; the deployments as they stand.', schema: deploymentsView } },
  async handle({ actor, params }) {
    await retryDeployment(actor, params.apiId, params.clusterName);
    return { status: 202, body: await deploymentsBody(actor, params.apiId, 0) };
  },
});

const documentationView = z
  .object({
    markdown: z.string().meta({ description: 'The Markdown guide; empty when there is none.' }),
    updatedAt: z.string().nullable().meta({ description: 'When it was last saved (ISO 8601), null when there is none.' }),
  })
  .meta({ id: 'ApiDocumentation' });

const documentationBody = (view: { markdown: string; updatedAt: Date | null }) => ({ markdown: view.markdown, updatedAt: view.updatedAt?.toISOString() ?? null });

export const getDocumentationOperation = defineOperation({
  operationId: 'getApiDocumentation',
  method: 'get',
  path: '/apis/{apiId}/documentation',
  tag,
  summary: "Get an API's Markdown guide (its Documentation tab)",
  scope: 'apis:read',
  params: apiIdParams,
  responses: { 200: { description: 'The guide as saved.', schema: documentationView } },
  async handle({ actor, params }) {
    return { body: documentationBody(await apiDocumentationForPublisher(actor, params.apiId)) };
  },
});

export const setDocumentationOperation = defineOperation({
  operationId: 'setApiDocumentation',
  method: 'put',
  path: '/apis/{apiId}/documentation',
  tag,
  summary: "Replace an API's Markdown guide",
  description: `Developers see it on the API's Overview in the Developer Portal, rendered without HTML or images and with only http, https and mailto links. At most ${MAX_DOCUMENTATION_CHARACTERS.toLocaleString('en')} characters; an empty guide removes the tab.`,
  scope: 'apis:write',
  params: apiIdParams,
  body: z.strictObject({ markdown: documentationMarkdownSchema }).meta({ id: 'ApiDocumentationUpdate' }),
  // Up to 100,000 characters of up to 4 bytes each, JSON-escaped.
  bodyLimitBytes: 1024 * 1024,
  errors: [415],
  responses: { 200: { description: 'The guide as saved.', schema: documentationView } },
  async handle({ actor, params, body }) {
    return { body: documentationBody(await saveApiDocumentation(actor, { apiId: params.apiId, markdown: body.markdown })) };
  },
});

export const apiOperations = [
  listApisOperation,
  createApiOperation,
  getApiOperation,
  updateApiOperation,
  deleteApiOperation,
  getDefinitionOperation,
  exportApiOperation,
  getApiByNameOperation,
  applyApiOperation,
  diffApiOperation,
  listClusterChoicesOperation,
  getClusterSelectionOperation,
  setClusterSelectionOperation,
  getLifecycleOperation,
  changeLifecycleOperation,
  getDeploymentsOperation,
  retryDeploymentOperation,
  getDocumentationOperation,
  setDocumentationOperation,
];
