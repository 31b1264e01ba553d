import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, setAppDatabase, type DatabaseHandle } from './drizzle';

/**
 * A fresh, migrated database for one test file, on the same engine the suite runs
 * against: a new database on the PostgreSQL server of DATABASE_URL when set, else an
 * in-memory PGlite. It also becomes the app database that lib/ services use.
 */
export async function freshTestDatabase(): Promise<DatabaseHandle> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const handle = await openDatabase({ memory: true });
    await handle.migrate();
    setAppDatabase(handle);
    return handle;
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
    async close() {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
