'use server';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { AppError, runAction, validatedAction, type ActionState } from '@/lib/actions/validated-action';
import { saveDocumentationSchema } from '@/lib/apis/api-documentation.schema';
import { saveApiDocumentation } from '@/lib/apis/api-documentation.service';
import { clusterSelectionSchema, lifecycleChangeSchema, newVersionSchema, replaceDefinitionSchema, updateApiSchema } from '@/lib/apis/apis.schema';
import { changeLifecycleState, createNewVersion, replaceApiDefinition, setClusterSelection, updateApi } from '@/lib/apis/apis.service';
import type { ApiState } from '@/lib/db/schema';
import { retryDeployment } from '@/lib/deployments/deployments.service';

/** A page's save that lost the race to another one: said in the page's words (the service speaks of ETags, for the REST API). */
async function refusingStaleSave(save: () => Promise<unknown>, keptWhat: string): Promise<ActionState | null> {
  try {
    await save();
    return null;
  } catch (error) {
    if (error instanceof AppError && error.kind === 'precondition_failed') {
      return { status: 'error', message: `This API was changed (in another tab, or by someone else) since you opened the page, so nothing was saved. ${keptWhat} Reload the page to see the current version, then apply your change again.` };
    }
    throw error;
  }
}

export const updateApiAction = validatedAction({ schema: updateApiSchema, roles: ['publisher'], audit: { action: 'api.update', objectType: 'api' } }, async (input, actor) => {
  const { revision, ...settings } = input;
  const refused = await refusingStaleSave(() => updateApi(actor, settings, { expectedRevision: revision }), 'Your entries are still in the form.');
  if (refused) return refused;
  revalidatePath(`/publisher/apis/${input.apiId}`, 'layout');
  return { status: 'success', message: 'Saved. Deployed gateways are updated with the new configuration.' };
});

/** The definition editor's save: the text was checked by the upload route (problems at their lines); this replaces the stored document with it. */
export const replaceDefinitionAction = validatedAction({ schema: replaceDefinitionSchema, roles: ['publisher'], audit: { action: 'api.definition.update', objectType: 'api' } }, async (input, actor) => {
  const refused = await refusingStaleSave(
    () => replaceApiDefinition(actor, { apiId: input.apiId, definitionUpload: input.definitionUpload }, { expectedRevision: input.revision }),
    'Your text is kept in the editor: copy it before reloading.',
  );
  if (refused) return refused;
  revalidatePath(`/publisher/apis/${input.apiId}`, 'layout');
  revalidatePath(`/portal/apis/${input.apiId}`);
  return { status: 'success', message: 'Saved the definition. Deployed gateways are updated with its operations.' };
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
