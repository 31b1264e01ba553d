import { otherMethods } from '@/lib/http/allowed-methods';
import { wellKnownMetadataResponse } from '@/lib/oauth/metadata';

export const dynamic = 'force-dynamic';

export const { POST, PUT, DELETE, PATCH, OPTIONS } = otherMethods('GET');

/** RFC 8414 metadata of the issuer (the portal's public URL). */
export async function GET(): Promise<Response> {
  return wellKnownMetadataResponse('');
}
