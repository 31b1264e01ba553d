import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { recordAudit, type AuditActor } from '../../audit/audit.service';
import type { Database } from '../../db/drizzle';
import { userIdentities, users } from '../../db/schema';
import { displayNameFrom, emailDomainAllowed, rolesFromClaims, usernameCandidateFrom, type IdTokenClaims } from './oidc-claims';
import type { OidcProviderConfig } from './oidc-provider-config';

export type OidcSignInResult = { ok: true; userId: string; created: boolean } | { ok: false; reason: 'domain' | 'disabled' };

/** No password hash verifies against this: accounts made by a provider sign in only through it. */
export const NO_LOCAL_PASSWORD = '!no-local-password';

/**
 * The user behind a validated ID token. The identity (tenant, issuer, subject) is linked to one
 * user at the first sign-in, which creates the account just in time; later sign-ins find it by
 * that link alone (never by e-mail or username, so a provider user cannot take over a local
 * account that happens to share a name) and refresh roles, name and e-mail from the claims.
 */
export async function signInOidcUser(database: Database, provider: OidcProviderConfig, claims: IdTokenClaims, now = new Date()): Promise<OidcSignInResult> {
  if (!emailDomainAllowed(claims, provider.allowedEmailDomains)) return { ok: false, reason: 'domain' };
  const roles = rolesFromClaims(claims, provider);
  const email = typeof claims.email === 'string' ? claims.email.slice(0, 320) : null;
  return database.transaction(async (tx) => {
    const [linked] = await tx
      .select({ userId: users.id, username: users.username, disabled: users.disabled, roles: users.roles })
      .from(userIdentities)
      .innerJoin(users, eq(users.id, userIdentities.userId))
      .where(and(eq(userIdentities.tenantId, provider.tenantId), eq(userIdentities.issuer, claims.iss), eq(userIdentities.subject, claims.sub)));
    if (linked) {
      if (linked.disabled) return { ok: false, reason: 'disabled' } as const;
      // A sign-in is not a change; roles the provider's claims changed are.
      if ([...linked.roles].sort().join() !== [...roles].sort().join()) {
        await recordAudit(tx, signInActor(provider, linked.userId, linked.username), {
          action: 'user.roles.update',
          objectType: 'user',
          objectId: linked.userId,
          before: { roles: linked.roles },
          after: { roles },
          note: `roles from the claims of ${provider.displayName}`,
        });
      }
      await tx.update(users).set({ roles, email, displayName: displayNameFrom(claims, linked.username) }).where(eq(users.id, linked.userId));
      await tx
        .update(userIdentities)
        .set({ lastSignInAt: now })
        .where(and(eq(userIdentities.tenantId, provider.tenantId), eq(userIdentities.issuer, claims.iss), eq(userIdentities.subject, claims.sub)));
      return { ok: true, userId: linked.userId, created: false } as const;
    }
    const username = await freeUsername(tx as unknown as Database, provider.tenantId, usernameCandidateFrom(claims), `${claims.iss} ${claims.sub}`);
    const [user] = await tx
      .insert(users)
      .values({ tenantId: provider.tenantId, username, displayName: displayNameFrom(claims, username), email, passwordHash: NO_LOCAL_PASSWORD, roles })
      .returning({ id: users.id });
    await tx.insert(userIdentities).values({ tenantId: provider.tenantId, issuer: claims.iss, subject: claims.sub, userId: user!.id, providerKey: provider.key, lastSignInAt: now });
    await recordAudit(tx, signInActor(provider, user!.id, username), {
      action: 'user.create',
      objectType: 'user',
      objectId: user!.id,
      after: { username, roles, issuer: claims.iss },
      note: `created at the first sign-in with ${provider.displayName}`,
    });
    return { ok: true, userId: user!.id, created: true } as const;
  });
}

/** The person signing in is the actor of what their sign-in changes. */
function signInActor(provider: OidcProviderConfig, userId: string, username: string): AuditActor {
  return { userId, username, tenantId: provider.tenantId, tenantDomain: provider.tenantDomain, channel: 'oidc' };
}

/** The candidate, or — when a local account already has that name — the candidate with a suffix fixed by the identity. */
async function freeUsername(database: Database, tenantId: string, candidate: string, identity: string): Promise<string> {
  const suffix = createHash('sha256').update(identity).digest('hex');
  for (const name of [candidate, `${candidate.slice(0, 55)}-${suffix.slice(0, 8)}`, `${candidate.slice(0, 47)}-${suffix.slice(0, 16)}`]) {
    const [taken] = await database.select({ id: users.id }).from(users).where(and(eq(users.tenantId, tenantId), eq(users.username, name)));
    if (!taken) return name;
  }
  return `u-${suffix.slice(0, 40)}`;
}
