import { wellKnownMetadataResponse } from '@/lib/oauth/metadata';

export const dynamic = 'force-dynamic';

/** RFC 8414 metadata of the issuer (the portal's public URL). */
export async function GET(): Promise<Response> {
  return wellKnownMetadataResponse('');
}
