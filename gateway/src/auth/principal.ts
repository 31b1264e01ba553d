import type { GatewayConfig } from '../config';
import { GatewayError } from '../gateway-error';
import type { SubscriptionClaims } from '../token-claims';

/** Who is calling, as far as routing and throttling care. */
export interface Principal {
  /** Key of the caller's throttling bucket (application id, or "basic:<user>"). */
  applicationKey: string;
  /** Consumer key or user name, for the access log. */
  consumer: string;
  tier: string;
  requestsPerMinute: number | 'unlimited';
}

/** Calls to operations declared with `security: []`, or to APIs with no security enabled. */
export const ANONYMOUS_PRINCIPAL: Principal = Object.freeze({
  applicationKey: 'anonymous',
  consumer: '-',
  tier: 'Unlimited',
  requestsPerMinute: 'unlimited',
});

/**
 * The offline subscription check: the token must belong to this API's tenant and list a
 * subscription to this API; that subscription's tier must be one the gateway knows.
 */
export function principalFromClaims(claims: SubscriptionClaims, config: GatewayConfig): Principal {
  const { api } = config;
  if (claims.tenant !== api.tenant) {
    throw new GatewayError(
      403,
      'not_subscribed',
      `token belongs to tenant "${claims.tenant}", but API "${api.name}" ${api.version} is in tenant "${api.tenant}"`,
    );
  }
  const subscription = claims.subscriptions.find((candidate) => candidate.apiId === api.id);
  if (!subscription) {
    throw new GatewayError(
      403,
      'not_subscribed',
      `application "${claims.application.name}" is not subscribed to API "${api.name}" ${api.version} (id ${api.id}); subscribe in the developer portal and get a new token`,
    );
  }
  const tierLimit = config.tiers[subscription.tier];
  if (!tierLimit) {
    throw new GatewayError(
      403,
      'tier_not_configured',
      `subscription tier "${subscription.tier}" is not configured on this gateway; known tiers: ${Object.keys(config.tiers).join(', ')}`,
    );
  }
  return {
    applicationKey: claims.application.id,
    consumer: claims.client_id,
    tier: subscription.tier,
    requestsPerMinute: tierLimit.requestsPerMinute,
  };
}
