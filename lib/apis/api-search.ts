import { ilike, or, sql, type SQL } from 'drizzle-orm';
import { apis } from '../db/schema';

/** `%` and `_` typed by a user are literal characters, not wildcards. */
function escapeLike(text: string): string {
  return text.replace(/[%_\\]/g, (c) => `\\${c}`);
}

/** The one text search over APIs (publisher list and portal catalog): name, description, context or a tag. */
export function apiMatchesText(q: string): SQL {
  const pattern = `%${escapeLike(q)}%`;
  return or(ilike(apis.name, pattern), ilike(apis.description, pattern), ilike(apis.context, pattern), sql`array_to_string(${apis.tags}, ' ') ilike ${pattern}`)!;
}
