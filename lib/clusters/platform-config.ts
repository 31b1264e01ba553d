import { deploymentTomlPath } from '../env';
import { loadDeploymentToml, type DeploymentClusterConfig } from './deployment-toml';

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
