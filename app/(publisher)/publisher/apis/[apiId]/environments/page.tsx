import { EnvironmentsForm } from '@/components/publisher/environments-form';
import { getApiForPublisher } from '@/lib/apis/apis.service';
import { actorForPage } from '@/lib/auth/session';
import { listClusterChoices } from '@/lib/containers/cluster-use.service';
import { isDeployedState } from '@/lib/lifecycle/lifecycle';
import { saveClusterSelectionAction } from '../actions';

export default async function EnvironmentsPage({ params }: { params: Promise<{ apiId: string }> }) {
  const { apiId } = await params;
  const actor = await actorForPage(['publisher'], `/publisher/apis/${apiId}/environments`);
  const [api, clusters] = await Promise.all([getApiForPublisher(actor, apiId), listClusterChoices(actor)]);
  return (
    <EnvironmentsForm
      action={saveClusterSelectionAction}
      apiId={api.id}
      clusters={clusters}
      selected={api.selectedClusters}
      deployed={isDeployedState(api.state)}
    />
  );
}
