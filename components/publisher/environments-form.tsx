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
import type { ClusterChoice } from '@/lib/containers/cluster-use.service';
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
  return (
    <Paper sx={{ p: 3 }}>
      <form action={formAction}>
        <Stack spacing={2}>
          <Typography color="text.secondary">Pick the clusters that get a dedicated gateway for this API.</Typography>
          {deployed && <Alert severity="info">This API is deployed: saving deploys it to newly picked clusters and removes it from the others.</Alert>}
          <FormMessage state={state} />
          <input type="hidden" name="apiId" value={apiId} />
          <FormGroup aria-label="Clusters">
            {clusters.map((cluster) => (
              <FormControlLabel
                key={cluster.clusterName}
                data-testid={`cluster-choice-${cluster.clusterName}`}
                control={
                  <Checkbox
                    name="clusters"
                    value={cluster.clusterName}
                    defaultChecked={selected.includes(cluster.clusterName)}
                    // Named by the cluster alone; what it is and where it answers describe it.
                    slotProps={{ input: { 'aria-label': cluster.displayName, 'aria-describedby': `cluster-about-${cluster.clusterName}` } }}
                  />
                }
                label={
                  // Said once per cluster: its name, then what it is and where its gateways answer.
                  <span>
                    {cluster.displayName}
                    <Typography component="span" variant="body2" color="text.secondary" sx={{ display: 'block' }} id={`cluster-about-${cluster.clusterName}`}>
                      {cluster.type === 'Local' ? 'This machine' : `${cluster.type} cluster`}
                      {cluster.accessUrl ? ` · ${cluster.accessUrl}` : ' · no AccessURL set'}
                      <Typography component="span" variant="body2" sx={{ display: 'block' }}>
                        Accepts: {cluster.securityOffer.join('; ')}
                      </Typography>
                    </Typography>
                  </span>
                }
              />
            ))}
          </FormGroup>
          <SubmitButton sx={{ alignSelf: 'start' }}>Save</SubmitButton>
        </Stack>
      </form>
    </Paper>
  );
}
