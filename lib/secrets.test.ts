import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, derivedKey, encryptSecret, parseMasterKey } from './secrets';

const key = randomBytes(32);

describe('secrets at rest', () => {
  it('round-trips and never stores the plaintext', () => {
    const sealed = encryptSecret('eyJhbGciOi.secret.token', key);
    expect(sealed).not.toContain('secret');
    expect(decryptSecret(sealed, key)).toBe('eyJhbGciOi.secret.token');
  });

  it('uses a fresh IV each time', () => {
    expect(encryptSecret('same', key)).not.toBe(encryptSecret('same', key));
  });

  it('refuses a tampered ciphertext or another key', () => {
    const sealed = encryptSecret('value', key);
    const parts = sealed.split(':');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    const tampered = [parts[0], parts[1], parts[2], body.toString('base64url')].join(':');
    expect(() => decryptSecret(tampered, key)).toThrow();
    expect(() => decryptSecret(sealed, randomBytes(32))).toThrow();
  });

  it('derives distinct keys per purpose', () => {
    expect(derivedKey('a', key).equals(derivedKey('b', key))).toBe(false);
    expect(derivedKey('a', key).equals(derivedKey('a', key))).toBe(true);
  });

  it('accepts hex or base64 master keys of 32 bytes only', () => {
    expect(parseMasterKey(key.toString('hex')).equals(key)).toBe(true);
    expect(parseMasterKey(key.toString('base64')).equals(key)).toBe(true);
    expect(() => parseMasterKey('short')).toThrow(/32 bytes/);
  });
});
