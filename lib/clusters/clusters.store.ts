import { asc, eq } from 'drizzle-orm';
import { db, type Database } from '../db/drizzle';
import { tenantClusters } from '../db/schema';
import { decryptSecret, encryptSecret } from '../secrets';
import type { ClusterDefinition } from './cluster-definition';

/**
 * The database side of tenant clusters. Secrets (SAToken, CACert) live only in the encrypted
 * columns; the properties column holds everything else, unknown properties included.
 */

export async function readTenantClusters(tenantId: string, database?: Database): Promise<ClusterDefinition[]> {
  const rows = await (database ?? (await db()))
    .select()
    .from(tenantClusters)
    .where(eq(tenantClusters.tenantId, tenantId))
    .orderBy(asc(tenantClusters.position));
  return rows.map((row) => {
    const { extra, ...known } = row.properties as Record<string, unknown> & { extra?: Record<string, unknown> };
    const properties = {
      ...known,
      SAToken: row.saTokenEncrypted ? decryptSecret(row.saTokenEncrypted) : '',
      ...(row.caCertEncrypted ? { CACert: decryptSecret(row.caCertEncrypted) } : {}),
      extra: extra ?? {},
    } as ClusterDefinition['properties'];
    return { type: row.type, clusterName: row.clusterName, displayName: row.displayName, properties };
  });
}

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/**
 * Replaces the tenant's whole cluster list in one transaction: all of it is saved, or none.
 * `alsoInTransaction` runs in that transaction too (the audit record of the change).
 */
export async function replaceTenantClusters(tenantId: string, clusters: readonly ClusterDefinition[], alsoInTransaction?: (tx: Transaction) => Promise<void>): Promise<void> {
  await (await db()).transaction(async (tx) => {
    await tx.delete(tenantClusters).where(eq(tenantClusters.tenantId, tenantId));
    await alsoInTransaction?.(tx);
    if (clusters.length === 0) return;
    await tx.insert(tenantClusters).values(
      clusters.map((cluster, position) => {
        const { SAToken, CACert, ...rest } = cluster.properties;
        return {
          tenantId,
          position,
          type: cluster.type,
          clusterName: cluster.clusterName,
          displayName: cluster.displayName,
          properties: rest as Record<string, unknown>,
          saTokenEncrypted: SAToken ? encryptSecret(SAToken) : null,
          caCertEncrypted: CACert ? encryptSecret(CACert) : null,
        };
      }),
    );
  });
}
