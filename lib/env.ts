import path from 'node:path';

/**
 * Where PrivateJet keeps its embedded database, generated keys and the first-start
 * credentials file. One folder, so backing up or resetting a demo is one `cp` or `rm`.
 */
export function dataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.PRIVATEJET_DATA_DIR ?? '.data');
}

/** A PostgreSQL URL switches from the embedded database to a real server. */
export function databaseUrl(): string | undefined {
  const url = process.env.DATABASE_URL?.trim();
  return url ? url : undefined;
}
