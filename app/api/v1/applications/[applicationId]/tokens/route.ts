import { routeHandler } from '@/lib/rest/operation';
import { generateAccessTokenOperation } from '@/lib/rest/operations/applications';

export const dynamic = 'force-dynamic';

export const POST = routeHandler(generateAccessTokenOperation);
