/** The subscription tiers an API can offer, with their request rates (per application, per gateway replica). */
export const TIERS = {
  Unlimited: { requestsPerMinute: 'unlimited' as const, description: 'No limit' },
  Gold: { requestsPerMinute: 5000, description: '5000 requests per minute' },
  Silver: { requestsPerMinute: 2000, description: '2000 requests per minute' },
  Bronze: { requestsPerMinute: 1000, description: '1000 requests per minute' },
};

export type TierName = keyof typeof TIERS;
export const TIER_NAMES = Object.keys(TIERS) as TierName[];

export function isTierName(value: string): value is TierName {
  return Object.hasOwn(TIERS, value);
}
