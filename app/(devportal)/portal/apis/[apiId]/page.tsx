import Alert from '@mui/material/Alert';
import Chip from '@mui/material/Chip';
import Grid from '@mui/material/Grid';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { Metadata } from 'next';
import { LinkButton, TextLink } from '@/components/link-button';
import { ApiDocumentation, documentationViewOf } from '@/components/portal/api-documentation';
import { DefinitionDownloads } from '@/components/portal/definition-downloads';
import { GatewayEnvironments } from '@/components/portal/gateway-environments';
import { InitialsAvatar } from '@/components/portal/initials-avatar';
import { SubscribePanel } from '@/components/portal/subscribe-panel';
import { listApplications } from '@/lib/applications/applications.service';
import { hasRole } from '@/lib/actor';
import { currentActor } from '@/lib/auth/session';
import { portalApiOverview } from '@/lib/portal/catalog.service';
import { orNotFound } from '@/lib/portal/page-guards';
import { listSubscriptionsOfApi } from '@/lib/subscriptions/subscriptions.service';
import { subscribeAction, unsubscribeAction } from './actions';

export const metadata: Metadata = { title: 'API overview' };

export default async function ApiOverviewPage({
  params,
  searchParams,
}: {
  params: Promise<{ apiId: string }>;
  searchParams: Promise<{ tenant?: string; tag?: string; page?: string; doc?: string }>;
}) {
  const { apiId } = await params;
  const query = await searchParams;
  const { tenant, tag, page } = query;
  const actor = await currentActor();
  const api = await orNotFound(portalApiOverview(actor, apiId, tenant));
  const developer = actor && hasRole(actor, 'subscriber') && !api.platform ? actor : null;
  const [applications, subscriptions] = developer ? await Promise.all([listApplications(developer), listSubscriptionsOfApi(developer, api.id)]) : [[], []];
  const tenantQuery = !actor && tenant ? `?tenant=${encodeURIComponent(tenant)}` : '';
  const returnTo = `/portal/apis/${api.id}`;

  return (
    <Stack spacing={3}>
      <Stack direction="row" spacing={2} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <InitialsAvatar name={api.name} />
        <div>
          <Typography variant="h1">{api.name}</Typography>
          <Typography color="text.secondary" data-testid="api-version-context">
            Version {api.version} · context {api.context}
          </Typography>
        </div>
        {api.deprecated && <Chip color="warning" label="Deprecated" />}
        {api.visibility === 'private' && <Chip label="Private" />}
        {!api.restricted && (
          // A page load of its own: only Try Out's policy lets the browser call the gateways (lib/http/security-headers.ts).
          <LinkButton href={`/portal/apis/${api.id}/try-out${tenantQuery}`} fullPageLoad variant="contained" sx={{ ml: { sm: 'auto' } }}>
            Try Out
          </LinkButton>
        )}
      </Stack>
      {api.deprecated && <Alert severity="warning">This API is deprecated. It keeps working for existing subscribers; new applications should use a newer version.</Alert>}
      {api.restricted && (
        <Alert severity="info" data-testid="private-api-notice">
          This API is private. Its documentation, gateway addresses and Try Out open once the publisher approves a subscription of one of your
          applications.
        </Alert>
      )}
      <Grid container spacing={3}>
        <Grid size={{ xs: 12, md: 8 }}>
          <Stack spacing={3}>
            <Paper sx={{ p: 3 }} component="section" aria-label="About this API">
              <Stack spacing={1.5}>
                <Typography sx={{ whiteSpace: 'pre-wrap' }}>{api.description || 'The publisher has not described this API yet; the documentation below lists what it offers.'}</Typography>
                {api.tags.length > 0 && (
                  <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: 'wrap' }} aria-label="Tags">
                    {api.tags.map((tag) => (
                      <Chip key={tag} size="small" variant="outlined" label={tag} />
                    ))}
                  </Stack>
                )}
              </Stack>
            </Paper>
            {!api.restricted && (
              <>
                <GatewayEnvironments environments={api.environments} />
                <DefinitionDownloads
                  href={`/api/portal/apis/${api.id}/definition${!actor && tenant ? `?tenant=${encodeURIComponent(tenant)}&` : '?'}`}
                  fileName={`${api.name}-${api.version}`.replace(/[^A-Za-z0-9._-]+/g, '-')}
                />
                <ApiDocumentation
                  guide={api.documentation}
                  view={documentationViewOf(query)}
                  operations={api.operations}
                  basePath={returnTo}
                  query={!actor && tenant ? { tenant } : {}}
                  selectedTag={typeof tag === 'string' ? tag : undefined}
                  page={Number(page) || 1}
                />
              </>
            )}
          </Stack>
        </Grid>
        <Grid size={{ xs: 12, md: 4 }}>
          <Stack spacing={3}>
            {api.platform ? (
              <Paper sx={{ p: 3 }} component="section" aria-label="Authentication" data-testid="platform-api-authentication">
                <Stack spacing={1}>
                  <Typography variant="h2">Authentication</Typography>
                  <Typography color="text.secondary">
                    No subscription is needed: calls carry a personal access token of your own, with the scopes they need, and can do what your roles
                    allow in your tenant. {actor ? <TextLink href="/account/tokens">Make a token</TextLink> : <TextLink href={`/signin?callbackUrl=${encodeURIComponent('/account/tokens')}`}>Sign in to make a token</TextLink>}
                    .
                  </Typography>
                  <Typography color="text.secondary">
                    The <code>privatejet</code> CLI in the repository drives it from pipelines: <code>npx privatejet apply -f api.yaml --wait</code>.
                  </Typography>
                </Stack>
              </Paper>
            ) : developer ? (
              <SubscribePanel
                apiId={api.id}
                deprecated={api.deprecated}
                needsApproval={api.subscriptionNeedsApproval}
                tiers={api.tiers}
                applications={applications.map((a) => ({ id: a.id, name: a.name }))}
                subscriptions={subscriptions.map((s) => ({ id: s.id, applicationId: s.applicationId, applicationName: s.applicationName, tier: s.tier, status: s.status }))}
                subscribe={subscribeAction}
                unsubscribe={unsubscribeAction}
              />
            ) : (
              <Paper sx={{ p: 3 }} component="section" aria-label="Subscriptions">
                <Stack spacing={1}>
                  <Typography variant="h2">Subscriptions</Typography>
                  {actor ? (
                    <Typography color="text.secondary">Subscribing takes a developer (subscriber) account; ask an administrator to add that role to yours.</Typography>
                  ) : (
                    <Typography color="text.secondary">
                      <TextLink href={`/signin?callbackUrl=${encodeURIComponent(returnTo)}`}>Sign in</TextLink> or{' '}
                      <TextLink href={`/signup${tenant ? `?tenant=${encodeURIComponent(tenant)}` : ''}`}>create a developer account</TextLink> to subscribe
                      and get an access token.
                    </Typography>
                  )}
                </Stack>
              </Paper>
            )}
            {api.tiers.length > 0 && (
            <Paper sx={{ p: 3 }} component="section" aria-labelledby="tiers-heading">
              <Stack spacing={1}>
                <Typography variant="h2" id="tiers-heading">
                  Tiers
                </Typography>
                {api.tiers.map((tier) => (
                  <div key={tier.name}>
                    <Typography sx={{ fontWeight: 600 }}>{tier.name}</Typography>
                    <Typography variant="body2" color="text.secondary">
                      {tier.description || 'Rate set by the platform'}
                    </Typography>
                  </div>
                ))}
              </Stack>
            </Paper>
            )}
          </Stack>
        </Grid>
      </Grid>
    </Stack>
  );
}
