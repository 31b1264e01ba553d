import { routeHandler } from '@/lib/rest/operation';
import { listApisOperation, createApiOperation } from '@/lib/rest/operations/apis';

export const dynamic = 'force-dynamic';

export const GET = routeHandler(listApisOperation);
export const POST = routeHandler(createApiOperation);
