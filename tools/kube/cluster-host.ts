/**
 * Everything the test cluster changes on this machine outside its own folders, and how it is
 * put back: the bridge and its routes, an nftables table, cgroups, kernel settings, mounts,
 * and a machine-wide lock (kube-proxy's nftables tables have fixed names, so one cluster at a
 * time). Every change is recorded before it is made, so a cluster whose test process was
 * killed is cleaned up by the next start or by `npm run kube:down`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { commandLineOf, isProcessAlive, terminateProcess } from './processes';

const execFileAsync = promisify(execFile);

/** The machine-wide lock: on /run, so it disappears with the state it guards at a reboot. */
export const hostLockFile = process.env.PRIVATEJET_CLUSTER_LOCK ?? '/run/privatejet-cluster.json';

/** Kernel settings the bridge plugin (ip_forward), the kubelet and kube-proxy may change. */
export const sysctlsToRestore = [
  'net/ipv4/ip_forward',
  'net/ipv4/conf/all/route_localnet',
  'net/bridge/bridge-nf-call-iptables',
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
];

export interface RecordedProcess {
  name: string;
  pid: number;
  /** The executable, to tell our process from an unrelated one that reused its PID. */
  binary: string;
}

/** What one cluster changed on the machine: enough to undo all of it from another process. */
export interface HostRecord {
  id: string;
  /** The process that started the cluster; its death frees the lock unless detached. */
  owner: number;
  /** When the owner started (clock ticks after boot), so a reused PID is not taken for it. */
  ownerStartTime: string;
  detached: boolean;
  dataDir: string;
  runDir: string;
  bridge: string;
  nftTable: string;
  cgroupName: string;
  /** Network name in CNI's result cache (/var/lib/cni/results/<network>-<container>-<if>). */
  cniNetwork: string;
  containerdSocket: string;
  containerdState: string;
  /** Kernel settings as they were before the cluster started. */
  sysctls: Record<string, string>;
  /** CNI's cache folder did not exist before: remove it again when empty. */
  createdCniCacheDir: boolean;
  processes: RecordedProcess[];
}

export async function run(command: string, args: string[], input?: string): Promise<string> {
  try {
    const child = execFileAsync(command, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    return (await child).stdout;
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${(failure.stderr || failure.message).trim()}`);
  }
}

async function tryRun(command: string, args: string[], input?: string): Promise<boolean> {
  try {
    await run(command, args, input);
    return true;
  } catch {
    return false;
  }
}

// ─── the machine-wide lock ────────────────────────────────────────────────────────────────

export function readHostRecord(file = hostLockFile): HostRecord | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as HostRecord;
  } catch {
    return undefined;
  }
}

/** The recorded processes that still run what they were recorded for. */
export function liveProcesses(record: HostRecord): RecordedProcess[] {
  return record.processes.filter(
    ({ pid, binary }) => isProcessAlive(pid) && (commandLineOf(pid) ?? '').includes(binary),
  );
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks after boot. */
export function processStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

/** A cluster is alive while its owner runs (tests) or while its servers run (`kube:up`). */
export function isRecordAlive(record: HostRecord): boolean {
  if (record.detached) return liveProcesses(record).length > 0;
  return isProcessAlive(record.owner) && processStartTime(record.owner) === record.ownerStartTime;
}

let recordWrites: Promise<void> = Promise.resolve();

/**
 * Replaces the lock's content at once (write + rename), so a reader never sees half a record.
 * Writes queue up: each one writes the record as it is by then, so none overtakes a later one.
 */
export function writeHostRecord(record: HostRecord): Promise<void> {
  const temporary = `${hostLockFile}.${process.pid}.tmp`;
  const write = async () => {
    await writeFile(temporary, JSON.stringify(record, null, 2));
    await rename(temporary, hostLockFile);
  };
  recordWrites = recordWrites.then(write, write);
  return recordWrites;
}

/**
 * Takes the machine-wide lock for `record`. A lock left by a dead cluster is cleaned up
 * first; a live test cluster is waited for; a live `kube:up` cluster is an error at once.
 */
export async function acquireHostLock(record: HostRecord, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  let toldWaiting = false;
  for (;;) {
    try {
      await writeFile(hostLockFile, JSON.stringify(record, null, 2), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHostRecord();
    if (holder && isRecordAlive(holder)) {
      const who = holder.detached
        ? `a cluster started by \`npm run kube:up\` (data in ${holder.dataDir})`
        : `the cluster of process ${holder.owner} (data in ${holder.dataDir})`;
      if (holder.detached || Date.now() > deadline) {
        throw new Error(
          `${who} is running on this machine, and only one can (kube-proxy's nftables tables are machine-wide).` +
            (holder.detached ? ' Stop it with `npm run kube:down`.' : ''),
        );
      }
      if (!toldWaiting) console.error(`Waiting for ${who} to stop: one cluster per machine.`);
      toldWaiting = true;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      continue;
    }
    // Stale: move it aside first, so only one starter cleans it up.
    const claimed = `${hostLockFile}.stale.${process.pid}`;
    try {
      await rename(hostLockFile, claimed);
    } catch {
      continue;
    }
    const stale = readHostRecord(claimed);
    if (stale) {
      console.error(`Cleaning up after an earlier test cluster (${stale.dataDir}) that was not stopped.`);
      await undoHostChanges(stale, { stopTimeoutMs: 2_000 });
      // A test's temp folder has no other owner; `kube:up`'s folder is left to that command.
      if (!stale.detached) await rm(stale.dataDir, { recursive: true, force: true });
    }
    await rm(claimed, { force: true });
  }
}

export async function releaseHostLock(id: string): Promise<void> {
  if (readHostRecord()?.id === id) await rm(hostLockFile, { force: true });
}

// ─── addresses ────────────────────────────────────────────────────────────────────────────

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((total, part) => total * 256 + Number(part), 0);
}

function cidrRange(cidr: string): [number, number] {
  const [address, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits ?? 32));
  const start = Math.floor(ipv4ToNumber(address!) / size) * size;
  return [start, start + size - 1];
}

export function cidrsOverlap(a: string, b: string): boolean {
  const [aStart, aEnd] = cidrRange(a);
  const [bStart, bEnd] = cidrRange(b);
  return aStart <= bEnd && bStart <= aEnd;
}

/** IPv4 networks this machine already has addresses or routes in. */
async function networksInUse(): Promise<string[]> {
  const addresses = JSON.parse(await run('ip', ['-j', '-4', 'addr', 'show'])) as {
    addr_info?: { local: string; prefixlen: number }[];
  }[];
  const routes = JSON.parse(await run('ip', ['-j', '-4', 'route', 'show', 'table', 'all'])) as { dst: string }[];
  return [
    ...addresses.flatMap((link) => (link.addr_info ?? []).map((info) => `${info.local}/${info.prefixlen}`)),
    ...routes.map((route) => route.dst).filter((dst) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(dst)),
  ];
}

export interface ClusterNetwork {
  podCidr: string;
  nodeIp: string;
  serviceCidr: string;
  kubernetesServiceIp: string;
}

/**
 * A free pair of /24s: pods in 10.213.N.0/24, Services in 10.214.N.0/24. Ranges that
 * Kubernetes distributions and Docker pick by default (10.96/12, 10.244/16, 172.17/16) are avoided.
 */
export async function chooseClusterNetwork(): Promise<ClusterNetwork> {
  const inUse = await networksInUse();
  const candidates = Array.from({ length: 254 }, (_, index) => index + 1).sort(() => Math.random() - 0.5);
  for (const n of candidates) {
    const podCidr = `10.213.${n}.0/24`;
    const serviceCidr = `10.214.${n}.0/24`;
    if (inUse.some((used) => cidrsOverlap(used, podCidr) || cidrsOverlap(used, serviceCidr))) continue;
    return { podCidr, nodeIp: `10.213.${n}.1`, serviceCidr, kubernetesServiceIp: `10.214.${n}.1` };
  }
  throw new Error('no free /24 in 10.213.0.0/16 and 10.214.0.0/16 for the test cluster');
}

// ─── bridge, routes and the traffic guard ─────────────────────────────────────────────────

/**
 * The bridge exists before the API server starts, which listens on its address. The CNI
 * bridge plugin finds it and attaches pods. Host traffic to Service addresses goes out
 * through it too (source = node address), never towards the machine's default route.
 */
export async function createBridge(bridge: string, nodeIp: string, podCidr: string, serviceCidr: string): Promise<void> {
  const prefix = podCidr.split('/')[1];
  await run('ip', ['link', 'add', 'name', bridge, 'type', 'bridge']);
  await run('ip', ['addr', 'add', `${nodeIp}/${prefix}`, 'dev', bridge]);
  await run('ip', ['link', 'set', bridge, 'up']);
  await run('ip', ['route', 'add', serviceCidr, 'dev', bridge, 'src', nodeIp]);
}

/**
 * Pods may reach each other, Services and the node address (API server) and nothing else:
 * not the machine's other addresses, not the outside world.
 */
export async function createTrafficGuard(table: string, bridge: string, nodeIp: string): Promise<void> {
  await run(
    'nft',
    ['-f', '-'],
    `table inet ${table} {
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "${bridge}" oifname != "${bridge}" drop
  }
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "${bridge}" ip daddr != ${nodeIp} drop
  }
}
`,
  );
}

// ─── kernel settings ──────────────────────────────────────────────────────────────────────

export function readSysctls(): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of sysctlsToRestore) {
    try {
      values[name] = readFileSync(`/proc/sys/${name}`, 'utf8').trim();
    } catch {
      // Not on this kernel: nothing to restore.
    }
  }
  return values;
}

async function restoreSysctls(values: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    try {
      if (readFileSync(`/proc/sys/${name}`, 'utf8').trim() !== value) await writeFile(`/proc/sys/${name}`, value);
    } catch (error) {
      console.error(`could not restore ${name.replaceAll('/', '.')} to ${value}: ${(error as Error).message}`);
    }
  }
}

// ─── cgroups ──────────────────────────────────────────────────────────────────────────────

/** Mount points of every cgroup hierarchy (v1 controllers and the v2 one, if mounted). */
export function cgroupMounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => {
      const separator = fields.indexOf('-');
      return separator > 0 && (fields[separator + 1] === 'cgroup' || fields[separator + 1] === 'cgroup2');
    })
    .map((fields) => decodeMountPath(fields[4]!));
}

function decodeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Creates `<name>` and `<name>/<child>` in every hierarchy: the kubelet's cgroupRoot must exist. */
export async function createCgroups(name: string, children: string[]): Promise<void> {
  for (const mount of cgroupMounts()) {
    for (const relative of [name, ...children.map((child) => `${name}/${child}`)]) {
      const dir = path.join(mount, relative);
      await mkdir(dir, { recursive: true });
      // A new cpuset cgroup starts with no CPUs or memory nodes; inherit the parent's.
      for (const file of ['cpuset.cpus', 'cpuset.mems']) {
        const parentValue = path.join(path.dirname(dir), file);
        if (existsSync(parentValue) && readFileSync(path.join(dir, file), 'utf8').trim() === '') {
          await writeFile(path.join(dir, file), readFileSync(parentValue, 'utf8').trim());
        }
      }
    }
  }
}

/** Moves a process (and so its future children) into `<name>/<child>` in every hierarchy. */
export async function moveIntoCgroup(pid: number, relative: string): Promise<void> {
  for (const mount of cgroupMounts()) {
    await writeFile(path.join(mount, relative, 'cgroup.procs'), String(pid));
  }
}

function cgroupTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const children = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => cgroupTree(path.join(dir, entry.name)));
  return [...children, dir];
}

function processesInCgroupTree(name: string): number[] {
  const pids = new Set<number>();
  for (const mount of cgroupMounts()) {
    for (const dir of cgroupTree(path.join(mount, name))) {
      try {
        for (const line of readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n')) {
          if (line.trim()) pids.add(Number(line));
        }
      } catch {
        // Removed meanwhile.
      }
    }
  }
  return [...pids];
}

/**
 * Kills every process in the cluster's cgroups: pods, containerd and its shims (which the
 * test process's death does not take with it). Frozen first, so nothing forks meanwhile.
 */
export async function killCgroupProcesses(name: string): Promise<void> {
  const freezer = cgroupMounts().find((mount) => existsSync(path.join(mount, name, 'freezer.state')));
  const freezerState = freezer && path.join(freezer, name, 'freezer.state');
  if (freezerState) await writeFile(freezerState, 'FROZEN').catch(() => {});
  for (const pid of processesInCgroupTree(name)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  if (freezerState) await writeFile(freezerState, 'THAWED').catch(() => {});
  const deadline = Date.now() + 10_000;
  while (processesInCgroupTree(name).length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function removeCgroups(name: string): Promise<void> {
  for (const mount of cgroupMounts()) {
    for (const dir of cgroupTree(path.join(mount, name))) {
      // A memory cgroup may take a moment to let go after its last process ends.
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          await rmdir(dir);
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }
  }
}

// ─── mounts ───────────────────────────────────────────────────────────────────────────────

/** Mount points at or under any of `dirs` (of one file system type, if given), deepest first. */
export function mountsUnder(dirs: string[], fsType?: string): string[] {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' '))
    .filter((fields) => !fsType || fields[fields.indexOf('-') + 1] === fsType)
    .map((fields) => decodeMountPath(fields[4]!));
  return [...new Set(mounts)]
    .filter((mount) => dirs.some((dir) => mount === dir || mount.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
}

/**
 * Deletes the pods' network devices, as CNI DEL would have: a veth pair lives as long as the
 * pod's network namespace, which the kernel may keep for minutes after its last user ends.
 */
async function deletePodNetworkDevices(dirs: string[]): Promise<void> {
  for (const netns of mountsUnder(dirs, 'nsfs')) {
    let links: { ifname: string; link_type?: string }[] = [];
    try {
      links = JSON.parse(await run('nsenter', [`--net=${netns}`, 'ip', '-j', 'link', 'show']));
    } catch {
      continue;
    }
    for (const link of links) {
      if (link.ifname !== 'lo') await tryRun('nsenter', [`--net=${netns}`, 'ip', 'link', 'delete', link.ifname]);
    }
  }
}

async function unmountUnder(dirs: string[]): Promise<void> {
  // A mount can be stacked more than once on one path: repeat until none is left.
  for (let round = 0; round < 5; round++) {
    const mounts = mountsUnder(dirs);
    if (mounts.length === 0) return;
    for (const mount of mounts) {
      if (!(await tryRun('umount', [mount]))) await tryRun('umount', ['--lazy', mount]);
    }
  }
}

// ─── containerd and CNI leftovers ─────────────────────────────────────────────────────────

/** Containers and pod sandboxes containerd still had tasks for, by namespace. */
async function containerdTasks(record: HostRecord): Promise<{ namespace: string; id: string }[]> {
  const tasksDir = path.join(record.containerdState, 'io.containerd.runtime.v2.task');
  const tasks: { namespace: string; id: string }[] = [];
  for (const namespace of await readdir(tasksDir).catch(() => [] as string[])) {
    for (const id of await readdir(path.join(tasksDir, namespace)).catch(() => [] as string[])) tasks.push({ namespace, id });
  }
  return tasks;
}

/**
 * A shim killed outright leaves its socket in /run/containerd/s/, named by a hash of
 * containerd's address, the namespace and the container id (containerd 1.6 shim.SocketAddress).
 */
async function removeShimSockets(record: HostRecord, tasks: { namespace: string; id: string }[]): Promise<void> {
  for (const { namespace, id } of tasks) {
    const hash = createHash('sha256').update(path.join(record.containerdSocket, namespace, id)).digest('hex');
    await rm(path.join('/run/containerd/s', hash), { force: true });
  }
  // Created by the first shim if it was missing; leave it only if something else uses it.
  await rmdir('/run/containerd/s').catch(() => {});
  await rmdir('/run/containerd').catch(() => {});
}

export const cniCacheDir = '/var/lib/cni';

/**
 * CNI keeps each pod's result in /var/lib/cni/results/<network>-<sandbox id>-<interface> until
 * CNI DEL, which a killed pod never gets: ours are the cluster's network and the loopback
 * network of its sandboxes.
 */
function isOurCniResult(record: HostRecord, sandboxIds: Set<string>, entry: string): boolean {
  const loopback = /^cni-loopback-([0-9a-f]{64})-lo$/.exec(entry);
  return entry.startsWith(`${record.cniNetwork}-`) || (loopback !== null && sandboxIds.has(loopback[1]!));
}

async function removeCniCache(record: HostRecord, sandboxIds: Set<string>): Promise<void> {
  const results = path.join(cniCacheDir, 'results');
  for (const entry of await readdir(results).catch(() => [] as string[])) {
    if (isOurCniResult(record, sandboxIds, entry)) await rm(path.join(results, entry), { force: true });
  }
  if (record.createdCniCacheDir) {
    await rmdir(results).catch(() => {});
    await rmdir(cniCacheDir).catch(() => {});
  }
}

// ─── undo ─────────────────────────────────────────────────────────────────────────────────

/**
 * Stops what still runs and undoes every recorded change. Safe to repeat, and safe on a
 * half-made cluster: each step skips what is not there.
 */
export async function undoHostChanges(record: HostRecord, options: { stopTimeoutMs: number }): Promise<void> {
  // Whatever of ours still runs is stopped by PID, the last started first (servers last).
  for (const { pid } of liveProcesses(record).reverse()) await terminateProcess(pid, options.stopTimeoutMs);
  // kube-proxy's own way to remove its nftables tables (and any iptables or IPVS rules); if
  // its binary has gone meanwhile (a rebuild), the tables are deleted by name.
  const kubeProxy = record.processes.find((recorded) => recorded.name === 'kube-proxy');
  if (kubeProxy) {
    if (existsSync(kubeProxy.binary)) {
      await run(kubeProxy.binary, ['--cleanup']).catch((error: unknown) => console.error(String(error)));
    }
    await tryRun('nft', ['delete', 'table', 'ip', 'kube-proxy']);
    await tryRun('nft', ['delete', 'table', 'ip6', 'kube-proxy']);
  }
  await killCgroupProcesses(record.cgroupName);
  const tasks = await containerdTasks(record);
  await removeShimSockets(record, tasks);
  await deletePodNetworkDevices([record.dataDir, record.runDir]);
  await unmountUnder([record.dataDir, record.runDir]);
  await removeCniCache(record, new Set(tasks.map(({ id }) => id)));
  await tryRun('nft', ['delete', 'table', 'inet', record.nftTable]);
  if (existsSync(`/sys/class/net/${record.bridge}`)) await tryRun('ip', ['link', 'delete', record.bridge]);
  await removeCgroups(record.cgroupName);
  await restoreSysctls(record.sysctls);
  await rm(record.runDir, { recursive: true, force: true });
}

/** Leftovers a cluster could leave on the machine, for tests that check a stop left none. */
export function hostLeftovers(record: HostRecord): string[] {
  const leftovers: string[] = [];
  for (const { name, pid } of liveProcesses(record)) leftovers.push(`process ${name} (${pid}) still runs`);
  const inCgroups = processesInCgroupTree(record.cgroupName);
  if (inCgroups.length) leftovers.push(`processes in cgroup ${record.cgroupName}: ${inCgroups.join(', ')}`);
  for (const mount of mountsUnder([record.dataDir, record.runDir])) leftovers.push(`mount ${mount}`);
  if (existsSync(`/sys/class/net/${record.bridge}`)) leftovers.push(`network device ${record.bridge}`);
  for (const mount of cgroupMounts()) {
    if (existsSync(path.join(mount, record.cgroupName))) leftovers.push(`cgroup ${path.join(mount, record.cgroupName)}`);
  }
  for (const [name, value] of Object.entries(record.sysctls)) {
    const now = readFileSync(`/proc/sys/${name}`, 'utf8').trim();
    if (now !== value) leftovers.push(`${name.replaceAll('/', '.')} is ${now}, was ${value}`);
  }
  if (existsSync(record.runDir)) leftovers.push(`folder ${record.runDir}`);
  const results = path.join(cniCacheDir, 'results');
  if (existsSync(results)) {
    for (const entry of readdirSync(results)) {
      if (entry.startsWith(`${record.cniNetwork}-`)) leftovers.push(`CNI cache ${entry}`);
    }
  }
  if (record.createdCniCacheDir && existsSync(cniCacheDir)) leftovers.push(`folder ${cniCacheDir}`);
  return leftovers;
}
