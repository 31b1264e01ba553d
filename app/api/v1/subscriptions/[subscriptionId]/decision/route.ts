import { routeHandler } from '@/lib/rest/operation';
import { decideSubscriptionOperation } from '@/lib/rest/operations/subscriptions';

export const dynamic = 'force-dynamic';

export const POST = routeHandler(decideSubscriptionOperation);
