import type { ApiState } from '../db/schema';

/**
 * The developer-portal catalog's filters as they travel in the URL (`?q=…&tag=…&state=…&page=…`),
 * so a filtered list can be shared, bookmarked and paged, and works without scripts. Anything
 * unexpected in the URL is dropped, never an error: a stale link still shows a catalog.
 */

/** The states developers can see an API in, by the name the URL uses. */
export const CATALOG_STATES = { published: 'PUBLISHED', deprecated: 'DEPRECATED' } as const satisfies Record<string, ApiState>;
export type CatalogStateFilter = keyof typeof CATALOG_STATES;
export const CATALOG_STATE_LABELS: Record<CatalogStateFilter, string> = { published: 'Published', deprecated: 'Deprecated' };

/** Longer than any tag an API can have (tags have at most 30 characters), so nothing real is cut. */
const MAX_TAG_FILTER = 100;
const MAX_SEARCH = 200;

export interface CatalogFilters {
  q: string;
  tag: string;
  state: CatalogStateFilter | '';
  page: number;
}

type SearchParams = Record<string, string | string[] | undefined>;

const first = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));

export function parseCatalogFilters(params: SearchParams): CatalogFilters {
  const state = first(params.state).trim().toLowerCase();
  const page = Number(first(params.page));
  return {
    q: first(params.q).trim().slice(0, MAX_SEARCH),
    tag: first(params.tag).trim().slice(0, MAX_TAG_FILTER),
    state: Object.hasOwn(CATALOG_STATES, state) ? (state as CatalogStateFilter) : '',
    page: Number.isSafeInteger(page) && page > 1 ? page : 1,
  };
}

/** The filters as query parameters for links (paging, tenant switch), without the page and without empty ones. */
export function catalogFilterQuery(filters: Pick<CatalogFilters, 'q' | 'tag' | 'state'>): Record<string, string> {
  return Object.fromEntries(Object.entries({ q: filters.q, tag: filters.tag, state: filters.state }).filter(([, value]) => value !== ''));
}

export function hasCatalogFilters(filters: Pick<CatalogFilters, 'q' | 'tag' | 'state'>): boolean {
  return Object.keys(catalogFilterQuery(filters)).length > 0;
}

/** "tagged “payments”, deprecated, matching “orders”": what the list was narrowed by, for the count and the empty state. */
export function describeCatalogFilters(filters: Pick<CatalogFilters, 'q' | 'tag' | 'state'>): string {
  return [filters.state ? CATALOG_STATE_LABELS[filters.state].toLowerCase() : '', filters.tag ? `tagged “${filters.tag}”` : '', filters.q ? `matching “${filters.q}”` : '']
    .filter(Boolean)
    .join(', ');
}
