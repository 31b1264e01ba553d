import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { databaseUrl, dataDir } from '../env';
import * as schema from './schema';

/** Both drivers speak the same Postgres dialect, so the rest of lib/ sees one type. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  db: Database;
  kind: 'pglite' | 'postgres';
  /** Human-readable location, without credentials, for logs. */
  location: string;
  migrate(): Promise<void>;
  /**
   * Takes a PostgreSQL advisory lock held until this handle closes (or the process dies); false
   * when another session holds it. On PGlite (one process) it is always this process's.
   */
  tryLockForLifetime(key: number): Promise<boolean>;
  /** Runs `work` while holding an advisory lock, waiting for it first: one replica at a time. */
  withLock<T>(key: number, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type DatabaseTarget = { url: string } | { pgliteDir: string } | { memory: true };

const migrationsFolder = path.join(/*turbopackIgnore: true*/ process.cwd(), 'drizzle');

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = parsed.password ? '***' : '';
    return parsed.toString();
  } catch {
    return 'DATABASE_URL (unparseable)';
  }
}

export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if ('url' in target) {
    const client = postgres(target.url, { max: 10, onnotice: () => {} });
    const db = drizzlePostgres(client, { schema }) as unknown as Database;
    await client`select 1`; // fail now, with the driver's message, rather than on the first page
    // Session locks live on one connection: it is set aside from the pool for as long as they are held.
    const lockConnections: Array<Awaited<ReturnType<typeof client.reserve>>> = [];
    return {
      db,
      kind: 'postgres',
      location: withoutPassword(target.url),
      // Replicas starting together migrate one after the other; the later ones find nothing to do.
      migrate: () => withSessionLock(client, MIGRATION_LOCK_KEY, () => migratePostgres(db as never, { migrationsFolder })),
      async tryLockForLifetime(key) {
        const connection = await client.reserve();
        const [row] = await connection`select pg_try_advisory_lock(${key}) as locked`;
        if (row?.locked === true) {
          lockConnections.push(connection);
          return true;
        }
        connection.release();
        return false;
      },
      withLock: (key, work) => withSessionLock(client, key, work),
      close: async () => {
        for (const connection of lockConnections.splice(0)) connection.release();
        await client.end({ timeout: 5 });
      },
    };
  }
  const dir = 'pgliteDir' in target ? target.pgliteDir : undefined;
  if (dir) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const client = dir ? new PGlite(dir) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return {
    db,
    kind: 'pglite',
    location: dir ?? 'memory',
    migrate: () => migratePglite(db as never, { migrationsFolder }),
    // One connection in one process: nobody else can hold a lock on it.
    tryLockForLifetime: async () => true,
    withLock: (_key, work) => work(),
    close: () => client.close(),
  };
}

// Advisory lock keys are any 64-bit numbers; the app's spell their purpose in ASCII ("pjmig").
const MIGRATION_LOCK_KEY = 0x706a6d6967;

async function withSessionLock<T>(client: postgres.Sql, key: number, work: () => Promise<T>): Promise<T> {
  const connection = await client.reserve();
  try {
    await connection`select pg_advisory_lock(${key})`;
    try {
      return await work();
    } finally {
      await connection`select pg_advisory_unlock(${key})`;
    }
  } finally {
    connection.release();
  }
}

/** The application's database: PostgreSQL when DATABASE_URL is set, else PGlite in the data folder. */
export function defaultDatabaseTarget(): DatabaseTarget {
  const url = databaseUrl();
  return url ? { url } : { pgliteDir: path.join(dataDir(), 'pgdata') };
}

// One handle per process; kept on globalThis so development reloads do not open a second one.
const globalForDb = globalThis as unknown as { privatejetDb?: Promise<DatabaseHandle> };

export function appDatabase(): Promise<DatabaseHandle> {
  globalForDb.privatejetDb ??= openDatabase(defaultDatabaseTarget()).catch((error: unknown) => {
    globalForDb.privatejetDb = undefined;
    throw error;
  });
  return globalForDb.privatejetDb;
}

export async function db(): Promise<Database> {
  return (await appDatabase()).db;
}

/** Points the app at a given database (tests use a fresh one per file). */
export function setAppDatabase(handle: DatabaseHandle): void {
  globalForDb.privatejetDb = Promise.resolve(handle);
}
