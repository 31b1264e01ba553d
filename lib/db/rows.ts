import type { SQL } from 'drizzle-orm';
import { db } from './drizzle';

/**
 * Rows of a raw query on either driver (PGlite answers `{ rows }`, postgres.js an array): for
 * the few queries the builder cannot say, such as set-returning jsonb functions in a lateral join.
 */
export async function rowsOf<T>(query: SQL): Promise<T[]> {
  const result = (await (await db()).execute(query)) as unknown as { rows?: T[] } | T[];
  return Array.isArray(result) ? [...result] : (result.rows ?? []);
}
