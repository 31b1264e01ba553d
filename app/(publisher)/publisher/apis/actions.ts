'use server';
import { redirect } from 'next/navigation';
import { validatedAction } from '@/lib/actions/validated-action';
import { createApiSchema } from '@/lib/apis/apis.schema';
import { createApi } from '@/lib/apis/apis.service';

export const createApiAction = validatedAction({ schema: createApiSchema, roles: ['publisher'], audit: { action: 'api.create', objectType: 'api' } }, async (input, actor) => {
  const { id } = await createApi(actor, input);
  redirect(`/publisher/apis/${id}/environments`);
});
