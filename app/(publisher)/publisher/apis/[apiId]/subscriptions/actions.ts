'use server';
import { revalidatePath } from 'next/cache';
import { runAction } from '@/lib/actions/validated-action';
import { invalid } from '@/lib/errors';
import { decideSubscriptionSchema } from '@/lib/subscriptions/subscriptions.schema';
import { decideSubscription } from '@/lib/subscriptions/subscriptions.service';

export async function decideSubscriptionAction(apiId: string, subscriptionId: string, decision: string) {
  return runAction(['publisher'], async (actor) => {
    const parsed = decideSubscriptionSchema.safeParse({ subscriptionId, decision });
    if (!parsed.success) throw invalid(parsed.error.issues[0]!.message);
    await decideSubscription(actor, parsed.data.subscriptionId, parsed.data.decision);
    revalidatePath(`/publisher/apis/${apiId}/subscriptions`);
  }, { action: 'subscription.decide', objectType: 'subscription', objectId: String(subscriptionId).slice(0, 100) });
}
