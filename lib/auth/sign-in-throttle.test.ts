import { describe, expect, it } from 'vitest';
import { addressThrottleKey, describeWait, fadedFailures, SIGN_IN_RULES, secondsUntilNextAttempt, type ThrottleCounter } from './sign-in-throttle';

const at = new Date('2026-01-01T00:00:00Z');
const later = (seconds: number) => new Date(at.getTime() + seconds * 1000);
const rule = SIGN_IN_RULES.accountFromAddress;
const counter = (failures: number): ThrottleCounter => ({ failures, updatedAt: at, lastFailureAt: at });

describe('sign-in slow-down rule', () => {
  it('lets the free failures through at once', () => {
    for (let failures = 0; failures < rule.free; failures++) expect(secondsUntilNextAttempt(counter(failures), rule, at)).toBe(0);
  });

  it('doubles the wait with each further failure, up to the cap', () => {
    const waits = [0, 1, 2, 3, 4].map((extra) => secondsUntilNextAttempt(counter(rule.free + extra), rule, at));
    expect(waits).toEqual([1, 2, 4, 8, 16]);
    expect(secondsUntilNextAttempt(counter(rule.free + 40), rule, at)).toBe(rule.maxWaitSeconds);
  });

  it('counts the wait from the last failure', () => {
    expect(secondsUntilNextAttempt(counter(rule.free + 3), rule, later(5))).toBe(3);
    expect(secondsUntilNextAttempt(counter(rule.free + 3), rule, later(8))).toBe(0);
  });

  it('forgets one failure per decay period, and counts a partly faded failure whole', () => {
    expect(fadedFailures(counter(6), rule, later(rule.decaySeconds))).toBeCloseTo(5);
    expect(fadedFailures(counter(2), rule, later(10 * rule.decaySeconds))).toBe(0);
    // A millisecond of fading must not open the door to the next of many parallel guesses.
    expect(secondsUntilNextAttempt(counter(rule.free), rule, new Date(at.getTime() + 1))).toBe(1);
    // Fully faded below the free count: no wait at all.
    expect(secondsUntilNextAttempt(counter(rule.free + 1), rule, later(2 * rule.decaySeconds))).toBe(0);
  });

  it('says how long to wait in words', () => {
    expect([1, 12, 60, 61, 900].map(describeWait)).toEqual(['1 second', '12 seconds', '1 minute', '2 minutes', '15 minutes']);
  });
});

describe('address keys', () => {
  it('counts an IPv6 /64 as one address and an IPv4-mapped address as its IPv4 address', () => {
    expect(addressThrottleKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressThrottleKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressThrottleKey('2001:DB8:0001:0002::')).toBe('2001:db8:1:2::/64');
    expect(addressThrottleKey('::1')).toBe('0:0:0:0::/64');
    expect(addressThrottleKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressThrottleKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(addressThrottleKey('203.0.113.9')).toBe('203.0.113.9');
  });

  it('puts requests without a usable address into one shared budget', () => {
    expect(addressThrottleKey(undefined)).toBe('unknown');
    expect(addressThrottleKey('not-an-address')).toBe('unknown');
  });
});
