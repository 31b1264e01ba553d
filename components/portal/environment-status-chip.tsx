import Chip from '@mui/material/Chip';
import type { GatewayEnvironmentStatus } from '@/lib/portal/catalog.service';

const presentation: Record<GatewayEnvironmentStatus, { label: string; color: 'success' | 'info' | 'error' | 'warning' }> = {
  ready: { label: 'ready', color: 'success' },
  deploying: { label: 'deploying', color: 'info' },
  failed: { label: 'unavailable', color: 'error' },
  removing: { label: 'being removed', color: 'warning' },
};

export function EnvironmentStatusChip({ status }: { status: GatewayEnvironmentStatus }) {
  const { label, color } = presentation[status];
  return <Chip size="small" color={color} label={label} data-testid="environment-status" />;
}
