import { routeHandler } from '@/lib/rest/operation';
import { apiFileSchemaOperation } from '@/lib/rest/openapi-document';

export const dynamic = 'force-dynamic';

export const GET = routeHandler(apiFileSchemaOperation);
