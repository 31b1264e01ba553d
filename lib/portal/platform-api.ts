import { publicBaseUrl } from '../oauth/issuer';
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

export function platformApiOverview(): PortalApiOverview {
  return {
    ...platformCatalogItem(),
    platform: true,
    tiers: [],
    restricted: false,
    subscriptionNeedsApproval: false,
    // The 3.0.3 rendering of the served 3.1 document: the portal's Swagger UI runs 3.0 (see openApiDocument).
    openapi: openApiDocument(publicBaseUrl(), '3.0'),
    environments: [{ clusterName: 'portal', displayName: 'This portal', accessUrl: `${publicBaseUrl()}${API_PREFIX}`, status: 'ready' }],
  };
}
