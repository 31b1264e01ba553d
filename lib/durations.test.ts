import { describe, expect, it } from 'vitest';
import { describeDuration } from './durations';

describe('describeDuration', () => {
  it('says token validity the way people say it', () => {
    expect(describeDuration(3600)).toBe('1 hour');
    expect(describeDuration(7200)).toBe('2 hours');
    expect(describeDuration(1800)).toBe('30 minutes');
    expect(describeDuration(60)).toBe('1 minute');
    expect(describeDuration(90)).toBe('90 seconds');
  });
});
