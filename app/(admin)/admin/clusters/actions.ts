'use server';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { runAction, validatedAction } from '@/lib/actions/validated-action';
import { formatIssue } from '@/lib/config-issues';
import { ClusterConfigRejected, deleteTenantCluster, saveTenantClusterFromForm, saveTenantClustersFromJson } from '@/lib/clusters/clusters.service';
import { checkClusterConnection } from '@/lib/containers/cluster-use.service';
import { clusterFormSchema } from '@/lib/clusters/cluster-form.schema';

const jsonSchema = z.object({ json: z.string().max(1_000_000, 'The configuration is too large.') });

function withoutTokens(json: string): string {
  return json.replace(/("SAToken"\s*:\s*")(?:[^"\\]|\\.)*(")/g, '$1$2');
}

function warningsMessage(saved: string, warnings: { path: string; message: string }[]): string {
  return warnings.length === 0 ? saved : `${saved} Warnings: ${warnings.map(formatIssue).join('; ')}`;
}

export const saveClusterAction = validatedAction({ schema: clusterFormSchema, roles: ['admin'], audit: { action: 'cluster.save', objectType: 'cluster' } }, async (input, actor) => {
  const { warnings } = await saveTenantClusterFromForm(actor, input);
  revalidatePath('/admin/clusters');
  return { status: 'success', message: warningsMessage(`Saved ${input.clusterName}.`, warnings) };
});

export const saveClustersJsonAction = validatedAction({ schema: jsonSchema, roles: ['admin'], audit: { action: 'cluster.import', objectType: 'cluster' } }, async (input, actor) => {
  try {
    const { warnings } = await saveTenantClustersFromJson(actor, input.json);
    revalidatePath('/admin/clusters');
    return { status: 'success', message: warningsMessage('Saved the configuration.', warnings) };
  } catch (error) {
    if (!(error instanceof ClusterConfigRejected)) throw error;
    // The text goes back to the form for correction, tokens blanked: an empty SAToken keeps the stored one.
    return { status: 'error', message: error.message, fieldErrors: { json: error.issues.map(formatIssue) }, values: { json: withoutTokens(input.json) } };
  }
});

export async function deleteClusterAction(clusterName: string) {
  return runAction(['admin'], async (actor) => {
    await deleteTenantCluster(actor, z.string().max(253).parse(clusterName));
    revalidatePath('/admin/clusters');
  }, { action: 'cluster.delete', objectType: 'cluster', objectId: String(clusterName).slice(0, 253) });
}

export async function checkConnectionAction(clusterName: string) {
  return runAction(['admin'], (actor) => checkClusterConnection(actor, z.string().max(253).parse(clusterName)));
}
