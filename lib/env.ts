import path from 'node:path';

/**
 * Where PrivateJet keeps its embedded database, generated keys and the first-start
 * credentials file. One folder, so backing up or resetting a demo is one `cp` or `rm`.
 */
export function dataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.PRIVATEJET_DATA_DIR ?? '.data');
}

/**
 * Whether a tenant's developer sign-up starts open: PRIVATEJET_SELF_SIGNUP_DEFAULT=open|closed,
 * closed when unset. It applies to the super tenant at the first start and to every tenant created
 * later; a tenant's admin changes it under Admin → Settings.
 */
export function selfSignupDefault(env: Record<string, string | undefined> = process.env): boolean {
  const value = (env.PRIVATEJET_SELF_SIGNUP_DEFAULT ?? '').trim().toLowerCase();
  if (value === '' || value === 'closed') return false;
  if (value === 'open') return true;
  throw new Error(`PRIVATEJET_SELF_SIGNUP_DEFAULT must be "open" or "closed", not "${value}"`);
}

/** A PostgreSQL URL switches from the embedded database to a real server. */
export function databaseUrl(): string | undefined {
  const url = process.env.DATABASE_URL?.trim();
  return url ? url : undefined;
}
