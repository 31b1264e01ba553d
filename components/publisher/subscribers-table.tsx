'use client';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
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

export interface SubscriberRow {
  subscriptionId: string;
  applicationName: string;
  owner: string;
  tier: string;
  status: 'ACTIVE' | 'BLOCKED';
  /** "1 hour": how long until the application's current tokens expire at the latest; null before it has keys. */
  blockDelay: string | null;
}

/** The publisher's view of who uses an API, with Block / Unblock per subscription. */
export function SubscribersTable({
  subscribers,
  setBlocked,
}: {
  subscribers: SubscriberRow[];
  setBlocked: (subscriptionId: string, blocked: boolean) => Promise<ActionState<unknown>>;
}) {
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<{ severity: 'success' | 'error'; text: string } | null>(null);

  function change(row: SubscriberRow, blocked: boolean) {
    setMessage(null);
    startTransition(async () => {
      const result = await setBlocked(row.subscriptionId, blocked);
      if (result.status === 'error') {
        setMessage({ severity: 'error', text: `${row.applicationName}: ${result.message}` });
        return;
      }
      const when = row.blockDelay ? `within ${row.blockDelay}, when its current tokens expire` : 'with its first token';
      setMessage({
        severity: 'success',
        text: blocked
          ? `Blocked ${row.applicationName}. New tokens leave this API out at once; calls with its current tokens stop ${when}.`
          : `Unblocked ${row.applicationName}. Its next token can call this API again (${row.blockDelay ? `at the latest ${when}` : 'right away'}).`,
      });
    });
  }

  return (
    <Stack spacing={2}>
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
                  {row.status === 'BLOCKED' ? <Chip size="small" color="error" label="Blocked" /> : <Chip size="small" color="success" label="Active" />}
                </TableCell>
                <TableCell>
                  <Typography variant="body2">{row.blockDelay ?? 'at once (no tokens yet)'}</Typography>
                </TableCell>
                <TableCell align="right">
                  {row.status === 'BLOCKED' ? (
                    <Button size="small" disabled={pending} onClick={() => change(row, false)} aria-label={`Unblock ${row.applicationName}`}>
                      Unblock
                    </Button>
                  ) : (
                    <Button size="small" color="error" disabled={pending} onClick={() => change(row, true)} aria-label={`Block ${row.applicationName}`}>
                      Block
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </Stack>
  );
}
