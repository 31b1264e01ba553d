import { routeHandler } from '@/lib/rest/operation';
import { listClusterChoicesOperation } from '@/lib/rest/operations/apis';

export const dynamic = 'force-dynamic';

export const GET = routeHandler(listClusterChoicesOperation);
