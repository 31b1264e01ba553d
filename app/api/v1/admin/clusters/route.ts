import { routeHandler } from '@/lib/rest/operation';
import { listTenantClustersOperation } from '@/lib/rest/operations/admin-clusters';

export const dynamic = 'force-dynamic';

export const GET = routeHandler(listTenantClustersOperation);
