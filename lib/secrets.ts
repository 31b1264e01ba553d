import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { dataDir } from './env';

/**
 * Encryption at rest for secrets (ServiceAccount tokens, signing keys, client secrets).
 * AES-256-GCM with a master key from PRIVATEJET_SECRET_KEY, or — for the embedded
 * default — a key generated once into the data folder, readable only by its owner.
 */

const FORMAT = 'v1';
let cachedMasterKey: Buffer | undefined;

export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new Error('PRIVATEJET_SECRET_KEY must be 32 bytes, as 64 hex characters or base64');
  }
  return key;
}

function loadOrCreateKeyFile(file: string): Buffer {
  if (fs.existsSync(file)) return parseMasterKey(fs.readFileSync(file, 'utf8'));
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  // 'wx' fails if another process created the file first; then read theirs.
  try {
    fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return parseMasterKey(fs.readFileSync(file, 'utf8'));
    }
    throw error;
  }
}

export function masterKey(): Buffer {
  if (!cachedMasterKey) {
    const fromEnv = process.env.PRIVATEJET_SECRET_KEY;
    cachedMasterKey = fromEnv
      ? parseMasterKey(fromEnv)
      : loadOrCreateKeyFile(path.join(dataDir(), 'secret.key'));
  }
  return cachedMasterKey;
}

/** A key for one purpose, so no two uses ever share key material. */
export function derivedKey(purpose: string, key: Buffer = masterKey()): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `privatejet:${purpose}`, 32));
}

export function encryptSecret(plaintext: string, key: Buffer = derivedKey('secrets-at-rest')): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [FORMAT, iv, tag, ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join(':');
}

export function decryptSecret(sealed: string, key: Buffer = derivedKey('secrets-at-rest')): string {
  const [format, iv, tag, ciphertext] = sealed.split(':');
  if (format !== FORMAT || !iv || !tag || ciphertext === undefined) {
    throw new Error('Not an encrypted secret of a known format');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}
