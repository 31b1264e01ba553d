import { describe, expect, it } from 'vitest';
import { hashBasicPassword, UNMATCHABLE_PASSWORD_HASH, verifyBasicPassword } from './basic-password';

describe('Basic password hashes', () => {
  it('verifies the right password only, with a self-describing salted hash', async () => {
    const hash = await hashBasicPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$N=16384,r=8,p=1\$[\w-]+\$[\w-]+$/);
    expect(hash).not.toContain('correct horse');
    expect(await verifyBasicPassword('correct horse', hash)).toBe(true);
    expect(await verifyBasicPassword('correct horse!', hash)).toBe(false);
    expect(await hashBasicPassword('correct horse')).not.toBe(hash);
  });

  it('rejects malformed hashes and the placeholder used for unknown users', async () => {
    expect(await verifyBasicPassword('x', 'plain-text')).toBe(false);
    expect(await verifyBasicPassword('', UNMATCHABLE_PASSWORD_HASH)).toBe(false);
  });
});
