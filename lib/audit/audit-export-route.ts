import { AppError } from '../errors';
import { errorResponse } from '../http/json-route';
import { auditFiltersSchema } from './audit.schema';
import { auditExportBody, type AuditExportFormat } from './audit-export';
import { auditRecordsForExport } from './audit.service';
import type { Actor } from '../actor';

/**
 * The export of the audit page: the same filters (query string) and the same access check as the
 * page, streamed as CSV or JSON lines. Apart from the route file so tests call it with any actor.
 */
export function auditExportResponse(actor: Actor | null, url: URL): Response {
  try {
    if (!actor) throw new AppError('unauthenticated', 'Please sign in.');
    const format = url.searchParams.get('format') === 'jsonl' ? 'jsonl' : ('csv' satisfies AuditExportFormat);
    const parsed = auditFiltersSchema.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success) throw new AppError('validation', 'A filter is not valid: check the dates and lengths.');
    const records = auditRecordsForExport(actor, parsed.data);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    return new Response(auditExportBody(records, format), {
      headers: {
        'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        'Content-Disposition': `attachment; filename="audit-${stamp}.${format === 'csv' ? 'csv' : 'jsonl'}"`,
        'Cache-Control': 'private, no-store',
      },
    });
  } catch (error) {
    return errorResponse(error, 'audit export');
  }
}
