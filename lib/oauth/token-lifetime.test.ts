import { describe, expect, it } from 'vitest';
import { effectiveTokenLifetime, maxTokenLifetimeSeconds } from './token-lifetime';

describe('platform maximum token lifetime', () => {
  it('is one hour unless PRIVATEJET_MAX_TOKEN_LIFETIME_SECONDS says otherwise', () => {
    expect(maxTokenLifetimeSeconds({})).toBe(3600);
    expect(maxTokenLifetimeSeconds({ PRIVATEJET_MAX_TOKEN_LIFETIME_SECONDS: ' 900 ' })).toBe(900);
  });

  it('refuses a value that is not a whole number of seconds from a minute to a year', () => {
    for (const value of ['59', '31536001', '1.5', '1e4', '-60', 'an hour', '0x100']) {
      expect(() => maxTokenLifetimeSeconds({ PRIVATEJET_MAX_TOKEN_LIFETIME_SECONDS: value })).toThrow(
        `PRIVATEJET_MAX_TOKEN_LIFETIME_SECONDS must be a whole number of seconds from 60 to 31536000, not "${value}"`,
      );
    }
  });

  it('gives a token what its key asks for, at most the maximum', () => {
    expect(effectiveTokenLifetime(600, 3600)).toBe(600);
    expect(effectiveTokenLifetime(365 * 86400, 3600)).toBe(3600);
  });
});
