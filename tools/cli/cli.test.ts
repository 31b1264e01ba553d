import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../lib/actor';
import { localContainerManager } from '../../lib/containers/local/local-manager';
import type { DatabaseHandle } from '../../lib/db/drizzle';
import { freshTestDatabase } from '../../lib/test-support/test-database';
import { deploymentsSettled } from '../../lib/deployments/deployments.service';
import { freePort, usePlatformClusters } from '../../lib/test-support/deployments';
import { ensureSigningKeys } from '../../lib/oauth/signing-keys';
import { insertTenant, insertUser, useThrowawaySecretKey } from '../../lib/test-support/oauth-fixtures';
import { createPersonalTokenSchema } from '../../lib/personal-tokens/personal-tokens.schema';
import { createPersonalToken } from '../../lib/personal-tokens/personal-tokens.service';
import type { Scope } from '../../lib/personal-tokens/scopes';
import { startRestHttpServer, type RestHttpServer } from '../../lib/test-support/rest-routes';

/**
 * The privatejet CLI as a pipeline runs it: a separate process talking HTTP to the REST API's
 * route files, which publish on a real Local cluster (the machine's haproxy) in front of the
 * sample pet store. The sample API file goes from YAML to a gateway that answers.
 */

let database: DatabaseHandle;
let server: RestHttpServer;
let backend: ChildProcess;
let backendUrl: string;
let gatewayBase: string;
let publisher: Actor;
let developer: Actor;
let publishToken: string;
let work: string;
let sampleFile: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], options: { token?: string; stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [path.join('tools/cli/bin/privatejet.cjs'), ...args],
      {
        cwd: process.cwd(),
        env: {
          PATH: process.env.PATH,
          HOME: work,
          XDG_CONFIG_HOME: path.join(work, 'config'),
          PRIVATEJET_URL: server.url,
          ...(options.token !== '' ? { PRIVATEJET_TOKEN: options.token ?? publishToken } : {}),
          ...options.env,
        } as unknown as NodeJS.ProcessEnv,
        timeout: 120_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    else child.stdin!.end();
  });
}

async function tokenFor(actor: Actor, scopes: Scope[]): Promise<string> {
  return (await createPersonalToken(actor, createPersonalTokenSchema.parse({ name: `cli-${Math.random().toString(36).slice(2, 8)}`, scopes }))).token;
}

async function rest(method: string, route: string, token: string, body?: unknown) {
  const response = await fetch(`${server.url}/api/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The sample API file, pointing at this test's backend and the sample definition. */
function writeApiFile(name: string, edit: (file: Record<string, any>) => void = () => {}): string { // eslint-disable-line @typescript-eslint/no-explicit-any
  const file = parseYaml(fs.readFileSync('tools/sample-backend/petstore.api.yaml', 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  file.spec.productionEndpoints = [backendUrl];
  file.spec.definition = { file: path.resolve('tools/sample-backend/openapi.yaml') };
  edit(file);
  const target = path.join(work, name);
  fs.writeFileSync(target, stringifyYaml(file));
  return target;
}

beforeAll(async () => {
  useThrowawaySecretKey();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'privatejet-cli-'));
  database = await freshTestDatabase();
  // As at the app's start-up: gateways get the signing key before any token is signed with it.
  await ensureSigningKeys();
  gatewayBase = `http://localhost:${await freePort()}`;
  usePlatformClusters([{ type: 'Local', clusterName: 'local', displayName: 'Local', properties: { AccessURL: gatewayBase, MasterURL: '', SAToken: '', Namespace: 'default', Replicas: 1, extra: {} } }]);
  const backendPort = await freePort();
  backendUrl = `http://127.0.0.1:${backendPort}`;
  backend = spawn(process.execPath, ['tools/sample-backend/server.mjs'], { env: { PATH: process.env.PATH, PORT: String(backendPort) } as unknown as NodeJS.ProcessEnv, stdio: 'ignore' });
  server = await startRestHttpServer();
  process.env.PRIVATEJET_PUBLIC_URL = server.url;
  const tenant = await insertTenant(database.db, 'carbon.super');
  publisher = await insertUser(database.db, tenant, 'publisher', ['publisher']);
  developer = await insertUser(database.db, tenant, 'developer', ['subscriber']);
  publishToken = await tokenFor(publisher, ['apis:read', 'apis:write', 'apis:publish']);
  sampleFile = writeApiFile('petstore.api.yaml');
  for (let i = 0; i < 50; i++) {
    if (await fetch(`${backendUrl}/pets`).then((r) => r.ok, () => false)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 120_000);

afterAll(async () => {
  await deploymentsSettled();
  await localContainerManager.stopAll();
  backend?.kill();
  await server?.close();
  await database?.close();
  delete process.env.PRIVATEJET_PUBLIC_URL;
  fs.rmSync(work, { recursive: true, force: true });
});

describe('privatejet apply', () => {
  it('publishes the sample API file on Local and waits until its gateway answers', async () => {
    const run = await cli(['apply', '-f', sampleFile, '--wait']);
    expect(run.stderr).toContain('Waiting for PetStore 1.0.0');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('PetStore 1.0.0: created');
    expect(run.stdout).toContain('+ created PetStore 1.0.0 at /petstore with 5 operations');
    expect(run.stdout).toContain('~ clusters: +local');
    expect(run.stdout).toContain('~ state: CREATED → PUBLISHED');
    expect(run.stdout).toMatch(/PetStore 1\.0\.0 · PUBLISHED · ready/);
    expect(run.stdout).toContain(`${gatewayBase}/petstore/1.0.0`);

    // The gateway itself answers: no token, refused; a subscribed application's token, the pets.
    expect((await fetch(`${gatewayBase}/petstore/1.0.0/pets`)).status).toBe(401);
    const developerToken = await tokenFor(developer, ['applications:read', 'applications:write']);
    const application = await rest('POST', '/applications', developerToken, { name: 'Pipeline check' });
    await rest('POST', `/applications/${application.body.id}/keys`, developerToken, {});
    const api = await rest('GET', '/apis/by-name/PetStore/1.0.0', publishToken);
    expect((await rest('POST', `/applications/${application.body.id}/subscriptions`, developerToken, { apiId: api.body.id, tier: 'Gold' })).status).toBe(201);
    const accessToken = (await rest('POST', `/applications/${application.body.id}/tokens`, developerToken)).body.access_token as string;
    const pets = await fetch(`${gatewayBase}/petstore/1.0.0/pets`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(pets.status).toBe(200);
    expect(JSON.stringify(await pets.json())).toContain('Rex');
  }, 180_000);

  it('says "no change" when applied again', async () => {
    const run = await cli(['apply', '-f', sampleFile]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('PetStore 1.0.0: no change');
    const json = await cli(['apply', '-f', sampleFile, '-o', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ outcome: 'unchanged', changes: [], api: { name: 'PetStore', state: 'PUBLISHED' } });
  }, 60_000);

  it('diff lists what would change, changes nothing, and exits 3', async () => {
    const edited = writeApiFile('edited.api.yaml', (file) => {
      file.spec.tiers = ['Gold'];
      file.spec.description = 'Edited in the file';
    });
    const diff = await cli(['diff', '-f', edited]);
    expect(diff.code, diff.stderr).toBe(3);
    expect(diff.stdout).toContain('PetStore 1.0.0: would change');
    expect(diff.stdout).toContain('~ tiers: [Gold, Unlimited] → [Gold]');
    expect((await cli(['diff', '-f', sampleFile])).code).toBe(0);
    expect((await rest('GET', '/apis/by-name/PetStore/1.0.0', publishToken)).body.tiers).toEqual(['Gold', 'Unlimited']);
  }, 60_000);

  it('round-trips: export, then apply of the export, changes nothing; the export applied under another name is the same API', async () => {
    const exported = await cli(['export', 'PetStore', '1.0.0']);
    expect(exported.code, exported.stderr).toBe(0);
    const exportFile = path.join(work, 'exported.api.yaml');
    fs.writeFileSync(exportFile, exported.stdout);
    const again = await cli(['apply', '-f', exportFile]);
    expect(again.stdout.trim()).toBe('PetStore 1.0.0: no change');
    const piped = await cli(['apply', '-f', '-'], { stdin: exported.stdout });
    expect(piped.stdout.trim(), piped.stderr).toBe('PetStore 1.0.0: no change');

    const copy = parseYaml(exported.stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    copy.metadata.name = 'PetStoreCopy';
    copy.spec.context = '/petstorecopy';
    const copyFile = path.join(work, 'copy.api.yaml');
    fs.writeFileSync(copyFile, stringifyYaml(copy));
    const created = await cli(['apply', '-f', copyFile, '--wait']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('PetStoreCopy 1.0.0: created');
    const reexported = parseYaml((await cli(['export', 'PetStoreCopy', '1.0.0'])).stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(reexported).toEqual(copy);
    expect(JSON.parse((await cli(['export', 'PetStoreCopy', '1.0.0', '-o', 'json'])).stdout)).toEqual(copy);
  }, 120_000);
});

describe('privatejet with bad files and refusals', () => {
  it('locates a YAML syntax error', async () => {
    const broken = path.join(work, 'broken.api.yaml');
    fs.writeFileSync(broken, 'apiVersion: privatejet/v1\nkind: API\nmetadata:\n  name: [unclosed\n');
    const run = await cli(['apply', '-f', broken]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`${broken.replace(/[.]/g, '\\.')}:\\d+:\\d+: `));
  });

  it('locates what the portal refuses at its line and column in the file', async () => {
    const bad = writeApiFile('bad.api.yaml', (file) => {
      file.spec.tiers = ['Gold', 'Platinum'];
      file.spec.colour = 'blue';
    });
    const lines = fs.readFileSync(bad, 'utf8').split('\n');
    const platinumLine = lines.findIndex((l) => l.includes('Platinum')) + 1;
    const colourLine = lines.findIndex((l) => l.startsWith('  colour:')) + 1;
    const run = await cli(['apply', '-f', bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: The body is not valid. (HTTP 400)');
    expect(run.stderr).toContain(`${bad}:${platinumLine}:`);
    expect(run.stderr).toMatch(/spec\.tiers\[1\]: Offer tiers from/);
    expect(run.stderr).toContain(`${bad}:${colourLine}:3: spec.colour: "colour" is not a known field.`);
  });

  it('locates a definition file that is missing, and one the portal finds invalid', async () => {
    const missing = writeApiFile('missing.api.yaml', (file) => (file.spec.definition = { file: 'nowhere.yaml' }));
    const run = await cli(['apply', '-f', missing]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/missing\.api\.yaml:\d+:\d+: spec\.definition\.file: cannot read .*nowhere\.yaml \(ENOENT\)/);

    fs.writeFileSync(path.join(work, 'empty-paths.yaml'), 'openapi: 3.0.3\ninfo: {title: x, version: "1"}\npaths: {}\n');
    const invalid = writeApiFile('invalid-definition.api.yaml', (file) => {
      file.metadata.name = 'Invalid';
      file.spec.context = '/invalid';
      file.spec.definition = { file: 'empty-paths.yaml' };
    });
    const refused = await cli(['apply', '-f', invalid]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/invalid-definition\.api\.yaml:\d+:\d+: .*empty-paths\.yaml: .*no paths/);
  }, 60_000);

  it('exits non-zero with the portal’s message when the token may not publish', async () => {
    const writer = await tokenFor(publisher, ['apis:read', 'apis:write']);
    const blocked = writeApiFile('blocked.api.yaml', (file) => (file.spec.state = 'BLOCKED'));
    const run = await cli(['apply', '-f', blocked], { token: writer });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('This changes the lifecycle state, which needs a token with the apis:publish scope. (HTTP 403)');
    const noToken = await cli(['get', 'apis'], { token: '' });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('No token for');
  });
});

describe('privatejet get, publish, status and login', () => {
  it('lists APIs for people and for scripts', async () => {
    const run = await cli(['get', 'apis']);
    expect(run.stdout.split('\n')[0]).toMatch(/^NAME\s+VERSION\s+CONTEXT\s+STATE\s+UPDATED$/);
    expect(run.stdout).toMatch(/PetStore\s+1\.0\.0\s+\/petstore\s+PUBLISHED/);
    const json = JSON.parse((await cli(['get', 'apis', '-o', 'json'])).stdout) as { name: string }[];
    expect(json.map((a) => a.name)).toEqual(expect.arrayContaining(['PetStore', 'PetStoreCopy']));
  });

  it('publishes an API and waits for it, showing progress; status reports each cluster', async () => {
    const draft = writeApiFile('draft.api.yaml', (file) => {
      file.metadata.name = 'Draft';
      file.spec.context = '/draft';
      file.spec.state = 'CREATED';
    });
    expect((await cli(['apply', '-f', draft])).code).toBe(0);
    const published = await cli(['publish', 'Draft', '1.0.0', '--wait']);
    expect(published.code, published.stderr).toBe(0);
    expect(published.stdout).toContain('Draft 1.0.0: CREATED → PUBLISHED');
    expect(published.stderr).toContain('Waiting for Draft 1.0.0');
    expect(published.stdout).toMatch(/local\s+ready\s+http:\/\/localhost:\d+\/draft\/1\.0\.0/);
    const status = await cli(['status', 'Draft', '1.0.0', '-o', 'json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ outcome: 'ready', clusters: [{ clusterName: 'local', status: 'ready' }] });
    expect((await cli(['publish', 'Draft', '1.0.0'])).stdout).toContain('published already');
  }, 120_000);

  it('status --wait exits 1 with the cluster’s message when a deployment fails', async () => {
    // Another API at the same path of the shared ingress is refused there: a failure the publisher must see.
    const clash = writeApiFile('clash.api.yaml', (file) => {
      file.metadata.name = 'Clash';
      file.metadata.version = '1.0.0';
      file.spec.context = '/petstore/1.0.0/pets';
      file.spec.state = 'PUBLISHED';
    });
    const run = await cli(['apply', '-f', clash, '--wait', '--timeout', '60']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Deployment failed — local: .*already served by another API/);
  }, 120_000);

  it('login stores the token in a file only its owner can read, and uses it', async () => {
    const run = await cli(['login', '--url', server.url, '--token-stdin'], { token: '', stdin: `${publishToken}\n` });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Logged in to ${server.url} as publisher@carbon.super`);
    const file = path.join(work, 'config/privatejet/credentials.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect((await cli(['get', 'apis'], { token: '' })).stdout).toContain('PetStore');
    const wrong = await cli(['login', '--url', server.url, '--token-stdin'], { token: '', stdin: 'pjp_wrong' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('The token is not known');
    expect((await cli(['logout'], { token: '' })).stdout).toContain('Removed');
    expect(fs.existsSync(file)).toBe(false);
  });
});
