'use server';
import { redirect } from 'next/navigation';
import { validatedAction } from '@/lib/actions/validated-action';
import { applicationInputSchema } from '@/lib/applications/applications.schema';
import { createApplication } from '@/lib/applications/applications.service';

export const createApplicationAction = validatedAction({ schema: applicationInputSchema, roles: ['subscriber'] }, async (input, actor) => {
  const application = await createApplication(actor, input);
  // Straight to the new application: generating its keys is the next step.
  redirect(`/portal/applications/${application.id}?created=1`);
});
