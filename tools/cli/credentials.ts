import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from './client';

/**
 * Where `privatejet login` keeps the portal address and token: a file only its owner can read
 * (0600, in a 0700 folder). Pipelines usually set PRIVATEJET_URL and PRIVATEJET_TOKEN instead,
 * which take precedence and need no file.
 */

export interface StoredCredentials {
  url: string;
  token: string;
}

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PRIVATEJET_CREDENTIALS) return env.PRIVATEJET_CREDENTIALS;
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'privatejet', 'credentials.json');
}

export function readCredentials(env: NodeJS.ProcessEnv = process.env): StoredCredentials | null {
  const file = credentialsPath(env);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) throw new CliError(`${file} can be read by others (mode ${mode.toString(8)}): run chmod 600 ${file}, or log in again.`);
  try {
    const parsed = JSON.parse(text) as Partial<StoredCredentials>;
    if (typeof parsed.url === 'string' && typeof parsed.token === 'string') return { url: parsed.url, token: parsed.token };
  } catch {
    // fall through
  }
  throw new CliError(`${file} is not a credentials file of privatejet; log in again.`);
}

export function writeCredentials(credentials: StoredCredentials, env: NodeJS.ProcessEnv = process.env): string {
  const file = credentialsPath(env);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Written to a new 0600 file first, so the token is never readable by others, not even briefly.
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(temporary, 0o600);
  fs.renameSync(temporary, file);
  return file;
}

export function removeCredentials(env: NodeJS.ProcessEnv = process.env): boolean {
  try {
    fs.unlinkSync(credentialsPath(env));
    return true;
  } catch {
    return false;
  }
}
