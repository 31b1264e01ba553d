import { describe, expect, it } from 'vitest';
import { auditSummary, describeAuditSummary, redactValue, secretSentenceFor } from './redaction';

describe('secret fields', () => {
  it('are known by their name, wherever they sit', () => {
    expect(secretSentenceFor('SAToken')).toBe('token replaced');
    expect(secretSentenceFor('one.properties.SAToken')).toBe('token replaced');
    expect(secretSentenceFor('consumerSecret')).toBe('secret replaced');
    expect(secretSentenceFor('clientSecretEncrypted')).toBe('secret replaced');
    expect(secretSentenceFor('password')).toBe('password replaced');
    expect(secretSentenceFor('adminPassword')).toBe('password replaced');
    expect(secretSentenceFor('passwordHash')).toBe('password replaced');
    expect(secretSentenceFor('tokenHash')).toBe('token replaced');
    expect(secretSentenceFor('CACert')).toBe('certificate replaced');
  });

  it('leave alone names that only mention a token or key', () => {
    for (const field of ['tokenType', 'tokenValiditySeconds', 'tokenName', 'consumerKey', 'keyType', 'displayName']) expect(secretSentenceFor(field), field).toBeNull();
  });
});

describe('auditSummary', () => {
  it('lists the fields that changed, and only those', () => {
    expect(auditSummary({ before: { name: 'a', tiers: ['Gold'], cors: { enabled: false } }, after: { name: 'a', tiers: ['Gold', 'Bronze'], cors: { enabled: true } } })).toEqual({
      changed: { tiers: { from: ['Gold'], to: ['Gold', 'Bronze'] }, 'cors.enabled': { from: false, to: true } },
    });
  });

  it('says a secret was replaced, set or removed, and never shows it', () => {
    const summary = auditSummary({
      before: { properties: { SAToken: 'old-token-value', CACert: '' }, consumerSecret: 's3cr3t-1' },
      after: { properties: { SAToken: 'new-token-value', CACert: '-----BEGIN CERTIFICATE-----' }, consumerSecret: '' },
    });
    expect(summary).toEqual({ changed: { consumerSecret: 'secret removed', 'properties.CACert': 'certificate set', 'properties.SAToken': 'token replaced' } });
    expect(JSON.stringify(summary)).not.toMatch(/old-token|new-token|s3cr3t|BEGIN/);
  });

  it('leaves out a secret that stayed the same', () => {
    expect(auditSummary({ before: { SAToken: 'same', displayName: 'A' }, after: { SAToken: 'same', displayName: 'B' } })).toEqual({ changed: { displayName: { from: 'A', to: 'B' } } });
  });

  it('redacts what a create made and a delete removed', () => {
    expect(auditSummary({ after: { username: 'ada', password: 'hunter2-hunter2' } })).toEqual({ created: { username: 'ada', password: 'password set' } });
    expect(auditSummary({ before: { name: 'c', properties: { SAToken: 'tok', Namespace: 'ns' } } })).toEqual({ removed: { name: 'c', properties: { SAToken: 'token set', Namespace: 'ns' } } });
  });

  it('keeps a note, redacted too', () => {
    expect(auditSummary({ note: 'revision 3' })).toEqual({ note: 'revision 3' });
    expect(auditSummary({ note: 'used pjp_abcdefghijklmnop' }).note).toBe('[redacted]');
  });
});

describe('redactValue', () => {
  it('replaces personal tokens and JWTs wherever they appear', () => {
    expect(redactValue({ description: 'call with pjp_0123456789abcdef', list: ['eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig'] })).toEqual({ description: '[redacted]', list: ['[redacted]'] });
  });

  it('bounds what it keeps: long text, long lists and deep objects are cut', () => {
    const long = redactValue('x'.repeat(2000)) as string;
    expect(long.length).toBeLessThan(600);
    expect(long).toMatch(/2000 characters/);
    const list = redactValue(Array.from({ length: 80 }, (_, i) => i)) as unknown[];
    expect(list).toHaveLength(51);
    expect(redactValue({ a: { b: { c: { d: { e: 1 } } } } })).toEqual({ a: { b: { c: { d: '{…}' } } } });
    expect(redactValue(new Date('2026-01-02T03:04:05Z'))).toBe('2026-01-02T03:04:05.000Z');
  });
});

describe('describeAuditSummary', () => {
  it('puts each change on a line a person reads', () => {
    expect(
      describeAuditSummary({ changed: { state: { from: 'CREATED', to: 'PUBLISHED' }, 'properties.SAToken': 'token replaced', tiers: { from: ['Gold'], to: ['Gold', 'Bronze'] } }, note: 'revision 4' }),
    ).toEqual(['state: CREATED → PUBLISHED', 'properties.SAToken: token replaced', 'tiers: ["Gold"] → ["Gold","Bronze"]', 'revision 4']);
    expect(describeAuditSummary({ created: { username: 'ada', password: 'password set' } })).toEqual(['created: username ada, password password set']);
    expect(describeAuditSummary({ removed: { name: 'Shop' } })).toEqual(['removed: name Shop']);
    expect(describeAuditSummary({})).toEqual([]);
  });
});
