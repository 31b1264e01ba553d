/**
 * How large a definition becomes once its local `$ref`s are resolved, counted without
 * resolving them. Validation dereferences the document, so a few kilobytes of schemas that
 * reference each other in fan-out (20 levels × 10 refs) would expand to 10^20 nodes and keep a
 * core busy for hours; this count is linear in the document's size (one visit per ref target,
 * memoised) and stops at the first node past the limit.
 */

export const MAX_EXPANDED_NODES = 100_000;

export class ExpansionLimitExceeded extends Error {
  constructor(readonly limit: number) {
    super(`the definition expands beyond ${limit} schema nodes when its $refs are resolved`);
  }
}

function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined; // external refs are never resolved
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Throws {@link ExpansionLimitExceeded} when resolving every local `$ref` would pass `limit` nodes. */
export function checkRefExpansion(document: unknown, limit = MAX_EXPANDED_NODES): number {
  const sizeOfRef = new Map<string, number>();
  const resolving = new Set<string>();

  const sizeOf = (node: unknown): number => {
    if (node === null || typeof node !== 'object') return 1;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string') {
      const known = sizeOfRef.get(ref);
      if (known !== undefined) return known;
      // A cycle stays a reference after dereferencing: it adds one node, not infinitely many.
      if (resolving.has(ref)) return 1;
      resolving.add(ref);
      const size = sizeOf(resolvePointer(document, ref));
      resolving.delete(ref);
      sizeOfRef.set(ref, size);
      return size;
    }
    let total = 1;
    for (const child of Object.values(node)) {
      total += sizeOf(child);
      if (total > limit) throw new ExpansionLimitExceeded(limit);
    }
    return total;
  };

  const total = sizeOf(document);
  if (total > limit) throw new ExpansionLimitExceeded(limit);
  return total;
}
