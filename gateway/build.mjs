// Bundles the gateway into one self-contained file, gateway/dist/gateway.mjs, so the container
// image needs no node_modules. Writes to a temporary file and renames it, so a concurrent
// reader (a test starting the gateway) never sees a half-written bundle.
import { build } from 'esbuild';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const gatewayDir = path.dirname(fileURLToPath(import.meta.url));
const outfile = path.join(gatewayDir, 'dist', 'gateway.mjs');

const result = await build({
  entryPoints: [path.join(gatewayDir, 'src', 'main.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: false,
  sourcemap: false,
  legalComments: 'none',
  write: false,
  logLevel: 'warning',
  // Bundled CommonJS dependencies (prom-client) call require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});

await mkdir(path.dirname(outfile), { recursive: true });
const temporaryFile = `${outfile}.${process.pid}.tmp`;
await writeFile(temporaryFile, result.outputFiles[0].contents);
await rename(temporaryFile, outfile);
console.log(`built ${path.relative(process.cwd(), outfile)} (${(result.outputFiles[0].contents.length / 1024).toFixed(0)} KiB)`);
