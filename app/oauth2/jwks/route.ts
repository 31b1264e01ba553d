import { otherMethods } from '@/lib/http/allowed-methods';
import { JWKS_MAX_AGE_SECONDS, publicJwks } from '@/lib/oauth/jwks';

export const dynamic = 'force-dynamic';

export const { POST, PUT, DELETE, PATCH, OPTIONS } = otherMethods('GET');

/** The public signing keys gateways verify access tokens with. */
export async function GET(): Promise<Response> {
  return Response.json(await publicJwks(), {
    headers: { 'Content-Type': 'application/jwk-set+json', 'Cache-Control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` },
  });
}
