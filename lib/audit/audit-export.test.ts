import { describe, expect, it } from 'vitest';
import { auditCsvHeader, auditCsvLine, auditExportBody, auditJsonLine, csvCell } from './audit-export';
import { auditRetentionDays } from './audit-retention';
import type { AuditRecordView } from './audit.service';

const record: AuditRecordView = {
  id: '0b6d1c5e-4a0f-4c3e-9b1e-1f2a3b4c5d6e',
  at: new Date('2026-03-01T10:00:00Z'),
  tenantDomain: 'example.com',
  actorUserId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  actorUsername: 'ada',
  channel: 'token',
  tokenName: 'ci, nightly',
  clientAddress: '192.0.2.10',
  action: 'api.update',
  objectType: 'api',
  objectId: '=HYPERLINK("http://evil.test")',
  summary: { changed: { description: { from: 'a "quoted" word', to: 'line\nbreak' } } },
  outcome: 'ok',
  reason: null,
};

describe('CSV', () => {
  it('quotes cells with commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    for (const formula of ['=1+1', '+1', '-1', '@SUM(A1)']) expect(csvCell(formula).startsWith(`'`) || csvCell(formula).startsWith(`"'`)).toBe(true);
  });

  it('writes one line per record under a fixed header', () => {
    expect(auditCsvHeader()).toBe('at,tenant,user,userId,channel,token,clientAddress,action,objectType,objectId,outcome,reason,summary\r\n');
    expect(auditCsvLine(record)).toBe(
      '2026-03-01T10:00:00.000Z,example.com,ada,7c9e6679-7425-40de-944b-e07fc1f90ae7,token,"ci, nightly",192.0.2.10,api.update,api,"\'=HYPERLINK(""http://evil.test"")",ok,,' +
        '"{""changed"":{""description"":{""from"":""a \\""quoted\\"" word"",""to"":""line\\nbreak""}}}"\r\n',
    );
  });
});

describe('JSON lines', () => {
  it('writes one JSON object per line, the summary as an object', () => {
    const line = auditJsonLine(record);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toMatchObject({ id: record.id, at: '2026-03-01T10:00:00.000Z', user: 'ada', token: 'ci, nightly', summary: record.summary });
  });
});

describe('the streamed body', () => {
  it('reads records only as the client reads', async () => {
    let produced = 0;
    async function* records() {
      for (let i = 0; i < 1000; i++) {
        produced++;
        yield record;
      }
    }
    const reader = auditExportBody(records(), 'csv').getReader();
    await reader.read(); // the header
    await reader.read(); // the first record
    expect(produced).toBeLessThan(10);
    await reader.cancel();
  });
});

describe('retention', () => {
  it('is 365 days by default, and a bad value stops start-up', () => {
    expect(auditRetentionDays({})).toBe(365);
    expect(auditRetentionDays({ PRIVATEJET_AUDIT_RETENTION_DAYS: ' 30 ' })).toBe(30);
    for (const bad of ['0', '-5', '1.5', 'a year', '40000']) expect(() => auditRetentionDays({ PRIVATEJET_AUDIT_RETENTION_DAYS: bad }), bad).toThrow(/PRIVATEJET_AUDIT_RETENTION_DAYS/);
  });
});
