import { z } from 'zod';

// The contract between the portal's authorization server and every dedicated gateway: the
// claims of an access token. The gateway decides offline from them whether the caller is
// subscribed to its API and at which tier. The app imports these schemas to issue tokens.

export const tokenSubscriptionSchema = z.object({
  apiId: z.string().min(1),
  context: z.string(),
  version: z.string(),
  /** The subscription's throttling tier, e.g. "Gold"; it must exist in the gateway config's tiers. */
  tier: z.string().min(1),
});

export const tokenApplicationSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  tier: z.string(),
  owner: z.string(),
});

export const accessTokenClaimsSchema = z.object({
  iss: z.string(),
  /** The application's consumer key. */
  sub: z.string().min(1),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number(),
  iat: z.number(),
  nbf: z.number(),
  jti: z.string(),
  /** The application's consumer key (same as `sub`). */
  client_id: z.string().min(1),
  tenant: z.string().min(1),
  application: tokenApplicationSchema,
  subscriptions: z.array(tokenSubscriptionSchema),
});

export type TokenSubscription = z.infer<typeof tokenSubscriptionSchema>;
export type TokenApplication = z.infer<typeof tokenApplicationSchema>;
export type AccessTokenClaims = z.infer<typeof accessTokenClaimsSchema>;

/**
 * RFC 7662 introspection response for an opaque token: `active` plus the same claims.
 * Registered claims other than `exp` are optional there (RFC 7662 §2.2).
 */
export const introspectionResponseSchema = z.discriminatedUnion('active', [
  z.looseObject({ active: z.literal(false) }),
  accessTokenClaimsSchema.partial({ iss: true, aud: true, iat: true, nbf: true, jti: true }).extend({
    active: z.literal(true),
  }),
]);

export type IntrospectionResponse = z.infer<typeof introspectionResponseSchema>;

/** The claims the gateway needs for its decision, whichever way the token was validated. */
export type SubscriptionClaims = Pick<AccessTokenClaims, 'sub' | 'client_id' | 'tenant' | 'application' | 'subscriptions'>;
