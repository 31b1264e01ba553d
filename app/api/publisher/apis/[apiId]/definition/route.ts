import { apiDefinitionTextForPublisher } from '@/lib/apis/apis.service';
import { requireRole } from '@/lib/actor';
import { currentActor } from '@/lib/auth/session';
import { definitionTextResponse, errorResponse } from '@/lib/http/json-route';

export const dynamic = 'force-dynamic';

/** The API's stored definition (JSON), opened on demand from its overview: read-only, or `?download=1` as a file. */
export async function GET(request: Request, { params }: { params: Promise<{ apiId: string }> }): Promise<Response> {
  try {
    const actor = requireRole(await currentActor(), 'publisher');
    const { apiId } = await params;
    const { name, version, text } = await apiDefinitionTextForPublisher(actor, apiId);
    const download = new URL(request.url).searchParams.get('download') === '1';
    return definitionTextResponse(text, download ? { download: `${name}-${version}.openapi.json` } : {});
  } catch (error) {
    return errorResponse(error, 'API definition');
  }
}
