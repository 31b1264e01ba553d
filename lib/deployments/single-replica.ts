import type { DatabaseHandle } from '../db/drizzle';
import type { EngineSettings } from './engine-settings';

/**
 * The Local cluster's gateways are processes of the app that started them, behind an ingress
 * listening in that app: one replica can run them, a second cannot (its gateways would be a
 * different set, on the same ports). So an app whose deployment.toml defines a Local cluster
 * holds a PostgreSQL advisory lock for its lifetime, and a second one refuses to start. On
 * PGlite there is only ever one process.
 */

export const SINGLE_REPLICA_LOCK_KEY = 0x706a6c6f63; // "pjloc"

const globalForLock = globalThis as unknown as { privatejetSingleReplica?: boolean };

/** Takes the lock or explains, in one sentence, why this replica may not run. */
export async function claimSingleReplicaRole(handle: DatabaseHandle, localClusterNames: string[], settings: Pick<EngineSettings, 'concurrency'>): Promise<void> {
  const names = localClusterNames.map((name) => `"${name}"`).join(', ');
  // No other replica may run the Local cluster's gateways, so this one must.
  if (settings.concurrency === 0) throw new Error(`PRIVATEJET_DEPLOY_CONCURRENCY is 0, but deployment.toml defines the Local cluster ${names}, whose gateways only this replica can run`);
  if (await handle.tryLockForLifetime(SINGLE_REPLICA_LOCK_KEY)) {
    globalForLock.privatejetSingleReplica = true;
    return;
  }
  throw new Error(
    `deployment.toml defines the Local cluster ${names}, whose gateways run inside one app process, ` +
      'and another replica of this app already runs them on this database. Run a single replica, or remove the Local cluster from deployment.toml to run several.',
  );
}

/** Whether this process is the only one that may work on the database's deployments. */
export function holdsSingleReplicaLock(): boolean {
  return globalForLock.privatejetSingleReplica === true;
}
