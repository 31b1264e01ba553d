import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { KubeError, kubeErrorFrom } from './kube-errors';

const systemError = (code: string, message: string) => Object.assign(new Error(message), { code, type: 'system' });

describe('kubeErrorFrom', () => {
  it.each([
    [401, 'unauthorized', 'token'],
    [403, 'forbidden', 'role'],
    [404, 'not-found', 'Namespace'],
    [409, 'conflict', 'retrying'],
    [422, 'invalid', 'field'],
    [400, 'invalid', 'field'],
    [500, 'other', 'unexpected'],
  ] as const)('maps HTTP %i to %s with a hint', (status, kind, hintWord) => {
    const error = kubeErrorFrom(new ApiException(status, 'x', undefined, {}));
    expect(error).toBeInstanceOf(KubeError);
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.hint).toContain(hintWord);
  });

  it("carries the API server's own message, parsed or as text", () => {
    const status = { kind: 'Status', message: 'configmaps is forbidden: User "system:serviceaccount:p:p" cannot create resource "configmaps"', code: 403 };
    expect(kubeErrorFrom(new ApiException(403, 'Forbidden', status, {})).message).toBe(status.message);
    expect(kubeErrorFrom(new ApiException(403, 'Forbidden', JSON.stringify(status), {})).message).toBe(status.message);
    expect(kubeErrorFrom(new ApiException(401, 'Unauthorized', undefined, {})).message).toBe('Unauthorized');
  });

  it('tells an expired or foreign token from a missing permission', () => {
    expect(kubeErrorFrom(new ApiException(401, 'Unauthorized', undefined, {})).hint).toContain('expired');
  });

  it.each([
    ['ECONNREFUSED', 'unreachable'],
    ['ENOTFOUND', 'unreachable'],
    ['ETIMEDOUT', 'timeout'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['CERT_HAS_EXPIRED', 'tls'],
  ] as const)('maps network code %s to %s', (code, kind) => {
    const error = kubeErrorFrom(systemError(code, `request failed, reason: ${code}`));
    expect(error.kind).toBe(kind);
    expect(error.status).toBeUndefined();
  });

  it('finds the code on a cause, and treats aborts as timeouts', () => {
    expect(kubeErrorFrom(new Error('fetch failed', { cause: systemError('ECONNREFUSED', 'connect ECONNREFUSED') })).kind).toBe('unreachable');
    expect(kubeErrorFrom(Object.assign(new Error('The operation was aborted.'), { name: 'AbortError', type: 'aborted' })).kind).toBe('timeout');
  });

  it('gives a TLS hint that names CACert', () => {
    expect(kubeErrorFrom(systemError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain')).hint).toContain('CACert');
  });

  it('keeps anything else as other, and a KubeError as it is', () => {
    expect(kubeErrorFrom('boom')).toMatchObject({ kind: 'other', message: 'boom' });
    const original = new KubeError({ kind: 'tls', message: 'm', hint: 'h' });
    expect(kubeErrorFrom(original)).toBe(original);
    expect(original.toInfo()).toEqual({ kind: 'tls', message: 'm', hint: 'h' });
  });
});
