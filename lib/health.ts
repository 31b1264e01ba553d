import { sql } from 'drizzle-orm';
import { appDatabase } from './db/drizzle';

export interface HealthReport {
  status: 'ok' | 'unavailable';
  database: { kind?: string; ok: boolean; latencyMs?: number };
}

/** For load balancers and Playwright's webServer: healthy only when the database answers. */
export async function healthReport(): Promise<HealthReport> {
  const started = performance.now();
  try {
    const handle = await appDatabase();
    await handle.db.execute(sql`select 1`);
    return { status: 'ok', database: { kind: handle.kind, ok: true, latencyMs: Math.round(performance.now() - started) } };
  } catch {
    return { status: 'unavailable', database: { ok: false } };
  }
}
