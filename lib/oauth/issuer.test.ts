import { afterEach, describe, expect, it, vi } from 'vitest';
import { publicBaseUrl } from '../env';
import { acceptedIssuers, issuerUrl, legacyIssuerUrl, metadataUrlOf, oauthEndpoints } from './issuer';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the issuer', () => {
  it('is the portal public URL, in the form a URL parser gives back', () => {
    vi.stubEnv('PRIVATEJET_PUBLIC_URL', 'HTTPS://Portal.Example.COM:443/');
    expect(issuerUrl()).toBe('https://portal.example.com');
    expect(oauthEndpoints().tokenEndpoint).toBe('https://portal.example.com/oauth2/token');
    vi.stubEnv('PRIVATEJET_PUBLIC_URL', 'https://corp.example.com:8443/privatejet//');
    expect(issuerUrl()).toBe('https://corp.example.com:8443/privatejet');
  });

  it('defaults to localhost on the app port', () => {
    vi.stubEnv('PRIVATEJET_PUBLIC_URL', '');
    vi.stubEnv('PORT', '3456');
    expect(issuerUrl()).toBe('http://localhost:3456');
  });

  it('keeps accepting the token endpoint URL, the issuer of earlier tokens, after the current one', () => {
    vi.stubEnv('PRIVATEJET_PUBLIC_URL', 'https://corp.example.com/privatejet');
    expect(acceptedIssuers()).toEqual(['https://corp.example.com/privatejet', 'https://corp.example.com/privatejet/oauth2/token']);
    expect(legacyIssuerUrl()).toBe(oauthEndpoints().tokenEndpoint);
  });

  it('has its metadata where RFC 8414 §3.1 puts it: the well-known name between host and path', () => {
    expect(metadataUrlOf('https://portal.example.com')).toBe('https://portal.example.com/.well-known/oauth-authorization-server');
    expect(metadataUrlOf('https://corp.example.com/privatejet')).toBe('https://corp.example.com/.well-known/oauth-authorization-server/privatejet');
    expect(metadataUrlOf('https://portal.example.com/oauth2/token')).toBe('https://portal.example.com/.well-known/oauth-authorization-server/oauth2/token');
  });

  it.each([
    ['portal.example.com', 'must be an absolute http(s) URL'],
    ['ftp://portal.example.com', 'must use http or https, not ftp'],
    ['https://admin:secret@portal.example.com', 'must not carry a user name or password'],
    ['https://portal.example.com/?tenant=a', 'must not have a query'],
    ['https://portal.example.com/?', 'must not have a query'],
    ['https://portal.example.com/#top', 'must not have a fragment'],
  ])('refuses PRIVATEJET_PUBLIC_URL=%s, saying why', (value, reason) => {
    vi.stubEnv('PRIVATEJET_PUBLIC_URL', value);
    expect(() => publicBaseUrl()).toThrow(reason);
    expect(() => publicBaseUrl()).toThrow(/^PRIVATEJET_PUBLIC_URL /);
  });
});
