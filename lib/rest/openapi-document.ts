import { OpenAPIRegistry, OpenApiGeneratorV3, OpenApiGeneratorV31, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { apiFileJsonSchema } from '../apis/api-file.schema';
import { publicBaseUrl } from '../env';
import { SCOPES, scopeValues } from '../personal-tokens/scopes';
import { API_PREFIX, defineOperation, type Operation } from './operation';
import { accountOperations } from './operations/account';
import { adminClusterOperations } from './operations/admin-clusters';
import { apiOperations } from './operations/apis';
import { applicationOperations } from './operations/applications';
import { subscriptionOperations } from './operations/subscriptions';
import { problemSchema } from './problem';

/**
 * The OpenAPI 3.1 document of /api/v1, generated from the operations' own zod schemas with
 * @asteasolutions/zod-to-openapi: what the handlers validate is what the document says.
 */

const errorDescriptions: Record<number, string> = {
  400: 'The request is not valid: `errors` points at each problem.',
  401: 'No token, or one that is unknown, expired or revoked.',
  403: 'The token lacks the scope (`requiredScope`), or the owner’s role does not allow it.',
  404: 'Not found in your tenant (other tenants’ objects are not found either).',
  409: 'Conflicts with the current state; `detail` says what to do.',
  412: 'If-Match does not match the current ETag: read again, then retry.',
  413: 'The body is larger than this operation accepts.',
  415: 'The body is not JSON.',
  428: 'If-Match is required for this write.',
};

function errorStatuses(operation: Operation): number[] {
  const statuses = new Set<number>(operation.errors ?? []);
  if (operation.scope !== 'public') statuses.add(401).add(403);
  if (operation.params) statuses.add(404);
  if (operation.query || operation.body) statuses.add(400);
  if (operation.body) statuses.add(413).add(415);
  return [...statuses].sort();
}

function routeConfig(operation: Operation): RouteConfig {
  const responses: Record<string, ResponseConfig> = {};
  for (const [status, spec] of Object.entries(operation.responses)) {
    responses[status] = {
      description: spec.description,
      ...(spec.headers ? { headers: Object.fromEntries(Object.entries(spec.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) } : {}),
      ...(spec.schema ? { content: { [spec.contentType ?? 'application/json']: { schema: spec.schema } } } : {}),
    };
  }
  for (const status of errorStatuses(operation)) {
    responses[String(status)] = { description: errorDescriptions[status] ?? 'An error.', content: { 'application/problem+json': { schema: problemSchema } } };
  }
  const scopeNote =
    operation.scope === 'public' ? 'No token needed.' : operation.scope === 'any' ? 'Any valid personal access token.' : `Scope: \`${operation.scope}\` (role ${SCOPES[operation.scope].role}).`;
  return {
    method: operation.method,
    path: operation.path,
    operationId: operation.operationId,
    summary: operation.summary,
    description: [operation.description, scopeNote].filter(Boolean).join('\n\n'),
    tags: [operation.tag],
    security: operation.scope === 'public' ? [] : [{ personalAccessToken: operation.scope === 'any' ? [] : [operation.scope] }],
    request: {
      ...(operation.params ? { params: operation.params } : {}),
      ...(operation.query ? { query: operation.query } : {}),
      ...(operation.body ? { body: { required: true, content: { 'application/json': { schema: operation.body } } } } : {}),
    },
    responses,
  };
}

const scopeTable = [
  '| scope | role | allows |',
  '|---|---|---|',
  ...scopeValues.map((scope) => `| \`${scope}\` | ${SCOPES[scope].role} | ${SCOPES[scope].description} |`),
].join('\n');

const description = `Publish and run APIs from pipelines: the same rules, roles and tenant checks as the portal's pages.

**Authentication.** Every operation but this document and the API file schema takes a personal access token
(\`Authorization: Bearer pjp_…\`), made under *Personal access tokens* in the portal's account menu. A token has
scopes and an expiry; it never does more than its owner's roles allow, and loses a scope when the owner loses the role.
The session cookie of the portal is not accepted here.

${scopeTable}

**Errors** are RFC 9457 problem details (\`application/problem+json\`): \`errors[].pointer\` is a JSON Pointer into the
request body, \`errors[].parameter\` a query or path parameter. **Lists** are paged (\`page\`, \`pageSize\` ≤ 100) with
an RFC 8288 \`Link\` header. **Concurrency**: APIs carry an \`ETag\` (their revision); send it back as \`If-Match\`
and a write made meanwhile is refused with 412 rather than overwritten (required on \`PUT /apis/{apiId}\`).
**Idempotency**: \`PUT /apis/by-name/{name}/{version}\` makes an API match a desired state and reports \`unchanged\`
the second time. Bodies are capped (64 KiB; 4 MiB where a definition travels).`;

const cache = new Map<string, Record<string, unknown>>();

/**
 * The document for a portal address. `3.1` is what /api/v1/openapi.json serves; `3.0` is the same
 * registry rendered as OpenAPI 3.0.3 for the portal's Try Out, because the Swagger UI bundled in
 * the portal cannot resolve the operations of a 3.1 document ("refract is not a function" in its
 * bundled ApiDOM), while 3.0 documents, like every published API's, render and run.
 */
export function openApiDocument(baseUrl = publicBaseUrl(), version: '3.1' | '3.0' = '3.1'): Record<string, unknown> {
  const key = `${version} ${baseUrl}`;
  const known = cache.get(key);
  if (known) return known;
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'personalAccessToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'A personal access token (pjp_…). The scopes an operation needs are listed with it.',
  });
  for (const operation of restOperations) registry.registerPath(routeConfig(operation));
  const config = {
    info: { title: 'PrivateJet REST API', version: '1', description },
    servers: [{ url: `${baseUrl.replace(/\/+$/, '')}${API_PREFIX}`, description: 'This portal' }],
    tags: [
      { name: 'APIs', description: 'Publisher: APIs, their clusters, lifecycle and deployments.' },
      { name: 'Subscriptions', description: 'Publisher: who subscribes, approval and blocking.' },
      { name: 'Applications', description: 'Developer: your applications, keys, tokens and subscriptions.' },
      { name: 'Clusters (admin)', description: "Tenant admin: the tenant's clusters (tokens are write-only)." },
      { name: 'Account', description: 'The token itself.' },
      { name: 'Meta', description: 'This document and the API file schema.' },
    ],
  };
  const document = (
    version === '3.1'
      ? new OpenApiGeneratorV31(registry.definitions).generateDocument({ openapi: '3.1.0', ...config })
      : new OpenApiGeneratorV3(registry.definitions).generateDocument({ openapi: '3.0.3', ...config })
  ) as unknown as Record<string, unknown>;
  cache.set(key, document);
  return document;
}

export const openApiDocumentOperation = defineOperation({
  operationId: 'getOpenApiDocument',
  method: 'get',
  path: '/openapi.json',
  tag: 'Meta',
  summary: 'This OpenAPI 3.1 document',
  scope: 'public',
  responses: { 200: { description: 'The document.', schema: z.record(z.string(), z.unknown()) } },
  async handle() {
    return { body: openApiDocument(), headers: { 'Cache-Control': 'public, max-age=300' } };
  },
});

export const apiFileSchemaOperation = defineOperation({
  operationId: 'getApiFileSchema',
  method: 'get',
  path: '/schemas/api-file.json',
  tag: 'Meta',
  summary: 'The JSON Schema of API files (privatejet apply -f)',
  scope: 'public',
  responses: { 200: { description: 'A JSON Schema (2020-12).', contentType: 'application/schema+json', schema: z.record(z.string(), z.unknown()) } },
  async handle() {
    return { text: JSON.stringify(apiFileJsonSchema(), null, 2), contentType: 'application/schema+json', headers: { 'Cache-Control': 'public, max-age=300' } };
  },
});

/** Every operation of /api/v1, in the document's order. */
export const restOperations: Operation[] = [
  ...(accountOperations as Operation[]),
  ...(apiOperations as Operation[]),
  ...(subscriptionOperations as Operation[]),
  ...(applicationOperations as Operation[]),
  ...(adminClusterOperations as Operation[]),
  openApiDocumentOperation as Operation,
  apiFileSchemaOperation as Operation,
];
