import { stageDefinitionFromRequest } from '@/lib/apis/definition-uploads.service';
import { requireRole } from '@/lib/actor';
import { currentActor } from '@/lib/auth/session';
import { errorResponse, refuseCrossSiteRequest } from '@/lib/http/json-route';

export const dynamic = 'force-dynamic';

/**
 * Upload of a definition (file or paste) as the raw request body, read under the platform's size
 * limit (413 past it, the rest never read) and checked in the bounded worker. Answers the
 * upload's id and summary; the create form then sends only the id.
 */
export async function POST(request: Request): Promise<Response> {
  try {
    const actor = requireRole(await currentActor(), 'publisher');
    refuseCrossSiteRequest(request);
    return Response.json(await stageDefinitionFromRequest(actor, request), { status: 201, headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return errorResponse(error, 'definition upload');
  }
}
