import Alert from '@mui/material/Alert';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import type { GatewayEnvironment, GatewayEnvironmentStatus } from '@/lib/portal/catalog.service';
import { CopyButton } from './copy-button';
import { EnvironmentStatusChip } from './environment-status-chip';

const whyNotUsable: Record<Exclude<GatewayEnvironmentStatus, 'ready'>, string> = {
  deploying: 'Not answering yet: the gateway is still starting in this cluster.',
  failed: 'Not usable: the gateway could not be deployed to this cluster. The publisher has been shown why.',
  removing: 'Not usable: the gateway is being removed from this cluster.',
};

/** The seed's "Gateway Environments": each cluster's access URL, with whether anything answers there. */
export function GatewayEnvironments({ environments }: { environments: GatewayEnvironment[] }) {
  return (
    <Paper sx={{ p: 3 }} component="section" aria-labelledby="gateway-environments-heading">
      <Stack spacing={2}>
        <Typography variant="h2" id="gateway-environments-heading">
          Gateway environments
        </Typography>
        {environments.length === 0 ? (
          <Alert severity="info">This API has no gateway in any cluster at the moment, so it cannot be called. Check back once the publisher deploys it.</Alert>
        ) : (
          <Table size="small" aria-label="Gateway environments">
            <TableHead>
              <TableRow>
                <TableCell>Cluster</TableCell>
                <TableCell>Access URL</TableCell>
                <TableCell>How to call</TableCell>
                <TableCell>Status</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {environments.map((environment) => {
                const usable = environment.status === 'ready' && environment.accessUrl !== null;
                return (
                  <TableRow key={environment.clusterName} data-testid={`environment-${environment.clusterName}`}>
                    <TableCell>{environment.displayName}</TableCell>
                    <TableCell>
                      {environment.accessUrl ? (
                        <Stack direction="row" spacing={0.5} sx={{ alignItems: 'center' }}>
                          <Typography
                            component="code"
                            data-testid="access-url"
                            sx={{ fontFamily: 'monospace', fontSize: 14, wordBreak: 'break-all', color: usable ? 'text.primary' : 'text.disabled', textDecoration: usable ? 'none' : 'line-through' }}
                          >
                            {environment.accessUrl}
                          </Typography>
                          {usable && <CopyButton value={environment.accessUrl} label={`access URL of ${environment.displayName}`} />}
                        </Stack>
                      ) : (
                        <Typography color="text.secondary">This cluster is no longer configured.</Typography>
                      )}
                      {!usable && environment.status !== 'ready' && (
                        <Typography variant="body2" color="text.secondary">
                          {whyNotUsable[environment.status]}
                        </Typography>
                      )}
                    </TableCell>
                    <TableCell>
                      {environment.howToCall.map((way) => (
                        <Typography key={way} variant="body2">
                          {way}
                        </Typography>
                      ))}
                    </TableCell>
                    <TableCell>
                      <EnvironmentStatusChip status={environment.status} />
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        )}
      </Stack>
    </Paper>
  );
}
