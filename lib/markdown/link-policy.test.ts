import { describe, expect, it } from 'vitest';
import { safeLinkUrl } from './link-policy';

describe('links in publisher Markdown', () => {
  it('keeps absolute http, https and mailto links, normalised as a browser follows them', () => {
    expect(safeLinkUrl('https://example.com/docs?a=1#b')).toBe('https://example.com/docs?a=1#b');
    expect(safeLinkUrl('http://EXAMPLE.com')).toBe('http://example.com/');
    expect(safeLinkUrl('mailto:api-team@example.com')).toBe('mailto:api-team@example.com');
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'ftp://example.com/x',
  ])('refuses %j', (url) => {
    expect(safeLinkUrl(url)).toBeNull();
  });

  it('refuses relative links, which would point into the portal itself, and empty ones', () => {
    expect(safeLinkUrl('/publisher/apis')).toBeNull();
    expect(safeLinkUrl('../admin')).toBeNull();
    expect(safeLinkUrl('#section')).toBeNull();
    expect(safeLinkUrl('')).toBeNull();
    expect(safeLinkUrl(undefined)).toBeNull();
  });

  it('refuses credentials in a URL, which dress a link up as another host', () => {
    expect(safeLinkUrl('https://docs.example.com@evil.example/')).toBeNull();
  });
});
