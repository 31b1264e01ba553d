import { describe, expect, it } from 'vitest';
import { FREE_FAILURES, MAX_WAIT_SECONDS, secondsUntilNextAttempt } from './sign-in-throttle';

const at = new Date('2026-01-01T00:00:00Z');
const later = (seconds: number) => new Date(at.getTime() + seconds * 1000);

describe('sign-in slow-down', () => {
  it('lets the first failures through at once', () => {
    for (let failures = 0; failures < FREE_FAILURES; failures++) {
      expect(secondsUntilNextAttempt(failures, at, at)).toBe(0);
    }
  });

  it('doubles the wait with each further failure, up to a cap', () => {
    const waits = [0, 1, 2, 3, 4].map((extra) => secondsUntilNextAttempt(FREE_FAILURES + extra, at, at));
    expect(waits).toEqual([2, 4, 8, 16, 32]);
    expect(secondsUntilNextAttempt(FREE_FAILURES + 40, at, at)).toBe(MAX_WAIT_SECONDS);
  });

  it('counts the wait from the last failure', () => {
    expect(secondsUntilNextAttempt(FREE_FAILURES + 2, at, later(5))).toBe(3);
    expect(secondsUntilNextAttempt(FREE_FAILURES + 2, at, later(9))).toBe(0);
  });
});
