import path from 'node:path';

/**
 * Where PrivateJet keeps its embedded database, generated keys and the first-start
 * credentials file. One folder, so backing up or resetting a demo is one `cp` or `rm`.
 */
export function dataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.PRIVATEJET_DATA_DIR ?? '.data');
}

/**
 * Where the platform's deployment.toml is: PRIVATEJET_DEPLOYMENT_TOML, or the shipped default.
 * One file for the whole platform: the super tenant's clusters (lib/clusters) and OpenID
 * providers (lib/auth/oidc) are read from it.
 */
export function deploymentTomlPath(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.PRIVATEJET_DEPLOYMENT_TOML ?? 'deploy/deployment.toml');
}

/**
 * The portal's public origin (plus any base path), without a trailing slash, in the form a URL
 * parser gives it back (lower-case host, no default port), because clients compare the issuer
 * with what they computed from the same URL. Throws on a value that cannot be an issuer
 * (RFC 8414 §2: a URL without query or fragment), so start-up stops on it.
 */
export function publicBaseUrl(): string {
  const configured = process.env.PRIVATEJET_PUBLIC_URL?.trim();
  const raw = configured || `http://localhost:${process.env.PORT ?? 3000}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`PRIVATEJET_PUBLIC_URL must be an absolute http(s) URL such as https://portal.example.com, not "${raw}"`);
  }
  const problem =
    url.protocol !== 'http:' && url.protocol !== 'https:' ? `it must use http or https, not ${url.protocol.slice(0, -1)}`
    : url.username || url.password ? 'it must not carry a user name or password'
    : url.search || raw.includes('?') ? 'it must not have a query ("?…")'
    : url.hash || raw.includes('#') ? 'it must not have a fragment ("#…")'
    : null;
  if (problem) throw new Error(`PRIVATEJET_PUBLIC_URL "${raw}" cannot be the token issuer: ${problem}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
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

/** One numeric setting read from the environment: a whole count, or seconds kept as milliseconds. */
export interface NumericVariable<K extends string> {
  name: string;
  key: K;
  unit: 'seconds' | 'count';
  min: number;
  max: number;
}

/**
 * The defaults with every variable that is set applied; a value out of range stops start-up with
 * an error naming the variable, its unit and its range (e.g. PRIVATEJET_DEPLOY_*, PRIVATEJET_TRAFFIC_*).
 */
export function numericSettingsFromEnv<T extends Record<K, number>, K extends keyof T & string>(
  defaults: T,
  variables: ReadonlyArray<NumericVariable<K>>,
  env: Record<string, string | undefined> = process.env,
): T {
  const settings = { ...defaults };
  for (const variable of variables) {
    const text = env[variable.name]?.trim();
    if (!text) continue;
    const value = Number(text);
    const whole = variable.unit === 'count';
    if (!Number.isFinite(value) || (whole && !Number.isInteger(value)) || value < variable.min || value > variable.max) {
      throw new Error(`${variable.name} must be ${whole ? 'a whole number' : 'a number of seconds'} from ${variable.min} to ${variable.max}, not "${text}"`);
    }
    (settings as Record<K, number>)[variable.key] = whole ? value : Math.round(value * 1000);
  }
  return settings;
}
