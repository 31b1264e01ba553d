import { otherMethods } from '@/lib/http/allowed-methods';
import { gatewayRevocationList } from '@/lib/oauth/gateway-revocations';
import { clientCredentialsFrom } from '@/lib/oauth/client-auth';
import { respondWithOAuthErrors } from '@/lib/oauth/oauth-errors';

export const dynamic = 'force-dynamic';

export const { POST, PUT, DELETE, PATCH, OPTIONS } = otherMethods('GET');

/** The revocation list of one API, polled by its gateways with their client's Basic credentials. */
export async function GET(request: Request): Promise<Response> {
  return respondWithOAuthErrors(async () => {
    const client = clientCredentialsFrom(request.headers.get('authorization'), new Map());
    const apiId = new URL(request.url).searchParams.get('api') ?? '';
    return new Response(await gatewayRevocationList(client, apiId), {
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
  });
}
