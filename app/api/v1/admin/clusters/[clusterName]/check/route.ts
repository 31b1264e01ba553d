import { routeHandler } from '@/lib/rest/operation';
import { checkTenantClusterOperation } from '@/lib/rest/operations/admin-clusters';

export const dynamic = 'force-dynamic';

export const POST = routeHandler(checkTenantClusterOperation);
