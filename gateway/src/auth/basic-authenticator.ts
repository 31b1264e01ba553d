import { createHash } from 'node:crypto';
import { UNMATCHABLE_PASSWORD_HASH, verifyBasicPassword } from '../basic-password';
import { BoundedExpiringCache } from '../bounded-cache';
import type { GatewayConfig } from '../config';
import { GatewayError } from '../gateway-error';
import type { Principal } from './principal';

type BasicSettings = NonNullable<GatewayConfig['security']['basic']>;

// scrypt is deliberately slow; remembering a verified header (by its digest, never in clear)
// keeps repeated calls off that cost.
const VERIFIED_CACHE_MS = 5 * 60_000;

/** HTTP Basic authentication against the config's users and their scrypt hashes. */
export class BasicAuthenticator {
  private readonly users: Map<string, BasicSettings['users'][number]>;
  private readonly verified = new BoundedExpiringCache<Principal>(10_000);

  constructor(
    settings: BasicSettings,
    private readonly config: GatewayConfig,
  ) {
    this.users = new Map(settings.users.map((user) => [user.username, user]));
  }

  async authenticate(encodedCredentials: string): Promise<Principal> {
    const cacheKey = createHash('sha256').update(encodedCredentials).digest('base64');
    const cached = this.verified.get(cacheKey);
    if (cached) return cached;

    const decoded = Buffer.from(encodedCredentials, 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    if (separator < 0) throw new GatewayError(401, 'invalid_credentials', 'Basic credentials must be base64 of "username:password"');
    const username = decoded.slice(0, separator);
    const user = this.users.get(username);
    const matches = await verifyBasicPassword(decoded.slice(separator + 1), user?.passwordHash ?? UNMATCHABLE_PASSWORD_HASH);
    if (!user || !matches) throw new GatewayError(401, 'invalid_credentials', 'user name or password is not correct');

    const tier = user.tier ?? this.config.defaultBasicTier;
    const principal: Principal = {
      applicationKey: `basic:${username}`,
      consumer: username,
      tier,
      requestsPerMinute: this.config.tiers[tier]?.requestsPerMinute ?? 'unlimited',
    };
    this.verified.set(cacheKey, principal, Date.now() + VERIFIED_CACHE_MS);
    return principal;
  }
}
