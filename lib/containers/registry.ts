import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { closestMatch } from '../clusters/config-values';
import { BUILT_IN_MANAGERS, isModulePath, type BuiltInManagerName } from '../clusters/container-managers';
import type { ContainerManager } from './container-manager';

/**
 * Manager name (`[ContainerMgtConfig]` value) → ContainerManager. Built-in managers are loaded
 * on first use, so the Kubernetes client is not loaded by an app that only runs `local`; a
 * module path loads the user's own manager, the way the seed let a custom class replace one.
 */

const BUILT_IN_LOADERS: Record<BuiltInManagerName, () => Promise<ContainerManager>> = {
  kubernetes: async () => (await import('./kubernetes/kubernetes-manager')).kubernetesContainerManager,
  'wso2-api-operator': async () => (await import('./wso2-api-operator/wso2-api-operator-manager')).wso2ApiOperatorManager,
  local: async () => (await import('./local/local-manager')).localContainerManager,
};

const MANAGER_METHODS = ['checkAccess', 'deploy', 'undeploy', 'status'] as const;

const registered = new Map<string, ContainerManager>();
const loadedModules = new Map<string, Promise<ContainerManager>>();

/**
 * Makes `manager` the one used for `name`, replacing a built-in of that name: for an app that
 * constructs a manager itself at start-up, and for tests.
 */
export function registerContainerManager(name: string, manager: ContainerManager): void {
  registered.set(name, asContainerManager(manager, `the manager registered as "${name}"`, name));
}

/** Forgets every registration and loaded module (tests). */
export function resetContainerManagers(): void {
  registered.clear();
  loadedModules.clear();
}

/**
 * The manager for a name from `[ContainerMgtConfig]`: a registered or built-in name, or a
 * JavaScript module path (`./managers/mine.js` from the working directory, or absolute) whose
 * default export, or export named `containerManager`, implements ContainerManager.
 */
export async function containerManagerFor(name: string): Promise<ContainerManager> {
  const reference = name.trim();
  const registeredManager = registered.get(reference);
  if (registeredManager) return registeredManager;
  if (isBuiltInManagerName(reference)) return BUILT_IN_LOADERS[reference]();
  if (isModulePath(reference)) return loadManagerModule(reference);
  const known = [...new Set([...BUILT_IN_MANAGERS, ...registered.keys()])];
  const suggestion = closestMatch(reference, known);
  throw new Error(
    `"${reference}" is not a known container manager${suggestion ? ` (did you mean "${suggestion}"?)` : ''}: ` +
      `use ${known.map((known) => `"${known}"`).join(', ')} or a JavaScript module path starting with "./" or "/"`,
  );
}

function isBuiltInManagerName(name: string): name is BuiltInManagerName {
  return (BUILT_IN_MANAGERS as readonly string[]).includes(name);
}

function loadManagerModule(reference: string): Promise<ContainerManager> {
  // Relative to the working directory; the hint keeps the bundler from tracing a path known only at run time.
  const file = path.resolve(/* turbopackIgnore: true */ reference);
  let loading = loadedModules.get(file);
  if (!loading) {
    loading = importManager(reference, file);
    // A failed load is retried next time (the file may be fixed meanwhile).
    loading.catch(() => loadedModules.delete(file));
    loadedModules.set(file, loading);
  }
  return loading;
}

async function importManager(reference: string, file: string): Promise<ContainerManager> {
  let exports: Record<string, unknown>;
  try {
    // Loaded by Node at run time, never bundled: the path is only known from the config.
    exports = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`container manager module "${reference}" (${file}) could not be loaded: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const candidate = exports.default ?? exports.containerManager;
  if (candidate === undefined) {
    throw new Error(`container manager module "${reference}" has neither a default export nor an export named "containerManager"`);
  }
  return asContainerManager(candidate, `container manager module "${reference}"`, reference);
}

/** Checks the shape a manager must have; a missing name becomes the name it was found under. */
function asContainerManager(candidate: unknown, what: string, fallbackName: string): ContainerManager {
  if (typeof candidate !== 'object' || candidate === null) {
    throw new Error(`${what} must export an object with ${MANAGER_METHODS.join(', ')}, not ${candidate === null ? 'null' : typeof candidate}`);
  }
  const object = candidate as Record<string, unknown>;
  const missing = MANAGER_METHODS.filter((method) => typeof object[method] !== 'function');
  if (missing.length > 0) {
    throw new Error(`${what} does not implement ContainerManager: ${missing.map((method) => `${method}()`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`);
  }
  const manager = candidate as ContainerManager;
  if (typeof object.name === 'string' && object.name !== '') return manager;
  return {
    name: fallbackName,
    checkAccess: (cluster) => manager.checkAccess(cluster),
    deploy: (api, cluster) => manager.deploy(api, cluster),
    undeploy: (api, cluster) => manager.undeploy(api, cluster),
    status: (api, cluster) => manager.status(api, cluster),
  };
}
