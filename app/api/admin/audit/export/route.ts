import { auditExportResponse } from '@/lib/audit/audit-export-route';
import { currentActor } from '@/lib/auth/session';

export const dynamic = 'force-dynamic';

/** The audit log as CSV (`?format=csv`, the default) or JSON lines (`?format=jsonl`), with the page's filters. */
export async function GET(request: Request): Promise<Response> {
  return auditExportResponse(await currentActor(), new URL(request.url));
}
