import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/drizzle';
import { tenants, users } from '../db/schema';
import { formatSignInIdentifier, parseSignInIdentifier } from './identity';
import { decoyPasswordHash, verifyPassword } from './password';
import { accountThrottleKey, addressThrottleKey, describeWait, recordSignInSuccess, reserveSignInAttempt, type SignInSubject } from './sign-in-throttle';

export type CredentialsResult =
  | { ok: true; userId: string; displayName: string }
  | { ok: false; reason: 'invalid' }
  /** The right password of a non-admin in a tenant whose people sign in with its identity provider only. */
  | { ok: false; reason: 'local_passwords_off' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export interface VerifyOptions {
  /** The client's address (lib/http/client-address); unknown addresses share one budget. */
  clientAddress?: string;
  now?: Date;
}

/**
 * Checks a sign-in under the throttle (./sign-in-throttle). Unknown user, unknown tenant,
 * disabled account and wrong password all answer `invalid` after the same amount of hashing
 * work, and are throttled by the same rules. A refusal is logged as one line.
 */
export async function verifyCredentials(db: Database, identifier: string, password: string, options: VerifyOptions = {}): Promise<CredentialsResult> {
  const now = options.now ?? new Date();
  const identity = parseSignInIdentifier(identifier);
  const [user] = identity
    ? await db
        .select({
          id: users.id,
          displayName: users.displayName,
          passwordHash: users.passwordHash,
          disabled: users.disabled,
          roles: users.roles,
          localPasswordsAdminsOnly: tenants.localPasswordsAdminsOnly,
        })
        .from(users)
        .innerJoin(tenants, eq(tenants.id, users.tenantId))
        .where(and(eq(users.username, identity.username), eq(tenants.domain, identity.tenantDomain)))
    : [];
  const subject: SignInSubject = { account: accountThrottleKey(user?.id, identity, identifier), address: addressThrottleKey(options.clientAddress) };
  // Only for the server log: an operator may see which existing account was tried, never what was typed otherwise.
  const logLine = (outcome: string) =>
    console.warn(`PrivateJet sign-in refused for ${user && identity ? formatSignInIdentifier(identity) : 'an unknown account'} from ${options.clientAddress ?? 'an unknown address'}: ${outcome}`);

  const reservation = await reserveSignInAttempt(db, subject, now);
  if (!reservation.allowed) {
    logLine(`throttled, next attempt in ${describeWait(reservation.retryAfterSeconds)}`);
    return { ok: false, reason: 'throttled', retryAfterSeconds: reservation.retryAfterSeconds };
  }

  const passwordMatches = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), password);
  if (user && passwordMatches && !user.disabled) {
    await recordSignInSuccess(db, subject, now);
    // Break-glass: admins keep their local password when the provider is down; nobody else uses one.
    if (user.localPasswordsAdminsOnly && !user.roles.includes('admin')) {
      logLine('local passwords are for administrators only in this tenant');
      return { ok: false, reason: 'local_passwords_off' };
    }
    return { ok: true, userId: user.id, displayName: user.displayName };
  }
  logLine('wrong username or password');
  return { ok: false, reason: 'invalid' };
}
