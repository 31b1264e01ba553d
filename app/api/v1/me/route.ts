import { routeHandler } from '@/lib/rest/operation';
import { meOperation } from '@/lib/rest/operations/account';

export const dynamic = 'force-dynamic';

export const GET = routeHandler(meOperation);
