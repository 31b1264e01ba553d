import { routeHandler } from '@/lib/rest/operation';
import { listApiSubscribersOperation } from '@/lib/rest/operations/subscriptions';

export const dynamic = 'force-dynamic';

export const GET = routeHandler(listApiSubscribersOperation);
