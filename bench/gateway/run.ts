// Gateway throughput/latency/memory benchmark on loopback, all in one run with the same backend
// and the same load generator: direct, nginx as a plain reverse proxy, the gateway without auth,
// and the gateway with JWT + subscription + throttling, each with 1 and 2 worker processes.
// Prints a table; not part of the tests.
//
//   bash bench/gateway/install-tools.sh     (once: wrk, nginx, vegeta)
//   npx tsx bench/gateway/run.ts            (ROUNDS=3 BENCH_SECONDS=5 CONNECTIONS=64 by default)
//
// These machines are noisy (2 shared cores that also run the load generator and the backend),
// so every row is measured once per round, rounds interleave all rows, and each figure is the
// median over rounds; "× nginx" is the median of the per-round ratios to the nginx row with the
// same number of workers. "CPU µs/req" (user + system time of the proxy's processes divided by
// the requests they served) is the steadiest figure: it does not depend on how the two cores
// were shared out during the run.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { GatewayConfigInput } from '../../gateway/src/config';
import type { AccessTokenClaims } from '../../gateway/src/token-claims';

const repositoryRoot = path.resolve(__dirname, '..', '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.ROUNDS ?? 3);
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
  /** The process whose tree serves the target (nginx master, gateway primary), for CPU and memory. */
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
async function runLoad(url: string, durationSeconds: number, headers: Record<string, string>): Promise<LoadResult> {
  if (!hasWrk) return runAutocannon(url, durationSeconds, headers);
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const wrk = spawn('wrk', ['-t1', `-c${connections}`, `-d${durationSeconds}s`, '--latency', ...headerArgs, url], { stdio: ['ignore', 'pipe', 'inherit'] });
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
    const result = await runLoad(target.url, seconds, target.headers);
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
  const child = startProcess('nginx', ['-c', configPath, '-p', directory]);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${url}/pets/1`);
  return { url, child };
}

async function startGatewayProcess(configPath: string, workers: number): Promise<{ url: string; child: ChildProcess }> {
  const child = startProcess(process.execPath, [path.join(repositoryRoot, 'gateway', 'dist', 'gateway.mjs')], {
    GATEWAY_CONFIG: configPath,
    HOST: '127.0.0.1',
    PORT: String(19_000 + Math.floor(Math.random() * 1000)),
    WORKERS: String(workers),
  });
  child.stdout!.resume(); // the access log, read and dropped
  const match = await waitForLine(child, /"event":"listening".*"port":(\d+)/, 'stderr');
  child.stderr!.resume();
  const url = `http://127.0.0.1:${match[1]}`;
  await waitUntilAnswering(`${url}/health/ready`);
  return { url, child };
}

async function main(): Promise<void> {
  spawnSync(process.execPath, [path.join(repositoryRoot, 'gateway', 'build.mjs')], { stdio: 'inherit' });
  const directory = await mkdtemp(path.join(tmpdir(), 'gateway-bench-'));
  const targets: Target[] = [];
  const fixedRate: FixedRateRow[] = [];
  try {
    const backend = startProcess(process.execPath, [path.join(__dirname, 'backend.mjs')]);
    const backendPort = Number((await waitForLine(backend, /"port":(\d+)/))[1]);
    const backendUrl = `http://127.0.0.1:${backendPort}`;

    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kty: 'RSA', kid: 'bench-key', alg: 'RS256', use: 'sig' };
    const baseConfig: GatewayConfigInput = {
      api: { id: 'bench-api', tenant: 'carbon.super', name: 'Bench', context: '/bench', version: '1.0.0' },
      openapi: { openapi: '3.0.3', paths: { '/pets': { get: {} }, '/pets/{petId}': { get: {}, put: {}, delete: {} } } },
      endpoints: { production: [backendUrl] },
      security: { jwt: { enabled: false } },
      tokens: { issuer: 'https://portal.bench/oauth2/token', audience: 'privatejet-gateways', jwks: { keys: [jwk] } },
      // A limited tier high enough not to be hit, so the token bucket runs on every request.
      tiers: { Bench: { requestsPerMinute: 1_000_000_000 } },
      cors: { allowedOrigins: ['https://portal.bench'] },
    };
    const noAuthConfigPath = path.join(directory, 'no-auth.json');
    const jwtConfigPath = path.join(directory, 'jwt.json');
    await writeFile(noAuthConfigPath, JSON.stringify(baseConfig));
    await writeFile(jwtConfigPath, JSON.stringify({ ...baseConfig, security: { jwt: { enabled: true } } }));
    const now = Math.floor(Date.now() / 1000);
    const claims: AccessTokenClaims = {
      iss: 'https://portal.bench/oauth2/token',
      sub: 'bench-key',
      aud: 'privatejet-gateways',
      exp: now + 3600,
      iat: now,
      nbf: now,
      jti: 'bench',
      client_id: 'bench-key',
      tenant: 'carbon.super',
      application: { id: 'bench-app', name: 'Bench', tier: 'Unlimited', owner: 'bench' },
      subscriptions: [{ apiId: 'bench-api', context: '/bench', version: '1.0.0', tier: 'Bench' }],
    };
    const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid: 'bench-key' }).sign(privateKey);
    const jwtHeaders = { authorization: `Bearer ${token}` };

    // Everything is started up front and stays up: an idle process costs no CPU, and rounds can
    // then interleave all rows. Every row sends the same request, token included (the backend,
    // nginx and the gateway without auth just do not look at it).
    const direct: Target = { name: 'direct to backend', url: `${backendUrl}/pets/1`, headers: jwtHeaders, samples: [] };
    targets.push(direct);
    for (const workers of [1, 2]) {
      const suffix = `(${workers} worker${workers > 1 ? 's' : ''})`;
      let nginxTarget: Target | undefined;
      if (hasNginx) {
        const nginx = await startNginx(directory, backendPort, workers);
        nginxTarget = { name: `nginx proxy ${suffix}`, url: `${nginx.url}/pets/1`, headers: jwtHeaders, pid: nginx.child.pid, samples: [] };
        targets.push(nginxTarget);
      }
      const open = await startGatewayProcess(noAuthConfigPath, workers);
      await waitUntilAnswering(`${open.url}/bench/1.0.0/pets/1`);
      targets.push({ name: `gateway, no auth ${suffix}`, url: `${open.url}/bench/1.0.0/pets/1`, headers: jwtHeaders, pid: open.child.pid, nginx: nginxTarget, samples: [] });
      const secured = await startGatewayProcess(jwtConfigPath, workers);
      await waitUntilAnswering(`${secured.url}/bench/1.0.0/pets/1`, jwtHeaders);
      targets.push({
        name: `gateway, JWT+sub+throttle ${suffix}`,
        url: `${secured.url}/bench/1.0.0/pets/1`,
        headers: jwtHeaders,
        pid: secured.child.pid,
        nginx: nginxTarget,
        samples: [],
      });
    }

    // Idle memory is taken after each proxy has served a request (and with it loaded its HTTP
    // client and, with JWT on, its keys), before any load.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    for (const target of targets) {
      if (!target.pid) continue;
      target.rssIdleMb = await rssMb(target.pid);
      target.privateIdleMb = await privateMb(target.pid);
    }

    const loadGenerator = hasWrk ? 'wrk -t1' : 'autocannon';
    console.log(`load generator: ${loadGenerator}, ${connections} connections, ${seconds} s per row, ${rounds} rounds`);
    // Warm-up: JIT, keep-alive pools, the verified-token cache.
    for (const target of targets) await runLoad(target.url, 2, target.headers);
    for (let round = 1; round <= rounds; round++) {
      for (const target of targets) await measure(target);
      console.log(`round ${round} of ${rounds} done`);
    }

    // Added latency: the same fixed rate direct, through nginx and through the gateway, at half
    // and at a quarter of the gateway's closed-loop JWT throughput. The open-loop generator
    // needs more CPU than wrk, so on two shared cores "half" can already be past the gateway's
    // knee; the quarter row shows the latency below it.
    const jwtOneWorker = targets.find((target) => target.name.startsWith('gateway, JWT') && target.name.includes('(1 worker)'))!;
    const fixedRateTargets = [direct, targets.find((target) => target.name === 'nginx proxy (1 worker)'), jwtOneWorker].filter(
      (target): target is Target => target !== undefined,
    );
    const closedLoopRate = median(jwtOneWorker.samples.map((sample) => sample.requestsPerSecond));
    for (const [load, share] of [['half', 2], ['a quarter', 4]] as const) {
      const rate = Math.round(closedLoopRate / share);
      for (const target of fixedRateTargets) fixedRate.push({ load, name: target.name, rate, result: await measureAtRate(target, rate) });
    }
  } finally {
    for (const child of started) await stopProcess(child, child.spawnargs[0] === 'nginx' ? 'SIGQUIT' : 'SIGTERM');
    await rm(directory, { recursive: true, force: true });
  }
  printTables(targets, fixedRate);
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
