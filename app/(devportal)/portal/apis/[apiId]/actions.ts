'use server';
import { revalidatePath } from 'next/cache';
import { runAction, validatedAction } from '@/lib/actions/validated-action';
import { subscribeSchema } from '@/lib/subscriptions/subscriptions.schema';
import { subscribe, unsubscribe } from '@/lib/subscriptions/subscriptions.service';

export const subscribeAction = validatedAction({ schema: subscribeSchema, roles: ['subscriber'] }, async (input, actor) => {
  const subscription = await subscribe(actor, input);
  revalidatePath(`/portal/apis/${input.apiId}`);
  if (subscription.status === 'ON_HOLD') {
    return { status: 'success', message: `Requested at the ${subscription.tier} tier. Once the publisher approves it, tokens generated from then on can call ${subscription.apiName}.` };
  }
  return { status: 'success', message: `Subscribed at the ${subscription.tier} tier. Tokens generated from now on can call ${subscription.apiName}.` };
});

export async function unsubscribeAction(subscriptionId: string) {
  return runAction(['subscriber'], async (actor) => {
    await unsubscribe(actor, subscriptionId);
    revalidatePath('/portal', 'layout');
  });
}
