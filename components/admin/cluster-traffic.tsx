import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { EmptyState } from '@/components/empty/empty-state';
import { MAX_UNREAD_LISTED, type ClusterTrafficOverview, type TrafficTotals } from '@/lib/traffic/cluster-traffic';

const date = (iso: string | null) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : 'never');
const count = (n: number) => n.toLocaleString('en');
const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

function Figures({ hour, day }: { hour: number; day: number }) {
  return (
    <>
      {count(hour)} <Typography component="span" variant="body2" color="text.secondary">/ {count(day)}</Typography>
    </>
  );
}

const figure = (pick: (totals: TrafficTotals) => number, cluster: { lastHour: TrafficTotals; lastDay: TrafficTotals }) => (
  <Figures hour={pick(cluster.lastHour)} day={pick(cluster.lastDay)} />
);

/** Per cluster: how its gateways were last read, what they answered, and which could not be read and why. */
export function ClusterTrafficTables({ overview }: { overview: ClusterTrafficOverview }) {
  if (overview.clusters.length === 0) {
    return (
      <EmptyState title="No clusters yet" action={<Link href="/admin/clusters">Add a cluster</Link>}>
        Gateways run on clusters; once a cluster is configured and publishers deploy APIs to it, their traffic shows here.
      </EmptyState>
    );
  }
  const gateways = overview.clusters.reduce((total, c) => total + c.gateways.up + c.gateways.down + c.gateways.waiting, 0);
  if (gateways === 0) {
    return (
      <EmptyState title="No gateways yet">
        No API has a gateway on {overview.clusters.length === 1 ? 'this cluster' : `these ${overview.clusters.length} clusters`} yet: a gateway
        appears when a publisher picks a cluster on an API&apos;s Environments tab and the API is published.
      </EmptyState>
    );
  }
  const unread = overview.clusters.flatMap((c) => c.unread.map((gateway) => ({ ...gateway, displayName: c.displayName })));
  const down = overview.clusters.reduce((total, c) => total + c.gateways.down, 0);
  return (
    <Stack spacing={4}>
      <Stack spacing={1.5} component="section" aria-labelledby="clusters-traffic-heading">
        <Typography variant="h2" id="clusters-traffic-heading">
          Gateways and traffic per cluster
        </Typography>
        <Typography color="text.secondary">
          A gateway is up when its last read succeeded less than {seconds(overview.staleAfterMs)} ago (three read intervals); it is down when its
          last read failed or no read succeeded for that long, and waiting when it was just deployed and not read yet. Figures are the last hour /
          the last 24 hours; errors are answers with a 4xx or 5xx status, throttled (429) ones included.
        </Typography>
        <TableContainer>
          <Table size="small" aria-label="Gateways and traffic per cluster">
            <TableHead>
              <TableRow>
                <TableCell>Cluster</TableCell>
                <TableCell>Gateways</TableCell>
                <TableCell align="right">Replicas seen</TableCell>
                <TableCell align="right">Requests (hour / day)</TableCell>
                <TableCell align="right">Errors (hour / day)</TableCell>
                <TableCell align="right">Throttled (hour / day)</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {overview.clusters.map((cluster) => (
                <TableRow key={cluster.clusterName} data-testid={`cluster-traffic-${cluster.clusterName}`}>
                  <TableCell component="th" scope="row">
                    {cluster.displayName}
                    <Typography variant="body2" color="text.secondary">
                      {cluster.clusterName} · {cluster.source === 'deployment.toml' ? 'platform' : 'own'}
                    </Typography>
                  </TableCell>
                  <TableCell>
                    <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: 'wrap' }}>
                      <Chip size="small" color={cluster.gateways.up > 0 ? 'success' : 'default'} label={`${cluster.gateways.up} up`} />
                      <Chip size="small" color={cluster.gateways.down > 0 ? 'error' : 'default'} label={`${cluster.gateways.down} down`} />
                      {cluster.gateways.waiting > 0 && <Chip size="small" label={`${cluster.gateways.waiting} waiting`} />}
                    </Stack>
                  </TableCell>
                  <TableCell align="right">{count(cluster.replicas)}</TableCell>
                  <TableCell align="right" data-testid="requests">
                    {figure((t) => t.requests, cluster)}
                  </TableCell>
                  <TableCell align="right">{figure((t) => t.errors, cluster)}</TableCell>
                  <TableCell align="right">{figure((t) => t.throttled, cluster)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      </Stack>

      <Stack spacing={1.5} component="section" aria-labelledby="unread-gateways-heading">
        <Typography variant="h2" id="unread-gateways-heading">
          Gateways that could not be read
        </Typography>
        {unread.length === 0 ? (
          <Typography color="text.secondary" data-testid="no-unread-gateways">
            Every gateway was read in the last {seconds(overview.staleAfterMs)}.
          </Typography>
        ) : (
          <>
            {down > unread.length && (
              <Typography color="text.secondary">
                The {MAX_UNREAD_LISTED} most recent of {count(down)}.
              </Typography>
            )}
            <TableContainer>
              <Table size="small" aria-label="Gateways that could not be read">
                <TableHead>
                  <TableRow>
                    <TableCell>Cluster</TableCell>
                    <TableCell>API</TableCell>
                    {overview.allTenants && <TableCell>Tenant</TableCell>}
                    <TableCell>Last good read</TableCell>
                    <TableCell>Why</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {unread.map((gateway) => (
                    <TableRow key={`${gateway.apiId}/${gateway.clusterName}`}>
                      <TableCell>{gateway.displayName}</TableCell>
                      <TableCell>
                        {gateway.apiName} {gateway.apiVersion}
                      </TableCell>
                      {overview.allTenants && <TableCell>{gateway.tenantDomain}</TableCell>}
                      <TableCell>{date(gateway.lastSuccessAt)}</TableCell>
                      <TableCell sx={{ overflowWrap: 'anywhere' }}>
                        {gateway.reason
                          ? `${gateway.reason} (${date(gateway.lastFailureAt)})`
                          : gateway.lastSuccessAt
                            ? 'No read since: no replica of the app is reading it in time.'
                            : 'Never read: no replica of the app has read it yet.'}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </TableContainer>
          </>
        )}
      </Stack>
    </Stack>
  );
}
