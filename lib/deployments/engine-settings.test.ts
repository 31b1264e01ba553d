import { describe, expect, it } from 'vitest';
import { KubeError } from '../containers/kube-errors';
import { DEFAULT_ENGINE_SETTINGS, engineSettingsFromEnv, isTransientFailure, retryDelayMs } from './engine-settings';

describe('the deployment engine settings', () => {
  it('reads seconds and counts from the environment, and polls for a short lease soon after it ends', () => {
    const settings = engineSettingsFromEnv({
      PRIVATEJET_DEPLOY_LEASE_SECONDS: '3',
      PRIVATEJET_DEPLOY_CONCURRENCY: '0',
      PRIVATEJET_DEPLOY_MAX_ATTEMPTS: '2',
      PRIVATEJET_DEPLOY_RETRY_DELAY_SECONDS: '0.25',
      PRIVATEJET_GATEWAY_OBSERVE_SECONDS: '60',
    });
    expect(settings).toMatchObject({ leaseMs: 3000, concurrency: 0, maxAttempts: 2, retryDelayMs: 250, observeEveryMs: 60_000, pollMs: 1000 });
    expect(engineSettingsFromEnv({ PRIVATEJET_DEPLOY_LEASE_SECONDS: '1' }).pollMs).toBe(333);
    expect(engineSettingsFromEnv({})).toEqual(DEFAULT_ENGINE_SETTINGS);
  });

  it('stops start-up with the variable and its range when a value is out of it', () => {
    expect(() => engineSettingsFromEnv({ PRIVATEJET_DEPLOY_LEASE_SECONDS: '0' })).toThrow('PRIVATEJET_DEPLOY_LEASE_SECONDS must be a number of seconds from 1 to 3600, not "0"');
    expect(() => engineSettingsFromEnv({ PRIVATEJET_DEPLOY_MAX_ATTEMPTS: '2.5' })).toThrow('PRIVATEJET_DEPLOY_MAX_ATTEMPTS must be a whole number from 1 to 100, not "2.5"');
    expect(() => engineSettingsFromEnv({ PRIVATEJET_DEPLOY_CONCURRENCY: 'lots' })).toThrow(/^PRIVATEJET_DEPLOY_CONCURRENCY must be/);
  });

  it('doubles the wait after each failed try, up to the cap', () => {
    const pace = { retryDelayMs: 2000, maxRetryDelayMs: 10_000 };
    expect([1, 2, 3, 4, 10].map((attempt) => retryDelayMs(attempt, pace))).toEqual([2000, 4000, 8000, 10_000, 10_000]);
  });

  it('retries what time can mend, and shows at once what needs a person', () => {
    expect(isTransientFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientFailure(new KubeError({ kind: 'unreachable', message: 'The API server did not answer', hint: '' }))).toBe(true);
    expect(isTransientFailure(new KubeError({ kind: 'other', message: 'etcdserver: leader changed', hint: '', status: 503 }))).toBe(true);
    expect(isTransientFailure(new KubeError({ kind: 'forbidden', message: 'The service account may not create Deployments', hint: '', status: 403 }))).toBe(false);
    expect(isTransientFailure(new Error('http://10.0.0.1 is a private address'))).toBe(false);
  });
});
