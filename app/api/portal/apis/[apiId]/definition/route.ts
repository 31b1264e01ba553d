import { currentActor } from '@/lib/auth/session';
import { definitionTextResponse, errorResponse } from '@/lib/http/json-route';
import { portalDefinitionText } from '@/lib/portal/catalog.service';

export const dynamic = 'force-dynamic';

/**
 * The definition Try Out renders, fetched by the browser after the page loaded (the page itself
 * never carries it): without backend servers, and for a private API only to those who may use it.
 * `?tenant=` is the portal a signed-out visitor picked, as on the pages.
 */
export async function GET(request: Request, { params }: { params: Promise<{ apiId: string }> }): Promise<Response> {
  try {
    const { apiId } = await params;
    const tenant = new URL(request.url).searchParams.get('tenant') ?? undefined;
    // ?format=yaml converts for a download; Try Out reads the JSON.
    const format = new URL(request.url).searchParams.get('format') === 'yaml' ? 'yaml' : 'json';
    return definitionTextResponse(await portalDefinitionText(await currentActor(), apiId, tenant), { format });
  } catch (error) {
    return errorResponse(error, 'portal definition');
  }
}
