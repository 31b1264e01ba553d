import { routeHandler } from '@/lib/rest/operation';
import { retryDeploymentOperation } from '@/lib/rest/operations/apis';

export const dynamic = 'force-dynamic';

export const POST = routeHandler(retryDeploymentOperation);
