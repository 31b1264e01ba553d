'use server';
import { revalidatePath } from 'next/cache';
import { runAction } from '@/lib/actions/validated-action';
import { setSubscriptionBlockedSchema } from '@/lib/subscriptions/subscriptions.schema';
import { setSubscriptionBlocked } from '@/lib/subscriptions/subscriptions.service';

export async function setSubscriptionBlockedAction(apiId: string, subscriptionId: string, blocked: boolean) {
  return runAction(['publisher'], async (actor) => {
    const input = setSubscriptionBlockedSchema.parse({ subscriptionId, blocked });
    await setSubscriptionBlocked(actor, input.subscriptionId, input.blocked);
    revalidatePath(`/publisher/apis/${apiId}/subscriptions`);
  });
}
