import { and, eq } from 'drizzle-orm';
import { forbidden, redirect } from 'next/navigation';
import { headers } from 'next/headers';
import { cache } from 'react';
import { clientAddressOfCurrentRequest } from '../http/client-address';
import { db } from '../db/drizzle';
import { tenants, users, type Role } from '../db/schema';
import type { Actor } from '../actor';
import { hasRole } from '../actor';
import { auth } from './auth';

/** The signed-in user as the domain layer knows them, or null. Cached per request. */
export const currentActor = cache(async (): Promise<Actor | null> => {
  const session = await auth();
  const userId = session?.user?.id;
  if (!userId) return null;
  const [row] = await (await db())
    .select({
      userId: users.id,
      username: users.username,
      displayName: users.displayName,
      roles: users.roles,
      tenantId: tenants.id,
      tenantDomain: tenants.domain,
    })
    .from(users)
    .innerJoin(tenants, eq(tenants.id, users.tenantId))
    .where(and(eq(users.id, userId), eq(users.disabled, false)));
  if (!row) return null;
  return { ...row, clientAddress: clientAddressOfCurrentRequest(await headers()) };
});

/** For pages: signed-out visitors go to sign-in; wrong roles get a 403 from the server, not just a hidden link. */
export async function actorForPage(allowed: Role[], returnTo: string): Promise<Actor> {
  const actor = await currentActor();
  if (!actor) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  if (allowed.length > 0 && !hasRole(actor, ...allowed)) {
    forbidden(); // renders app/forbidden.tsx with HTTP 403
  }
  return actor;
}
