import path from 'node:path';
import { loadDeploymentToml, type DeploymentClusterConfig } from './deployment-toml';

/** Where the platform's deployment.toml is: PRIVATEJET_DEPLOYMENT_TOML, or the shipped default. */
export function deploymentTomlPath(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.PRIVATEJET_DEPLOYMENT_TOML ?? 'deploy/deployment.toml');
}

const globalForConfig = globalThis as unknown as { privatejetPlatformConfig?: Promise<DeploymentClusterConfig> };

/**
 * The super tenant's clusters and the type → manager map, read once per process (start-up
 * reads it first, so a bad file stops the app before it serves anything).
 */
export function platformClusterConfig(): Promise<DeploymentClusterConfig> {
  globalForConfig.privatejetPlatformConfig ??= loadDeploymentToml(deploymentTomlPath()).catch((error: unknown) => {
    globalForConfig.privatejetPlatformConfig = undefined;
    throw error;
  });
  return globalForConfig.privatejetPlatformConfig;
}

/** For tests: use this configuration instead of the file. */
export function setPlatformClusterConfig(config: DeploymentClusterConfig): void {
  globalForConfig.privatejetPlatformConfig = Promise.resolve(config);
}
