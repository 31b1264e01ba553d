import { and, asc, eq } from 'drizzle-orm';
import type { Actor } from '../actor';
import { requireRole } from '../actor';
import { formatSignInIdentifier } from '../auth/identity';
import { hashPassword } from '../auth/password';
import { recordAudit } from '../audit/audit.service';
import { db } from '../db/drizzle';
import { isUniqueViolation } from '../db/errors';
import { tenants, users, type Role } from '../db/schema';
import { AppError, conflict, forbidden, notFound } from '../errors';
import type { CreateUserInput, SignUpInput } from './users.schema';

export interface UserSummary {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  roles: Role[];
  disabled: boolean;
  createdAt: Date;
}

const userSummaryColumns = {
  id: users.id,
  username: users.username,
  displayName: users.displayName,
  email: users.email,
  roles: users.roles,
  disabled: users.disabled,
  createdAt: users.createdAt,
};

const usernameTaken = () => conflict('That username is taken.', { username: ['That username is taken.'] });

export async function listTenantUsers(actor: Actor): Promise<UserSummary[]> {
  requireRole(actor, 'admin');
  return (await db())
    .select(userSummaryColumns)
    .from(users)
    .where(eq(users.tenantId, actor.tenantId))
    .orderBy(asc(users.username));
}

export async function createTenantUser(actor: Actor, input: CreateUserInput): Promise<UserSummary> {
  requireRole(actor, 'admin');
  try {
    const passwordHash = await hashPassword(input.password);
    return await (await db()).transaction(async (tx) => {
      const [created] = await tx
        .insert(users)
        .values({ tenantId: actor.tenantId, username: input.username, displayName: input.displayName, email: input.email, passwordHash, roles: input.roles })
        .returning(userSummaryColumns);
      await recordAudit(tx, actor, {
        action: 'user.create',
        objectType: 'user',
        objectId: created!.id,
        after: { username: input.username, displayName: input.displayName, email: input.email, roles: input.roles, password: true },
      });
      return created!;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw usernameTaken();
    throw error;
  }
}

export async function setUserRoles(actor: Actor, userId: string, roles: Role[]): Promise<void> {
  requireRole(actor, 'admin');
  if (userId === actor.userId && !roles.includes('admin')) {
    throw forbidden('You cannot remove your own admin role; ask another administrator.');
  }
  await (await db()).transaction(async (tx) => {
    const inTenant = and(eq(users.id, userId), eq(users.tenantId, actor.tenantId));
    const [before] = await tx.select({ username: users.username, roles: users.roles }).from(users).where(inTenant);
    if (!before) throw notFound('That user');
    await tx.update(users).set({ roles }).where(inTenant);
    await recordAudit(tx, actor, { action: 'user.roles.update', objectType: 'user', objectId: userId, before, after: { username: before.username, roles } });
  });
}

/**
 * Developers create their own account on a tenant's portal when its admin opened sign-up. The
 * answer is the same whether the name was free or taken (the same hashing work, then the same
 * next step: sign in), so sign-up cannot be used to find out which usernames exist. A taken name
 * is left exactly as it was.
 */
export async function signUpDeveloper(input: SignUpInput, context: { clientAddress?: string } = {}): Promise<{ identifier: string }> {
  const database = await db();
  const [tenant] = await database.select().from(tenants).where(eq(tenants.domain, input.tenant));
  if (!tenant || !tenant.selfSignup) {
    throw new AppError('forbidden', 'Sign-up is not open on this portal. Ask its administrator for an account.');
  }
  const passwordHash = await hashPassword(input.password);
  await database.transaction(async (tx) => {
    const [created] = await tx
      .insert(users)
      .values({ tenantId: tenant.id, username: input.username, displayName: input.displayName, email: input.email, passwordHash, roles: ['subscriber'] })
      .onConflictDoNothing({ target: [users.tenantId, users.username] })
      .returning({ id: users.id });
    // A taken name changed nothing, so there is nothing to record.
    if (!created) return;
    await recordAudit(
      tx,
      { userId: created.id, username: input.username, tenantId: tenant.id, tenantDomain: tenant.domain, channel: 'anonymous', clientAddress: context.clientAddress ?? null },
      { action: 'user.sign-up', objectType: 'user', objectId: created.id, after: { username: input.username, displayName: input.displayName, email: input.email, roles: ['subscriber'] } },
    );
  });
  return { identifier: formatSignInIdentifier({ username: input.username, tenantDomain: tenant.domain }) };
}
