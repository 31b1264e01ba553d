import type { AuditRecordView } from './audit.service';

/**
 * The audit log's export formats, as pure functions: CSV (one record a line, the summary as JSON
 * in one cell) and JSON lines (one JSON object a line). Both stream: a line is written as its
 * record is read.
 */

export type AuditExportFormat = 'csv' | 'jsonl';

export const AUDIT_CSV_COLUMNS = ['at', 'tenant', 'user', 'userId', 'channel', 'token', 'clientAddress', 'action', 'objectType', 'objectId', 'outcome', 'reason', 'summary'] as const;

/**
 * One CSV cell (RFC 4180 quoting). A cell a spreadsheet would run as a formula (= + - @, tab,
 * carriage return first) gets a leading apostrophe: a crafted API name must not become a formula
 * on the admin's machine.
 */
export function csvCell(value: string | null | undefined): string {
  let text = value ?? '';
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

function fieldsOf(record: AuditRecordView): Record<(typeof AUDIT_CSV_COLUMNS)[number], string | null> {
  return {
    at: record.at.toISOString(),
    tenant: record.tenantDomain,
    user: record.actorUsername,
    userId: record.actorUserId,
    channel: record.channel,
    token: record.tokenName,
    clientAddress: record.clientAddress,
    action: record.action,
    objectType: record.objectType,
    objectId: record.objectId,
    outcome: record.outcome,
    reason: record.reason,
    summary: JSON.stringify(record.summary),
  };
}

export function auditCsvHeader(): string {
  return `${AUDIT_CSV_COLUMNS.join(',')}\r\n`;
}

export function auditCsvLine(record: AuditRecordView): string {
  const fields = fieldsOf(record);
  return `${AUDIT_CSV_COLUMNS.map((column) => csvCell(fields[column])).join(',')}\r\n`;
}

export function auditJsonLine(record: AuditRecordView): string {
  const { summary: _asText, ...fields } = fieldsOf(record);
  return `${JSON.stringify({ id: record.id, ...fields, summary: record.summary })}\n`;
}

/** The export as a streamed response body: records are read in batches as the client reads. */
export function auditExportBody(records: AsyncIterator<AuditRecordView>, format: AuditExportFormat): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent && format === 'csv') {
        headerSent = true;
        controller.enqueue(encoder.encode(auditCsvHeader()));
        return;
      }
      const next = await records.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(format === 'csv' ? auditCsvLine(next.value) : auditJsonLine(next.value)));
    },
    async cancel() {
      await records.return?.(undefined);
    },
  });
}
