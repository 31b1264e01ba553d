import Stack from '@mui/material/Stack';
import { EditApiForm, NewVersionForm } from '@/components/publisher/api-forms';
import { getApiForPublisher } from '@/lib/apis/apis.service';
import { formatResourceLines } from '@/lib/apis/openapi';
import { actorForPage } from '@/lib/auth/session';
import { isDeployedState } from '@/lib/lifecycle/lifecycle';
import { newVersionAction, updateApiAction } from './actions';

export default async function ApiOverviewPage({ params }: { params: Promise<{ apiId: string }> }) {
  const { apiId } = await params;
  const actor = await actorForPage(['publisher'], `/publisher/apis/${apiId}`);
  const api = await getApiForPublisher(actor, apiId);
  return (
    <Stack spacing={3}>
      <EditApiForm action={updateApiAction} apiId={api.id} values={api} resources={formatResourceLines(api.resources)} deployed={isDeployedState(api.state)} />
      <NewVersionForm action={newVersionAction} apiId={api.id} />
    </Stack>
  );
}
