import { routeHandler } from '@/lib/rest/operation';
import { diffApiOperation } from '@/lib/rest/operations/apis';

export const dynamic = 'force-dynamic';

export const POST = routeHandler(diffApiOperation);
