import { NextRequest } from 'next/server';
import { handlers } from '@/lib/auth/auth';
import { tooLargeResponse, withBoundedBody } from '@/lib/http/bounded-body';
import { AppError } from '@/lib/errors';

/**
 * next-auth derives its URLs (a provider's redirect URI, where to send the browser afterwards)
 * from the request's origin. Next.js hands a route handler its own listening host
 * (`localhost` behind a proxy), so the origin is taken from the Host headers instead, as
 * next-auth's server-side sign-in does with `trustHost`.
 */
function withBrowserOrigin(request: NextRequest): NextRequest {
  const host = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim() ?? request.headers.get('host');
  const protocol = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() ?? request.nextUrl.protocol.replace(/:$/, '');
  if (!host || (protocol !== 'http' && protocol !== 'https')) return request;
  let url: URL;
  try {
    url = new URL(`${request.nextUrl.pathname}${request.nextUrl.search}`, `${protocol}://${host}`);
  } catch {
    return request;
  }
  return url.origin === request.nextUrl.origin ? request : new NextRequest(url, request);
}

export async function GET(request: NextRequest): Promise<Response> {
  return handlers.GET(withBrowserOrigin(request));
}

/** Sign-in and sign-out posts are small forms: their body is read under the route cap. */
export async function POST(request: NextRequest): Promise<Response> {
  let bounded: Request;
  try {
    bounded = await withBoundedBody(request);
  } catch (error) {
    if (error instanceof AppError && error.kind === 'too_large') return tooLargeResponse(error);
    throw error;
  }
  return handlers.POST(withBrowserOrigin(new NextRequest(bounded)));
}
