'use server';
import { revalidatePath } from 'next/cache';
import { validatedAction } from '@/lib/actions/validated-action';
import { selfSignupSchema } from '@/lib/tenants/tenants.schema';
import { setSelfSignup } from '@/lib/tenants/tenants.service';

export const setSelfSignupAction = validatedAction({ schema: selfSignupSchema, roles: ['admin'], audit: { action: 'settings.self-signup.update', objectType: 'tenant' } }, async (input, actor) => {
  await setSelfSignup(actor, input.selfSignup);
  revalidatePath('/admin/settings');
  return { status: 'success', message: input.selfSignup ? 'Developers can now sign up.' : 'Sign-up is now closed.' };
});
