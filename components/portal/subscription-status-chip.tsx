'use client';
import Chip from '@mui/material/Chip';
import type { SubscriptionStatus } from '@/lib/db/schema';

const chips: Record<SubscriptionStatus, { color: 'success' | 'error' | 'warning' | 'default'; developer: string; publisher: string }> = {
  ACTIVE: { color: 'success', developer: 'Active', publisher: 'Active' },
  BLOCKED: { color: 'error', developer: 'Blocked by the publisher', publisher: 'Blocked' },
  ON_HOLD: { color: 'warning', developer: 'Waiting for approval', publisher: 'Waiting for approval' },
  REJECTED: { color: 'default', developer: 'Rejected by the publisher', publisher: 'Rejected' },
};

/** A subscription's status in words, for the developer who holds it or the publisher who decides. */
export function SubscriptionStatusChip({ status, viewer, sx }: { status: SubscriptionStatus; viewer: 'developer' | 'publisher'; sx?: object }) {
  const chip = chips[status];
  return <Chip component="span" size="small" color={chip.color} label={chip[viewer]} sx={sx} />;
}
