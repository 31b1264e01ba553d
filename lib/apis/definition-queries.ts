import { sql } from 'drizzle-orm';
import { HTTP_METHODS, type HttpMethod } from '@/lib/gateway/gateway-spec';
import { rowsOf } from '../db/rows';

/**
 * What pages need from a stored definition, computed by the database from the jsonb column: a
 * 13 MB document stays there, and only the operation index or the counts reach this process.
 * Both run on PGlite and PostgreSQL.
 */

const OPERATION_KEYS = HTTP_METHODS.map((method) => method.toLowerCase());
const operationKeyList = sql.join(
  OPERATION_KEYS.map((key) => sql`${key}`),
  sql`, `,
);

export interface StoredOperation {
  path: string;
  method: HttpMethod;
  /** The operation's summary, else the start of its description. */
  summary: string;
  tags: string[];
}

/** Every operation of the API's definition, in the document's order. */
export async function storedOperations(apiId: string): Promise<StoredOperation[]> {
  // The paths are taken out of the document once (each -> on the column reads the whole value again).
  const rows = await rowsOf<{ path: string; method: string; summary: string | null; tags: unknown }>(sql`
    with d as materialized (
      select case when jsonb_typeof(a.openapi->'paths') = 'object' then a.openapi->'paths' else '{}'::jsonb end as paths from apis a where a.id = ${apiId}
    )
    select p.key as path, upper(m.key) as method,
      left(coalesce(nullif(m.value->>'summary', ''), m.value->>'description', ''), 200) as summary,
      case when jsonb_typeof(m.value->'tags') = 'array' then m.value->'tags' else '[]'::jsonb end as tags
    from d
    cross join lateral jsonb_each(d.paths) with ordinality as p(key, value, n)
    cross join lateral jsonb_each(case when jsonb_typeof(p.value) = 'object' then p.value else '{}'::jsonb end) with ordinality as m(key, value, n)
    where m.key in (${operationKeyList}) and jsonb_typeof(m.value) = 'object'
    order by p.n, m.n`);
  return rows.map((row) => ({
    path: row.path,
    method: row.method as HttpMethod,
    summary: row.summary ?? '',
    tags: Array.isArray(row.tags) ? row.tags.filter((tag): tag is string => typeof tag === 'string') : [],
  }));
}

export interface StoredDefinitionSummary {
  title: string;
  version: string;
  specification: string;
  paths: number;
  operations: number;
  /** Size of the stored document as compact JSON. */
  bytes: number;
}

export async function storedDefinitionSummary(apiId: string): Promise<StoredDefinitionSummary | undefined> {
  const [row] = await rowsOf<{ title: string | null; version: string | null; specification: string | null; paths: number; operations: number; bytes: number }>(sql`
    with d as materialized (
      select a.openapi->'info'->>'title' as title, a.openapi->'info'->>'version' as version, a.openapi->>'openapi' as specification,
        case when jsonb_typeof(a.openapi->'paths') = 'object' then a.openapi->'paths' else '{}'::jsonb end as paths,
        octet_length(a.openapi::text) as bytes
      from apis a where a.id = ${apiId}
    )
    select d.title, d.version, d.specification, d.bytes::int as bytes,
      (select count(*)::int from jsonb_object_keys(d.paths)) as paths,
      (select count(*)::int from jsonb_each(d.paths) p
        cross join lateral jsonb_each(case when jsonb_typeof(p.value) = 'object' then p.value else '{}'::jsonb end) m
        where m.key in (${operationKeyList}) and jsonb_typeof(m.value) = 'object') as operations
    from d`);
  if (!row) return undefined;
  return {
    title: row.title ?? '',
    version: row.version ?? '',
    specification: row.specification ? `OpenAPI ${row.specification}` : 'OpenAPI',
    paths: Number(row.paths),
    operations: Number(row.operations),
    bytes: Number(row.bytes),
  };
}

/** The stored document as JSON text, for viewing or downloading: serialised by the database, never parsed here. */
export async function storedDefinitionText(apiId: string): Promise<string | undefined> {
  const [row] = await rowsOf<{ text: string }>(sql`select a.openapi::text as text from apis a where a.id = ${apiId}`);
  return row?.text;
}

/**
 * The definition as developers may read it, as JSON text: without `servers` (often the backend's
 * own address) and vendor extensions that name backends (x-wso2-*), since calls go through the
 * gateways.
 */
export async function storedPublicDefinitionText(apiId: string): Promise<string | undefined> {
  const [row] = await rowsOf<{ text: string }>(sql`
    select coalesce((select jsonb_object_agg(e.key, e.value) from jsonb_each(a.openapi) e
      where e.key <> 'servers' and e.key not like 'x-wso2%'), '{}'::jsonb)::text as text
    from apis a where a.id = ${apiId}`);
  return row?.text;
}
