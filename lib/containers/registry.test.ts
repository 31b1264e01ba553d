import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerManager } from './container-manager';
import { kubernetesContainerManager } from './kubernetes/kubernetes-manager';
import { containerManagerFor, registerContainerManager, resetContainerManagers } from './registry';
import { wso2ApiOperatorManager } from './wso2-api-operator/wso2-api-operator-manager';

let dir: string;

const MANAGER_MODULE = `
export default {
  name: 'in-house',
  checkAccess: async (cluster) => ({ clusterName: cluster.clusterName, manager: 'in-house', namespace: 'x', reachable: true, checks: [], ready: true }),
  deploy: async () => ({ configHash: 'abc' }),
  undeploy: async () => {},
  status: async () => ({ phase: 'ready' }),
};
`;

async function moduleFile(fileName: string, text: string): Promise<string> {
  const file = path.join(dir, fileName);
  await writeFile(file, text);
  return file;
}

describe('containerManagerFor', () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'privatejet-managers-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => resetContainerManagers());

  it('returns the built-in Kubernetes managers by name', async () => {
    expect(await containerManagerFor('kubernetes')).toBe(kubernetesContainerManager);
    expect(await containerManagerFor('wso2-api-operator')).toBe(wso2ApiOperatorManager);
    expect((await containerManagerFor(' kubernetes ')).name).toBe('kubernetes');
  });

  it('returns the local manager by name', async () => {
    expect((await containerManagerFor('local')).name).toBe('local');
  });

  it('loads a manager module by absolute path and by a path relative to the working directory', async () => {
    const file = await moduleFile('in-house.mjs', MANAGER_MODULE);
    const byAbsolutePath = await containerManagerFor(file);
    expect(byAbsolutePath.name).toBe('in-house');
    expect(await byAbsolutePath.deploy({} as never, {} as never)).toEqual({ configHash: 'abc' });
    const relative = `./${path.relative(process.cwd(), file)}`;
    expect(await containerManagerFor(relative)).toBe(byAbsolutePath);
  });

  it('accepts a module that exports containerManager and names it after its path when it has no name', async () => {
    const file = await moduleFile('named.mjs', MANAGER_MODULE.replace('export default {', 'export const containerManager = {').replace("name: 'in-house',", ''));
    const manager = await containerManagerFor(file);
    expect(manager.name).toBe(file);
    expect(await manager.status({} as never, {} as never)).toEqual({ phase: 'ready' });
  });

  it('refuses a module that does not implement the interface, naming what is missing', async () => {
    const file = await moduleFile('partial.mjs', 'export default { deploy() {}, status() {} };');
    await expect(containerManagerFor(file)).rejects.toThrow(/does not implement ContainerManager: checkAccess\(\), undeploy\(\) are missing/);
    const empty = await moduleFile('empty.mjs', 'export const something = 1;');
    await expect(containerManagerFor(empty)).rejects.toThrow(/neither a default export nor an export named "containerManager"/);
  });

  it('explains a module that cannot be loaded', async () => {
    await expect(containerManagerFor('./no/such/manager.js')).rejects.toThrow(/container manager module "\.\/no\/such\/manager\.js" .* could not be loaded/);
  });

  it('refuses an unknown name with the names it knows and a suggestion', async () => {
    await expect(containerManagerFor('kubernetess')).rejects.toThrow('"kubernetess" is not a known container manager (did you mean "kubernetes"?)');
    await expect(containerManagerFor('org.wso2.K8sManager')).rejects.toThrow(/"kubernetes", "wso2-api-operator", "local" or a JavaScript module path/);
  });

  it('uses a registered manager, also in place of a built-in', async () => {
    const fake: ContainerManager = {
      name: 'kubernetes',
      checkAccess: async () => ({ clusterName: 'c', manager: 'kubernetes', namespace: 'n', reachable: true, checks: [], ready: true }),
      deploy: async () => ({ configHash: 'fake' }),
      undeploy: async () => {},
      status: async () => ({ phase: 'absent' }),
    };
    registerContainerManager('kubernetes', fake);
    registerContainerManager('edge', { ...fake, name: 'edge' });
    expect(await containerManagerFor('kubernetes')).toBe(fake);
    expect((await containerManagerFor('edge')).name).toBe('edge');
    expect(() => registerContainerManager('broken', { name: 'broken' } as unknown as ContainerManager)).toThrow(/checkAccess\(\), deploy\(\), undeploy\(\), status\(\) are missing/);
  });
});
