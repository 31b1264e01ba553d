import { otherMethods } from '@/lib/http/allowed-methods';
import { respondWithOAuthErrors, noStoreHeaders } from '@/lib/oauth/oauth-errors';
import { parseTokenOperationRequest } from '@/lib/oauth/oauth-requests';
import { revokeToken } from '@/lib/oauth/revocation.service';

export const dynamic = 'force-dynamic';

export const { GET, HEAD, PUT, DELETE, PATCH, OPTIONS } = otherMethods('POST');

/** RFC 7009 token revocation: 200 with an empty body, also for tokens unknown to the server. */
export async function POST(request: Request): Promise<Response> {
  return respondWithOAuthErrors(async () => {
    const { token, client } = await parseTokenOperationRequest(request);
    await revokeToken(token, client);
    return new Response(null, { status: 200, headers: noStoreHeaders });
  });
}
