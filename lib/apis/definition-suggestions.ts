/**
 * Name, version and context proposed from an imported definition, so the publisher does not type
 * what the definition already says. Each value is cut to what the API form accepts
 * (apis.schema.ts); one that cannot be made acceptable is left empty for the publisher.
 * Pure and browser-safe: the create form calls it with the upload's summary.
 */

export interface DefinitionIdentity {
  title: string;
  version: string;
  /** The definition's first server URL (Swagger 2.0's host + basePath after conversion), if any. */
  firstServerUrl?: string;
}

export interface SuggestedApiIdentity {
  name: string;
  version: string;
  context: string;
}

function suggestedName(title: string): string {
  const cleaned = title
    .replace(/[^A-Za-z0-9 ._-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[^A-Za-z0-9]+/, '');
  return cleaned.slice(0, 60).trim();
}

function suggestedVersion(version: string): string {
  const cleaned = version.trim().replace(/\s+/g, '-').replace(/[^A-Za-z0-9._-]+/g, '').replace(/^[^A-Za-z0-9]+/, '');
  return cleaned.slice(0, 30);
}

/** Lowercase URL-safe segments: "/Pet Store/v1" → "/pet-store/v1". */
function asContext(text: string): string {
  const segments = text
    .split('/')
    .map((segment) =>
      segment
        .toLowerCase()
        .replace(/[^a-z0-9._~-]+/g, '-')
        .replace(/^-+|-+$/g, ''),
    )
    .filter((segment) => segment !== '' && segment !== '.' && segment !== '..');
  const context = segments.length > 0 ? `/${segments.join('/')}` : '';
  return context.length <= 100 ? context : '';
}

/** The first server's path when it is a plain one (no {variables}); else a context from the title. */
function suggestedContext(identity: DefinitionIdentity, name: string, version: string): string {
  const path = serverPathOf(identity.firstServerUrl) ?? '';
  if (path && !path.includes('{')) {
    // Gateways add the version themselves (/<context>/<version>): a trailing version segment would repeat it.
    const withoutVersion = version ? path.replace(new RegExp(`/${version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/?$`, 'i'), '') : path;
    const context = asContext(withoutVersion);
    if (context) return context;
  }
  return asContext(name);
}

export function suggestedApiIdentity(identity: DefinitionIdentity): SuggestedApiIdentity {
  const name = suggestedName(identity.title);
  const version = suggestedVersion(identity.version);
  let context = suggestedContext(identity, name, version);
  // The gateway serves /health and /metrics itself (RESERVED_GATEWAY_PATHS).
  if (/^\/(health|metrics)(\/|$)/.test(context)) context = '';
  return { name, version, context };
}

/** The path of a server URL as written in a definition: absolute, or relative to the document. */
function serverPathOf(url: unknown): string | undefined {
  if (typeof url !== 'string' || url.trim() === '') return undefined;
  const text = url.trim();
  const withoutOrigin = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '') : text;
  const path = withoutOrigin.split(/[?#]/)[0]!;
  return path === '' || path === '/' ? undefined : path;
}
