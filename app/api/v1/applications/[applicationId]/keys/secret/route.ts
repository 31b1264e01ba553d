import { routeHandler } from '@/lib/rest/operation';
import { regenerateSecretOperation } from '@/lib/rest/operations/applications';

export const dynamic = 'force-dynamic';

export const POST = routeHandler(regenerateSecretOperation);
