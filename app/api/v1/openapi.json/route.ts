import { routeHandler } from '@/lib/rest/operation';
import { openApiDocumentOperation } from '@/lib/rest/openapi-document';

export const dynamic = 'force-dynamic';

export const GET = routeHandler(openApiDocumentOperation);
