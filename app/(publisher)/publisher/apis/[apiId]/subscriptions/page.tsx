import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { EmptyState } from '@/components/empty/empty-state';
import { SubscribersTable } from '@/components/publisher/subscribers-table';
import { actorForPage } from '@/lib/auth/session';
import { describeDuration } from '@/lib/durations';
import { blockTakesEffectNote, listSubscribersOfApi } from '@/lib/subscriptions/subscriptions.service';
import { decideSubscriptionAction } from './actions';

export default async function SubscriptionsPage({ params }: { params: Promise<{ apiId: string }> }) {
  const { apiId } = await params;
  const actor = await actorForPage(['publisher'], `/publisher/apis/${apiId}/subscriptions`);
  const subscribers = await listSubscribersOfApi(actor, apiId);
  const decide = decideSubscriptionAction.bind(null, apiId);
  return (
    <Stack spacing={2}>
      <Typography color="text.secondary" data-testid="block-note">
        {blockTakesEffectNote()}
      </Typography>
      {subscribers.length === 0 ? (
        <EmptyState title="No application is subscribed yet">
          Developers subscribe from this API&apos;s page in the Developer Portal once it is published. Their applications appear here: approve or
          reject requests when the API needs approval, and block one that misuses the API.
        </EmptyState>
      ) : (
        <SubscribersTable
          subscribers={subscribers.map((s) => ({
            subscriptionId: s.subscriptionId,
            applicationName: s.applicationName,
            owner: s.owner,
            tier: s.tier,
            status: s.status,
            blockDelay: s.blockTakesEffectWithinSeconds === null ? null : describeDuration(s.blockTakesEffectWithinSeconds),
          }))}
          decide={decide}
        />
      )}
    </Stack>
  );
}
