import { authRoute } from '@/lib/auth/auth';
import { tooLargeResponse, withBoundedBody } from '@/lib/http/bounded-body';
import { AppError } from '@/lib/errors';

export const GET = authRoute;

/** Sign-in and sign-out posts are small forms: their body is read under the route cap. */
export async function POST(request: Request): Promise<Response> {
  let bounded: Request;
  try {
    bounded = await withBoundedBody(request);
  } catch (error) {
    if (error instanceof AppError && error.kind === 'too_large') return tooLargeResponse(error);
    throw error;
  }
  return authRoute(bounded);
}
