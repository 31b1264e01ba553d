import fs from 'node:fs/promises';
import path from 'node:path';
import type { SecurityResourceReader } from '../security-resources';

/**
 * Local clusters belong to the platform, so their security resources are folders next to
 * deployment.toml, one file per key — the layout of a mounted ConfigMap or Secret, so the
 * formats are the same as in a cluster. `kind` does not matter here: a folder is both.
 */
export function localSecurityResourceReader(deploymentTomlPath: string): SecurityResourceReader {
  const base = path.dirname(deploymentTomlPath);
  return async (_kind, name) => {
    // The name comes from deployment.toml (the platform's own file), yet stays one folder deep.
    if (!/^[A-Za-z0-9._-]+$/.test(name) || name === '.' || name === '..') return undefined;
    const folder = path.join(base, name);
    let entries: string[];
    try {
      entries = await fs.readdir(folder);
    } catch {
      return undefined;
    }
    const data: Record<string, string> = {};
    for (const entry of entries) {
      const file = path.join(folder, entry);
      if ((await fs.stat(file)).isFile()) data[entry] = await fs.readFile(file, 'utf8');
    }
    return { description: `folder ${folder}`, data };
  };
}
