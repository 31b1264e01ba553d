import { routeHandler } from '@/lib/rest/operation';
import { getApplicationOperation, updateApplicationOperation, deleteApplicationOperation } from '@/lib/rest/operations/applications';

export const dynamic = 'force-dynamic';

export const GET = routeHandler(getApplicationOperation);
export const PUT = routeHandler(updateApplicationOperation);
export const DELETE = routeHandler(deleteApplicationOperation);
