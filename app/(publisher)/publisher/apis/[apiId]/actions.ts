'use server';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { runAction, validatedAction } from '@/lib/actions/validated-action';
import { saveDocumentationSchema } from '@/lib/apis/api-documentation.schema';
import { saveApiDocumentation } from '@/lib/apis/api-documentation.service';
import { clusterSelectionSchema, lifecycleChangeSchema, newVersionSchema, updateApiSchema } from '@/lib/apis/apis.schema';
import { changeLifecycleState, createNewVersion, setClusterSelection, updateApi } from '@/lib/apis/apis.service';
import type { ApiState } from '@/lib/db/schema';
import { retryDeployment } from '@/lib/deployments/deployments.service';

export const updateApiAction = validatedAction({ schema: updateApiSchema, roles: ['publisher'], audit: { action: 'api.update', objectType: 'api' } }, async (input, actor) => {
  await updateApi(actor, input);
  revalidatePath(`/publisher/apis/${input.apiId}`, 'layout');
  return { status: 'success', message: 'Saved. Deployed gateways are updated with the new configuration.' };
});

export const saveDocumentationAction = validatedAction({ schema: saveDocumentationSchema, roles: ['publisher'], audit: { action: 'api.documentation.update', objectType: 'api' } }, async (input, actor) => {
  const saved = await saveApiDocumentation(actor, input);
  revalidatePath(`/publisher/apis/${input.apiId}/documentation`);
  revalidatePath(`/portal/apis/${input.apiId}`);
  return { status: 'success', message: saved.markdown ? 'Saved. Developers see it on the Documentation tab of the API in the Developer Portal.' : 'Removed the documentation.' };
});

export const newVersionAction = validatedAction({ schema: newVersionSchema, roles: ['publisher'], audit: { action: 'api.create', objectType: 'api' } }, async (input, actor) => {
  const { id } = await createNewVersion(actor, input.apiId, input.version);
  redirect(`/publisher/apis/${id}`);
});

export const saveClusterSelectionAction = validatedAction({ schema: clusterSelectionSchema, roles: ['publisher'], audit: { action: 'api.environments.update', objectType: 'api' } }, async (input, actor) => {
  await setClusterSelection(actor, input.apiId, input.clusters);
  revalidatePath(`/publisher/apis/${input.apiId}`, 'layout');
  return { status: 'success', message: 'Saved the clusters. A published API is deployed to added clusters and removed from the others.' };
});

export async function changeLifecycleAction(apiId: string, to: ApiState) {
  return runAction(['publisher'], async (actor) => {
    const input = lifecycleChangeSchema.parse({ apiId, to });
    await changeLifecycleState(actor, input.apiId, input.to);
    revalidatePath(`/publisher/apis/${input.apiId}`, 'layout');
  }, { action: 'api.lifecycle.change', objectType: 'api', objectId: String(apiId).slice(0, 100) });
}

export async function retryDeploymentAction(apiId: string, clusterName: string) {
  return runAction(['publisher'], async (actor) => {
    await retryDeployment(actor, z.uuid().parse(apiId), z.string().max(253).parse(clusterName));
  }, { action: 'api.deployment.retry', objectType: 'api', objectId: String(apiId).slice(0, 100) });
}
