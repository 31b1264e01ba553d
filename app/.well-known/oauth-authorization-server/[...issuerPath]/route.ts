import { otherMethods } from '@/lib/http/allowed-methods';
import { METADATA_WELL_KNOWN_PATH } from '@/lib/oauth/issuer';
import { wellKnownMetadataResponse } from '@/lib/oauth/metadata';

export const dynamic = 'force-dynamic';

export const { POST, PUT, DELETE, PATCH, OPTIONS } = otherMethods('GET');

/**
 * RFC 8414 §3.1 path-inserted locations: the issuer's, when the public URL has a path, and the
 * old issuer's (`…/oauth2/token`); anything else is a 404 that names the issuer.
 */
export async function GET(request: Request): Promise<Response> {
  return wellKnownMetadataResponse(new URL(request.url).pathname.slice(METADATA_WELL_KNOWN_PATH.length));
}
