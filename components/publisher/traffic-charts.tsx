'use client';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { BarChart } from '@mui/x-charts/BarChart';
import { LineChart } from '@mui/x-charts/LineChart';
import type { TrafficFigures, TrafficPoint } from '@/lib/traffic/traffic-views';

/** The Traffic tab's charts: the figures come computed from the server; this only draws them. */

const timeFormat = (stepMs: number) =>
  new Intl.DateTimeFormat(undefined, stepMs >= 60 * 60_000 ? { weekday: 'short', hour: '2-digit', minute: '2-digit' } : { hour: '2-digit', minute: '2-digit' });

function ChartCard({ title, description, children }: { title: string; description: string; children: React.ReactNode }) {
  return (
    <Paper component="section" aria-label={title} sx={{ p: 2 }}>
      <Typography variant="h2" sx={{ fontSize: '1.1rem' }}>
        {title}
      </Typography>
      <Typography variant="body2" color="text.secondary">
        {description}
      </Typography>
      {children}
    </Paper>
  );
}

export function TrafficCharts({ points, totals, stepMs }: { points: TrafficPoint[]; totals: TrafficFigures; stepMs: number }) {
  const format = timeFormat(stepMs);
  const x = points.map((point) => new Date(point.at));
  const xAxis = [{ data: x, scaleType: 'time' as const, valueFormatter: (value: Date) => format.format(value) }];
  const perStep = stepMs / 60_000;
  const ms = (value: number | null) => (value === null ? '–' : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`);
  return (
    <Stack spacing={2} data-testid="traffic-charts">
      <Stack direction="row" spacing={3} sx={{ flexWrap: 'wrap' }} data-testid="traffic-totals">
        {[
          ['Requests', totals.requests.toLocaleString()],
          ['2xx', totals.status2xx.toLocaleString()],
          ['4xx', totals.status4xx.toLocaleString()],
          ['5xx', totals.status5xx.toLocaleString()],
          ['401', totals.status401.toLocaleString()],
          ['403', totals.status403.toLocaleString()],
          ['Throttled (429)', totals.throttled.toLocaleString()],
          ['p50', ms(totals.p50Ms)],
          ['p95', ms(totals.p95Ms)],
          ['p99', ms(totals.p99Ms)],
        ].map(([label, value]) => (
          <Stack key={label}>
            <Typography variant="body2" color="text.secondary">
              {label}
            </Typography>
            <Typography sx={{ fontWeight: 600 }} data-testid={`total-${label}`}>
              {value}
            </Typography>
          </Stack>
        ))}
      </Stack>
      <ChartCard title="Requests per minute" description={perStep === 1 ? 'Each point is one minute.' : `Average per minute over each ${perStep}-minute step.`}>
        <LineChart height={240} xAxis={xAxis} series={[{ data: points.map((p) => Math.round(p.perMinute * 100) / 100), label: 'Requests / min', showMark: false, area: true }]} />
      </ChartCard>
      <ChartCard title="Errors" description="Requests answered with 4xx or 5xx; 401 (no or bad credentials), 403 (not subscribed) and 429 (throttled) are among the 4xx.">
        <BarChart
          height={240}
          xAxis={[{ data: x, scaleType: 'band', valueFormatter: (value: Date) => format.format(value) }]}
          series={[
            { data: points.map((p) => p.status5xx), label: '5xx', stack: 'errors' },
            { data: points.map((p) => p.status4xx - p.status401 - p.status403 - p.throttled), label: 'other 4xx', stack: 'errors' },
            { data: points.map((p) => p.status401), label: '401', stack: 'errors' },
            { data: points.map((p) => p.status403), label: '403', stack: 'errors' },
            { data: points.map((p) => p.throttled), label: '429 throttled', stack: 'errors' },
          ]}
        />
      </ChartCard>
      <ChartCard title="Latency" description="Time from a request's arrival at the gateway to its response's headers, from the gateways' histograms.">
        <LineChart
          height={240}
          xAxis={xAxis}
          yAxis={[{ label: 'ms' }]}
          series={[
            { data: points.map((p) => p.p50Ms), label: 'p50', showMark: false, connectNulls: false },
            { data: points.map((p) => p.p95Ms), label: 'p95', showMark: false, connectNulls: false },
            { data: points.map((p) => p.p99Ms), label: 'p99', showMark: false, connectNulls: false },
          ]}
        />
      </ChartCard>
    </Stack>
  );
}
