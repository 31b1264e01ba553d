import type { DatabaseHandle } from '../db/drizzle';
import { purgeExpiredAuditEvents } from './audit.service';

/**
 * How long audit records are kept: PRIVATEJET_AUDIT_RETENTION_DAYS, whole days, 365 when unset.
 * A bad value stops start-up rather than silently keeping records for a time nobody chose.
 */
export function auditRetentionDays(env: Record<string, string | undefined> = process.env): number {
  const value = (env.PRIVATEJET_AUDIT_RETENTION_DAYS ?? '').trim();
  if (value === '') return 365;
  const days = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(days) || days < 1 || days > 36_500) {
    throw new Error(`PRIVATEJET_AUDIT_RETENTION_DAYS must be a whole number of days from 1 to 36500, not "${value}"`);
  }
  return days;
}

const PURGE_EVERY_MS = 6 * 60 * 60 * 1000;
// Advisory lock keys spell their purpose in ASCII ("pjaud").
const AUDIT_PURGE_LOCK_KEY = 0x706a617564;

/**
 * Removes expired records at start-up and every six hours after. Replicas take turns under an
 * advisory lock, and the purge is one idempotent DELETE below a cutoff, so two replicas running
 * it at once would only find nothing left to do. The timer never keeps the process alive.
 */
export function startAuditRetention(handle: DatabaseHandle, retentionDays: number): void {
  const purge = () =>
    handle
      .withLock(AUDIT_PURGE_LOCK_KEY, () => purgeExpiredAuditEvents(retentionDays))
      .then(
        (count) => count > 0 && console.log(`PrivateJet: removed ${count} audit record(s) older than ${retentionDays} days`),
        (error: unknown) => console.error('PrivateJet: purging expired audit records failed:', error),
      );
  void purge();
  setInterval(() => void purge(), PURGE_EVERY_MS).unref();
}
