'use server';
import { revalidatePath } from 'next/cache';
import { validatedAction } from '@/lib/actions/validated-action';
import { createTenantSchema } from '@/lib/tenants/tenants.schema';
import { createTenant } from '@/lib/tenants/tenants.service';

export const createTenantAction = validatedAction({ schema: createTenantSchema, roles: ['admin'], audit: { action: 'tenant.create', objectType: 'tenant' } }, async (input, actor) => {
  const tenant = await createTenant(actor, input);
  revalidatePath('/admin/tenants');
  return { status: 'success', message: `Created ${tenant.domain}. Its admin signs in as ${input.adminUsername}@${tenant.domain}.` };
});
