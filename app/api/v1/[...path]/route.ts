import { makeProblem, problemResponse } from '@/lib/rest/problem';

export const dynamic = 'force-dynamic';

/** Any address under /api/v1 that names no operation: a problem document, not the portal's HTML 404 page. */
function notAnOperation(request: Request): Response {
  const { pathname } = new URL(request.url);
  return problemResponse(makeProblem('not_found', `${request.method} ${pathname} is not an operation of this API; see /api/v1/openapi.json.`, { instance: pathname }));
}

export const GET = notAnOperation;
export const POST = notAnOperation;
export const PUT = notAnOperation;
export const PATCH = notAnOperation;
export const DELETE = notAnOperation;
