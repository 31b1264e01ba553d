import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ContainerManager } from './container-manager';

/**
 * Container managers by the names `[ContainerMgtConfig]` uses: the built-in ones, or a
 * JavaScript module path (relative to the working directory, or absolute) whose default
 * export (or `containerManager` export) implements ContainerManager.
 */

const builtIns: Record<string, () => Promise<ContainerManager>> = {
  kubernetes: async () => (await import('./kubernetes/kubernetes-manager')).kubernetesContainerManager,
  local: async () => (await import('./local/local-manager')).localContainerManager,
};

const registered = new Map<string, ContainerManager>();
const loadedModules = new Map<string, Promise<ContainerManager>>();

export function registerContainerManager(name: string, manager: ContainerManager): void {
  registered.set(name, manager);
}

function isContainerManager(value: unknown): value is ContainerManager {
  const candidate = value as Partial<ContainerManager> | null;
  return !!candidate && ['checkAccess', 'deploy', 'undeploy', 'status'].every((method) => typeof (candidate as Record<string, unknown>)[method] === 'function');
}

async function loadModuleManager(modulePath: string): Promise<ContainerManager> {
  const resolved = path.resolve(/*turbopackIgnore: true*/ modulePath);
  const loaded = (await import(/* webpackIgnore: true */ /*turbopackIgnore: true*/ pathToFileURL(resolved).href)) as Record<string, unknown>;
  const manager = loaded.containerManager ?? loaded.default;
  if (!isContainerManager(manager)) {
    throw new Error(`${modulePath} does not export a container manager (checkAccess, deploy, undeploy and status) as default or "containerManager"`);
  }
  return manager;
}

export async function containerManagerFor(name: string): Promise<ContainerManager> {
  const known = registered.get(name);
  if (known) return known;
  const builtIn = builtIns[name];
  if (builtIn) return builtIn();
  if (name.startsWith('./') || name.startsWith('/')) {
    let loading = loadedModules.get(name);
    if (!loading) {
      loading = loadModuleManager(name);
      loadedModules.set(name, loading);
    }
    return loading;
  }
  throw new Error(`Unknown container manager "${name}": use kubernetes, wso2-api-operator, local, or a module path such as ./managers/mine.js`);
}
