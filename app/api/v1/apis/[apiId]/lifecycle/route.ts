import { routeHandler } from '@/lib/rest/operation';
import { getLifecycleOperation, changeLifecycleOperation } from '@/lib/rest/operations/apis';

export const dynamic = 'force-dynamic';

export const GET = routeHandler(getLifecycleOperation);
export const POST = routeHandler(changeLifecycleOperation);
