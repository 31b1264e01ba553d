import { maxDefinitionBytes } from './apis/definition-limits';
import { auditRetentionDays, startAuditRetention } from './audit/audit-retention';
import { platformOidcProviders } from './auth/oidc/platform-oidc-providers';
import { isModulePath, managerForType, type ContainerManagerMap } from './clusters/container-managers';
import { platformClusterConfig } from './clusters/platform-config';
import { containerManagerFor } from './containers/registry';
import { appDatabase } from './db/drizzle';
import { handOverDeploymentWork, refreshAllGateways, resumeDeployments, startDeploymentEngine } from './deployments/deployments.service';
import { engineSettingsFromEnv } from './deployments/engine-settings';
import { startTrafficCollection, stopTrafficCollection } from './traffic/traffic.service';
import { trafficSettingsFromEnv } from './traffic/traffic-settings';
import { claimSingleReplicaRole } from './deployments/single-replica';
import { dataDir, deploymentTomlPath, publicBaseUrl, selfSignupDefault } from './env';
import { captureRequestPeers, trustedProxiesFromEnv } from './http/client-address';
import { maxTokenLifetimeSeconds } from './oauth/token-lifetime';
import { ensureSigningKeys, onNextSigningKeyPublished } from './oauth/signing-keys';
import { seedIfEmpty, writeCredentialsFile } from './seed';
import { startupFailureLine } from './errors';
import { handOverOnShutdown } from './shutdown';

// Replicas starting on an empty database create the first tenant once.
const SEED_LOCK_KEY = 0x706a736564; // "pjsed"

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    console.error(startupFailureLine(name, error));
    process.exit(1);
  }
}

/**
 * Loads every manager module that [ContainerMgtConfig] names by path, so a missing or broken
 * module stops start-up with one line instead of failing the first deploy to that cluster type.
 * Built-in managers are left to load on first use (they need no file and pull in the Kubernetes client).
 */
export async function loadManagerModules(managers: ContainerManagerMap): Promise<void> {
  for (const [type, reference] of Object.entries(managers)) {
    if (!isModulePath(reference)) continue;
    try {
      await containerManagerFor(reference);
    } catch (error) {
      throw new Error(`ContainerMgtConfig.${type}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { cause: error });
    }
  }
}

/** Runs once per server process before the first request: open, migrate, seed. */
export async function startApp(): Promise<void> {
  // A log line written after whoever read our output has gone (a test runner that was killed)
  // fails with EPIPE; unhandled, that error is itself logged to the same closed pipe by the
  // server's error handler, and again, at full CPU, forever. Such lines are dropped instead.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  // Per-address limits need the socket's address, which Next.js does not hand to route code.
  await step('reading PRIVATEJET_TRUSTED_PROXIES', async () => trustedProxiesFromEnv());
  await step('reading PRIVATEJET_SELF_SIGNUP_DEFAULT', async () => selfSignupDefault());
  await step('reading PRIVATEJET_MAX_TOKEN_LIFETIME_SECONDS', async () => maxTokenLifetimeSeconds());
  // The token issuer: a value that cannot be one would fail every token request instead.
  await step('reading PRIVATEJET_PUBLIC_URL', async () => publicBaseUrl());
  await step('reading PRIVATEJET_MAX_DEFINITION_MIB', async () => maxDefinitionBytes());
  captureRequestPeers();
  const platform = await step(`reading ${deploymentTomlPath()}`, () => platformClusterConfig());
  for (const warning of platform.warnings) console.warn(`deployment.toml warning: ${warning.path}: ${warning.message}`);
  await step(`loading the container managers of ${deploymentTomlPath()}`, () => loadManagerModules(platform.managers));
  // A provider the file names but cannot use (its secret's variable unset) stops start-up, not a sign-in later.
  await step(`reading the OpenID providers of ${deploymentTomlPath()}`, () => platformOidcProviders());
  const engineSettings = await step('reading the PRIVATEJET_DEPLOY_* settings', async () => engineSettingsFromEnv());
  const auditRetention = await step('reading PRIVATEJET_AUDIT_RETENTION_DAYS', async () => auditRetentionDays());
  const trafficSettings = await step('reading the PRIVATEJET_TRAFFIC_* settings', async () => trafficSettingsFromEnv());
  const handle = await step('opening the database', () => appDatabase());
  // Local gateways are processes of this app: a second replica on the same database may not run them too.
  const localClusters = platform.clusters.filter((c) => managerForType(c.type, platform.managers) === 'local').map((c) => c.clusterName);
  if (localClusters.length > 0) await step('taking the Local cluster', () => claimSingleReplicaRole(handle, localClusters, engineSettings));
  await step(`migrating the database (${handle.location})`, () => handle.migrate());
  const seeded = await step('seeding the first tenant', () => handle.withLock(SEED_LOCK_KEY, () => seedIfEmpty(handle.db)));
  if (seeded) {
    const file = writeCredentialsFile(dataDir(), seeded);
    const lines = seeded.map((a) => `  ${a.username.padEnd(10)} ${a.roles.join(',').padEnd(11)} ${a.generated ? a.password : '(password from environment)'}`);
    console.log(['', 'PrivateJet created the super tenant carbon.super with these accounts (shown once):', ...lines, `Also saved, readable only by you, in ${file}`, ''].join('\n'));
  }
  console.log(`PrivateJet database: ${handle.kind} (${handle.location})`);
  // A new next signing key goes to every gateway before it may sign.
  onNextSigningKeyPublished(() => {
    refreshAllGateways().catch((error: unknown) => console.error('PrivateJet: giving gateways the next signing key failed:', error));
  });
  // Gateways deployed before the first token need keys to load: the active and the next one.
  await step('creating the token signing keys', () => ensureSigningKeys());
  // This replica works on deployment jobs from now on, whoever requested them.
  startDeploymentEngine();
  // Expired audit records go in the background, now and periodically.
  startAuditRetention(handle, auditRetention);
  // And reads its share of the gateways' traffic counters, once per interval each.
  startTrafficCollection(trafficSettings);
  // Told to stop, it lets go of both kinds of work before the server closes, for another replica to take over at once.
  handOverOnShutdown([
    { name: 'deployment jobs', run: handOverDeploymentWork },
    { name: 'traffic scrapes', run: stopTrafficCollection },
  ]);
  // Not awaited: gateways come back in the background while the app starts serving.
  resumeDeployments().then(
    (count) => count > 0 && console.log(`PrivateJet: resuming deployments of ${count} API(s)`),
    (error: unknown) => console.error('PrivateJet: resuming deployments failed:', error),
  );
  const port = process.env.PORT ?? '3000';
  console.log(`PrivateJet: sign in at http://localhost:${port}/signin (accounts: ${dataDir()}/initial-credentials.txt)`);
}
