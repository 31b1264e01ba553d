import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { Metadata } from 'next';
import { AuditFilterForm, AuditLogTable, type AuditFilterValues } from '@/components/admin/audit-log';
import { auditFiltersSchema } from '@/lib/audit/audit.schema';
import { AUDIT_EXPORT_MAX_ROWS, auditFilterChoices, auditLogPage } from '@/lib/audit/audit.service';
import { describeAuditSummary } from '@/lib/audit/redaction';
import { isSuperTenantAdmin } from '@/lib/actor';
import { actorForPage } from '@/lib/auth/session';

export const metadata: Metadata = { title: 'Audit log' };

const FILTER_KEYS = ['tenant', 'user', 'action', 'objectType', 'objectId', 'outcome', 'from', 'to'] as const;

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await actorForPage(['admin'], '/admin/audit');
  const raw = await searchParams;
  const text = (key: string) => {
    const value = raw[key];
    return (Array.isArray(value) ? value[0] : value) ?? '';
  };
  const values = Object.fromEntries(FILTER_KEYS.map((key) => [key, text(key).slice(0, 253)])) as AuditFilterValues;
  const parsed = auditFiltersSchema.safeParse(values);
  const page = Math.max(1, Number.parseInt(text('page'), 10) || 1);
  const showTenant = isSuperTenantAdmin(actor);
  const [result, choices] = await Promise.all([parsed.success ? auditLogPage(actor, parsed.data, page) : null, auditFilterChoices(actor)]);

  const query = (extra: Record<string, string>) => {
    const params = new URLSearchParams();
    for (const key of FILTER_KEYS) if (values[key]) params.set(key, values[key]);
    for (const [key, value] of Object.entries(extra)) params.set(key, value);
    return params.toString();
  };

  return (
    <Stack spacing={3}>
      <div>
        <Typography variant="h1">Audit log</Typography>
        <Typography color="text.secondary">
          Every change made in {showTenant ? 'every tenant' : actor.tenantDomain} through pages or the REST API, and refused attempts at privileged actions. Secrets are never
          recorded; records cannot be changed or deleted.
        </Typography>
      </div>
      <AuditFilterForm values={values} choices={choices} showTenant={showTenant} />
      <Stack direction="row" spacing={1} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <Button variant="outlined" href={`/api/admin/audit/export?${query({ format: 'csv' })}`} download>
          Export CSV
        </Button>
        <Button variant="outlined" href={`/api/admin/audit/export?${query({ format: 'jsonl' })}`} download>
          Export JSON lines
        </Button>
        <Typography variant="body2" color="text.secondary">
          Exports hold the filtered records, newest first, at most {AUDIT_EXPORT_MAX_ROWS.toLocaleString('en')}: narrow the time range for more.
        </Typography>
      </Stack>
      {!parsed.success && <Alert severity="error">A filter is not valid: {parsed.error.issues[0]?.message}</Alert>}
      {result && (
        <>
          <AuditLogTable
            showTenant={showTenant}
            rows={result.records.map((record) => ({ ...record, at: record.at.toISOString(), summary: describeAuditSummary(record.summary) }))}
          />
          <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }} component="nav" aria-label="Audit log pages">
            <Button href={`/admin/audit?${query({ page: String(result.page - 1) })}`} disabled={result.page <= 1}>
              Newer
            </Button>
            <Typography variant="body2">Page {result.page}</Typography>
            <Button href={`/admin/audit?${query({ page: String(result.page + 1) })}`} disabled={!result.hasNext}>
              Older
            </Button>
          </Stack>
        </>
      )}
    </Stack>
  );
}
