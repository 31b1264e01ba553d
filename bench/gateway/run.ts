// Gateway throughput/latency benchmark on loopback, all in one run with the same backend and
// the same load generator: direct, nginx as a plain reverse proxy, the gateway without auth,
// and the gateway with JWT + subscription + throttling. Prints a table; not part of the tests.
//
//   npx tsx bench/gateway/run.ts            (BENCH_SECONDS=10 CONNECTIONS=64 by default)
//
// Needs `wrk` (Debian package wrk; autocannon is used when it is missing) and `nginx`
// (Debian package nginx) for the nginx row.

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { GatewayConfigInput } from '../../gateway/src/config';
import type { AccessTokenClaims } from '../../gateway/src/token-claims';

const repositoryRoot = path.resolve(__dirname, '..', '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.CONNECTIONS ?? 64);
const hasWrk = spawnSync('wrk', ['--version']).error === undefined;
const hasNginx = spawnSync('nginx', ['-v']).error === undefined;

interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

interface Row extends LoadResult {
  name: string;
  rssIdleMb?: number;
  rssLoadMb?: number;
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

/** Resident memory of a process and its children (cluster workers, nginx workers), in MB. */
async function rssMb(pid: number): Promise<number> {
  let kilobytes = 0;
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
  for (const member of pids) {
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(await readFile(`/proc/${member}/status`, 'utf8'));
      kilobytes += Number(match?.[1] ?? 0);
    } catch {
      // ended
    }
  }
  return kilobytes / 1024;
}

function runWrk(url: string, durationSeconds: number, headers: Record<string, string>): LoadResult {
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const output = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${durationSeconds}s`, '--latency', ...headerArgs, url], {
    encoding: 'utf8',
  });
  return parseWrkOutput(output);
}

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

async function runAutocannon(url: string, durationSeconds: number, headers: Record<string, string>, overallRate?: number): Promise<LoadResult> {
  const result = await autocannon({ url, connections, duration: durationSeconds, headers, overallRate });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
  };
}

async function measure(url: string, headers: Record<string, string> = {}): Promise<LoadResult> {
  // A short warm-up first: JIT, keep-alive pools, the verified-token cache.
  if (hasWrk) runWrk(url, 2, headers);
  else await runAutocannon(url, 2, headers);
  return hasWrk ? runWrk(url, seconds, headers) : runAutocannon(url, seconds, headers);
}

async function measureWithRss(pid: number, url: string, headers: Record<string, string> = {}): Promise<Omit<Row, 'name'>> {
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const rssIdleMb = await rssMb(pid);
  let rssLoadMb = 0;
  // Both load generators run as asynchronous work here, so memory is sampled while they run.
  const sampler = setInterval(() => void rssMb(pid).then((mb) => (rssLoadMb = Math.max(rssLoadMb, mb))), 500);
  try {
    const result = hasWrk ? await runWrkInBackground(url, headers) : await measure(url, headers);
    return { ...result, rssIdleMb, rssLoadMb };
  } finally {
    clearInterval(sampler);
  }
}

/** wrk as an asynchronous child (after a synchronous warm-up), so the event loop can sample RSS. */
async function runWrkInBackground(url: string, headers: Record<string, string>): Promise<LoadResult> {
  runWrk(url, 2, headers);
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const wrk = spawn('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...headerArgs, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  wrk.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => wrk.once('exit', resolve));
  return parseWrkOutput(output);
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
  execFileSync(process.execPath, [path.join(repositoryRoot, 'gateway', 'build.mjs')], { stdio: 'inherit' });
  const directory = await mkdtemp(path.join(tmpdir(), 'gateway-bench-'));
  const rows: Row[] = [];
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

    console.log(`load generator: ${hasWrk ? 'wrk -t1' : 'autocannon'}, ${connections} connections, ${seconds} s per row`);
    rows.push({ name: 'direct to backend', ...(await measure(`${backendUrl}/pets/1`)) });

    for (const workers of [1, 2]) {
      if (hasNginx) {
        const nginx = await startNginx(directory, backendPort, workers);
        rows.push({ name: `nginx proxy (${workers} worker${workers > 1 ? 's' : ''})`, ...(await measureWithRss(nginx.child.pid!, `${nginx.url}/pets/1`)) });
        await stopProcess(nginx.child, 'SIGQUIT');
      }
      const open = await startGatewayProcess(noAuthConfigPath, workers);
      rows.push({ name: `gateway, no auth (WORKERS=${workers})`, ...(await measureWithRss(open.child.pid!, `${open.url}/bench/1.0.0/pets/1`)) });
      await stopProcess(open.child);

      const secured = await startGatewayProcess(jwtConfigPath, workers);
      await waitUntilAnswering(`${secured.url}/bench/1.0.0/pets/1`, jwtHeaders);
      rows.push({
        name: `gateway, JWT+sub+throttle (WORKERS=${workers})`,
        ...(await measureWithRss(secured.child.pid!, `${secured.url}/bench/1.0.0/pets/1`, jwtHeaders)),
      });
      if (workers === 1) {
        // Added latency at half load: the same fixed request rate direct and through the gateway.
        const halfRate = Math.round(rows.at(-1)!.requestsPerSecond / 2);
        const halfDirect = await runAutocannon(`${backendUrl}/pets/1`, seconds, {}, halfRate);
        const halfGateway = await runAutocannon(`${secured.url}/bench/1.0.0/pets/1`, seconds, jwtHeaders, halfRate);
        rows.push({ name: `direct @ ${halfRate} req/s (autocannon)`, ...halfDirect });
        rows.push({ name: `gateway JWT @ ${halfRate} req/s (autocannon)`, ...halfGateway });
      }
      await stopProcess(secured.child);
    }
    await stopProcess(backend);
  } finally {
    for (const child of started) await stopProcess(child);
    await rm(directory, { recursive: true, force: true });
  }
  printTable(rows);
}

function printTable(rows: Row[]): void {
  const direct = rows.find((row) => row.name === 'direct to backend')!;
  const nginxFor = (name: string) => rows.find((row) => row.name.startsWith('nginx') && row.name.includes(name.includes('WORKERS=2') ? '2 workers' : '1 worker'));
  const format = (value: number | undefined, digits = 2) => (value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits));
  const lines = [
    '| run | req/s | p50 ms | p99 ms | non-2xx | × nginx | × direct | RSS idle MB | RSS load MB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const nginx = row.name.startsWith('gateway,') ? nginxFor(row.name) : undefined;
    lines.push(
      `| ${row.name} | ${row.requestsPerSecond.toFixed(0)} | ${format(row.p50Ms)} | ${format(row.p99Ms)} | ${row.non2xx} | ${nginx ? format(row.requestsPerSecond / nginx.requestsPerSecond) : '-'} | ${format(row.requestsPerSecond / direct.requestsPerSecond)} | ${format(row.rssIdleMb, 1)} | ${format(row.rssLoadMb, 1)} |`,
    );
  }
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
