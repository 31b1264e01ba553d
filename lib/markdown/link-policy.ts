/**
 * Which link targets a publisher's Markdown may carry to a developer's browser: absolute http,
 * https and mailto URLs only. Everything else (javascript:, data:, vbscript:, file:, relative paths
 * that would resolve against the portal's own origin) is dropped and the link text stays as text.
 */
export const ALLOWED_LINK_PROTOCOLS: readonly string[] = ['http:', 'https:', 'mailto:'];

/** The rel every link out of publisher content carries: no window.opener, no referrer, no endorsement for search engines. */
export const PUBLISHER_LINK_REL = 'noopener noreferrer nofollow';

/** The URL as the browser would follow it, or null when the policy refuses it. */
export function safeLinkUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    // The WHATWG parser is the browser's: it strips the tabs, newlines and leading blanks that
    // "java\tscript:" tricks rely on, so the protocol checked is the one that would run.
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!ALLOWED_LINK_PROTOCOLS.includes(parsed.protocol)) return null;
  if (parsed.protocol !== 'mailto:' && (parsed.username || parsed.password)) return null;
  return parsed.href;
}
