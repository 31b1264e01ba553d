import Alert from '@mui/material/Alert';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { EmptyState } from '@/components/empty/empty-state';
import { LinkButton } from '@/components/link-button';
import { TrafficCharts } from '@/components/publisher/traffic-charts';
import { actorForPage } from '@/lib/auth/session';
import { isTrafficRange, TRAFFIC_RANGES, trafficView, type TrafficRange } from '@/lib/traffic/traffic-views';

export default async function TrafficPage({ params, searchParams }: { params: Promise<{ apiId: string }>; searchParams: Promise<{ range?: string; cluster?: string }> }) {
  const { apiId } = await params;
  const query = await searchParams;
  const actor = await actorForPage(['publisher'], `/publisher/apis/${apiId}/traffic`);
  const range: TrafficRange = isTrafficRange(query.range) ? query.range : 'hour';
  const view = await trafficView(actor, apiId, { range, cluster: typeof query.cluster === 'string' && query.cluster !== '' ? query.cluster : null });
  const cluster = view.gateways.some((g) => g.clusterName === view.cluster) ? view.cluster : null;
  const href = (next: { range?: TrafficRange; cluster?: string | null }) => {
    const search = new URLSearchParams({ range: next.range ?? range });
    const chosen = next.cluster === undefined ? cluster : next.cluster;
    if (chosen) search.set('cluster', chosen);
    return `/publisher/apis/${apiId}/traffic?${search}`;
  };
  const everRead = view.gateways.some((g) => g.lastSuccessAt !== null);
  return (
    <Stack spacing={2}>
      <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', alignItems: 'center' }} component="nav" aria-label="Time range">
        {(Object.keys(TRAFFIC_RANGES) as TrafficRange[]).map((key) => (
          <LinkButton key={key} href={href({ range: key })} size="small" variant={key === range ? 'contained' : 'outlined'} aria-current={key === range ? 'page' : undefined}>
            {TRAFFIC_RANGES[key].label}
          </LinkButton>
        ))}
      </Stack>
      {view.gateways.length > 1 && (
        <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', alignItems: 'center' }} component="nav" aria-label="Cluster">
          <LinkButton href={href({ cluster: null })} size="small" variant={cluster === null ? 'contained' : 'outlined'} aria-current={cluster === null ? 'page' : undefined}>
            All clusters
          </LinkButton>
          {view.gateways.map((gateway) => (
            <LinkButton
              key={gateway.clusterName}
              href={href({ cluster: gateway.clusterName })}
              size="small"
              variant={cluster === gateway.clusterName ? 'contained' : 'outlined'}
              aria-current={cluster === gateway.clusterName ? 'page' : undefined}
            >
              {gateway.displayName}
            </LinkButton>
          ))}
        </Stack>
      )}
      <Stack spacing={1} data-testid="gateway-reads">
        {view.gateways.map((gateway) => (
          <Typography key={gateway.clusterName} variant="body2" color="text.secondary">
            {gateway.displayName}: {gateway.replicas} gateway replica{gateway.replicas === 1 ? '' : 's'} read
            {gateway.lastSuccessAt ? `, last at ${new Date(gateway.lastSuccessAt).toISOString().slice(11, 19)} UTC` : ', not read yet'}
          </Typography>
        ))}
        {view.gateways
          .filter((gateway) => gateway.failure)
          .map((gateway) => (
            <Alert key={gateway.clusterName} severity="warning">
              The gateways in {gateway.displayName} could not be read: {gateway.failure}. Figures from there are missing until a read succeeds; nothing is lost that the gateways still count.
            </Alert>
          ))}
      </Stack>
      {view.gateways.length === 0 ? (
        <EmptyState title="No traffic yet">
          Traffic is read from this API&apos;s gateways, and it has none running: publish it to a cluster on the Lifecycle tab. Calls show up here within a minute of being
          answered.
        </EmptyState>
      ) : !everRead ? (
        <EmptyState title="Waiting for the first reading">
          The gateways are deployed but have not been read yet. They are read every few seconds; calls show up here within a minute of being answered.
        </EmptyState>
      ) : view.totals.requests === 0 ? (
        <EmptyState title={`No calls in the ${TRAFFIC_RANGES[range].label.toLowerCase()}`}>
          The gateways are running and were read, but nobody called this API in that time. Calls from applications, or through Try Out in the Developer Portal, show up here
          within a minute.
        </EmptyState>
      ) : (
        <TrafficCharts points={view.points} totals={view.totals} stepMs={view.stepMs} />
      )}
    </Stack>
  );
}
