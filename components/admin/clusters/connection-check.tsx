'use client';
import CheckCircleOutline from '@mui/icons-material/CheckCircleOutlined';
import HighlightOff from '@mui/icons-material/HighlightOffOutlined';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState, useTransition } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import type { ClusterAccessReport } from '@/lib/containers/connection-check';

function Allowed({ ok, label, detail }: { ok: boolean; label: string; detail?: string }) {
  return (
    <ListItem dense data-testid={ok ? 'check-allowed' : 'check-missing'}>
      <ListItemIcon sx={{ minWidth: 32 }}>{ok ? <CheckCircleOutline color="success" /> : <HighlightOff color="error" />}</ListItemIcon>
      <ListItemText primary={label} secondary={detail} />
    </ListItem>
  );
}

/** Runs the live connection and permission check and shows it as a checklist. */
export function ConnectionCheck({ clusterName, check }: { clusterName: string; check: (clusterName: string) => Promise<ActionState<ClusterAccessReport>> }) {
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<ActionState<ClusterAccessReport> | null>(null);
  const report = result?.data;
  return (
    <Stack spacing={1}>
      <Button variant="outlined" sx={{ alignSelf: 'start' }} disabled={pending} onClick={() => startTransition(async () => setResult(await check(clusterName)))}>
        {pending ? 'Checking…' : 'Check connection'}
      </Button>
      {result?.status === 'error' && <Alert severity="error">{result.message}</Alert>}
      {report && (
        <Stack spacing={1} data-testid="connection-report">
          {report.note && <Alert severity="info">{report.note}</Alert>}
          {report.error && (
            <Alert severity="error" data-testid="connection-error">
              <strong>{report.error.message}</strong>
              <div>{report.error.hint}</div>
            </Alert>
          )}
          {report.reachable && !report.note && (
            <Alert severity={report.ready ? 'success' : 'warning'} data-testid="connection-summary">
              {report.ready
                ? `Ready: API server ${report.serverVersion ?? ''} allows everything the ${report.manager} manager needs in namespace ${report.namespace}.`
                : `Reached API server ${report.serverVersion ?? ''}, but something is missing (below). The setup guide creates what is needed.`}
            </Alert>
          )}
          {report.reachable && report.namespaceExists !== undefined && (
            <List dense disablePadding>
              <Allowed ok={report.namespaceExists} label={`namespace ${report.namespace} exists`} />
            </List>
          )}
          {report.securityResources && report.securityResources.length > 0 && (
            <>
              <Typography variant="subtitle2">Security resources of the cluster</Typography>
              <List dense disablePadding data-testid="security-resources">
                {report.securityResources.map((resource) => (
                  <Allowed
                    key={resource.property}
                    ok={resource.ok}
                    label={`${resource.property} "${resource.name}"${resource.foundAs ? `: ${resource.foundAs}` : ''}`}
                    detail={resource.problem ?? resource.offers}
                  />
                ))}
              </List>
            </>
          )}
          {report.checks.length > 0 && (
            <>
              <Typography variant="subtitle2">Permissions of the service account</Typography>
              <List dense disablePadding>
                {report.checks.map((c) => (
                  <Allowed
                    key={`${c.apiGroup}/${c.resource}/${c.verb}/${c.name ?? ''}`}
                    ok={c.allowed}
                    label={`${c.verb} ${c.resource}${c.apiGroup ? `.${c.apiGroup}` : ''}${c.name ? ` "${c.name}"` : ''}${c.namespaced ? ` in ${report.namespace}` : ' (cluster-wide)'}`}
                    detail={c.allowed ? c.why : `${c.why}${c.reason ? ` — ${c.reason}` : ''}`}
                  />
                ))}
              </List>
            </>
          )}
        </Stack>
      )}
    </Stack>
  );
}
