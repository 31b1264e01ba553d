import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, HSTS_VALUE, newNonce, pageSecurityHeaders } from './security-headers';

const page = { pathname: '/portal', nonce: 'abc123==', https: false, development: false };
const directives = (policy: string) => new Map(policy.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));

describe('page security headers', () => {
  it('lets only scripts carrying this request’s nonce run: no inline, no eval, no other origin', () => {
    const script = directives(contentSecurityPolicy(page)).get('script-src')!;
    expect(script).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"]);
    expect(script.join(' ')).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
  });

  it('forbids framing, plugins, foreign forms and base URLs', () => {
    const policy = directives(contentSecurityPolicy(page));
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'self'"]);
    expect(policy.get('base-uri')).toEqual(["'self'"]);
    expect(policy.get('default-src')).toEqual(["'self'"]);
  });

  it('lets the browser call other origins from Try Out only', () => {
    expect(directives(contentSecurityPolicy(page)).get('connect-src')).toEqual(["'self'"]);
    expect(directives(contentSecurityPolicy({ ...page, pathname: '/portal/apis/4f0c/try-out' })).get('connect-src')).toEqual(["'self'", 'http:', 'https:']);
    for (const pathname of ['/portal/apis/4f0c', '/portal/apis/4f0c/try-out/x', '/publisher/try-out']) {
      expect(directives(contentSecurityPolicy({ ...page, pathname })).get('connect-src')).toEqual(["'self'"]);
    }
  });

  it('sends HSTS and upgrades subresources over https only', () => {
    expect(pageSecurityHeaders(page)).not.toHaveProperty('Strict-Transport-Security');
    expect(contentSecurityPolicy(page)).not.toContain('upgrade-insecure-requests');
    const secure = pageSecurityHeaders({ ...page, https: true });
    expect(secure['Strict-Transport-Security']).toBe(HSTS_VALUE);
    expect(HSTS_VALUE).toMatch(/^max-age=31536000\b/);
    expect(secure['Content-Security-Policy']).toContain('upgrade-insecure-requests');
  });

  it('allows eval in development only, where React needs it', () => {
    expect(contentSecurityPolicy({ ...page, development: true })).toContain("'unsafe-eval'");
  });

  it('makes a new unguessable nonce every time', () => {
    const nonces = new Set(Array.from({ length: 1000 }, newNonce));
    expect(nonces.size).toBe(1000);
    for (const nonce of nonces) expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
  });
});
