import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
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
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';

/** A record as the page shows it: dates as text, the summary as lines. */
export interface AuditRow {
  id: string;
  at: string;
  tenantDomain: string;
  actorUsername: string;
  channel: string;
  tokenName: string | null;
  clientAddress: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  /** Lines of the change, as describeAuditSummary puts them. */
  summary: string[];
  outcome: 'ok' | 'refused';
  reason: string | null;
}

export type AuditFilterValues = Record<'tenant' | 'user' | 'action' | 'objectType' | 'objectId' | 'outcome' | 'from' | 'to', string>;

const when = (iso: string) => iso.replace('T', ' ').slice(0, 19) + ' UTC';

/**
 * The filters are a plain GET form: the address holds them, so a filtered view can be shared and
 * the export links carry exactly what the table shows. Works without JavaScript.
 */
export function AuditFilterForm({ values, choices, showTenant }: { values: AuditFilterValues; choices: { actions: string[]; objectTypes: string[] }; showTenant: boolean }) {
  return (
    <Paper variant="outlined" sx={{ p: 2 }} component="form" method="get" action="/admin/audit" aria-label="Filter the audit log">
      <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'repeat(auto-fill, minmax(200px, 1fr))', alignItems: 'center' }}>
        {showTenant && <TextField name="tenant" label="Tenant" size="small" defaultValue={values.tenant} placeholder="all tenants" />}
        <TextField name="user" label="User" size="small" defaultValue={values.user} />
        <TextField name="action" label="Action" size="small" defaultValue={values.action} select slotProps={{ select: { native: true }, inputLabel: { shrink: true } }}>
          <option value="">Any action</option>
          {choices.actions.map((action) => (
            <option key={action} value={action}>
              {action}
            </option>
          ))}
        </TextField>
        <TextField name="objectType" label="Object type" size="small" defaultValue={values.objectType} select slotProps={{ select: { native: true }, inputLabel: { shrink: true } }}>
          <option value="">Any type</option>
          {choices.objectTypes.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </TextField>
        <TextField name="objectId" label="Object id" size="small" defaultValue={values.objectId} />
        <TextField name="outcome" label="Outcome" size="small" defaultValue={values.outcome} select slotProps={{ select: { native: true }, inputLabel: { shrink: true } }}>
          <option value="">Any outcome</option>
          <option value="ok">ok</option>
          <option value="refused">refused</option>
        </TextField>
        <TextField name="from" label="From (UTC)" type="datetime-local" size="small" defaultValue={values.from} slotProps={{ inputLabel: { shrink: true } }} />
        <TextField name="to" label="To (UTC)" type="datetime-local" size="small" defaultValue={values.to} slotProps={{ inputLabel: { shrink: true } }} />
        <Stack direction="row" spacing={1}>
          <Button type="submit" variant="contained">
            Filter
          </Button>
          <Button href="/admin/audit">Clear</Button>
        </Stack>
      </Box>
    </Paper>
  );
}

/** One page of records, newest first. */
export function AuditLogTable({ rows, showTenant }: { rows: AuditRow[]; showTenant: boolean }) {
  if (rows.length === 0) return <Alert severity="info">No audit records match these filters.</Alert>;
  return (
    <TableContainer component={Paper} variant="outlined">
      <Table size="small" aria-label="Audit records">
        <TableHead>
          <TableRow>
            <TableCell>Time</TableCell>
            {showTenant && <TableCell>Tenant</TableCell>}
            <TableCell>User</TableCell>
            <TableCell>From</TableCell>
            <TableCell>Action</TableCell>
            <TableCell>Object</TableCell>
            <TableCell>Change</TableCell>
            <TableCell>Outcome</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((row) => (
            <TableRow key={row.id}>
              <TableCell sx={{ whiteSpace: 'nowrap' }}>{when(row.at)}</TableCell>
              {showTenant && <TableCell>{row.tenantDomain}</TableCell>}
              <TableCell>
                {row.actorUsername}
                <Typography variant="body2" color="text.secondary" component="div">
                  {row.channel === 'token' ? `token "${row.tokenName ?? ''}"` : row.channel}
                </Typography>
              </TableCell>
              <TableCell>{row.clientAddress ?? '—'}</TableCell>
              <TableCell data-testid="audit-action">{row.action}</TableCell>
              <TableCell>
                {row.objectType}
                {row.objectId && (
                  <Typography variant="body2" color="text.secondary" component="div" sx={{ wordBreak: 'break-all' }}>
                    {row.objectId}
                  </Typography>
                )}
              </TableCell>
              <TableCell sx={{ maxWidth: 420 }}>
                {row.summary.map((line, index) => (
                  <Typography key={index} variant="body2" component="div" sx={{ wordBreak: 'break-word' }}>
                    {line}
                  </Typography>
                ))}
                {row.reason && (
                  <Typography variant="body2" color="text.secondary" component="div">
                    {row.reason}
                  </Typography>
                )}
              </TableCell>
              <TableCell>
                <Chip size="small" label={row.outcome} color={row.outcome === 'ok' ? 'success' : 'warning'} variant="outlined" />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
