import { stagedDefinitionText } from '@/lib/apis/definition-uploads.service';
import { requireRole } from '@/lib/actor';
import { currentActor } from '@/lib/auth/session';
import { definitionTextResponse, errorResponse } from '@/lib/http/json-route';

export const dynamic = 'force-dynamic';

/** An uploaded definition as checked (JSON), opened on demand from the create form's summary. */
export async function GET(_request: Request, { params }: { params: Promise<{ uploadId: string }> }): Promise<Response> {
  try {
    const actor = requireRole(await currentActor(), 'publisher');
    const { uploadId } = await params;
    return definitionTextResponse(await stagedDefinitionText(actor, uploadId));
  } catch (error) {
    return errorResponse(error, 'uploaded definition');
  }
}
