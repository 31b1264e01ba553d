import { routeHandler } from '@/lib/rest/operation';
import { listApplicationSubscriptionsOperation, subscribeOperation } from '@/lib/rest/operations/applications';

export const dynamic = 'force-dynamic';

export const GET = routeHandler(listApplicationSubscriptionsOperation);
export const POST = routeHandler(subscribeOperation);
