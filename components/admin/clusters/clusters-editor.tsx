'use client';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import Accordion from '@mui/material/Accordion';
import AccordionDetails from '@mui/material/AccordionDetails';
import AccordionSummary from '@mui/material/AccordionSummary';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Chip from '@mui/material/Chip';
import FormControlLabel from '@mui/material/FormControlLabel';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useActionState, useState } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import type { ClusterAccessReport } from '@/lib/containers/connection-check';
import type { ClusterSummary } from '@/lib/clusters/clusters.service';
import type { SetupStep } from '@/lib/containers/rbac';
import { EmptyState } from '../../empty/empty-state';
import { Field, FormMessage, SubmitButton } from '../../forms/fields';
import { ConnectionCheck } from './connection-check';
import { SetupGuide } from './setup-guide';

type FormAction = (state: ActionState, formData: FormData) => Promise<ActionState>;

export interface ClustersEditorProps {
  clusters: ClusterSummary[];
  guides: Record<string, SetupStep[] | null>;
  types: string[];
  exportedJson: string;
  saveCluster: FormAction;
  saveJson: FormAction;
  deleteCluster: (clusterName: string) => Promise<ActionState<unknown>>;
  checkConnection: (clusterName: string) => Promise<ActionState<ClusterAccessReport>>;
}

function TokenChip({ token, inCluster }: { token: ClusterSummary['token']; inCluster: boolean }) {
  if (inCluster) return <Chip size="small" label="in-cluster credentials" />;
  if (!token.set) return <Chip size="small" label="token not set" />;
  const expiry = token.expiresAt ? ` · expires ${new Date(token.expiresAt).toLocaleString()}` : '';
  if (token.expired) return <Chip size="small" color="error" label={`token expired${expiry.replace(' · expires', '')}`} />;
  return <Chip size="small" color={token.expiresSoon ? 'warning' : 'default'} label={`token set${expiry}`} data-testid="token-status" />;
}

const propertyFields: { name: string; label: string; helper: string; kubernetesOnly?: boolean; multiline?: boolean }[] = [
  { name: 'AccessURL', label: 'AccessURL', helper: 'Base URL where developers reach the gateways of this cluster.' },
  { name: 'MasterURL', label: 'MasterURL', helper: 'API server URL (kubectl cluster-info). Empty with an empty token: in-cluster credentials.', kubernetesOnly: true },
  { name: 'Namespace', label: 'Namespace', helper: 'Where gateways are created.', kubernetesOnly: true },
  { name: 'Replicas', label: 'Replicas', helper: 'Gateway pods per API.', kubernetesOnly: true },
  { name: 'MaxReplicas', label: 'MaxReplicas (optional)', helper: 'Adds an autoscaler from Replicas up to this.', kubernetesOnly: true },
  { name: 'IngressClass', label: 'IngressClass (optional)', helper: 'Default nginx.', kubernetesOnly: true },
  { name: 'GatewayImage', label: 'GatewayImage (optional)', helper: 'Container image of the dedicated gateway.', kubernetesOnly: true },
  { name: 'JWTSecurityCustomResourceName', label: 'JWTSecurityCustomResourceName', helper: 'Optional: a ConfigMap or Secret with issuer, audience and public-key.pem (WSO2 API Operator: its Security object).', kubernetesOnly: true },
  { name: 'OauthSecurityCustomResourceName', label: 'OauthSecurityCustomResourceName', helper: 'Optional: a Secret with introspection-url, client-id, client-secret (and audience) of another authorization server (WSO2 API Operator: its Security object).', kubernetesOnly: true },
  { name: 'BasicSecurityCustomResourceName', label: 'BasicSecurityCustomResourceName', helper: 'Optional: a Secret whose key "users" holds lines name:hash (openssl passwd -6) (WSO2 API Operator: its Security object).', kubernetesOnly: true },
  { name: 'CACert', label: 'CACert (optional)', helper: "PEM or base64 PEM of the API server's CA (certificate-authority-data).", kubernetesOnly: true, multiline: true },
];

function ClusterForm({ cluster, types, action, onSaved }: { cluster?: ClusterSummary; types: string[]; action: FormAction; onSaved?: () => void }) {
  const [state, formAction] = useActionState(async (previous: ActionState, formData: FormData) => {
    const result = await action(previous, formData);
    if (result.status === 'success') onSaved?.();
    return result;
  }, { status: 'idle' });
  const [type, setType] = useState(cluster?.type ?? types.find((t) => t === 'Kubernetes') ?? types[0] ?? 'Kubernetes');
  const readOnly = cluster?.source === 'deployment.toml';
  const properties = (cluster?.properties ?? {}) as Record<string, unknown>;
  const valueOf = (name: string) => (properties[name] === undefined ? '' : String(properties[name]));
  const isLocal = type === 'Local';
  const id = (name: string) => `${cluster?.clusterName ?? 'new'}-${name}`;
  return (
    <form action={formAction} noValidate>
      <Stack spacing={2}>
        <FormMessage state={state} />
        {cluster && <input type="hidden" name="originalName" value={cluster.clusterName} />}
        <input type="hidden" name="extra" value={JSON.stringify(cluster?.properties.extra ?? {})} />
        <Stack direction={{ xs: 'column', md: 'row' }} spacing={2}>
          <Field id={id('type')} name="type" label="Type" select state={state} value={type} onChange={(e) => setType(e.target.value)} disabled={readOnly}>
            {types.map((t) => (
              <MenuItem key={t} value={t}>
                {t}
              </MenuItem>
            ))}
          </Field>
          <Field id={id('clusterName')} name="clusterName" label="Cluster name" state={state} defaultValue={cluster?.clusterName} disabled={readOnly} required />
          <Field id={id('displayName')} name="displayName" label="Display name" state={state} defaultValue={cluster?.displayName} disabled={readOnly} required />
        </Stack>
        <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, gap: 2 }}>
          {propertyFields
            .filter((f) => !(isLocal && f.kubernetesOnly))
            .map((f) => (
              <Field
                key={f.name}
                id={id(f.name)}
                name={`properties.${f.name}`}
                label={f.label}
                helperText={f.helper}
                state={state}
                defaultValue={valueOf(f.name)}
                disabled={readOnly}
                multiline={f.multiline}
                minRows={f.multiline ? 2 : undefined}
                sx={f.multiline ? { gridColumn: '1 / -1' } : undefined}
              />
            ))}
          {!isLocal && (
            <Field
              id={id('SAToken')}
              name="properties.SAToken"
              label="SAToken"
              type="password"
              autoComplete="off"
              state={state}
              disabled={readOnly}
              helperText={cluster?.token.set ? 'Stored encrypted. Leave empty to keep it; paste a new token to replace it.' : 'Service account token (kubectl create token …).'}
            />
          )}
        </Box>
        {!isLocal && (
          <FormControlLabel
            control={<Checkbox name="properties.InsecureSkipTLSVerify" value="true" defaultChecked={properties.InsecureSkipTLSVerify === true} disabled={readOnly} />}
            label="Skip TLS verification of the API server (insecure: anyone in the path can read the token)"
          />
        )}
        {properties.InsecureSkipTLSVerify === true && <Alert severity="warning">TLS verification is off for this cluster.</Alert>}
        {!readOnly && <SubmitButton sx={{ alignSelf: 'start' }}>{cluster ? 'Save cluster' : 'Add cluster'}</SubmitButton>}
      </Stack>
    </form>
  );
}

function ClusterItem({ cluster, guide, types, props }: { cluster: ClusterSummary; guide: SetupStep[] | null; types: string[]; props: ClustersEditorProps }) {
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const extras = Object.keys(cluster.properties.extra ?? {});
  return (
    <Accordion disableGutters data-testid={`cluster-${cluster.clusterName}`}>
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
          <Typography variant="h3">{cluster.displayName}</Typography>
          <Typography color="text.secondary">
            {cluster.clusterName} · {cluster.type} · manager {cluster.manager}
          </Typography>
          <Chip size="small" variant="outlined" label={cluster.source === 'deployment.toml' ? 'from deployment.toml (read-only)' : 'tenant configuration'} />
          {cluster.type !== 'Local' && <TokenChip token={cluster.token} inCluster={cluster.inCluster} />}
        </Stack>
      </AccordionSummary>
      <AccordionDetails>
        <Stack spacing={3}>
          {(cluster.token.expired || cluster.token.expiresSoon) && (
            <Alert severity={cluster.token.expired ? 'error' : 'warning'}>
              {cluster.token.expired ? 'The service account token has expired: deployments to this cluster will fail with 401.' : 'The service account token expires within a week: paste a new one.'}
            </Alert>
          )}
          {extras.length > 0 && <Alert severity="warning">Unknown properties kept but not used: {extras.join(', ')}</Alert>}
          <ClusterForm cluster={cluster} types={types} action={props.saveCluster} />
          <ConnectionCheck clusterName={cluster.clusterName} check={props.checkConnection} />
          {guide && <SetupGuide steps={guide} />}
          {cluster.source === 'tenant' && (
            <Box>
              {deleteError && <Alert severity="error">{deleteError}</Alert>}
              <Button
                color="error"
                onClick={async () => {
                  if (!window.confirm(`Remove cluster ${cluster.displayName}? APIs deployed there keep running until you unpublish them.`)) return;
                  const result = await props.deleteCluster(cluster.clusterName);
                  setDeleteError(result.status === 'error' ? (result.message ?? 'Could not remove it.') : null);
                }}
              >
                Remove cluster
              </Button>
            </Box>
          )}
        </Stack>
      </AccordionDetails>
    </Accordion>
  );
}

function JsonView({ exportedJson, action }: { exportedJson: string; action: FormAction }) {
  const [state, formAction] = useActionState(action, { status: 'idle' });
  const echoed = state.values?.json;
  const issues = state.fieldErrors?.json;
  return (
    <Paper sx={{ p: 3 }}>
      <form action={formAction}>
        <Stack spacing={2}>
          <Typography color="text.secondary">
            The tenant&apos;s clusters in the <code>tenant-conf.json</code> format: <code>&quot;ContainerMgt&quot;: [ … ]</code>. Paste a block to replace
            them all. Tokens are exported empty; an empty SAToken keeps the stored token of the cluster with the same name and MasterURL.
          </Typography>
          <FormMessage state={state} />
          {issues && (
            <Alert severity="error" data-testid="json-issues">
              <ul style={{ margin: 0, paddingLeft: 18 }}>
                {issues.map((issue) => (
                  <li key={issue}>{issue}</li>
                ))}
              </ul>
            </Alert>
          )}
          <TextField
            key={typeof echoed === 'string' ? echoed : exportedJson}
            name="json"
            label="ContainerMgt"
            multiline
            minRows={12}
            defaultValue={typeof echoed === 'string' ? echoed : exportedJson}
            slotProps={{ htmlInput: { spellCheck: false, style: { fontFamily: 'ui-monospace, monospace', fontSize: 13 } } }}
          />
          <SubmitButton sx={{ alignSelf: 'start' }}>Save configuration</SubmitButton>
        </Stack>
      </form>
    </Paper>
  );
}

export function ClustersEditor(props: ClustersEditorProps) {
  const [view, setView] = useState<'clusters' | 'json'>('clusters');
  const [adding, setAdding] = useState(false);
  return (
    <Stack spacing={2}>
      <Tabs value={view} onChange={(_, value) => setView(value)} aria-label="Cluster configuration views">
        <Tab value="clusters" label="Clusters" />
        <Tab value="json" label="JSON (tenant-conf.json)" />
      </Tabs>
      {view === 'json' ? (
        <JsonView exportedJson={props.exportedJson} action={props.saveJson} />
      ) : (
        <Stack spacing={2}>
          {props.clusters.length === 0 && (
            <EmptyState title="No clusters yet">
              Add a Kubernetes cluster below, or paste your tenant-conf.json <code>ContainerMgt</code> block on the JSON tab. Each cluster&apos;s setup
              guide then prints the commands that create its service account and token.
            </EmptyState>
          )}
          <div>
            {props.clusters.map((cluster) => (
              <ClusterItem key={cluster.clusterName} cluster={cluster} guide={props.guides[cluster.clusterName] ?? null} types={props.types} props={props} />
            ))}
          </div>
          {adding ? (
            <Paper sx={{ p: 3 }}>
              <Typography variant="h2" sx={{ mb: 2 }}>
                Add a cluster
              </Typography>
              <ClusterForm types={props.types} action={props.saveCluster} onSaved={() => setAdding(false)} />
            </Paper>
          ) : (
            <Button variant="outlined" sx={{ alignSelf: 'start' }} onClick={() => setAdding(true)}>
              Add a cluster
            </Button>
          )}
        </Stack>
      )}
    </Stack>
  );
}
