import Stack from '@mui/material/Stack';
import { EditApiForm, NewVersionForm } from '@/components/publisher/api-forms';
import { DefinitionEdit } from '@/components/publisher/definition-edit';
import { DefinitionSummaryPanel } from '@/components/publisher/definition-summary';
import { apiDefinitionSummaryForPublisher, apiResourcesForPublisher, getApiForPublisher } from '@/lib/apis/apis.service';
import { maxDefinitionBytes } from '@/lib/apis/definition-limits';
import { formatResourceLines } from '@/lib/apis/openapi';
import { actorForPage } from '@/lib/auth/session';
import { isDeployedState } from '@/lib/lifecycle/lifecycle';
import { newVersionAction, replaceDefinitionAction, updateApiAction } from './actions';

export default async function ApiOverviewPage({ params }: { params: Promise<{ apiId: string }> }) {
  const { apiId } = await params;
  const actor = await actorForPage(['publisher'], `/publisher/apis/${apiId}`);
  const [api, resources, summary] = await Promise.all([getApiForPublisher(actor, apiId), apiResourcesForPublisher(actor, apiId), apiDefinitionSummaryForPublisher(actor, apiId)]);
  const viewHref = `/api/publisher/apis/${api.id}/definition`;
  const resourceLines = formatResourceLines(resources);
  return (
    <Stack spacing={3}>
      <DefinitionSummaryPanel summary={summary} viewHref={viewHref} sizeNote="Size as stored (compact JSON). Gateways receive only its routes, never the document.">
        <DefinitionEdit action={replaceDefinitionAction} apiId={api.id} revision={api.revision} storedBytes={summary.bytes} viewHref={viewHref} maxBytes={maxDefinitionBytes()} />
      </DefinitionSummaryPanel>
      <EditApiForm action={updateApiAction} apiId={api.id} revision={api.revision} values={api} resources={resourceLines} deployed={isDeployedState(api.state)} />
      <NewVersionForm action={newVersionAction} apiId={api.id} />
    </Stack>
  );
}
