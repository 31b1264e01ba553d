'use client';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { SparkLineChart } from '@mui/x-charts/SparkLineChart';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useState } from 'react';
import type { ApiListItem } from '@/lib/apis/apis.service';
import type { ApiState } from '@/lib/db/schema';
import { STATE_LABELS } from '@/lib/lifecycle/lifecycle';
import { StateChip } from './state-chip';

/** A list item as it crosses to the browser (dates as strings). */
type Row = Omit<ApiListItem, 'updatedAt'> & { updatedAt: string };

const LIVE_STATES: readonly ApiState[] = ['PUBLISHED', 'DEPRECATED'];

/** Requests per hour over the last 24 hours; a live API nobody called says so. */
function TrafficCell({ api, hourly }: { api: Row; hourly: number[] | undefined }) {
  const total = hourly?.reduce((sum, count) => sum + count, 0) ?? 0;
  if (total === 0) {
    return LIVE_STATES.includes(api.state) ? (
      <Typography variant="body2" color="text.secondary" data-testid={`no-traffic-${api.name}`}>
        No traffic
      </Typography>
    ) : null;
  }
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }} role="img" aria-label={`${api.name}: ${total} requests in the last 24 hours`}>
      <SparkLineChart data={hourly!} height={28} width={96} area />
      <Typography variant="body2">{total.toLocaleString()}</Typography>
    </Stack>
  );
}

export function ApiList({ apis, search, traffic = {} }: { apis: Row[]; search: { q?: string; state?: ApiState }; traffic?: Record<string, number[]> }) {
  const router = useRouter();
  const pathname = usePathname();
  const [q, setQ] = useState(search.q ?? '');
  const go = (next: { q?: string; state?: string }) => {
    const params = new URLSearchParams();
    if (next.q) params.set('q', next.q);
    if (next.state) params.set('state', next.state);
    router.push(`${pathname}?${params}`);
  };
  return (
    <Stack spacing={2}>
      <Stack direction="row" spacing={2} component="form" onSubmit={(e) => { e.preventDefault(); go({ q, state: search.state }); }}>
        <TextField label="Search by name, context or tag" value={q} onChange={(e) => setQ(e.target.value)} />
        <TextField select label="State" value={search.state ?? ''} sx={{ minWidth: 180 }} fullWidth={false} onChange={(e) => go({ q, state: e.target.value })}>
          <MenuItem value="">Any</MenuItem>
          {/* The labels' table, not the schema's list: a value from lib/db would bring the ORM into the browser. */}
          {Object.entries(STATE_LABELS).map(([state, label]) => (
            <MenuItem key={state} value={state}>
              {label}
            </MenuItem>
          ))}
        </TextField>
      </Stack>
      <Paper>
        <Table size="small" aria-label="APIs">
          <TableHead>
            <TableRow>
              <TableCell>Name</TableCell>
              <TableCell>Version</TableCell>
              <TableCell>Context</TableCell>
              <TableCell>State</TableCell>
              <TableCell>Tags</TableCell>
              <TableCell>Last 24 h</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {apis.length === 0 && (
              <TableRow>
                <TableCell colSpan={6}>No API matches this search.</TableCell>
              </TableRow>
            )}
            {apis.map((api) => (
              <TableRow key={api.id} hover>
                <TableCell>
                  <Link href={`/publisher/apis/${api.id}`}>{api.name}</Link>
                </TableCell>
                <TableCell>{api.version}</TableCell>
                <TableCell>{api.context}</TableCell>
                <TableCell>
                  <StateChip state={api.state} />
                </TableCell>
                <TableCell>{api.tags.join(', ')}</TableCell>
                <TableCell>
                  <TrafficCell api={api} hourly={traffic[api.id]} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Paper>
    </Stack>
  );
}
