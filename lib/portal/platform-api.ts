import { HTTP_METHODS, type HttpMethod } from '@/lib/gateway/gateway-spec';
import type { StoredOperation } from '../apis/definition-queries';
import { publicBaseUrl } from '../env';
import { API_PREFIX } from '../rest/operation';
import { openApiDocument } from '../rest/openapi-document';
import type { CatalogItem, PortalApiOverview } from './catalog.service';

/**
 * The portal's own REST API, listed in every tenant's catalog (dogfooding). It is not an API of
 * any tenant: no gateway, no tiers, no subscriptions. Its one "environment" is the portal
 * itself, and its Try Out calls /api/v1 of this portal with a personal access token.
 */

export const PLATFORM_API_ID = 'privatejet-rest-api';

export function platformCatalogItem(): CatalogItem {
  return {
    id: PLATFORM_API_ID,
    name: 'PrivateJet REST API',
    version: 'v1',
    context: API_PREFIX,
    description: 'This portal’s own API: publish APIs, follow deployments, manage subscriptions, applications and clusters from pipelines and the privatejet CLI.',
    tags: ['platform', 'automation'],
    deprecated: false,
    visibility: 'public',
  };
}

/** Whether the catalog's search text finds the platform API (name, description, context or tags, as for APIs). */
export function platformApiMatches(q: string): boolean {
  const item = platformCatalogItem();
  const needle = q.trim().toLowerCase();
  return !needle || [item.name, item.description, item.context, ...item.tags].some((text) => text.toLowerCase().includes(needle));
}

/** The 3.0.3 rendering of the served 3.1 document: the portal's Swagger UI runs 3.0 (see openApiDocument). */
function tryOutDocument() {
  return openApiDocument(publicBaseUrl(), '3.0');
}

/** What Try Out renders for the platform API (the portal's definition route serves it). */
export function platformApiDefinitionText(): string {
  return JSON.stringify(tryOutDocument());
}

/** The document's operations, as the overview lists those of a stored definition (lib/apis/definition-queries.ts). */
function platformOperations(): StoredOperation[] {
  const paths = tryOutDocument().paths as Record<string, Record<string, { summary?: string; description?: string; tags?: string[] }>>;
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([key]) => (HTTP_METHODS as readonly string[]).includes(key.toUpperCase()))
      .map(([key, operation]) => ({
        path,
        method: key.toUpperCase() as HttpMethod,
        summary: (operation.summary || operation.description || '').slice(0, 200),
        tags: operation.tags ?? [],
      })),
  );
}

export function platformApiOverview(): PortalApiOverview {
  return {
    ...platformCatalogItem(),
    platform: true,
    tiers: [],
    restricted: false,
    documentation: '',
    subscriptionNeedsApproval: false,
    operations: platformOperations(),
    environments: [
      { clusterName: 'portal', displayName: 'This portal', accessUrl: `${publicBaseUrl()}${API_PREFIX}`, status: 'ready', howToCall: ['Authorization: Bearer <personal access token>'] },
    ],
  };
}
