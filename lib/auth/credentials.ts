import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/drizzle';
import { signInFailures, tenants, users } from '../db/schema';
import { parseSignInIdentifier } from './identity';
import { decoyPasswordHash, verifyPassword } from './password';
import { secondsUntilNextAttempt } from './sign-in-throttle';

export type CredentialsResult =
  | { ok: true; userId: string; displayName: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/**
 * Checks a sign-in. Unknown user, unknown tenant, disabled account and wrong password
 * all answer `invalid` after the same amount of hashing work.
 */
export async function verifyCredentials(
  db: Database,
  identifier: string,
  password: string,
  now = new Date(),
): Promise<CredentialsResult> {
  const key = identifier.trim().toLowerCase().slice(0, 320);
  const [failure] = await db.select().from(signInFailures).where(eq(signInFailures.identifier, key));
  if (failure) {
    const wait = secondsUntilNextAttempt(failure.failures, failure.lastFailureAt, now);
    if (wait > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: wait };
  }

  const identity = parseSignInIdentifier(identifier);
  const [user] = identity
    ? await db
        .select({ id: users.id, displayName: users.displayName, passwordHash: users.passwordHash, disabled: users.disabled })
        .from(users)
        .innerJoin(tenants, eq(tenants.id, users.tenantId))
        .where(and(eq(users.username, identity.username), eq(tenants.domain, identity.tenantDomain)))
    : [];

  const passwordMatches = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), password);
  if (user && passwordMatches && !user.disabled) {
    if (failure) await db.delete(signInFailures).where(eq(signInFailures.identifier, key));
    return { ok: true, userId: user.id, displayName: user.displayName };
  }

  await db
    .insert(signInFailures)
    .values({ identifier: key, failures: 1, lastFailureAt: now })
    .onConflictDoUpdate({
      target: signInFailures.identifier,
      set: { failures: sql`${signInFailures.failures} + 1`, lastFailureAt: now },
    });
  return { ok: false, reason: 'invalid' };
}
