'use client';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import Link from '@mui/material/Link';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useRouter } from 'next/navigation';
import { useEffect, useState, useTransition } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import type { ApiState } from '@/lib/db/schema';
import type { DeploymentView } from '@/lib/deployments/deployments.service';
import type { Transition } from '@/lib/lifecycle/lifecycle';

const statusLabels: Record<DeploymentView['status'], { label: string; color: 'default' | 'info' | 'success' | 'error' | 'warning' }> = {
  'not-deployed': { label: 'not deployed', color: 'default' },
  pending: { label: 'pending', color: 'info' },
  applying: { label: 'applying', color: 'info' },
  waiting: { label: 'waiting for ready', color: 'info' },
  ready: { label: 'ready', color: 'success' },
  failed: { label: 'failed', color: 'error' },
  undeploying: { label: 'removing', color: 'warning' },
};

const settled = (views: DeploymentView[]) => views.every((v) => v.status === 'ready' || v.status === 'failed' || v.status === 'not-deployed');

/** Polls the deployment records while anything is in flight, so the page changes without a reload. */
function useLiveDeployments(apiId: string, initial: DeploymentView[]) {
  const [views, setViews] = useState(initial);
  const [pollKey, setPollKey] = useState(0);
  useEffect(() => setViews(initial), [initial]);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      try {
        const response = await fetch(`/api/publisher/apis/${apiId}/deployments`, { cache: 'no-store' });
        if (response.ok) {
          const next = (await response.json()) as DeploymentView[];
          if (stopped) return;
          setViews(next);
          if (settled(next)) return;
        }
      } catch {
        // a missed poll is retried below
      }
      if (!stopped) timer = setTimeout(poll, 1000);
    };
    timer = setTimeout(poll, 300);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [apiId, pollKey]);
  return { views, refresh: () => setPollKey((k) => k + 1) };
}

export function LifecyclePanel(props: {
  apiId: string;
  state: ApiState;
  stateLabel: string;
  transitions: Transition[];
  selectedCount: number;
  history: { from: string; to: string; actor: string; at: string }[];
  initialDeployments: DeploymentView[];
  changeState: (apiId: string, to: ApiState) => Promise<ActionState<unknown>>;
  retry: (apiId: string, clusterName: string) => Promise<ActionState<unknown>>;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<Transition | null>(null);
  const { views, refresh } = useLiveDeployments(props.apiId, props.initialDeployments);

  const run = (transition: Transition) =>
    startTransition(async () => {
      setConfirming(null);
      setError(null);
      const result = await props.changeState(props.apiId, transition.to);
      if (result.status === 'error') setError(result.message ?? 'The change failed.');
      router.refresh();
      refresh();
    });

  return (
    <Stack spacing={3}>
      <Paper sx={{ p: 3 }}>
        <Stack spacing={2}>
          <Typography variant="h2">
            State: <span data-testid="lifecycle-state">{props.stateLabel}</span>
          </Typography>
          {props.selectedCount === 0 && <Alert severity="warning">No cluster is selected on the Environments tab: publishing would deploy nowhere.</Alert>}
          {error && <Alert severity="error">{error}</Alert>}
          <Stack direction="row" spacing={1}>
            {props.transitions.map((t) => (
              <Button
                key={t.to}
                variant={t.primary ? 'contained' : 'outlined'}
                color={t.undeploys ? 'warning' : 'primary'}
                disabled={pending}
                onClick={() => (t.undeploys ? setConfirming(t) : run(t))}
              >
                {t.action}
              </Button>
            ))}
            {props.transitions.length === 0 && <Typography color="text.secondary">A retired API has no further states.</Typography>}
          </Stack>
        </Stack>
      </Paper>

      <Paper sx={{ p: 3 }}>
        <Typography variant="h2" sx={{ mb: 1 }}>
          Deployments
        </Typography>
        {views.length === 0 ? (
          <Typography color="text.secondary">No cluster selected.</Typography>
        ) : (
          <Table size="small" aria-label="Deployments">
            <TableHead>
              <TableRow>
                <TableCell>Cluster</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Access URL</TableCell>
                <TableCell>Details</TableCell>
                <TableCell />
              </TableRow>
            </TableHead>
            <TableBody>
              {views.map((v) => (
                <TableRow key={v.clusterName} data-testid={`deployment-row-${v.clusterName}`}>
                  <TableCell>
                    {v.displayName}
                    <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
                      {v.type}
                    </Typography>
                    {v.rateLimits && (
                      <Typography variant="caption" color="text.secondary" sx={{ display: 'block', maxWidth: 260 }} data-testid="rate-limits">
                        {v.rateLimits}
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell>
                    <Chip size="small" color={statusLabels[v.status].color} label={statusLabels[v.status].label} data-testid="deployment-status" />
                  </TableCell>
                  <TableCell>
                    {v.status === 'ready' && v.accessUrl ? (
                      <Link href={v.accessUrl} target="_blank" rel="noopener noreferrer">
                        {v.accessUrl}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </TableCell>
                  <TableCell sx={{ maxWidth: 420, wordBreak: 'break-word' }}>{v.message}</TableCell>
                  <TableCell>
                    {v.status === 'failed' && (
                      <Button size="small" onClick={() => startTransition(async () => {
                        const result = await props.retry(props.apiId, v.clusterName);
                        if (result.status === 'error') setError(result.message ?? 'Retry failed.');
                        refresh();
                      })}>
                        Retry
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Paper>

      <Paper sx={{ p: 3 }}>
        <Typography variant="h2" sx={{ mb: 1 }}>
          History
        </Typography>
        {props.history.length === 0 ? (
          <Typography color="text.secondary">No lifecycle changes yet.</Typography>
        ) : (
          <Table size="small" aria-label="Lifecycle history">
            <TableBody>
              {props.history.map((h) => (
                <TableRow key={h.at + h.to}>
                  <TableCell>{new Date(h.at).toLocaleString()}</TableCell>
                  <TableCell>{h.actor}</TableCell>
                  <TableCell>
                    {h.from} → {h.to}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Paper>

      <Dialog open={!!confirming} onClose={() => setConfirming(null)}>
        <DialogTitle>{confirming?.action}?</DialogTitle>
        <DialogContent>
          This removes the API&apos;s gateway from every cluster it is deployed to. Calls to it will fail until it is deployed again.
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(null)}>Cancel</Button>
          <Button color="warning" variant="contained" onClick={() => confirming && run(confirming)}>
            {confirming?.action}
          </Button>
        </DialogActions>
      </Dialog>
    </Stack>
  );
}
