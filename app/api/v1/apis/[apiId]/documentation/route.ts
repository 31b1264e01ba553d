import { routeHandler } from '@/lib/rest/operation';
import { getDocumentationOperation, setDocumentationOperation } from '@/lib/rest/operations/apis';

export const dynamic = 'force-dynamic';

export const GET = routeHandler(getDocumentationOperation);
export const PUT = routeHandler(setDocumentationOperation);
