import Stack from '@mui/material/Stack';
import { EditApiForm, NewVersionForm } from '@/components/publisher/api-forms';
import { DefinitionSummaryPanel } from '@/components/publisher/definition-summary';
import { apiDefinitionSummaryForPublisher, apiResourcesForPublisher, getApiForPublisher } from '@/lib/apis/apis.service';
import { formatResourceLines } from '@/lib/apis/openapi';
import { actorForPage } from '@/lib/auth/session';
import { isDeployedState } from '@/lib/lifecycle/lifecycle';
import { newVersionAction, updateApiAction } from './actions';

export default async function ApiOverviewPage({ params }: { params: Promise<{ apiId: string }> }) {
  const { apiId } = await params;
  const actor = await actorForPage(['publisher'], `/publisher/apis/${apiId}`);
  const [api, resources, summary] = await Promise.all([getApiForPublisher(actor, apiId), apiResourcesForPublisher(actor, apiId), apiDefinitionSummaryForPublisher(actor, apiId)]);
  return (
    <Stack spacing={3}>
      <DefinitionSummaryPanel
        summary={summary}
        viewHref={`/api/publisher/apis/${api.id}/definition`}
        sizeNote="Size as stored (compact JSON). Gateways receive only its routes, never the document."
      />
      <EditApiForm action={updateApiAction} apiId={api.id} values={api} resources={formatResourceLines(resources)} deployed={isDeployedState(api.state)} />
      <NewVersionForm action={newVersionAction} apiId={api.id} />
    </Stack>
  );
}
