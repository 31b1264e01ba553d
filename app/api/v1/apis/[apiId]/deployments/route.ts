import { routeHandler } from '@/lib/rest/operation';
import { getDeploymentsOperation } from '@/lib/rest/operations/apis';

export const dynamic = 'force-dynamic';

export const GET = routeHandler(getDeploymentsOperation);
