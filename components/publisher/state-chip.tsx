import Chip from '@mui/material/Chip';
import type { ApiState } from '@/lib/db/schema';
import { STATE_LABELS } from '@/lib/lifecycle/lifecycle';

const colors: Record<ApiState, 'default' | 'success' | 'warning' | 'error' | 'info'> = {
  CREATED: 'default',
  PRE_RELEASED: 'info',
  PUBLISHED: 'success',
  BLOCKED: 'error',
  DEPRECATED: 'warning',
  RETIRED: 'default',
};

export function StateChip({ state }: { state: ApiState }) {
  return <Chip size="small" color={colors[state]} label={STATE_LABELS[state]} data-testid="api-state" />;
}
