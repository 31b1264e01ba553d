import { CHECKS_BUSY_MESSAGE, definitionChecksBusy } from '@/lib/apis/definition-check';
import { definitionTooLargeMessage, maxDefinitionBytes } from '@/lib/apis/definition-limits';
import { stageDefinition } from '@/lib/apis/definition-uploads.service';
import { requireRole } from '@/lib/auth/actor';
import { currentActor } from '@/lib/auth/session';
import { AppError, invalid } from '@/lib/errors';
import { readBoundedText } from '@/lib/http/bounded-body';
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
    // Before reading megabytes that would only wait in memory for a worker.
    if (definitionChecksBusy()) throw new AppError('unavailable', CHECKS_BUSY_MESSAGE);
    const limit = maxDefinitionBytes();
    const text = await readBoundedText(request, limit).catch((error: unknown) => {
      if (error instanceof AppError && error.kind === 'too_large') throw new AppError('too_large', definitionTooLargeMessage(limit), { definition: [definitionTooLargeMessage(limit)] });
      throw error;
    });
    if (!text.trim()) throw invalid('The definition is empty.', { definition: ['The definition is empty.'] });
    const rawName = request.headers.get('x-definition-name') ?? '';
    let fileName = rawName;
    try {
      fileName = decodeURIComponent(rawName);
    } catch {
      // kept as sent
    }
    return Response.json(await stageDefinition(actor, { text, fileName }), { status: 201, headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return errorResponse(error, 'definition upload');
  }
}
