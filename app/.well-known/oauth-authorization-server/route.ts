import { authorizationServerMetadata } from '@/lib/oauth/metadata';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  return Response.json(authorizationServerMetadata(), { headers: { 'Cache-Control': 'public, max-age=3600' } });
}
