import { spawn } from 'node:child_process';
import path from 'node:path';
import { kubeToolsDir } from './binaries';

/** One image built by tools/kube/images/build.sh: its name in the cluster and its archive. */
export interface TestImage {
  /** What a pod spec names, e.g. privatejet.test/haproxy:3.0. */
  reference: string;
  /** OCI image layout archive for `ctr images import`. */
  archive: string;
}

export interface TestImages {
  /** The pod sandbox image (containerd's sandbox_image). */
  pause: TestImage;
  /** HAProxy 3.0 laid out like the official haproxy:3.0 image: the cluster's GatewayImage. */
  gateway: TestImage;
  /** tools/sample-backend/server.mjs listening on PORT (8090). */
  sampleBackend: TestImage;
}

const scriptNames = { pause: 'pause', haproxy: 'gateway', 'sample-backend': 'sampleBackend' } as const;

/**
 * Builds the images when missing or out of date (the first time takes minutes: debootstrap),
 * otherwise answers from the cache in well under a second.
 */
export async function ensureTestImages(options: { force?: boolean } = {}): Promise<TestImages> {
  const stdout = await runImageBuild(options.force ? ['--force'] : []);
  const images: Partial<TestImages> = {};
  for (const line of stdout.trim().split('\n')) {
    const [name, reference, archive] = line.split(' ');
    const key = scriptNames[name as keyof typeof scriptNames];
    if (key && reference && archive) images[key] = { reference, archive };
  }
  if (!images.pause || !images.gateway || !images.sampleBackend) {
    throw new Error(`tools/kube/images/build.sh did not report every image:\n${stdout}`);
  }
  return images as TestImages;
}

/**
 * The app image (`privatejet.test/privatejet:local`): the Dockerfile's layout, made by
 * images/build.sh from this clone's `npm run build` (.next/standalone), which must exist.
 * Rebuilt only when the build changed (its BUILD_ID); otherwise answered from the cache.
 */
export async function ensureAppImage(): Promise<TestImage> {
  const stdout = await runImageBuild(['privatejet']);
  const [, reference, archive] = stdout.trim().split('\n').at(-1)!.split(' ');
  if (!reference || !archive) throw new Error(`tools/kube/images/build.sh did not report the app image:\n${stdout}`);
  return { reference, archive };
}

/** images/build.sh with `args`: its stdout (one line per image); progress shows as it happens. */
function runImageBuild(args: string[]): Promise<string> {
  const script = path.join(kubeToolsDir, 'images', 'build.sh');
  return new Promise<string>((resolve, reject) => {
    const build = spawn('bash', [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    build.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    build.on('error', reject);
    build.on('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`tools/kube/images/build.sh ${args.join(' ')} failed with exit code ${code}`)),
    );
  });
}
