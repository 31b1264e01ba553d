import { requireRole } from '@/lib/actor';
import { currentActor } from '@/lib/auth/session';
import { deploymentViews } from '@/lib/deployments/deployments.service';
import { AppError, httpStatusOf, isUserVisible, logUnexpected } from '@/lib/errors';

export const dynamic = 'force-dynamic';

/** The Lifecycle tab polls this while a deployment changes. */
export async function GET(_request: Request, { params }: { params: Promise<{ apiId: string }> }): Promise<Response> {
  try {
    const actor = requireRole(await currentActor(), 'publisher');
    const { apiId } = await params;
    if (!/^[0-9a-f-]{36}$/i.test(apiId)) throw new AppError('not_found', 'That API was not found.');
    return Response.json(await deploymentViews(actor, apiId), { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    if (isUserVisible(error)) return Response.json({ error: error.message }, { status: httpStatusOf[error.kind] });
    logUnexpected(error, 'deployments route');
    return Response.json({ error: 'Something went wrong.' }, { status: 500 });
  }
}
