import { otherMethods } from '@/lib/http/allowed-methods';
import { oauthJsonResponse, respondWithOAuthErrors } from '@/lib/oauth/oauth-errors';
import { parseTokenRequest } from '@/lib/oauth/oauth-requests';
import { issueClientCredentialsToken } from '@/lib/oauth/token.service';

export const dynamic = 'force-dynamic';

export const { GET, HEAD, PUT, DELETE, PATCH, OPTIONS } = otherMethods('POST');

/** RFC 6749 token endpoint, client_credentials grant. */
export async function POST(request: Request): Promise<Response> {
  return respondWithOAuthErrors(async () => {
    const tokenRequest = await parseTokenRequest(request);
    return oauthJsonResponse(await issueClientCredentialsToken(tokenRequest));
  });
}
