import Alert from '@mui/material/Alert';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import type { SigningKeyRollout, SigningKeyState } from '@/lib/oauth/signing-key-rollout';

const stateLabel: Record<SigningKeyState, { label: string; color: 'success' | 'info' | 'default' }> = {
  signing: { label: 'signing', color: 'success' },
  next: { label: 'next (published, not signing yet)', color: 'info' },
  retiring: { label: 'retired (verifies older tokens)', color: 'default' },
};

const date = (iso: string) => new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

/** The token signing keys and how far each has reached the gateways. */
export function SigningKeysTable({ rollout }: { rollout: SigningKeyRollout }) {
  return (
    <Stack spacing={1.5} component="section" aria-labelledby="signing-keys-heading">
      <Typography variant="h2" id="signing-keys-heading">
        Token signing keys
      </Typography>
      <Typography color="text.secondary">
        A new key is published to every gateway before it signs a token, so no gateway ever refuses a valid token. The next key starts to sign
        once all {rollout.gateways} gateway{rollout.gateways === 1 ? '' : 's'} listed here hold it.
      </Typography>
      <Table size="small" aria-label="Token signing keys">
        <TableHead>
          <TableRow>
            <TableCell>Key id</TableCell>
            <TableCell>State</TableCell>
            <TableCell>Since</TableCell>
            <TableCell>Gateways that hold it</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rollout.keys.map((key) => (
            <TableRow key={key.kid} data-testid={`signing-key-${key.state}`}>
              <TableCell>
                <code title={key.kid}>{key.kid.slice(0, 12)}…</code>
              </TableCell>
              <TableCell>
                <Chip size="small" label={stateLabel[key.state].label} color={stateLabel[key.state].color} />
              </TableCell>
              <TableCell>
                {date(key.since)}
                {key.retireAfter && ` · until ${date(key.retireAfter)}`}
              </TableCell>
              <TableCell>
                {key.gatewaysWithKey} of {rollout.gateways}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {rollout.waitingFor.length > 0 && (
        <Alert severity="info">
          The next key waits for these gateways:{' '}
          {rollout.waitingFor.map((gateway) => `${gateway.apiName} ${gateway.apiVersion} on ${gateway.clusterName} (${gateway.status})`).join('; ')}. Retry
          their deployment on the API&apos;s Lifecycle tab.
        </Alert>
      )}
    </Stack>
  );
}
