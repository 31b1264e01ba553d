import { otherMethods } from '@/lib/http/allowed-methods';
import { introspect } from '@/lib/oauth/introspection.service';
import { oauthJsonResponse, respondWithOAuthErrors } from '@/lib/oauth/oauth-errors';
import { parseTokenOperationRequest } from '@/lib/oauth/oauth-requests';

export const dynamic = 'force-dynamic';

export const { GET, HEAD, PUT, DELETE, PATCH, OPTIONS } = otherMethods('POST');

/** RFC 7662 token introspection, for the tenant's gateways and for applications' own tokens. */
export async function POST(request: Request): Promise<Response> {
  return respondWithOAuthErrors(async () => {
    const { token, client } = await parseTokenOperationRequest(request);
    return oauthJsonResponse(await introspect(token, client));
  });
}
