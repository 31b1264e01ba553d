import { routeHandler } from '@/lib/rest/operation';
import { listApplicationsOperation, createApplicationOperation } from '@/lib/rest/operations/applications';

export const dynamic = 'force-dynamic';

export const GET = routeHandler(listApplicationsOperation);
export const POST = routeHandler(createApplicationOperation);
