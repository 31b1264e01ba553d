/**
 * What an audit record says about a change: the fields that changed, before and after, with
 * every secret replaced by a sentence ("token replaced"). Pure, so what can reach the log is
 * decided here and pinned by unit tests, not by each caller remembering.
 */

export type AuditSummary = {
  /** Fields that differ, by dotted path: { from, to }, or a sentence for a secret. */
  changed?: Record<string, { from: unknown; to: unknown } | string>;
  /** What a create made (redacted). */
  created?: Record<string, unknown>;
  /** What a delete removed (redacted). */
  removed?: Record<string, unknown>;
  note?: string;
};

type Plain = Record<string, unknown>;

/** Field names that hold secrets, by their last path segment; the sentence that stands in for them. */
const SECRET_FIELDS: Array<[RegExp, string]> = [
  [/token(hash|encrypted)?$/i, 'token replaced'],
  [/password(hash)?$/i, 'password replaced'],
  [/(secret|secrethash|secretencrypted|privatekey|privatejwk)$/i, 'secret replaced'],
  [/^cacert(encrypted)?$/i, 'certificate replaced'],
];

/** Values that are secrets whatever field they sit in: personal tokens and JWTs. */
const SECRET_VALUES = [/pjp_[A-Za-z0-9_-]{8,}/, /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/];

const MAX_STRING = 500;
const MAX_ARRAY = 50;
const MAX_DEPTH = 4;

export function secretSentenceFor(field: string): string | null {
  const last = field.split('.').pop() ?? field;
  for (const [pattern, sentence] of SECRET_FIELDS) if (pattern.test(last)) return sentence;
  return null;
}

function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** One value as it may appear in a record: secrets out, long text and lists cut, dates as ISO. */
export function redactValue(value: unknown, field = '', depth = 0): unknown {
  if (value === undefined || value === null) return value ?? null;
  const sentence = secretSentenceFor(field);
  if (sentence) return value === '' ? '' : sentence.replace(' replaced', ' set');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') {
    if (SECRET_VALUES.some((pattern) => pattern.test(value))) return '[redacted]';
    return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… (${value.length} characters)` : value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ARRAY).map((item) => redactValue(item, field, depth + 1));
    return value.length > MAX_ARRAY ? [...items, `… ${value.length - MAX_ARRAY} more`] : items;
  }
  if (isPlainObject(value)) {
    if (depth >= MAX_DEPTH) return '{…}';
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactValue(inner, field ? `${field}.${key}` : key, depth + 1)]));
  }
  return String(value);
}

/** Objects flattened to dotted paths (arrays stay values), so a diff names the field that changed. */
function flatten(value: Plain, prefix = '', out: Plain = {}, depth = 0): Plain {
  for (const [key, inner] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(inner) && depth < MAX_DEPTH) flatten(inner, path, out, depth + 1);
    else out[path] = inner;
  }
  return out;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a instanceof Date ? a.toISOString() : a ?? null) === JSON.stringify(b instanceof Date ? b.toISOString() : b ?? null);
}

/**
 * The summary of a change: created (after only), removed (before only) or the changed fields
 * (both). A secret that changed is "token replaced" (or secret, password…), one that did not is
 * left out; its value never appears, not even hashed.
 */
export function auditSummary(change: { before?: Plain | null; after?: Plain | null; note?: string }): AuditSummary {
  const summary: AuditSummary = {};
  const { before, after } = change;
  if (before && after) {
    const from = flatten(before);
    const to = flatten(after);
    const changed: NonNullable<AuditSummary['changed']> = {};
    for (const path of [...new Set([...Object.keys(from), ...Object.keys(to)])].sort()) {
      if (sameValue(from[path], to[path])) continue;
      const sentence = secretSentenceFor(path);
      if (sentence) {
        const had = !!from[path];
        const has = !!to[path];
        changed[path] = had && has ? sentence : has ? sentence.replace(' replaced', ' set') : sentence.replace(' replaced', ' removed');
      } else {
        changed[path] = { from: redactValue(from[path] ?? null, path), to: redactValue(to[path] ?? null, path) };
      }
    }
    summary.changed = changed;
  } else if (after) {
    summary.created = redactValue(after) as Plain;
  } else if (before) {
    summary.removed = redactValue(before) as Plain;
  }
  if (change.note) summary.note = redactValue(change.note) as string;
  return summary;
}

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The summary as short lines for the admin page: "field: before → after", "created: …". */
export function describeAuditSummary(summary: AuditSummary): string[] {
  const lines: string[] = [];
  for (const [path, change] of Object.entries(summary.changed ?? {})) {
    lines.push(typeof change === 'string' ? `${path}: ${change}` : `${path}: ${shown(change.from)} → ${shown(change.to)}`);
  }
  for (const [label, fields] of [['created', summary.created], ['removed', summary.removed]] as const) {
    if (fields) lines.push(`${label}: ${Object.entries(fields).map(([key, value]) => `${key} ${shown(value)}`).join(', ')}`);
  }
  if (summary.note) lines.push(summary.note);
  return lines;
}
