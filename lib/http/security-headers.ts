import { randomBytes } from 'node:crypto';

/**
 * The per-request security headers of every page (set by proxy.ts; the fixed ones — nosniff,
 * Referrer-Policy, X-Frame-Options, Permissions-Policy — are in next.config.js for every path).
 *
 * Content-Security-Policy, and why it reads as it does:
 * - script-src: a fresh nonce per request plus 'strict-dynamic'. Next.js puts the nonce on its
 *   own inline and chunk scripts when it finds it in the request's CSP header; chunks those load
 *   (Swagger UI in Try Out) are trusted through 'strict-dynamic'. No 'unsafe-inline', no
 *   'unsafe-eval' (development only: React uses eval there for its error overlay). So markup an
 *   attacker manages to inject does not run.
 * - style-src allows 'unsafe-inline': MUI's emotion and Swagger UI insert styles at run time, and
 *   server-rendered markup carries style attributes, which a nonce cannot cover. Injected CSS can
 *   restyle a page but not run code; with scripts locked down that is the accepted trade-off.
 * - connect-src is the portal itself, except on Try Out, whose whole purpose is calling the API's
 *   gateways from the browser, at whatever AccessURL each cluster has: there any http(s) origin.
 * - frame-ancestors 'none': no page may be framed (clickjacking); object-src, base-uri and
 *   form-action are shut to everything but the portal.
 * Over https (the request or PRIVATEJET_PUBLIC_URL): HSTS for a year, and insecure subresources
 * are upgraded. Browsers ignore HSTS received over plain http, so a local http portal is unaffected.
 */

export interface PageRequestFacts {
  pathname: string;
  nonce: string;
  https: boolean;
  development: boolean;
}

export const HSTS_VALUE = 'max-age=31536000; includeSubDomains';

const TRY_OUT_PATH = /^\/portal\/apis\/[^/]+\/try-out\/?$/;

/** 128 random bits, base64: a nonce nobody can guess, new for every request. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy({ pathname, nonce, https, development }: PageRequestFacts): string {
  const connect = ["'self'", ...(TRY_OUT_PATH.test(pathname) ? ['http:', 'https:'] : []), ...(development ? ['ws:'] : [])];
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ];
  return directives.join('; ');
}

/** The headers proxy.ts puts on a page response. */
export function pageSecurityHeaders(facts: PageRequestFacts): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(facts),
    ...(facts.https ? { 'Strict-Transport-Security': HSTS_VALUE } : {}),
  };
}
