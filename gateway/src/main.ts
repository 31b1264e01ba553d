import './v8-flags';
import cluster from 'node:cluster';
import { startGateway } from './server';

// Entry point of the bundled gateway: `node gateway.mjs` with GATEWAY_CONFIG, HOST, PORT and
// optionally WORKERS (processes sharing the port; default 1). Flags --config, --host, --port
// and --workers override the environment.

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function exitWith(message: string): never {
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), event: 'startup_failed', reason: message }) + '\n');
  process.exit(1);
}

const configPath = flag('config') ?? process.env.GATEWAY_CONFIG;
const host = flag('host') ?? process.env.HOST ?? '0.0.0.0';
const port = Number(flag('port') ?? process.env.PORT ?? 8080);
const workers = Number(flag('workers') ?? process.env.WORKERS ?? 1);

if (!configPath) exitWith('set GATEWAY_CONFIG (or --config) to the path of the gateway config file');
if (!Number.isInteger(port) || port < 0 || port > 65535) exitWith(`PORT must be a TCP port number, got "${port}"`);
if (!Number.isInteger(workers) || workers < 1) exitWith(`WORKERS must be a positive integer, got "${workers}"`);

if (workers > 1 && cluster.isPrimary) {
  runPrimary(workers);
} else {
  void runServer(workers);
}

function runPrimary(workerCount: number): void {
  let stopping = false;
  for (let index = 0; index < workerCount; index++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), event: 'worker_exited', pid: worker.process.pid, code, signal }) + '\n');
    cluster.fork();
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function runServer(workerCount: number): Promise<void> {
  let gateway;
  try {
    gateway = await startGateway({ configPath: configPath!, host, port, throttleShare: 1 / workerCount });
  } catch (error) {
    exitWith((error as Error).message);
  }
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
