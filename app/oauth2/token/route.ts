import { oauthJsonResponse, respondWithOAuthErrors } from '@/lib/oauth/oauth-errors';
import { parseTokenRequest } from '@/lib/oauth/oauth-requests';
import { issueClientCredentialsToken } from '@/lib/oauth/token.service';

export const dynamic = 'force-dynamic';

/** RFC 6749 token endpoint, client_credentials grant. */
export async function POST(request: Request): Promise<Response> {
  return respondWithOAuthErrors(async () => {
    const tokenRequest = await parseTokenRequest(request);
    return oauthJsonResponse(await issueClientCredentialsToken(tokenRequest));
  });
}
