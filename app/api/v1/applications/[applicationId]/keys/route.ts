import { routeHandler } from '@/lib/rest/operation';
import { generateKeysOperation, updateKeySettingsOperation } from '@/lib/rest/operations/applications';

export const dynamic = 'force-dynamic';

export const POST = routeHandler(generateKeysOperation);
export const PUT = routeHandler(updateKeySettingsOperation);
