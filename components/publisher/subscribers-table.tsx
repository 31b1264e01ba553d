'use client';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useState, useTransition } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import type { SubscriptionStatus } from '@/lib/db/schema';
import { SubscriptionStatusChip } from '../portal/subscription-status-chip';

export interface SubscriberRow {
  subscriptionId: string;
  applicationName: string;
  owner: string;
  tier: string;
  status: SubscriptionStatus;
  /** "1 hour": how long until the application's current tokens expire at the latest; null before it has keys. */
  blockDelay: string | null;
}

type Decision = 'approve' | 'reject' | 'block' | 'unblock';

/** The buttons each status offers, as the publisher's decisions (lib/subscriptions SUBSCRIPTION_DECISIONS). */
const actionsFor: Record<SubscriptionStatus, { decision: Decision; label: string; color: 'primary' | 'error' }[]> = {
  ON_HOLD: [
    { decision: 'approve', label: 'Approve', color: 'primary' },
    { decision: 'reject', label: 'Reject', color: 'error' },
  ],
  REJECTED: [{ decision: 'approve', label: 'Approve', color: 'primary' }],
  ACTIVE: [{ decision: 'block', label: 'Block', color: 'error' }],
  BLOCKED: [{ decision: 'unblock', label: 'Unblock', color: 'primary' }],
};

function outcome(row: SubscriberRow, decision: Decision): string {
  const when = row.blockDelay ? `within ${row.blockDelay}, when its current tokens expire` : 'with its first token';
  switch (decision) {
    case 'approve':
      return `Approved ${row.applicationName}. Its next token can call this API.`;
    case 'reject':
      return `Rejected the request of ${row.applicationName}. Its tokens never carry this API.`;
    case 'block':
      return `Blocked ${row.applicationName}. New tokens leave this API out at once; calls with its current tokens stop ${when}.`;
    case 'unblock':
      return `Unblocked ${row.applicationName}. Its next token can call this API again (${row.blockDelay ? `at the latest ${when}` : 'right away'}).`;
  }
}

/** The publisher's view of who uses an API: approve or reject requests, block or unblock subscriptions. */
export function SubscribersTable({
  subscribers,
  decide,
}: {
  subscribers: SubscriberRow[];
  decide: (subscriptionId: string, decision: Decision) => Promise<ActionState<unknown>>;
}) {
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<{ severity: 'success' | 'error'; text: string } | null>(null);
  const waiting = subscribers.filter((row) => row.status === 'ON_HOLD').length;

  function change(row: SubscriberRow, decision: Decision) {
    setMessage(null);
    startTransition(async () => {
      const result = await decide(row.subscriptionId, decision);
      setMessage(result.status === 'error' ? { severity: 'error', text: `${row.applicationName}: ${result.message}` } : { severity: 'success', text: outcome(row, decision) });
    });
  }

  return (
    <Stack spacing={2}>
      {waiting > 0 && (
        <Alert severity="warning" data-testid="waiting-requests">
          {waiting === 1 ? 'One subscription request waits' : `${waiting} subscription requests wait`} for your approval. Until you approve, the
          application&apos;s tokens cannot call this API.
        </Alert>
      )}
      {message && <Alert severity={message.severity}>{message.text}</Alert>}
      <TableContainer component={Paper}>
        <Table aria-label="Subscribers">
          <TableHead>
            <TableRow>
              <TableCell>Application</TableCell>
              <TableCell>Owner</TableCell>
              <TableCell>Tier</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>A block takes effect within</TableCell>
              <TableCell align="right" />
            </TableRow>
          </TableHead>
          <TableBody>
            {subscribers.map((row) => (
              <TableRow key={row.subscriptionId} data-testid={`subscriber-row-${row.applicationName}`}>
                <TableCell>{row.applicationName}</TableCell>
                <TableCell>{row.owner}</TableCell>
                <TableCell>{row.tier}</TableCell>
                <TableCell>
                  <SubscriptionStatusChip status={row.status} viewer="publisher" />
                </TableCell>
                <TableCell>
                  <Typography variant="body2">{row.blockDelay ?? 'at once (no tokens yet)'}</Typography>
                </TableCell>
                <TableCell align="right">
                  {actionsFor[row.status].map((action) => (
                    <Button
                      key={action.decision}
                      size="small"
                      color={action.color}
                      disabled={pending}
                      onClick={() => change(row, action.decision)}
                      aria-label={`${action.label} ${row.applicationName}`}
                    >
                      {action.label}
                    </Button>
                  ))}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </Stack>
  );
}
