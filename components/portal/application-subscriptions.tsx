'use client';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useState, useTransition } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import type { SubscriptionStatus } from '@/lib/db/schema';
import { TextLink } from '../link-button';
import { SubscriptionStatusChip } from './subscription-status-chip';

export interface ApplicationSubscriptionRow {
  id: string;
  apiId: string;
  apiName: string;
  apiVersion: string;
  apiStateLabel: string;
  tier: string;
  status: SubscriptionStatus;
}

export function ApplicationSubscriptions({
  subscriptions,
  blockNote,
  unsubscribe,
}: {
  subscriptions: ApplicationSubscriptionRow[];
  /** How soon a publisher's block reaches this application's calls (the token validity). */
  blockNote: string;
  unsubscribe: (subscriptionId: string) => Promise<ActionState<unknown>>;
}) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);

  function remove(row: ApplicationSubscriptionRow) {
    setError(null);
    startTransition(async () => {
      const result = await unsubscribe(row.id);
      if (result.status === 'error') setError(`${row.apiName}: ${result.message}`);
    });
  }

  return (
    <Paper sx={{ p: 3 }} component="section" aria-labelledby="application-subscriptions-heading">
      <Stack spacing={2}>
        <Typography variant="h2" id="application-subscriptions-heading">
          Subscriptions
        </Typography>
        {error && <Alert severity="error">{error}</Alert>}
        {subscriptions.length === 0 ? (
          <Typography color="text.secondary">
            This application is not subscribed to any API. Open an API in the <TextLink href="/portal">catalog</TextLink> and subscribe from its page.
          </Typography>
        ) : (
          <Table size="small" aria-label="Subscriptions of this application">
            <TableHead>
              <TableRow>
                <TableCell>API</TableCell>
                <TableCell>Tier</TableCell>
                <TableCell>Status</TableCell>
                <TableCell align="right" />
              </TableRow>
            </TableHead>
            <TableBody>
              {subscriptions.map((row) => (
                <TableRow key={row.id} data-testid={`application-subscription-${row.apiName}`}>
                  <TableCell>
                    <TextLink href={`/portal/apis/${row.apiId}`}>
                      {row.apiName} {row.apiVersion}
                    </TextLink>
                    {row.apiStateLabel !== 'Published' && (
                      <Typography component="span" variant="body2" color="text.secondary">
                        {' '}
                        ({row.apiStateLabel})
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell>{row.tier}</TableCell>
                  <TableCell>
                    <SubscriptionStatusChip status={row.status} viewer="developer" />
                  </TableCell>
                  <TableCell align="right">
                    <Button size="small" color="error" disabled={pending} onClick={() => remove(row)} aria-label={`${row.status === 'ON_HOLD' || row.status === 'REJECTED' ? 'Withdraw the request for' : 'Unsubscribe from'} ${row.apiName} ${row.apiVersion}`}>
                      {row.status === 'ON_HOLD' || row.status === 'REJECTED' ? 'Withdraw' : 'Unsubscribe'}
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        <Typography variant="body2" color="text.secondary">
          {blockNote}
        </Typography>
      </Stack>
    </Paper>
  );
}
