import Alert from '@mui/material/Alert';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { Metadata } from 'next';
import { TextLink } from '@/components/link-button';
import { TryOutConsole } from '@/components/portal/try-out-console';
import { listApplications } from '@/lib/applications/applications.service';
import { hasRole } from '@/lib/actor';
import { currentActor } from '@/lib/auth/session';
import { portalApiOverview, usableEnvironments } from '@/lib/portal/catalog.service';
import { orNotFound } from '@/lib/portal/page-guards';
import { listSubscriptionsOfApi } from '@/lib/subscriptions/subscriptions.service';
import { generateTryOutTokenAction } from './actions';

export const metadata: Metadata = { title: 'Try Out' };

export default async function TryOutPage({ params, searchParams }: { params: Promise<{ apiId: string }>; searchParams: Promise<{ tenant?: string }> }) {
  const { apiId } = await params;
  const { tenant } = await searchParams;
  const actor = await currentActor();
  const api = await orNotFound(portalApiOverview(actor, apiId, tenant));
  if (api.restricted) {
    return (
      <Stack spacing={3}>
        <div>
          <TextLink href={`/portal/apis/${api.id}`}>← {api.name} overview</TextLink>
          <Typography variant="h1">Try Out {api.name}</Typography>
        </div>
        <Alert severity="info" data-testid="private-api-notice">
          This API is private: Try Out opens once the publisher approves a subscription of one of your applications. Request one on the
          API&apos;s overview.
        </Alert>
      </Stack>
    );
  }
  const developer = actor && hasRole(actor, 'subscriber') && !api.platform ? actor : null;
  const [subscriptions, applications] = developer ? await Promise.all([listSubscriptionsOfApi(developer, api.id), listApplications(developer)]) : [[], []];
  const keysOf = new Map(applications.map((a) => [a.id, a]));

  return (
    <Stack spacing={3}>
      <div>
        <TextLink href={`/portal/apis/${api.id}${!actor && tenant ? `?tenant=${encodeURIComponent(tenant)}` : ''}`}>← {api.name} overview</TextLink>
        <Typography variant="h1">Try Out {api.name}</Typography>
        <Typography color="text.secondary">
          Version {api.version} · context {api.context}
        </Typography>
      </div>
      <TryOutConsole
        apiName={api.name}
        apiDescription={api.description}
        definitionUrl={`/api/portal/apis/${api.id}/definition${!actor && tenant ? `?tenant=${encodeURIComponent(tenant)}` : ''}`}
        operationCount={api.operations.length}
        gateways={usableEnvironments(api.environments).map(({ clusterName, displayName, accessUrl }) => ({ clusterName, displayName, accessUrl }))}
        tokenSources={subscriptions.map((s) => ({
          applicationId: s.applicationId,
          applicationName: s.applicationName,
          hasProductionKeys: keysOf.get(s.applicationId)?.hasProductionKeys ?? false,
          hasSandboxKeys: keysOf.get(s.applicationId)?.hasSandboxKeys ?? false,
          status: s.status,
        }))}
        hasSandboxEndpoint={api.hasSandboxEndpoint === true}
        signedIn={!!developer}
        generateToken={generateTryOutTokenAction}
        personalTokens={api.platform ? { manageUrl: '/account/tokens' } : undefined}
      />
    </Stack>
  );
}
