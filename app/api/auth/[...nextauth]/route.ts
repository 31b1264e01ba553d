import { NextRequest } from 'next/server';
import { handlers } from '@/lib/auth/auth';
import { tooLargeResponse, withBoundedBody } from '@/lib/http/bounded-body';
import { AppError } from '@/lib/errors';
import { publicBaseUrl } from '@/lib/oauth/issuer';

/**
 * next-auth derives its URLs (a provider's redirect URI, where to send the browser afterwards)
 * from the request's origin. Next.js hands a route handler its own listening host and a Host
 * header to match (`localhost`), so the auth routes answer under the portal's public URL, the
 * address people use and the one the admin page tells them to register as redirect URI.
 */
function withPublicOrigin(request: NextRequest): NextRequest {
  const url = new URL(`${request.nextUrl.pathname}${request.nextUrl.search}`, new URL(publicBaseUrl()).origin);
  return url.origin === request.nextUrl.origin ? request : new NextRequest(url, request);
}

export async function GET(request: NextRequest): Promise<Response> {
  return handlers.GET(withPublicOrigin(request));
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
  return handlers.POST(withPublicOrigin(new NextRequest(bounded)));
}
