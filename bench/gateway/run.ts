// Gateway throughput/latency/memory benchmark on loopback, all in one run with the same backend
// and the same load generator: direct, nginx as a plain reverse proxy (the baseline), the
// PrivateJet gateway (generated HAProxy config) without auth, with JWT + subscription +
// throttling (verified-token cache warm), and with a fresh token on every request (uncached
// signature check). Then the memory of 100 gateways as the Local cluster runs them.
// Prints tables; not part of the tests.
//
//   bash bench/gateway/install-tools.sh     (once: wrk, nginx, vegeta)
//   npm run gateway:bench                   (ROUNDS=5 BENCH_SECONDS=5 CONNECTIONS=64 GATEWAYS=100 by default)
//
// These machines are noisy (2 shared cores), so each proxy is pinned to core 0 and the load
// generator and backend to core 1; every row is measured once per round, rounds interleave all
// rows in a rotated order, and each figure is the median over rounds; "× nginx" is the median of
// the per-round ratios to the nginx row. "CPU µs/req" (user + system time of the proxy's processes
// divided by the requests they served) is the figure to compare: nginx's req/s is capped by the
// load side, its CPU per request is not.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { GatewayProcess } from '../../lib/containers/local/haproxy-process';
import type { GatewaySpec } from '../../lib/gateway/gateway-spec';
import { haproxyGatewayFiles } from '../../lib/gateway/haproxy-config';
import { createSigningKey, signToken, testSpec, tokenClaims, TEST_API } from '../../lib/test-support/gateway-harness';

const repositoryRoot = path.resolve(__dirname, '..', '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.ROUNDS ?? 5);
const gatewayCount = Number(process.env.GATEWAYS ?? 100);
const cores = Number(spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()) || 1;
/** Proxies on core 0, load generator and backend on the last core (the same one when there is only one). */
const proxyCore = '0';
const loadCore = String(cores - 1);
const pinned = (core: string, command: string, args: string[]): [string, string[]] => ['taskset', ['-c', core, command, ...args]];
const connections = Number(process.env.CONNECTIONS ?? 64);
const clockTicksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const hasWrk = spawnSync('wrk', ['--version']).error === undefined;
const hasNginx = spawnSync('nginx', ['-v']).error === undefined;
const vegeta = [process.env.VEGETA, path.join(homedir(), '.cache', 'privatejet', 'bin', 'vegeta'), 'vegeta'].find(
  (candidate) => candidate && spawnSync(candidate, ['-version']).error === undefined,
);

interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** A wrk script that sets each request's headers (a fresh token per request). */
  script?: string;
  /** The process whose tree serves the target (nginx master, haproxy master), for CPU and memory. */
  pid?: number;
  /** The nginx target this row is compared with. */
  nginx?: Target;
  samples: (LoadResult & { cpuMicrosPerRequest?: number; ratioToNginx?: number; rssLoadMb?: number })[];
  rssIdleMb?: number;
  privateIdleMb?: number;
}

const started: ChildProcess[] = [];

function startProcess(command: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  return child;
}

function waitForLine(child: ChildProcess, pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout'): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    child[stream]!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = pattern.exec(text);
      if (match) resolve(match);
    });
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before printing ${pattern}: ${text}`)));
  });
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitUntilAnswering(url: string, headers: Record<string, string> = {}): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} never answered 200`);
}

/** A process and its children (cluster workers, nginx workers). */
async function processTree(pid: number): Promise<number[]> {
  const pids = [pid];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = await readFile(`/proc/${entry}/status`, 'utf8');
      if (new RegExp(`^PPid:\\s+${pid}$`, 'm').test(status)) pids.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

async function sumOverTree(pid: number, read: (member: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (const member of await processTree(pid)) {
    try {
      total += await read(member);
    } catch {
      // ended
    }
  }
  return total;
}

const rssMb = (pid: number) =>
  sumOverTree(pid, async (member) => Number(/^VmRSS:\s+(\d+) kB/m.exec(await readFile(`/proc/${member}/status`, 'utf8'))?.[1] ?? 0) / 1024);

/** Memory only this process holds: what one more gateway costs (the Node binary's pages are shared). */
const privateMb = (pid: number) =>
  sumOverTree(pid, async (member) => {
    const rollup = await readFile(`/proc/${member}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
    return (field('Private_Clean') + field('Private_Dirty')) / 1024;
  });

/** User + system CPU seconds used so far by a process tree. */
const cpuSeconds = (pid: number) =>
  sumOverTree(pid, async (member) => {
    // Fields after the command name (which may contain spaces): utime and stime are 12th and 13th.
    const stat = await readFile(`/proc/${member}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
  });

function parseWrkOutput(output: string): LoadResult {
  const toMs = (value: string, unit: string) => Number(value) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? 1);
  const percentile = (p: string) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(output);
    return match ? toMs(match[1]!, match[2]!) : NaN;
  };
  return {
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]),
    p50Ms: percentile('50'),
    p99Ms: percentile('99'),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
  };
}

/** The fallback load generator, inside this process: closed loop, or at a fixed rate when given one. */
async function runAutocannon(url: string, durationSeconds: number, headers: Record<string, string>, overallRate?: number): Promise<LoadResult> {
  const result = await autocannon({ url, connections, duration: durationSeconds, headers, overallRate });
  return { requestsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, non2xx: result.non2xx };
}

/** Closed-loop load (as fast as the target answers), run as a child so memory can be sampled meanwhile. */
async function runLoad(url: string, durationSeconds: number, headers: Record<string, string>, script?: string): Promise<LoadResult> {
  if (!hasWrk) return runAutocannon(url, durationSeconds, headers);
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const scriptArgs = script ? ['-s', script] : [];
  const [command, args] = pinned(loadCore, 'wrk', ['-t1', `-c${connections}`, `-d${durationSeconds}s`, '--latency', ...scriptArgs, ...headerArgs, url]);
  const wrk = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  wrk.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => wrk.once('exit', resolve));
  return parseWrkOutput(output);
}

async function measure(target: Target): Promise<void> {
  let rssLoadMb = 0;
  const sampler = target.pid ? setInterval(() => void rssMb(target.pid!).then((mb) => (rssLoadMb = Math.max(rssLoadMb, mb))), 500) : undefined;
  const cpuBefore = target.pid ? await cpuSeconds(target.pid) : 0;
  try {
    const result = await runLoad(target.url, seconds, target.headers, target.script);
    const cpuMicrosPerRequest = target.pid
      ? ((await cpuSeconds(target.pid)) - cpuBefore) * 1e6 / (result.requestsPerSecond * seconds)
      : undefined;
    const nginxThisRound = target.nginx?.samples.at(-1);
    target.samples.push({
      ...result,
      cpuMicrosPerRequest,
      ratioToNginx: nginxThisRound ? result.requestsPerSecond / nginxThisRound.requestsPerSecond : undefined,
      rssLoadMb: target.pid ? rssLoadMb : undefined,
    });
  } finally {
    clearInterval(sampler);
  }
}

/**
 * Open-loop load at a fixed rate (vegeta: requests go out on schedule whether or not earlier ones
 * were answered, so queueing shows in the latency), after a warm-up.
 */
async function measureAtRate(target: Target, rate: number): Promise<LoadResult> {
  await runLoad(target.url, 2, target.headers);
  if (!vegeta) return runAutocannon(target.url, seconds, target.headers, rate);
  const headerArgs = Object.entries(target.headers).flatMap(([name, value]) => ['-header', `${name}: ${value}`]);
  // Asynchronous: this process also drains the gateways' access logs, and a pipe left unread
  // would stall a gateway writing to it.
  const attack = spawn(vegeta, ['attack', `-rate=${rate}`, `-duration=${seconds * 2}s`, `-max-connections=${connections}`, ...headerArgs], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const report = spawn(vegeta, ['report', '-type=json'], { stdio: ['pipe', 'pipe', 'inherit'] });
  attack.stdout.pipe(report.stdin);
  attack.stdin.end(`GET ${target.url}\n`);
  let reportText = '';
  report.stdout.on('data', (chunk: Buffer) => (reportText += chunk.toString()));
  await new Promise((resolve) => report.once('exit', resolve));
  const parsed = JSON.parse(reportText) as { throughput: number; latencies: Record<string, number>; status_codes: Record<string, number> };
  const non2xx = Object.entries(parsed.status_codes).reduce((sum, [code, count]) => sum + (code.startsWith('2') ? 0 : count), 0);
  return { requestsPerSecond: parsed.throughput, p50Ms: parsed.latencies['50th']! / 1e6, p99Ms: parsed.latencies['99th']! / 1e6, non2xx };
}

async function startNginx(directory: string, backendPort: number, workers: number): Promise<{ url: string; child: ChildProcess }> {
  const port = 18_000 + Math.floor(Math.random() * 1000);
  const configPath = path.join(directory, `nginx-${workers}.conf`);
  await writeFile(
    configPath,
    `daemon off;
worker_processes ${workers};
pid ${directory}/nginx-${workers}.pid;
error_log ${directory}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${directory}/body; proxy_temp_path ${directory}/proxy;
  fastcgi_temp_path ${directory}/fastcgi; uwsgi_temp_path ${directory}/uwsgi; scgi_temp_path ${directory}/scgi;
  upstream backend { server 127.0.0.1:${backendPort}; keepalive 128; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`,
  );
  const child = startProcess(...pinned(proxyCore, 'nginx', ['-c', configPath, '-p', directory]));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${url}/pets/1`);
  return { url, child };
}

const gateways: GatewayProcess[] = [];

/** A gateway as the Local cluster runs it: haproxy master-worker serving a folder of generated files. */
async function startGateway(directory: string, name: string, spec: GatewaySpec): Promise<{ url: string; pid: number }> {
  const folder = path.join(directory, name);
  await mkdir(folder, { recursive: true });
  for (const [file, text] of Object.entries(haproxyGatewayFiles(spec))) await writeFile(path.join(folder, file), text);
  const gateway = new GatewayProcess({ directory: folder, runtime: { binary: process.env.PRIVATEJET_HAPROXY ?? 'haproxy' } });
  gateways.push(gateway);
  await gateway.start();
  // The proxy's core: the supervisor's setpriv has exec'd haproxy, so the pid is the master's.
  const { pid } = gateway.status();
  for (const member of await processTree(pid!)) spawnSync('taskset', ['-pc', proxyCore, String(member)]);
  return { url: gateway.url!, pid: pid! };
}

/** A wrk script sending each request with the next of many distinct, valid tokens. */
async function freshTokenScript(directory: string, tokens: string[]): Promise<string> {
  const file = path.join(directory, 'fresh-tokens.lua');
  await writeFile(
    file,
    `local tokens = {\n${tokens.map((token) => `  "${token}",`).join('\n')}\n}\nlocal i = 0\nrequest = function()\n  i = i % #tokens + 1\n  return wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. tokens[i] })\nend\n`,
  );
  return file;
}

async function main(): Promise<void> {
  const directory = await mkdtemp(path.join(tmpdir(), 'gateway-bench-'));
  const targets: Target[] = [];
  const fixedRate: FixedRateRow[] = [];
  let hundred: { count: number; privateMb: number; rssMb: number } | undefined;
  try {
    const backend = startProcess(...pinned(loadCore, process.execPath, [path.join(__dirname, 'backend.mjs')]));
    const backendPort = Number((await waitForLine(backend, /"port":(\d+)/))[1]);
    const backendUrl = `http://127.0.0.1:${backendPort}`;

    const key = await createSigningKey('bench-key');
    // A limited tier high enough never to be hit, so the rate limit is counted on every request.
    const secured = testSpec(backendUrl, [key], { tiers: { Bench: 1_000_000_000 }, limits: { maxBodyBytes: 10 * 1024 * 1024, connectTimeoutMs: 5_000, responseTimeoutMs: 30_000 } });
    const open: GatewaySpec = { ...secured, security: { jwt: false, opaqueTokens: false } };
    const claims = () => tokenClaims({ tier: 'Bench', applicationId: 'bench-app' });
    const token = await signToken(key, claims());
    const jwtHeaders = { authorization: `Bearer ${token}` };
    const freshTokens = await Promise.all(Array.from({ length: 5_000 }, () => signToken(key, claims())));
    const path1 = `${TEST_API.context}/${TEST_API.version}/pets/1`;

    // Everything is started up front and stays up: an idle process costs no CPU, and rounds can
    // then interleave all rows. Every row sends the same request, token included (the backend,
    // nginx and the gateway without auth just do not look at it).
    const direct: Target = { name: 'direct to backend', url: `${backendUrl}/pets/1`, headers: jwtHeaders, samples: [] };
    targets.push(direct);
    let nginxTarget: Target | undefined;
    if (hasNginx) {
      const nginx = await startNginx(directory, backendPort, 1);
      nginxTarget = { name: 'nginx plain proxy', url: `${nginx.url}/pets/1`, headers: jwtHeaders, pid: nginx.child.pid, samples: [] };
      targets.push(nginxTarget);
    }
    const openGateway = await startGateway(directory, 'open', open);
    await waitUntilAnswering(`${openGateway.url}${path1}`);
    targets.push({ name: 'gateway, no auth', url: `${openGateway.url}${path1}`, headers: jwtHeaders, pid: openGateway.pid, nginx: nginxTarget, samples: [] });
    const jwtGateway = await startGateway(directory, 'jwt', secured);
    await waitUntilAnswering(`${jwtGateway.url}${path1}`, jwtHeaders);
    targets.push({ name: 'gateway, JWT+sub+throttle', url: `${jwtGateway.url}${path1}`, headers: jwtHeaders, pid: jwtGateway.pid, nginx: nginxTarget, samples: [] });
    if (hasWrk) {
      const freshGateway = await startGateway(directory, 'fresh', secured);
      targets.push({
        name: 'gateway, JWT, fresh token per request',
        url: `${freshGateway.url}${path1}`,
        headers: {},
        script: await freshTokenScript(directory, freshTokens),
        pid: freshGateway.pid,
        nginx: nginxTarget,
        samples: [],
      });
    }

    // Idle memory is taken after each proxy has served a request, before any load.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    for (const target of targets) {
      if (!target.pid) continue;
      target.rssIdleMb = await rssMb(target.pid);
      target.privateIdleMb = await privateMb(target.pid);
    }

    const loadGenerator = hasWrk ? 'wrk -t1' : 'autocannon';
    console.log(`load generator: ${loadGenerator}, ${connections} connections, ${seconds} s per row, ${rounds} rounds; proxies on core ${proxyCore}, load and backend on core ${loadCore}`);
    for (const target of targets) await runLoad(target.url, 2, target.headers, target.script);
    for (let round = 1; round <= rounds; round++) {
      // The baseline runs first in each round so the ratios compare neighbours; the others rotate.
      const rest = targets.filter((target) => target !== nginxTarget);
      const rotated = [...rest.slice(round % rest.length), ...rest.slice(0, round % rest.length)];
      if (nginxTarget) await measure(nginxTarget);
      for (const target of rotated) await measure(target);
      console.log(`round ${round} of ${rounds} done`);
    }

    // Added latency at a fixed rate: half and a quarter of the gateway's closed-loop JWT throughput.
    const jwtTarget = targets.find((target) => target.name === 'gateway, JWT+sub+throttle')!;
    const fixedRateTargets = [direct, nginxTarget, jwtTarget].filter((target): target is Target => target !== undefined);
    const closedLoopRate = median(jwtTarget.samples.map((sample) => sample.requestsPerSecond));
    for (const [load, share] of [['half', 2], ['a quarter', 4]] as const) {
      const rate = Math.round(closedLoopRate / share);
      for (const target of fixedRateTargets) fixedRate.push({ load, name: target.name, rate, result: await measureAtRate(target, rate) });
    }

    // What 100 APIs on the Local cluster cost in memory: each its own haproxy, idle after a request.
    for (const gateway of gateways.splice(0)) await gateway.stop();
    const pids: number[] = [];
    for (let index = 0; index < gatewayCount; index++) {
      const spec = { ...secured, api: { ...secured.api, id: `bench-api-${index}`, context: `/bench${index}` } };
      const started = await startGateway(directory, `api-${index}`, spec);
      await fetch(`${started.url}/bench${index}/1.0.0/pets/1`, { headers: jwtHeaders }).then((response) => response.arrayBuffer());
      pids.push(started.pid);
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    let privateTotal = 0;
    let rssTotal = 0;
    for (const pid of pids) {
      privateTotal += await privateMb(pid);
      rssTotal += await rssMb(pid);
    }
    hundred = { count: gatewayCount, privateMb: privateTotal, rssMb: rssTotal };
  } finally {
    for (const gateway of gateways) await gateway.stop();
    for (const child of started) await stopProcess(child, child.spawnargs.includes('nginx') ? 'SIGQUIT' : 'SIGTERM');
    await rm(directory, { recursive: true, force: true });
  }
  printTables(targets, fixedRate);
  if (hundred) {
    console.log(
      `\n${hundred.count} gateways on Local (haproxy master + worker each, idle after a request): private memory ${hundred.privateMb.toFixed(0)} MB in all, ${(hundred.privateMb / hundred.count).toFixed(1)} MB per API; RSS ${hundred.rssMb.toFixed(0)} MB in all (shared pages counted in each).`,
    );
  }
}

function median(values: number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

interface FixedRateRow {
  load: string;
  name: string;
  rate: number;
  result: LoadResult;
}

function printTables(targets: Target[], fixedRate: FixedRateRow[]): void {
  const format = (value: number | undefined, digits = 2) => (value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits));
  const direct = targets[0]!;
  const directRate = median(direct.samples.map((sample) => sample.requestsPerSecond));
  const lines = [
    '| run | req/s | × nginx | × direct | p50 ms | p99 ms | CPU µs/req | RSS idle MB | private idle MB | RSS load MB | non-2xx |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const target of targets) {
    const of = (pick: (sample: Target['samples'][number]) => number | undefined) => median(target.samples.map((sample) => pick(sample) ?? NaN));
    const rate = of((sample) => sample.requestsPerSecond);
    lines.push(
      `| ${target.name} | ${rate.toFixed(0)} | ${format(of((sample) => sample.ratioToNginx))} | ${format(rate / directRate)} | ${format(of((sample) => sample.p50Ms))} | ${format(of((sample) => sample.p99Ms))} | ${format(of((sample) => sample.cpuMicrosPerRequest), 1)} | ${format(target.rssIdleMb, 1)} | ${format(target.privateIdleMb, 1)} | ${format(target.pid ? Math.max(...target.samples.map((sample) => sample.rssLoadMb ?? 0)) : undefined, 1)} | ${target.samples.reduce((sum, sample) => sum + sample.non2xx, 0)} |`,
    );
  }
  console.log(lines.join('\n'));
  const tool = vegeta ? 'vegeta, open loop' : 'autocannon (1 ms resolution; install vegeta for better)';
  for (const load of new Set(fixedRate.map((row) => row.load))) {
    const rows = fixedRate.filter((row) => row.load === load);
    const directP99 = rows[0]!.result.p99Ms;
    console.log(`\nAt ${load} of the gateway's JWT throughput (${rows[0]!.rate} req/s, ${tool}):`);
    console.log('| run | req/s | p50 ms | p99 ms | p99 − direct p99 ms | non-2xx |\n|---|---:|---:|---:|---:|---:|');
    for (const { name, result } of rows) {
      console.log(`| ${name} | ${result.requestsPerSecond.toFixed(0)} | ${format(result.p50Ms, 3)} | ${format(result.p99Ms, 3)} | ${format(result.p99Ms - directP99, 3)} | ${result.non2xx} |`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
