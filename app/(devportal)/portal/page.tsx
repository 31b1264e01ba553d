import Grid from '@mui/material/Grid';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { Metadata } from 'next';
import { EmptyState } from '@/components/empty/empty-state';
import { LinkButton } from '@/components/link-button';
import { ApiCard } from '@/components/portal/api-card';
import { CatalogPagination } from '@/components/portal/catalog-pagination';
import { CatalogSearch } from '@/components/portal/catalog-search';
import { TenantSwitch } from '@/components/shell/tenant-switch';
import { SUPER_TENANT } from '@/lib/super-tenant';
import { currentActor } from '@/lib/auth/session';
import { catalogFilterQuery, describeCatalogFilters, hasCatalogFilters, parseCatalogFilters } from '@/lib/portal/catalog-filters';
import { listCatalog, listCatalogTags } from '@/lib/portal/catalog.service';
import { platformApiMatches, platformCatalogItem } from '@/lib/portal/platform-api';
import { listPortalTenants } from '@/lib/tenants/tenants.service';

export const metadata: Metadata = { title: 'Developer Portal' };

export default async function PortalHome({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await currentActor();
  const tenants = await listPortalTenants();
  const params = await searchParams;
  const filters = parseCatalogFilters(params);
  const requestedTenant = typeof params.tenant === 'string' ? params.tenant : undefined;
  // A signed-in user always sees their own tenant's portal; visitors pick one.
  const tenantDomain = actor?.tenantDomain ?? tenants.find((t) => t.domain === requestedTenant)?.domain ?? SUPER_TENANT;
  const tenant = tenants.find((t) => t.domain === tenantDomain);
  const { q, tag, state } = filters;
  // Members see whose APIs these are; the super tenant's internal name (carbon.super) is explained,
  // and visitors see no tenant line at all: the Portal switch names the portal when there are several.
  const portalHeading = actor
    ? tenantDomain === SUPER_TENANT
      ? `Your organisation’s APIs · the platform’s own organisation (tenant ${SUPER_TENANT})`
      : `Your organisation’s APIs · ${tenant?.displayName ?? tenantDomain} (${tenantDomain})`
    : null;
  const portalChoices = tenants.map((t) => ({ ...t, displayName: t.domain === SUPER_TENANT ? 'Main portal' : t.displayName }));
  const [catalog, tags] = await Promise.all([
    listCatalog({ actor, tenantDomain, q, tag: tag || undefined, state: state || undefined, page: filters.page }),
    listCatalogTags({ actor, tenantDomain }),
  ]);
  // Visitors carry their chosen portal into every link; signed-in users need not.
  const keep: Record<string, string> = { ...(actor ? {} : { tenant: tenantDomain }), ...catalogFilterQuery(filters) };
  const catalogHome = actor ? '/portal' : `/portal?tenant=${encodeURIComponent(tenantDomain)}`;
  const filtered = hasCatalogFilters(filters);
  const narrowedBy = describeCatalogFilters(filters);
  const apiHref = (apiId: string) => (actor ? `/portal/apis/${apiId}` : `/portal/apis/${apiId}?tenant=${encodeURIComponent(tenantDomain)}`);
  // The portal's own API is not one of the tenant's: shown apart, on the first page, so the catalog's counts stay the tenant's.
  // It carries no tags and is never deprecated, so a tag or Deprecated filter leaves it out.
  const platformApi = catalog.page === 1 && !tag && state !== 'deprecated' && platformApiMatches(q) ? platformCatalogItem() : null;

  return (
    <Stack spacing={3}>
      <Stack direction="row" spacing={2} useFlexGap sx={{ alignItems: 'center', justifyContent: 'space-between', flexWrap: 'wrap' }}>
        <div>
          <Typography variant="h1">APIs</Typography>
          {portalHeading && (
            <Typography color="text.secondary" data-testid="portal-tenant">
              {portalHeading}
            </Typography>
          )}
        </div>
        {!actor && tenants.length > 1 && <TenantSwitch tenants={portalChoices} current={tenantDomain} />}
      </Stack>
      <CatalogSearch filters={filters} tags={tags} tenant={actor ? undefined : tenantDomain} clearHref={filtered ? catalogHome : null} />
      {platformApi && (
        <Stack spacing={1} component="section" aria-labelledby="platform-api-heading">
          <Typography variant="h2" id="platform-api-heading" sx={{ fontSize: '1rem' }} color="text.secondary">
            This portal’s own API
          </Typography>
          <Grid container spacing={2}>
            <Grid size={{ xs: 12, sm: 6, md: 4 }}>
              <ApiCard api={platformApi} href={`/portal/apis/${platformApi.id}`} />
            </Grid>
          </Grid>
        </Stack>
      )}
      {catalog.items.length > 0 ? (
        <>
          <Typography color="text.secondary" data-testid="catalog-total">
            {`${catalog.total} ${catalog.total === 1 ? 'API' : 'APIs'}${narrowedBy ? `, ${narrowedBy}` : ''}`}
          </Typography>
          <Grid container spacing={2}>
            {catalog.items.map((api) => (
              <Grid key={api.id} size={{ xs: 12, sm: 6, md: 4 }}>
                <ApiCard api={api} href={apiHref(api.id)} />
              </Grid>
            ))}
          </Grid>
          <CatalogPagination page={catalog.page} pageCount={catalog.pageCount} query={keep} />
        </>
      ) : filtered ? (
        <EmptyState
          title={q && !tag && !state ? `No API matches “${q}”` : 'No API matches these filters'}
          action={
            <LinkButton href={catalogHome} variant="outlined">
              Clear filters and show all APIs
            </LinkButton>
          }
        >
          {`No listed API is ${narrowedBy}. `}
          {q ? 'The search looks at names, descriptions, contexts and tags: try a shorter word, ' : 'Try '}
          another tag or state, or clear the filters.
        </EmptyState>
      ) : catalog.total > 0 ? (
        <EmptyState title="This page is past the end of the catalog" action={<LinkButton href={catalogHome} variant="outlined">Go to the first page</LinkButton>}>
          The catalog has {catalog.total} APIs on {catalog.pageCount} pages.
        </EmptyState>
      ) : (
        <EmptyState title="No APIs are published here yet">
          When a publisher publishes an API, it appears here with the address of its gateway in each cluster.
          {actor ? '' : ' Sign in or create a developer account to subscribe to APIs and call them.'}
        </EmptyState>
      )}
    </Stack>
  );
}
