import { NextResponse, type NextRequest } from 'next/server';
import { newNonce, pageSecurityHeaders } from '@/lib/http/security-headers';
import { publicBaseUrl } from '@/lib/env';

/**
 * Per-request security headers (lib/http/security-headers.ts): a CSP with a fresh nonce, which
 * Next.js reads from the request to put on its own scripts, and HSTS over https.
 */
export function proxy(request: NextRequest): NextResponse {
  const nonce = newNonce();
  const headers = pageSecurityHeaders({
    pathname: request.nextUrl.pathname,
    nonce,
    https: request.nextUrl.protocol === 'https:' || publicBaseUrl().startsWith('https:'),
    development: process.env.NODE_ENV === 'development',
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', headers['Content-Security-Policy']!);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Pages and server actions; not static files, nor the JSON endpoints (token, introspection,
  // JWKS, health), which render no document and are called by programs.
  matcher: ['/((?!_next/static|_next/image|favicon\\.ico|api/|oauth2/|\\.well-known/).*)'],
};
