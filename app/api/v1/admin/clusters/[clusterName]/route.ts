import { routeHandler } from '@/lib/rest/operation';
import { putTenantClusterOperation, deleteTenantClusterOperation } from '@/lib/rest/operations/admin-clusters';

export const dynamic = 'force-dynamic';

export const PUT = routeHandler(putTenantClusterOperation);
export const DELETE = routeHandler(deleteTenantClusterOperation);
