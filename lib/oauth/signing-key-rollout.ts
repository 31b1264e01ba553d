import { and, asc, desc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import { isSuperTenantAdmin, requireRole, type Actor } from '../actor';
import { db } from '../db/drizzle';
import { apis, deployments, signingKeys } from '../db/schema';

/**
 * Which gateways hold which token signing keys, for admins: a next key signs only once every
 * gateway has loaded it, so this is where a stalled rotation shows and why. A tenant admin sees
 * the tenant's gateways; a super tenant admin sees every gateway of the platform.
 */

export type SigningKeyState = 'signing' | 'next' | 'retiring';

export interface SigningKeyView {
  kid: string;
  state: SigningKeyState;
  /** Created (next), began to sign (signing) or stopped signing (retiring). */
  since: string;
  /** Retiring keys leave the JWKS and the gateways after this. */
  retireAfter: string | null;
  /** Gateways (applied at least once) that hold the key, of all visible ones. */
  gatewaysWithKey: number;
}

export interface GatewayWithoutNextKey {
  apiName: string;
  apiVersion: string;
  clusterName: string;
  status: string;
}

export interface SigningKeyRollout {
  keys: SigningKeyView[];
  gateways: number;
  /** Gateways still without the next key: the next key waits for them before it signs. */
  waitingFor: GatewayWithoutNextKey[];
}

export async function signingKeyRollout(actor: Actor, now: Date = new Date()): Promise<SigningKeyRollout> {
  requireRole(actor, 'admin');
  const database = await db();
  const visible = and(
    sql`${deployments.configHash} is not null`,
    sql`${deployments.status} <> 'undeploying'`,
    isSuperTenantAdmin(actor) ? undefined : eq(deployments.tenantId, actor.tenantId),
  );
  const [keys, gatewayRows] = await Promise.all([
    database
      .select()
      .from(signingKeys)
      .where(or(isNull(signingKeys.retireAfter), gt(signingKeys.retireAfter, now)))
      .orderBy(desc(signingKeys.createdAt)),
    database
      .select({ apiName: apis.name, apiVersion: apis.version, clusterName: deployments.clusterName, status: deployments.status, signingKeyIds: deployments.signingKeyIds })
      .from(deployments)
      .innerJoin(apis, eq(apis.id, deployments.apiId))
      .where(visible)
      .orderBy(asc(apis.name), asc(apis.version), asc(deployments.clusterName)),
  ]);
  const views = keys.map((key): SigningKeyView => {
    const state: SigningKeyState = !key.activatedAt ? 'next' : key.rotatedAt ? 'retiring' : 'signing';
    const since = state === 'next' ? key.createdAt : state === 'signing' ? key.activatedAt! : key.rotatedAt!;
    return {
      kid: key.kid,
      state,
      since: since.toISOString(),
      retireAfter: key.retireAfter?.toISOString() ?? null,
      gatewaysWithKey: gatewayRows.filter((row) => row.signingKeyIds.includes(key.kid)).length,
    };
  });
  const next = views.find((view) => view.state === 'next');
  return {
    keys: views,
    gateways: gatewayRows.length,
    waitingFor: next
      ? gatewayRows.filter((row) => !row.signingKeyIds.includes(next.kid)).map(({ apiName, apiVersion, clusterName, status }) => ({ apiName, apiVersion, clusterName, status }))
      : [],
  };
}
