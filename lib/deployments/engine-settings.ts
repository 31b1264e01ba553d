import { numericSettingsFromEnv, type NumericVariable } from '../env';
import { KubeError, type KubeErrorKind } from '../containers/kube-errors';

/**
 * How the deployment engine paces itself: leases, back-off, polling. Every replica reads the
 * same variables; values are checked at start-up (a bad one stops the app with one line).
 */
export interface EngineSettings {
  /** A claim lives this long unless its owner renews it; a dead replica's pairs wait this long. */
  leaseMs: number;
  /** How often a replica looks for due work that another replica queued or left behind. */
  pollMs: number;
  /**
   * Jobs one replica runs at a time (applies, readiness waits and read-backs together). 0: the
   * replica serves pages and records requests, and leaves the jobs to the others.
   */
  concurrency: number;
  /** Tries per request before the pair is shown as failed (Retry starts over). */
  maxAttempts: number;
  /** Wait before the second try; it doubles per try, up to maxRetryDelayMs. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** How long a gateway may take to become ready after an apply. */
  readyTimeoutMs: number;
  /** How often a ready gateway is read back from its cluster (by one replica, not by page views). */
  observeEveryMs: number;
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  leaseMs: 30_000,
  pollMs: 1_000,
  concurrency: 32,
  maxAttempts: 5,
  retryDelayMs: 2_000,
  maxRetryDelayMs: 300_000,
  readyTimeoutMs: 180_000,
  observeEveryMs: 10_000,
};

const VARIABLES: Array<NumericVariable<keyof EngineSettings>> = [
  { name: 'PRIVATEJET_DEPLOY_LEASE_SECONDS', key: 'leaseMs', unit: 'seconds', min: 1, max: 3600 },
  { name: 'PRIVATEJET_DEPLOY_CONCURRENCY', key: 'concurrency', unit: 'count', min: 0, max: 1000 },
  { name: 'PRIVATEJET_DEPLOY_MAX_ATTEMPTS', key: 'maxAttempts', unit: 'count', min: 1, max: 100 },
  { name: 'PRIVATEJET_DEPLOY_RETRY_DELAY_SECONDS', key: 'retryDelayMs', unit: 'seconds', min: 0.05, max: 3600 },
  { name: 'PRIVATEJET_GATEWAY_OBSERVE_SECONDS', key: 'observeEveryMs', unit: 'seconds', min: 1, max: 86_400 },
];

/** The settings from the environment; a value out of range is an error naming the variable. */
export function engineSettingsFromEnv(env: Record<string, string | undefined> = process.env): EngineSettings {
  const settings = numericSettingsFromEnv(DEFAULT_ENGINE_SETTINGS, VARIABLES, env);
  // A short lease (tests) is taken over soon after it ends, not up to a whole poll later.
  settings.pollMs = Math.min(settings.pollMs, Math.max(100, Math.floor(settings.leaseMs / 3)));
  return settings;
}

/** The wait before try `attempt + 1` after try `attempt` failed (attempt counts from 1). */
export function retryDelayMs(attempt: number, settings: Pick<EngineSettings, 'retryDelayMs' | 'maxRetryDelayMs'>): number {
  return Math.min(settings.maxRetryDelayMs, settings.retryDelayMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * Whether trying again later can help without anyone changing anything: the API server was
 * unreachable, slow, busy or in a conflict. A refused token, a missing permission or namespace,
 * an invalid object or a refused endpoint need a person; retrying them only delays the message.
 */
const TRANSIENT_KINDS: readonly KubeErrorKind[] = ['unreachable', 'timeout', 'conflict'];
const TRANSIENT_CODES = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|EPIPE|socket hang up)\b/;

export function isTransientFailure(error: unknown): boolean {
  if (error instanceof KubeError) return TRANSIENT_KINDS.includes(error.kind) || (error.status !== undefined && [429, 500, 502, 503, 504].includes(error.status));
  return error instanceof Error && TRANSIENT_CODES.test(`${error.message} ${(error as { code?: unknown }).code ?? ''}`);
}
