'use server';
import { revalidatePath } from 'next/cache';
import { validatedAction } from '@/lib/actions/validated-action';
import { createOidcProviderSchema, deleteOidcProviderSchema, localPasswordsSchema, updateOidcProviderSchema } from '@/lib/auth/oidc/oidc-provider.schema';
import { createOidcProvider, deleteOidcProvider, setLocalPasswordsAdminsOnly, updateOidcProvider } from '@/lib/auth/oidc/oidc-providers.service';

export const createOidcProviderAction = validatedAction({ schema: createOidcProviderSchema, roles: ['admin'] }, async (input, actor) => {
  const created = await createOidcProvider(actor, input);
  revalidatePath('/admin/sign-in');
  return { status: 'success', message: `${created.displayName} added. Register ${created.redirectUri} as its redirect URI with the provider.` };
});

export const updateOidcProviderAction = validatedAction({ schema: updateOidcProviderSchema, roles: ['admin'] }, async (input, actor) => {
  await updateOidcProvider(actor, input);
  revalidatePath('/admin/sign-in');
  return { status: 'success', message: input.clientSecret ? 'Saved; the client secret was replaced.' : 'Saved.' };
});

export const deleteOidcProviderAction = validatedAction({ schema: deleteOidcProviderSchema, roles: ['admin'] }, async (input, actor) => {
  await deleteOidcProvider(actor, input.id);
  revalidatePath('/admin/sign-in');
});

export const setLocalPasswordsAction = validatedAction({ schema: localPasswordsSchema, roles: ['admin'] }, async (input, actor) => {
  await setLocalPasswordsAdminsOnly(actor, input.adminsOnly);
  revalidatePath('/admin/sign-in');
  return { status: 'success', message: input.adminsOnly ? 'Only administrators may now use a local password.' : 'Everyone may now use a local password.' };
});
