import { createHmac } from 'node:crypto';
import net from 'node:net';
import { and, asc, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import type { Database } from '../db/drizzle';
import { signInThrottle } from '../db/schema';
import { unmapped } from '../net/outbound-fetch';
import { derivedKey } from '../secrets';
import type { SignInIdentity } from './identity';

/**
 * The sign-in throttle. It slows guessing down rather than locking accounts, as OWASP's
 * Authentication Cheat Sheet advises ("Account Lockout"): a lock that anyone can trigger is a way
 * to keep the owner out. Three counters of failed sign-ins; each gives a few attempts for free,
 * then asks for an exponentially growing wait after its last failure (1 s, 2 s, 4 s … at most
 * 15 minutes), and forgets one failure per decay period, so it recovers on its own:
 *
 * - an account from one address: 5 free, one forgotten per 15 minutes. The address that guesses
 *   slows down; the owner at another address is not affected.
 * - an address, over all accounts (existing or not): 20 free, one forgotten per 3 minutes. One
 *   address cannot spread its guesses over many accounts.
 * - an account, over all addresses: 50 free, one forgotten per 3 minutes — the ceiling against
 *   guesses from many addresses. It does not apply from an address the account signed in from in
 *   the last 30 days (OWASP's "device cookie" idea, by address), so not even a distributed attack
 *   keeps the owner out from where they usually sign in; elsewhere it makes them wait, not stop.
 *
 * Counting is atomic: an attempt reserves a failure on every counter in one transaction that holds
 * their rows locked, before the password is checked, and a successful sign-in gives it back. So
 * parallel guesses get exactly the free attempts, not more. An attempt refused by the throttle is
 * not counted, so refusals never extend a wait. The rules are the same whether an account exists
 * or not, so neither answers nor timing tell which names exist.
 */

export interface ThrottleRule {
  /** Failures allowed before any wait. */
  free: number;
  /** One failure is forgotten per this many seconds. */
  decaySeconds: number;
  maxWaitSeconds: number;
}

export const SIGN_IN_RULES = {
  accountFromAddress: { free: 5, decaySeconds: 15 * 60, maxWaitSeconds: 15 * 60 },
  address: { free: 20, decaySeconds: 3 * 60, maxWaitSeconds: 15 * 60 },
  account: { free: 50, decaySeconds: 3 * 60, maxWaitSeconds: 15 * 60 },
} as const satisfies Record<string, ThrottleRule>;

type Scope = keyof typeof SIGN_IN_RULES;

/** An address the account signed in from this recently is exempt from the account-wide ceiling. */
export const KNOWN_ADDRESS_DAYS = 30;
/** Counters untouched this long are deleted (every one has faded to nothing by then). */
const IDLE_COUNTER_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface ThrottleCounter {
  /** Failures as of updatedAt. */
  failures: number;
  updatedAt: Date;
  lastFailureAt: Date | null;
}

/** Failures still remembered at `now`. */
export function fadedFailures(counter: ThrottleCounter, rule: ThrottleRule, now: Date): number {
  const elapsedSeconds = Math.max(0, (now.getTime() - counter.updatedAt.getTime()) / 1000);
  return Math.max(0, counter.failures - elapsedSeconds / rule.decaySeconds);
}

/** 0 when an attempt may go ahead now, else the whole seconds to wait. */
export function secondsUntilNextAttempt(counter: ThrottleCounter, rule: ThrottleRule, now: Date): number {
  // A failure counts whole until it has faded completely: a few milliseconds of fading must not
  // let a burst of parallel guesses through.
  const failures = Math.ceil(fadedFailures(counter, rule, now) - 1e-6);
  if (failures < rule.free || !counter.lastFailureAt) return 0;
  const waitSeconds = Math.min(rule.maxWaitSeconds, 2 ** (failures - rule.free));
  const elapsedSeconds = (now.getTime() - counter.lastFailureAt.getTime()) / 1000;
  return Math.max(0, Math.ceil(waitSeconds - elapsedSeconds));
}

/** "12 seconds", "3 minutes": how long a throttled person waits, as the sign-in form says it. */
export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * The account a sign-in is for, as a counter key: its id when it exists, else a keyed hash of the
 * canonical name, so `dev2`, `DEV2` and `dev2@carbon.super` share one budget either way and what
 * was typed (sometimes a password) is never stored.
 */
export function accountThrottleKey(userId: string | undefined, identity: SignInIdentity | null, typed: string): string {
  if (userId) return userId;
  const canonical = identity ? `${identity.username}@${identity.tenantDomain}` : typed.trim().toLowerCase().slice(0, 320);
  return `unknown-${createHmac('sha256', derivedKey('sign-in-throttle')).update(canonical).digest('base64url').slice(0, 32)}`;
}

/**
 * A client address as a counter key. An IPv6 client usually holds a whole /64, so that is what
 * counts as one address; an IPv4-mapped address is its IPv4 address.
 */
export function addressThrottleKey(address: string | undefined): string {
  if (!address || !net.isIP(address.split('%')[0]!)) return 'unknown';
  const plain = unmapped(address.split('%')[0]!);
  if (plain.family === 'ipv4') return plain.address;
  return `${ipv6Groups(plain.address).slice(0, 4).join(':')}::/64`;
}

function ipv6Groups(address: string): string[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  if (tail === undefined) return headGroups.map((group) => parseInt(group, 16).toString(16));
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((group) => parseInt(group, 16).toString(16));
}

export interface SignInSubject {
  /** From accountThrottleKey. */
  account: string;
  /** From addressThrottleKey. */
  address: string;
}

function counterKeys(subject: SignInSubject): Record<Scope, string> {
  return {
    account: `account:${subject.account}`,
    accountFromAddress: `account:${subject.account}|address:${subject.address}`,
    address: `address:${subject.address}`,
  };
}

type CounterRow = typeof signInThrottle.$inferSelect;
type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/**
 * Locks the subject's three counters for the rest of the transaction, creating missing ones.
 * Keys are locked in one global order, so concurrent sign-ins cannot deadlock.
 */
async function lockCounters(tx: Transaction, keys: Record<Scope, string>, now: Date): Promise<Record<Scope, CounterRow>> {
  const ordered = [...new Set(Object.values(keys))].sort();
  await tx
    .insert(signInThrottle)
    .values(ordered.map((key) => ({ key, updatedAt: now })))
    .onConflictDoNothing();
  const rows = await tx.select().from(signInThrottle).where(inArray(signInThrottle.key, ordered)).orderBy(asc(signInThrottle.key)).for('update');
  const byKey = new Map(rows.map((row) => [row.key, row]));
  return {
    account: byKey.get(keys.account)!,
    accountFromAddress: byKey.get(keys.accountFromAddress)!,
    address: byKey.get(keys.address)!,
  };
}

function isKnownAddress(counter: CounterRow, now: Date): boolean {
  return !!counter.lastSuccessAt && now.getTime() - counter.lastSuccessAt.getTime() < KNOWN_ADDRESS_DAYS * DAY_MS;
}

export type Reservation = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Before a password check: either refuses (with how long to wait) or counts the attempt as a
 * failure on every counter, all in one locked transaction. A success gives it back.
 */
export async function reserveSignInAttempt(db: Database, subject: SignInSubject, now: Date): Promise<Reservation> {
  const keys = counterKeys(subject);
  const reservation = await db.transaction(async (tx): Promise<Reservation> => {
    const counters = await lockCounters(tx, keys, now);
    const applicable: Scope[] = isKnownAddress(counters.accountFromAddress, now) ? ['accountFromAddress', 'address'] : ['accountFromAddress', 'address', 'account'];
    const wait = Math.max(...applicable.map((scope) => secondsUntilNextAttempt(counters[scope], SIGN_IN_RULES[scope], now)));
    if (wait > 0) return { allowed: false, retryAfterSeconds: wait };
    for (const scope of ['accountFromAddress', 'address', 'account'] as const) {
      await tx
        .update(signInThrottle)
        .set({ failures: fadedFailures(counters[scope], SIGN_IN_RULES[scope], now) + 1, lastFailureAt: now, updatedAt: now })
        .where(eq(signInThrottle.key, keys[scope]));
    }
    return { allowed: true };
  });
  if (reservation.allowed) await forgetIdleCounters(db, now);
  return reservation;
}

/**
 * After a successful sign-in: this address becomes known for the account and its own failures
 * there are forgotten; the address-wide and account-wide counters only get the reserved attempt
 * back, so signing in to one's own account never wipes out evidence of guessing elsewhere.
 */
export async function recordSignInSuccess(db: Database, subject: SignInSubject, now: Date): Promise<void> {
  const keys = counterKeys(subject);
  await db.transaction(async (tx) => {
    const counters = await lockCounters(tx, keys, now);
    await tx
      .update(signInThrottle)
      .set({ failures: 0, lastFailureAt: null, lastSuccessAt: now, updatedAt: now })
      .where(eq(signInThrottle.key, keys.accountFromAddress));
    for (const scope of ['address', 'account'] as const) {
      await tx
        .update(signInThrottle)
        .set({ failures: Math.max(0, fadedFailures(counters[scope], SIGN_IN_RULES[scope], now) - 1), updatedAt: now })
        .where(eq(signInThrottle.key, keys[scope]));
    }
  });
}

let lastCleanup = 0;
/** At most hourly: counters idle for a week are gone, unless they remember a recent sign-in. */
async function forgetIdleCounters(db: Database, now: Date): Promise<void> {
  if (Math.abs(now.getTime() - lastCleanup) < 60 * 60 * 1000) return;
  lastCleanup = now.getTime();
  const idleSince = new Date(now.getTime() - IDLE_COUNTER_DAYS * DAY_MS);
  const knownSince = new Date(now.getTime() - KNOWN_ADDRESS_DAYS * DAY_MS);
  await db
    .delete(signInThrottle)
    .where(and(lt(signInThrottle.updatedAt, idleSince), or(isNull(signInThrottle.lastSuccessAt), lt(signInThrottle.lastSuccessAt, knownSince))));
}
