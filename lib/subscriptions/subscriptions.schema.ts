import { z } from 'zod';

export const subscribeSchema = z.object({
  applicationId: z.uuid({ error: 'Pick an application.' }),
  apiId: z.uuid({ error: 'Pick an API.' }),
  tier: z.string().trim().min(1, 'Pick a tier.'),
});
export type SubscribeInput = z.infer<typeof subscribeSchema>;

export const setSubscriptionBlockedSchema = z.object({
  subscriptionId: z.uuid(),
  blocked: z.union([z.boolean(), z.stringbool()]),
});
export type SetSubscriptionBlockedInput = z.infer<typeof setSubscriptionBlockedSchema>;
