import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import type { ApiUsage } from '@/lib/traffic/application-usage';

/** Usage of one application per subscribed API, against each subscription tier's limit. */
export function ApplicationUsage({ usage }: { usage: ApiUsage[] }) {
  return (
    <Paper component="section" aria-labelledby="usage-heading" sx={{ p: 2 }}>
      <Typography variant="h2" id="usage-heading">
        Usage
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        Calls answered by the API gateways, read every few seconds. The busiest minute of the last hour is compared with the tier&apos;s limit per minute: past it, calls are
        throttled (429).
      </Typography>
      {usage.length === 0 ? (
        <Typography color="text.secondary">Subscribe this application to an API to see its usage here.</Typography>
      ) : (
        <Table size="small" aria-label="Usage per API">
          <TableHead>
            <TableRow>
              <TableCell>API</TableCell>
              <TableCell>Tier</TableCell>
              <TableCell align="right">Calls today (UTC)</TableCell>
              <TableCell>Busiest minute, last hour</TableCell>
              <TableCell align="right">Throttled today</TableCell>
              <TableCell align="right">Errors today</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {usage.map((api) => {
              const share = api.limitPerMinute ? Math.min(100, (api.peakMinuteCalls / api.limitPerMinute) * 100) : 0;
              return (
                <TableRow key={api.apiId} data-testid={`usage-${api.apiName}`}>
                  <TableCell>
                    {api.apiName} {api.apiVersion}
                  </TableCell>
                  <TableCell>{api.tier}</TableCell>
                  <TableCell align="right" data-testid="calls-today">
                    {api.callsToday.toLocaleString()}
                  </TableCell>
                  <TableCell sx={{ minWidth: 200 }}>
                    <Stack spacing={0.5}>
                      <Typography variant="body2" data-testid="peak-minute">
                        {api.peakMinuteCalls.toLocaleString()} {api.limitPerMinute ? `of ${api.limitPerMinute.toLocaleString()} per minute` : 'per minute (unlimited tier)'}
                      </Typography>
                      {api.limitPerMinute && (
                        <LinearProgress
                          variant="determinate"
                          value={share}
                          color={share >= 90 ? 'error' : share >= 70 ? 'warning' : 'primary'}
                          aria-label={`${api.apiName}: busiest minute at ${Math.round(share)}% of the tier's limit`}
                        />
                      )}
                    </Stack>
                  </TableCell>
                  <TableCell align="right">{api.throttledToday.toLocaleString()}</TableCell>
                  <TableCell align="right">{api.errorsToday.toLocaleString()}</TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
    </Paper>
  );
}
