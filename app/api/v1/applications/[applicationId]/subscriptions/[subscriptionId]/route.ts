import { routeHandler } from '@/lib/rest/operation';
import { unsubscribeOperation } from '@/lib/rest/operations/applications';

export const dynamic = 'force-dynamic';

export const DELETE = routeHandler(unsubscribeOperation);
