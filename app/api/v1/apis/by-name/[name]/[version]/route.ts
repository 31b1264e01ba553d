import { routeHandler } from '@/lib/rest/operation';
import { getApiByNameOperation, applyApiOperation } from '@/lib/rest/operations/apis';

export const dynamic = 'force-dynamic';

export const GET = routeHandler(getApiByNameOperation);
export const PUT = routeHandler(applyApiOperation);
