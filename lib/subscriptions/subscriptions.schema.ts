import { z } from 'zod';

export const subscribeSchema = z.object({
  applicationId: z.uuid({ error: 'Pick an application.' }),
  apiId: z.uuid({ error: 'Pick an API.' }),
  tier: z.string().trim().min(1, 'Pick a tier.'),
});
export type SubscribeInput = z.infer<typeof subscribeSchema>;

export const decideSubscriptionSchema = z.object({
  subscriptionId: z.uuid({ error: 'That subscription was not found.' }),
  decision: z.enum(['approve', 'reject', 'block', 'unblock'], { error: 'Choose approve, reject, block or unblock.' }),
});
export type DecideSubscriptionInput = z.infer<typeof decideSubscriptionSchema>;
