import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so the same value always gives the same text; indented unless `compact`. */
export function canonicalJson(value: unknown, options: { compact?: boolean } = {}): string {
  return JSON.stringify(sortKeys(value), null, options.compact ? undefined : 2);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** A stable hash of a JSON value: equal values hash equally whatever the key order. */
export function configHash(config: unknown): string {
  return createHash('sha256').update(JSON.stringify(sortKeys(config))).digest('hex').slice(0, 16);
}
