import { LifecyclePanel } from '@/components/publisher/lifecycle-panel';
import { getApiForPublisher, lifecycleHistory } from '@/lib/apis/apis.service';
import { actorForPage } from '@/lib/auth/session';
import { deploymentViews } from '@/lib/deployments/deployments.service';
import { STATE_LABELS, transitionsFrom } from '@/lib/lifecycle/lifecycle';
import { changeLifecycleAction, retryDeploymentAction } from '../actions';

export default async function LifecyclePage({ params }: { params: Promise<{ apiId: string }> }) {
  const { apiId } = await params;
  const actor = await actorForPage(['publisher'], `/publisher/apis/${apiId}/lifecycle`);
  const [api, history, deployments] = await Promise.all([getApiForPublisher(actor, apiId), lifecycleHistory(actor, apiId), deploymentViews(actor, apiId)]);
  return (
    <LifecyclePanel
      apiId={api.id}
      state={api.state}
      stateLabel={STATE_LABELS[api.state]}
      transitions={transitionsFrom(api.state)}
      selectedCount={api.selectedClusters.length}
      history={history.map((h) => ({ from: STATE_LABELS[h.fromState], to: STATE_LABELS[h.toState], actor: h.actorName, at: h.at.toISOString() }))}
      initialDeployments={deployments}
      changeState={changeLifecycleAction}
      retry={retryDeploymentAction}
    />
  );
}
