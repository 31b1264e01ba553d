import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, setAppDatabase, type DatabaseHandle } from '../db/drizzle';

/**
 * A fresh, migrated database for one test file, on the same engine the suite runs
 * against: a new database on the PostgreSQL server of DATABASE_URL (or `serverUrl`) when set,
 * else an in-memory PGlite. It also becomes the app database that lib/ services use.
 * `url` is the new database's, for other processes of the test to open (null on PGlite).
 */
export async function freshTestDatabase(options: { serverUrl?: string } = {}): Promise<DatabaseHandle & { url: string | null }> {
  const serverUrl = options.serverUrl ?? process.env.DATABASE_URL;
  if (!serverUrl) {
    const handle = await openDatabase({ memory: true });
    await handle.migrate();
    setAppDatabase(handle);
    return { ...handle, url: null };
  }
  const name = `privatejet_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString() });
  await handle.migrate();
  setAppDatabase(handle);
  return {
    ...handle,
    url: url.toString(),
    async close() {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
