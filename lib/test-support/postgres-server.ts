import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PostgresServer {
  /** The server's URL (its `postgres` database); test files create their own databases on it. */
  url: string;
  /** Stops the server if this test started it; one given by DATABASE_URL is left running. */
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL server for tests that need one whatever pass they run in (several processes
 * on one database cannot share PGlite): the suite's own (DATABASE_URL), or else a throwaway one
 * from tools/postgres.sh, so the test runs on the PGlite pass too instead of being skipped.
 */
export async function postgresServerForTest(): Promise<PostgresServer> {
  const given = process.env.DATABASE_URL?.trim();
  if (given) return { url: given, stop: async () => {} };
  const script = path.resolve('tools/postgres.sh');
  const { stdout } = await run('bash', [script, 'start'], { timeout: 120_000 });
  const dir = /^DIR=(.+)$/m.exec(stdout)?.[1];
  const url = /^DATABASE_URL=(.+)$/m.exec(stdout)?.[1];
  if (!dir || !url) throw new Error(`tools/postgres.sh start printed no DIR and DATABASE_URL: ${stdout}`);
  return { url, stop: async () => void (await run('bash', [script, 'stop', dir], { timeout: 60_000 })) };
}
