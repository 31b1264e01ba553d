import { z } from 'zod';
import type { ApiWithResources } from '../apis/apis.service';
import { apiStateValues, deploymentStatusValues, subscriptionStatusValues } from '../db/schema';
import { keyTypeValues } from '../key-types';
import { scopeValues } from '../personal-tokens/scopes';

/**
 * What the REST API answers, as zod schemas: they document the responses in the OpenAPI
 * document, and the tests parse every response with them, so the document cannot claim a shape
 * the API does not send. Dates are ISO 8601 strings.
 */

const timestamp = z.iso.datetime({ offset: true });

export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1).meta({ description: 'Page number, from 1.' }),
  pageSize: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'Items per page, 1 to 100.' }),
});
export type PageQuery = z.output<typeof pageQuery>;

export function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      page: z.int(),
      pageSize: z.int(),
      total: z.int().meta({ description: 'Items on all pages.' }),
      pageCount: z.int(),
    })
    .meta({ id, description: 'One page; the Link header names the next and previous pages.' });
}

export interface PageEnvelope<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
  pageCount: number;
}

export function envelope<T>(items: T[], total: number, query: PageQuery): PageEnvelope<T> {
  return { items, page: query.page, pageSize: query.pageSize, total, pageCount: Math.max(1, Math.ceil(total / query.pageSize)) };
}

/** A page of a list the domain returns whole (a developer's applications, an API's subscribers). */
export function pageOfList<T>(all: T[], query: PageQuery): PageEnvelope<T> {
  const start = (query.page - 1) * query.pageSize;
  return envelope(all.slice(start, start + query.pageSize), all.length, query);
}

/** RFC 8288 Link header with the next and previous pages, keeping the other query parameters. */
export function pageLinks(request: Request, page: PageEnvelope<unknown>): Record<string, string> {
  const links: string[] = [];
  const at = (n: number) => {
    const url = new URL(request.url);
    url.searchParams.set('page', String(n));
    url.searchParams.set('pageSize', String(page.pageSize));
    return `<${url.pathname}${url.search}>`;
  };
  if (page.page < page.pageCount) links.push(`${at(page.page + 1)}; rel="next"`);
  if (page.page > 1) links.push(`${at(Math.min(page.page - 1, page.pageCount))}; rel="prev"`);
  return links.length > 0 ? { Link: links.join(', ') } : {};
}

export const apiResource = z
  .object({
    id: z.uuid(),
    name: z.string(),
    version: z.string(),
    context: z.string(),
    description: z.string(),
    tags: z.array(z.string()),
    visibility: z.enum(['public', 'private']),
    subscriptionApproval: z.boolean(),
    state: z.enum(apiStateValues),
    productionEndpoints: z.array(z.string()),
    sandboxEndpoints: z.array(z.string()).meta({ description: 'Where tokens of sandbox keys go; empty: sandbox tokens are refused.' }),
    tiers: z.array(z.string()),
    security: z.object({ oauth2: z.boolean(), basic: z.boolean() }),
    cors: z.object({ enabled: z.boolean(), allowedOrigins: z.array(z.string()) }),
    clusters: z.array(z.string()).meta({ description: 'The selected clusters (the Environments tab).' }),
    resources: z.array(z.object({ method: z.string(), path: z.string() })).meta({ description: 'The operations of its definition.' }),
    revision: z.int().meta({ description: 'Bumped by every change; the ETag is "r<revision>".' }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Api' });

export function apiResourceOf(api: ApiWithResources): z.input<typeof apiResource> {
  return {
    id: api.id,
    name: api.name,
    version: api.version,
    context: api.context,
    description: api.description,
    tags: api.tags,
    visibility: api.visibility,
    subscriptionApproval: api.subscriptionApproval,
    state: api.state,
    productionEndpoints: api.productionEndpoints,
    sandboxEndpoints: api.sandboxEndpoints,
    tiers: api.tiers,
    security: { oauth2: api.security.oauth2, basic: api.security.basic },
    cors: api.cors,
    clusters: api.selectedClusters,
    resources: api.resources,
    revision: api.revision,
    createdAt: api.createdAt.toISOString(),
    updatedAt: api.updatedAt.toISOString(),
  };
}

export const apiListItem = z
  .object({ id: z.uuid(), name: z.string(), version: z.string(), context: z.string(), state: z.enum(apiStateValues), tags: z.array(z.string()), updatedAt: timestamp })
  .meta({ id: 'ApiListItem' });

export const apiChange = z.object({ field: z.string(), summary: z.string() }).meta({ id: 'ApiChange' });

export const applyResult = z
  .object({
    outcome: z.enum(['created', 'updated', 'unchanged']),
    dryRun: z.boolean(),
    changes: z.array(apiChange),
    api: apiResource.nullable().meta({ description: 'The API after the apply; null for a dry run that would create it.' }),
  })
  .meta({ id: 'ApplyResult' });

export const clusterChoice = z
  .object({
    clusterName: z.string(),
    displayName: z.string(),
    type: z.string(),
    source: z.enum(['deployment.toml', 'tenant']),
    accessUrl: z.string().nullable(),
    securityOffer: z.array(z.string()).meta({ description: 'How gateways there authenticate callers, in words (from the cluster\'s security resource names).' }),
  })
  .meta({ id: 'ClusterChoice' });

export const clusterSelection = z.object({ clusters: z.array(z.string()), revision: z.int() }).meta({ id: 'ClusterSelection' });

export const lifecycleView = z
  .object({
    state: z.enum(apiStateValues),
    revision: z.int(),
    transitions: z.array(z.object({ action: z.string(), to: z.enum(apiStateValues), undeploys: z.boolean() })),
    history: z.array(z.object({ fromState: z.enum(apiStateValues), toState: z.enum(apiStateValues), actorName: z.string(), at: timestamp })),
  })
  .meta({ id: 'Lifecycle' });

export const deploymentOutcomeValues = ['ready', 'failed', 'progressing', 'undeployed', 'no-clusters'] as const;

export const deploymentsView = z
  .object({
    apiId: z.uuid(),
    state: z.enum(apiStateValues),
    outcome: z.enum(deploymentOutcomeValues).meta({
      description:
        'ready: every selected cluster is ready; failed: one failed; progressing: still on the way; undeployed: the state runs no gateways and none is left; no-clusters: deployed state, nothing selected.',
    }),
    settled: z.boolean().meta({ description: 'True when the outcome will not change by waiting (anything but progressing).' }),
    clusters: z.array(
      z.object({
        clusterName: z.string(),
        displayName: z.string(),
        type: z.string(),
        status: z.enum([...deploymentStatusValues, 'not-deployed']),
        message: z.string().nullable(),
        updatedAt: timestamp.nullable(),
        accessUrl: z.string().nullable(),
        rateLimits: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'Deployments' });

export const apiSubscriber = z
  .object({
    subscriptionId: z.uuid(),
    applicationId: z.uuid(),
    applicationName: z.string(),
    owner: z.string(),
    tier: z.string(),
    status: z.enum(subscriptionStatusValues),
    createdAt: timestamp,
    blockTakesEffectWithinSeconds: z.int().nullable(),
  })
  .meta({ id: 'ApiSubscriber' });

export const clusterSummary = z
  .object({
    source: z.enum(['deployment.toml', 'tenant']),
    manager: z.string(),
    type: z.string(),
    clusterName: z.string(),
    displayName: z.string(),
    properties: z.record(z.string(), z.unknown()).meta({ description: 'Every property but SAToken, which is never returned.' }),
    token: z.object({ set: z.boolean(), expiresAt: timestamp.optional(), expired: z.boolean(), expiresSoon: z.boolean(), subject: z.string().optional() }),
    inCluster: z.boolean(),
  })
  .meta({ id: 'Cluster' });

export const configIssue = z.object({ path: z.string(), message: z.string() });

export const clusterSaved = z.object({ cluster: clusterSummary, warnings: z.array(configIssue) }).meta({ id: 'ClusterSaved' });

export const connectionReport = z
  .object({
    clusterName: z.string(),
    manager: z.string(),
    namespace: z.string(),
    reachable: z.boolean(),
    serverVersion: z.string().optional(),
    namespaceExists: z.boolean().optional(),
    checks: z.array(z.object({ apiGroup: z.string(), resource: z.string(), verb: z.string(), namespaced: z.boolean(), name: z.string().optional(), allowed: z.boolean(), reason: z.string().optional() })),
    ready: z.boolean(),
    note: z.string().optional(),
    error: z.object({ kind: z.string(), message: z.string(), hint: z.string(), status: z.int().optional() }).optional(),
    securityResources: z
      .array(
        z.object({
          mechanism: z.enum(['basic', 'jwt', 'oauth']),
          property: z.string(),
          name: z.string(),
          foundAs: z.string().optional(),
          ok: z.boolean(),
          problem: z.string().optional(),
          offers: z.string().optional(),
        }),
      )
      .optional()
      .meta({ description: 'Each security resource the cluster names: found as what, well-formed or what is wrong.' }),
  })
  .meta({ id: 'ConnectionReport' });

export const applicationKey = z
  .object({ keyType: z.enum(keyTypeValues), consumerKey: z.string(), tokenValiditySeconds: z.int(), tokenType: z.enum(['JWT', 'OPAQUE']), createdAt: timestamp })
  .meta({ id: 'ApplicationKey' });

export const application = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    tier: z.string(),
    createdAt: timestamp,
    hasProductionKeys: z.boolean(),
    hasSandboxKeys: z.boolean(),
    productionKey: applicationKey.nullable().optional().meta({ description: 'Present on a single application; never the secret.' }),
    sandboxKey: applicationKey.nullable().optional().meta({ description: 'The sandbox pair, present on a single application; never the secret.' }),
  })
  .meta({ id: 'Application' });

export const generatedCredentials = z
  .object({ key: applicationKey, consumerSecret: z.string().meta({ description: 'Shown this once; regenerate it if lost.' }) })
  .meta({ id: 'GeneratedCredentials' });

export const accessToken = z
  .object({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.int(), scope: z.string().optional() })
  .meta({ id: 'AccessToken', description: 'As the OAuth 2.0 token endpoint answers.' });

export const applicationSubscription = z
  .object({
    id: z.uuid(),
    apiId: z.uuid(),
    apiName: z.string(),
    apiVersion: z.string(),
    apiContext: z.string(),
    apiState: z.enum(apiStateValues),
    tier: z.string(),
    status: z.enum(subscriptionStatusValues),
    createdAt: timestamp,
  })
  .meta({ id: 'ApplicationSubscription' });

export const me = z
  .object({
    user: z.object({ id: z.uuid(), username: z.string(), displayName: z.string(), tenantDomain: z.string(), roles: z.array(z.string()) }),
    token: z.object({ id: z.uuid(), name: z.string(), scopes: z.array(z.enum(scopeValues)), expiresAt: timestamp }),
  })
  .meta({ id: 'Me' });

/** Dates as ISO strings, the way JSON.stringify writes them, for the schemas above. */
export function asJson<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
