'use server';
import { revalidatePath } from 'next/cache';
import { runAction, validatedAction } from '@/lib/actions/validated-action';
import type { Role } from '@/lib/db/schema';
import { createUserSchema, setRolesSchema } from '@/lib/users/users.schema';
import { createTenantUser, setUserRoles } from '@/lib/users/users.service';

export const createUserAction = validatedAction({ schema: createUserSchema, roles: ['admin'], audit: { action: 'user.create', objectType: 'user' } }, async (input, actor) => {
  const user = await createTenantUser(actor, input);
  revalidatePath('/admin/users');
  return { status: 'success', message: `Created ${user.username}.` };
});

export async function setUserRolesAction(userId: string, roles: Role[]) {
  return runAction(['admin'], async (actor) => {
    const input = setRolesSchema.parse({ userId, roles });
    await setUserRoles(actor, input.userId, input.roles);
    revalidatePath('/admin/users');
  }, { action: 'user.roles.update', objectType: 'user', objectId: String(userId).slice(0, 100) });
}
