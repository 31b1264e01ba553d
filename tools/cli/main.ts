import { parseArgs } from 'node:util';
import { loadApiFile, type LoadedApiFile } from './api-file';
import { ApiProblem, CliError, PortalClient } from './client';
import { credentialsPath, readCredentials, removeCredentials, writeCredentials } from './credentials';

/**
 * privatejet — publish APIs to PrivateJet from a terminal or a CI pipeline, through the portal's
 * REST API (/api/v1) with a personal access token. Human output by default, `-o json` for
 * scripts. Exit codes: 0 done, 1 failed (the portal's message is printed), 2 wrong usage,
 * 3 `diff` found changes.
 */

const HELP = `privatejet — publish APIs to PrivateJet from pipelines

Usage:
  privatejet login --url <portal> [--token-stdin]   store the portal address and a personal access token (0600)
  privatejet logout                                 forget them
  privatejet apply -f <api.yaml> [--wait]           create or update the API to match the file (- reads stdin); print what changed
  privatejet diff -f <api.yaml>                     what apply would change (exit 3 when something would)
  privatejet export <name> <version>                print the API as an API file (-o json for JSON)
  privatejet get apis [--state <STATE>] [-q <text>] list the tenant's APIs
  privatejet publish <name> <version> [--wait]      move the API to Published
  privatejet status <name> <version> [--wait]       each cluster's deployment; --wait until ready or one failed

Options:
  -o, --output json      machine-readable output on stdout
  --wait                 wait until every selected cluster is ready or one failed (progress on stderr)
  --timeout <seconds>    how long --wait waits (default 300)
  --url <portal>         the portal, e.g. http://localhost:3000 (or PRIVATEJET_URL)

The token comes from PRIVATEJET_TOKEN, else from the file login wrote (${'$'}XDG_CONFIG_HOME/privatejet/credentials.json).
Make one in the portal: account menu → Personal access tokens (apis:read, apis:write, apis:publish to publish).`;

interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Rewrites the current stderr line on a terminal; prints a new line elsewhere, when it changed. */
  progress: (text: string) => void;
  endProgress: () => void;
  readStdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
}

function processIo(): Io {
  let last = '';
  let open = false;
  const tty = process.stderr.isTTY;
  return {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
    progress: (text) => {
      if (text === last) return;
      last = text;
      if (tty) {
        process.stderr.write(`\r\x1b[K${text}`);
        open = true;
      } else process.stderr.write(`${text}\n`);
    },
    endProgress: () => {
      if (open) process.stderr.write('\n');
      open = false;
      last = '';
    },
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
  };
}

interface Options {
  filename?: string;
  output?: string;
  wait?: boolean;
  timeout?: string;
  url?: string;
  'token-stdin'?: boolean;
  state?: string;
  search?: string;
  help?: boolean;
}

function parse(argv: string[]): { positionals: string[]; options: Options } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        filename: { type: 'string', short: 'f' },
        output: { type: 'string', short: 'o' },
        wait: { type: 'boolean' },
        timeout: { type: 'string' },
        url: { type: 'string' },
        'token-stdin': { type: 'boolean' },
        state: { type: 'string' },
        search: { type: 'string', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    return { positionals, options: values as Options };
  } catch (error) {
    throw new CliError(`${(error as Error).message}\nRun privatejet --help for the commands.`, 2);
  }
}

function client(options: Options, io: Io): PortalClient {
  const stored = readCredentials(io.env);
  const url = options.url ?? io.env.PRIVATEJET_URL ?? stored?.url;
  if (!url) throw new CliError('No portal given: run privatejet login --url <portal>, or set PRIVATEJET_URL and PRIVATEJET_TOKEN.', 2);
  const token = io.env.PRIVATEJET_TOKEN || (stored && stored.url === url ? stored.token : undefined);
  if (!token) throw new CliError(`No token for ${url}: run privatejet login --url ${url}, or set PRIVATEJET_TOKEN.`, 2);
  return new PortalClient(url, token);
}

const json = (options: Options) => options.output === 'json';
const encode = encodeURIComponent;

function timeoutSeconds(options: Options): number {
  if (options.timeout === undefined) return 300;
  const seconds = Number(options.timeout);
  if (!Number.isInteger(seconds) || seconds < 1) throw new CliError('--timeout takes a whole number of seconds.', 2);
  return seconds;
}

interface ApiView {
  id: string;
  name: string;
  version: string;
  context: string;
  state: string;
  revision: number;
}

interface DeploymentsView {
  apiId: string;
  state: string;
  outcome: 'ready' | 'failed' | 'progressing' | 'undeployed' | 'no-clusters';
  settled: boolean;
  clusters: { clusterName: string; displayName: string; status: string; message: string | null; accessUrl: string | null }[];
}

interface ApplyResult {
  outcome: 'created' | 'updated' | 'unchanged';
  dryRun: boolean;
  changes: { field: string; summary: string }[];
  api: ApiView | null;
}

async function apiByName(portal: PortalClient, name: string, version: string): Promise<ApiView> {
  return (await portal.request<ApiView>('GET', `/apis/by-name/${encode(name)}/${encode(version)}`)).body;
}

function nameAndVersion(positionals: string[], command: string): [string, string] {
  const [name, version, ...rest] = positionals;
  if (!name || !version || rest.length > 0) throw new CliError(`Usage: privatejet ${command} <name> <version>`, 2);
  return [name, version];
}

function clusterLine(view: DeploymentsView): string {
  if (view.clusters.length === 0) return 'no clusters selected';
  return view.clusters.map((c) => `${c.clusterName} ${c.status}`).join(', ');
}

/** Asks the portal (which itself waits up to 20 s per request) until the outcome settles or the time is up. */
async function waitForDeployments(portal: PortalClient, api: ApiView, seconds: number, io: Io): Promise<DeploymentsView> {
  const started = Date.now();
  const deadline = started + seconds * 1000;
  for (;;) {
    const remaining = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    const wait = Math.min(20, remaining);
    const view = (await portal.request<DeploymentsView>('GET', `/apis/${api.id}/deployments?wait=${wait}`, { timeoutMs: (wait + 30) * 1000 })).body;
    io.progress(`Waiting for ${api.name} ${api.version} (${Math.round((Date.now() - started) / 1000)}s): ${clusterLine(view)}`);
    if (view.settled) {
      io.endProgress();
      return view;
    }
    if (Date.now() >= deadline) {
      io.endProgress();
      throw new CliError(`Gave up after ${seconds}s: ${clusterLine(view)}. Follow it with privatejet status ${api.name} ${api.version} --wait.`);
    }
  }
}

function printDeployments(view: DeploymentsView, api: ApiView, io: Io): void {
  io.stdout(`${api.name} ${api.version} · ${view.state} · ${view.outcome}`);
  if (view.clusters.length === 0) return;
  const rows = view.clusters.map((c) => [c.clusterName, c.status, c.accessUrl ?? '-', c.message ?? '']);
  table(['CLUSTER', 'STATUS', 'ACCESS URL', 'MESSAGE'], rows, io);
}

/** A failed or timed-out wait ends the command with exit code 1 and says which cluster and why. */
function deploymentsOutcome(view: DeploymentsView): void {
  if (view.outcome !== 'failed') return;
  const failed = view.clusters.filter((c) => c.status === 'failed').map((c) => `${c.clusterName}: ${c.message ?? 'failed'}`);
  throw new CliError(`Deployment failed — ${failed.join('; ')}`);
}

function table(headers: string[], rows: string[][], io: Io): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  io.stdout(line(headers));
  for (const row of rows) io.stdout(line(row));
}

function printChanges(result: ApplyResult, label: string, io: Io): void {
  if (result.changes.length === 0) {
    io.stdout(`${label}: no change`);
    return;
  }
  const verb = result.dryRun ? (result.outcome === 'created' ? 'would be created' : 'would change') : result.outcome;
  io.stdout(`${label}: ${verb}`);
  for (const change of result.changes) io.stdout(`  ${change.field === 'api' ? '+' : '~'} ${change.summary}`);
}

async function apply(options: Options, io: Io, dryRun: boolean): Promise<number> {
  if (!options.filename) throw new CliError(`Usage: privatejet ${dryRun ? 'diff' : 'apply'} -f <api.yaml>`, 2);
  const file = loadApiFile(options.filename, options.filename === '-' ? await io.readStdin() : undefined);
  const portal = client(options, io);
  const label = `${file.name} ${file.version}`;
  const path = `/apis/by-name/${encode(file.name)}/${encode(file.version)}`;
  let result: ApplyResult;
  try {
    result = (await portal.request<ApplyResult>(dryRun ? 'POST' : 'PUT', dryRun ? `${path}/diff` : path, { body: file.spec })).body;
  } catch (error) {
    throw withFileLocations(error, file);
  }
  if (dryRun) {
    if (json(options)) io.stdout(JSON.stringify(result, null, 2));
    else printChanges(result, label, io);
    return result.changes.length > 0 ? 3 : 0;
  }
  if (!json(options)) printChanges(result, label, io);
  let deployments: DeploymentsView | undefined;
  if (options.wait) {
    deployments = await waitForDeployments(portal, result.api!, timeoutSeconds(options), io);
    if (!json(options)) printDeployments(deployments, result.api!, io);
  }
  if (json(options)) io.stdout(JSON.stringify({ ...result, ...(deployments ? { deployments } : {}) }, null, 2));
  if (deployments) deploymentsOutcome(deployments);
  return 0;
}

/** The portal's pointers into the spec, as lines of the file. */
function withFileLocations(error: unknown, file: LoadedApiFile): unknown {
  if (!(error instanceof ApiProblem)) return error;
  const lines = (error.problem.errors ?? []).map((e) => file.locate(e));
  const applied = (error.problem.appliedChanges ?? []).map((c) => `applied before the failure: ${c.summary}`);
  return new CliError([`${error.message} (HTTP ${error.problem.status})`, ...lines, ...applied].join('\n  '));
}

async function login(options: Options, io: Io): Promise<number> {
  const url = (options.url ?? io.env.PRIVATEJET_URL)?.replace(/\/+$/, '');
  if (!url) throw new CliError('Usage: privatejet login --url <portal> [--token-stdin]', 2);
  let token = io.env.PRIVATEJET_TOKEN;
  if (options['token-stdin']) token = (await io.readStdin()).trim();
  if (!token) throw new CliError('Give the token on standard input (--token-stdin) or in PRIVATEJET_TOKEN; make one in the portal under Personal access tokens.', 2);
  const me = (await new PortalClient(url, token).request<{ user: { username: string; tenantDomain: string }; token: { name: string; scopes: string[]; expiresAt: string } }>('GET', '/me')).body;
  const file = writeCredentials({ url, token }, io.env);
  if (json(options)) io.stdout(JSON.stringify({ url, credentials: file, ...me }, null, 2));
  else io.stdout(`Logged in to ${url} as ${me.user.username}@${me.user.tenantDomain} with token "${me.token.name}" (${me.token.scopes.join(', ') || 'no scopes'}), expires ${me.token.expiresAt}. Saved in ${file}.`);
  return 0;
}

async function run(argv: string[], io: Io): Promise<number> {
  const { positionals, options } = parse(argv);
  const [command, ...rest] = positionals;
  if (options.help || !command) {
    io.stdout(HELP);
    return command || options.help ? 0 : 2;
  }
  if (options.output !== undefined && !['json', 'yaml', 'human'].includes(options.output)) throw new CliError('-o takes json (or yaml for export).', 2);
  switch (command) {
    case 'login':
      return login(options, io);
    case 'logout':
      io.stdout(removeCredentials(io.env) ? `Removed ${credentialsPath(io.env)}.` : 'Not logged in.');
      return 0;
    case 'apply':
      return apply(options, io, false);
    case 'diff':
      return apply(options, io, true);
    case 'export': {
      const [name, version] = nameAndVersion(rest, 'export');
      const portal = client(options, io);
      const api = await apiByName(portal, name, version);
      const exported = await portal.request<unknown>('GET', `/apis/${api.id}/export?format=${json(options) ? 'json' : 'yaml'}`);
      io.stdout(json(options) ? JSON.stringify(exported.body, null, 2) : exported.text.trimEnd());
      return 0;
    }
    case 'get': {
      if (rest[0] !== 'apis' || rest.length > 1) throw new CliError('Usage: privatejet get apis [--state <STATE>] [-q <text>]', 2);
      const portal = client(options, io);
      const items: (ApiView & { updatedAt: string })[] = [];
      for (let page = 1; ; page++) {
        const query = new URLSearchParams({ page: String(page), pageSize: '100', ...(options.state ? { state: options.state } : {}), ...(options.search ? { q: options.search } : {}) });
        const answer = (await portal.request<{ items: (ApiView & { updatedAt: string })[]; pageCount: number }>('GET', `/apis?${query}`)).body;
        items.push(...answer.items);
        if (page >= answer.pageCount) break;
      }
      if (json(options)) io.stdout(JSON.stringify(items, null, 2));
      else if (items.length === 0) io.stdout('No APIs.');
      else table(['NAME', 'VERSION', 'CONTEXT', 'STATE', 'UPDATED'], items.map((a) => [a.name, a.version, a.context, a.state, a.updatedAt]), io);
      return 0;
    }
    case 'publish': {
      const [name, version] = nameAndVersion(rest, 'publish');
      const portal = client(options, io);
      const api = await apiByName(portal, name, version);
      if (api.state === 'PUBLISHED') {
        if (!json(options)) io.stdout(`${name} ${version} is published already.`);
      } else {
        await portal.request('POST', `/apis/${api.id}/lifecycle`, { body: { to: 'PUBLISHED' }, headers: { 'if-match': `"r${api.revision}"` } });
        if (!json(options)) io.stdout(`${name} ${version}: ${api.state} → PUBLISHED`);
      }
      const view = options.wait ? await waitForDeployments(portal, api, timeoutSeconds(options), io) : undefined;
      if (json(options)) io.stdout(JSON.stringify({ api: { ...api, state: 'PUBLISHED' }, ...(view ? { deployments: view } : {}) }, null, 2));
      else if (view) printDeployments(view, api, io);
      if (view) deploymentsOutcome(view);
      return 0;
    }
    case 'status': {
      const [name, version] = nameAndVersion(rest, 'status');
      const portal = client(options, io);
      const api = await apiByName(portal, name, version);
      const view = options.wait ? await waitForDeployments(portal, api, timeoutSeconds(options), io) : (await portal.request<DeploymentsView>('GET', `/apis/${api.id}/deployments`)).body;
      if (json(options)) io.stdout(JSON.stringify(view, null, 2));
      else printDeployments(view, api, io);
      deploymentsOutcome(view);
      return 0;
    }
    default:
      throw new CliError(`Unknown command "${command}". Run privatejet --help for the commands.`, 2);
  }
}

/** Runs one command; returns the exit code. Errors are printed on stderr, never thrown. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    io.endProgress();
    if (error instanceof CliError) {
      io.stderr(`error: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof ApiProblem) {
      const details = (error.problem.errors ?? []).map((e) => `${e.pointer ?? e.parameter ?? e.header ?? ''}: ${e.detail}`);
      io.stderr(`error: ${[`${error.message} (HTTP ${error.problem.status})`, ...details].join('\n  ')}`);
      return 1;
    }
    io.stderr(`error: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}
