'use client';
import Alert from '@mui/material/Alert';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useActionState } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import type { ClusterChoice } from '@/lib/clusters/clusters.service';
import { EmptyState } from '../empty/empty-state';
import { FormMessage, SubmitButton } from '../forms/fields';

/** The Environments tab: the tenant's clusters grouped by type, by display name, with checkboxes. */
export function EnvironmentsForm({
  action,
  apiId,
  clusters,
  selected,
  deployed,
}: {
  action: (state: ActionState, formData: FormData) => Promise<ActionState>;
  apiId: string;
  clusters: ClusterChoice[];
  selected: string[];
  deployed: boolean;
}) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  if (clusters.length === 0) {
    return (
      <EmptyState title="No clusters to deploy to">
        Your tenant has no clusters yet. A tenant administrator adds them under Admin → Clusters.
      </EmptyState>
    );
  }
  const byType = new Map<string, ClusterChoice[]>();
  for (const cluster of clusters) byType.set(cluster.type, [...(byType.get(cluster.type) ?? []), cluster]);
  return (
    <Paper sx={{ p: 3 }}>
      <form action={formAction}>
        <Stack spacing={2}>
          <Typography color="text.secondary">Pick the clusters that get a dedicated gateway for this API.</Typography>
          {deployed && <Alert severity="info">This API is deployed: saving deploys it to newly picked clusters and removes it from the others.</Alert>}
          <FormMessage state={state} />
          <input type="hidden" name="apiId" value={apiId} />
          {[...byType].map(([type, members]) => (
            <div key={type}>
              <Typography variant="h3">{type}</Typography>
              <FormGroup>
                {members.map((cluster) => (
                  <FormControlLabel
                    key={cluster.clusterName}
                    control={<Checkbox name="clusters" value={cluster.clusterName} defaultChecked={selected.includes(cluster.clusterName)} />}
                    label={cluster.displayName}
                  />
                ))}
              </FormGroup>
            </div>
          ))}
          <SubmitButton sx={{ alignSelf: 'start' }}>Save</SubmitButton>
        </Stack>
      </form>
    </Paper>
  );
}
