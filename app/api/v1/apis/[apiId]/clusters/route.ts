import { routeHandler } from '@/lib/rest/operation';
import { getClusterSelectionOperation, setClusterSelectionOperation } from '@/lib/rest/operations/apis';

export const dynamic = 'force-dynamic';

export const GET = routeHandler(getClusterSelectionOperation);
export const PUT = routeHandler(setClusterSelectionOperation);
