import { routeHandler } from '@/lib/rest/operation';
import { getApiOperation, updateApiOperation, deleteApiOperation } from '@/lib/rest/operations/apis';

export const dynamic = 'force-dynamic';

export const GET = routeHandler(getApiOperation);
export const PUT = routeHandler(updateApiOperation);
export const DELETE = routeHandler(deleteApiOperation);
