import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MANAGERS } from './clusters/container-managers';
import { resetContainerManagers } from './containers/registry';
import { loadManagerModules } from './startup';

const repositoryRoot = path.resolve(__dirname, '..');
let dir: string;

/** Runs the app's real start-up in a child process, as `next start` would, and returns how it ended. */
function startWith(deploymentToml: string, extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `import(${JSON.stringify(path.join(repositoryRoot, 'lib/startup.ts'))}).then((startup) => (startup.startApp ?? startup.default.startApp)());`;
  const env: NodeJS.ProcessEnv = { ...process.env, PRIVATEJET_DEPLOYMENT_TOML: deploymentToml, PRIVATEJET_DATA_DIR: path.join(dir, 'data'), ...extraEnv };
  delete env.DATABASE_URL;
  return new Promise((resolve) => {
    execFile(path.join(repositoryRoot, 'node_modules/.bin/tsx'), ['--eval', script], { cwd: repositoryRoot, env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

async function tomlNaming(manager: string): Promise<string> {
  const file = path.join(dir, `deployment-${Math.random().toString(36).slice(2)}.toml`);
  await writeFile(file, `[ContainerMgtConfig]\nKubernetes = "${manager}"\n`);
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'privatejet-startup-'));
});
afterAll(async () => {
  resetContainerManagers();
  await rm(dir, { recursive: true, force: true });
});

describe('start-up with container manager modules', () => {
  it('stops with one line when a manager module named in deployment.toml does not exist', async () => {
    const toml = await tomlNaming(path.join(dir, 'no-such-manager.mjs'));
    const { code, stderr, stdout } = await startWith(toml);
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^PrivateJet cannot start: loading the container managers of ${toml.replaceAll('.', '\\.')} failed: ContainerMgtConfig\\.Kubernetes: container manager module ".*no-such-manager\\.mjs" .* could not be loaded: `),
    );
    // It stopped before touching the database.
    expect(stdout).not.toContain('PrivateJet database');
  }, 90_000);

  it('refuses a module that is not a container manager, naming the key', async () => {
    const file = path.join(dir, 'not-a-manager.mjs');
    await writeFile(file, 'export const something = 1;\n');
    await expect(loadManagerModules({ ...DEFAULT_MANAGERS, Kubernetes: file })).rejects.toThrow(
      /^ContainerMgtConfig\.Kubernetes: container manager module ".*not-a-manager\.mjs" has neither a default export nor an export named "containerManager"$/,
    );
  });

  it('loads a working module, and leaves built-in managers to load on first use', async () => {
    const file = path.join(dir, 'in-house.mjs');
    await writeFile(
      file,
      'export default { name: "in-house", checkAccess: async () => ({}), deploy: async () => ({}), undeploy: async () => {}, status: async () => ({ phase: "ready" }) };\n',
    );
    await expect(loadManagerModules({ ...DEFAULT_MANAGERS, Kubernetes: file })).resolves.toBeUndefined();
    await expect(loadManagerModules(DEFAULT_MANAGERS)).resolves.toBeUndefined();
  });
});

describe('start-up with a public URL that cannot be the token issuer', () => {
  it('stops with one line naming the variable and the problem', async () => {
    const toml = path.join(dir, 'plain.toml');
    await writeFile(toml, '');
    const { code, stderr, stdout } = await startWith(toml, { PRIVATEJET_PUBLIC_URL: 'https://portal.example.com/?tenant=a' });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'PrivateJet cannot start: reading PRIVATEJET_PUBLIC_URL failed: PRIVATEJET_PUBLIC_URL "https://portal.example.com/?tenant=a" cannot be the token issuer: it must not have a query ("?…")',
    ]);
    expect(stdout).not.toContain('PrivateJet database');
  }, 90_000);
});

describe('start-up with an OpenID provider in deployment.toml that cannot be used', () => {
  it('stops with one line naming the block and the unset variable', async () => {
    const toml = path.join(dir, 'oidc.toml');
    await writeFile(toml, '[[OidcProvider]]\nname = "corp"\ndisplayName = "Corp"\nissuer = "https://login.example.com"\nclientId = "pj"\nclientSecretEnv = "PRIVATEJET_TEST_UNSET_OIDC_SECRET"\n');
    const { code, stderr, stdout } = await startWith(toml);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `PrivateJet cannot start: reading the OpenID providers of ${toml} failed: ${toml}: OidcProvider[0].clientSecretEnv: names PRIVATEJET_TEST_UNSET_OIDC_SECRET, which is not set`,
    ]);
    expect(stdout).not.toContain('PrivateJet database');
  }, 90_000);
});
