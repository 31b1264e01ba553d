import dns from 'node:dns';
import net, { BlockList } from 'node:net';
import { Agent, request } from 'undici';

/**
 * The one way the server fetches a URL that a user typed (definition imports). It refuses
 * addresses inside the platform's own networks, resolves a name once and connects to the
 * address it checked (no DNS rebinding), re-checks every redirect, and caps bytes and time.
 * Every failure reads the same to the user, so the fetch cannot be used to map a network.
 */

export interface OutboundPolicy {
  /** Host names the platform allows even though they resolve into a refused range. */
  hosts: string[];
  /** Address ranges the platform allows, e.g. "10.20.0.0/16". */
  cidrs: string[];
}

export interface OutboundFetchOptions {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
  policy?: OutboundPolicy;
  /** For tests: how names resolve (defaults to the system resolver). */
  lookup?: typeof dns.lookup;
}

/**
 * The same sentence for a refused address, a closed port, a timeout, a reset and any HTTP status:
 * even a status tells the user that something answered at that address. Only "too large" differs.
 */
export class OutboundFetchError extends Error {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

export const UNREACHABLE_MESSAGE = 'it is not reachable, not allowed, or did not answer in time';

// Loopback, "this network", link-local (cloud metadata), private, CGNAT, benchmarking,
// documentation, multicast and reserved ranges, in both families. IPv6 forms that carry an
// IPv4 address elsewhere (IPv4-compatible, NAT64, 6to4, Teredo) are refused whole: simpler than
// unpacking them, and nothing a definition is served from needs them.
const REFUSED = new BlockList();
for (const [address, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) REFUSED.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of [
  ['::', 96], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['64:ff9b:1::', 48],
  ['2002::', 16], ['2001::', 32], ['2001:db8::', 32], ['100::', 64],
] as const) REFUSED.addSubnet(address, prefix, 'ipv6');

/** The platform's allow-list: PRIVATEJET_OUTBOUND_ALLOW="apis.internal, 10.20.0.0/16". */
export function outboundPolicyFromEnv(value = process.env.PRIVATEJET_OUTBOUND_ALLOW ?? ''): OutboundPolicy {
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  return { hosts: entries.filter((entry) => !entry.includes('/')).map((host) => host.toLowerCase()), cidrs: entries.filter((entry) => entry.includes('/')) };
}

export function allowedRanges(policy: OutboundPolicy): BlockList {
  const allowed = new BlockList();
  for (const cidr of policy.cidrs) {
    const [address, prefix] = cidr.split('/');
    const family = net.isIPv6(address ?? '') ? 'ipv6' : 'ipv4';
    if (net.isIP(address ?? '') && Number.isInteger(Number(prefix))) allowed.addSubnet(address!, Number(prefix), family);
  }
  return allowed;
}

/**
 * An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it carries;
 * BlockList itself matches the hex form (::ffff:7f00:1) against IPv4 rules, and zone ids.
 */
export function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: net.isIPv6(address) ? 'ipv6' : 'ipv4' };
}

export function isRefusedAddress(address: string, policy: OutboundPolicy = { hosts: [], cidrs: [] }): boolean {
  const { address: plain, family } = unmapped(address);
  if (allowedRanges(policy).check(plain, family)) return false;
  return REFUSED.check(plain, family);
}

function refuse(reason: string): never {
  throw new OutboundFetchError(UNREACHABLE_MESSAGE, reason);
}

function checkedUrl(raw: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    refuse(`not a URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') refuse(`scheme ${url.protocol}`);
  if (url.username || url.password) refuse('credentials in the URL');
  return url;
}

/**
 * An undici agent whose lookup is the only place names turn into addresses: the socket connects
 * to exactly the address checked here, so a second, different DNS answer is never used.
 */
function policyAgent(policy: OutboundPolicy, resolve: typeof dns.lookup): Agent {
  return new Agent({
    connect: {
      lookup(hostname, lookupOptions, callback) {
        const allowedByName = policy.hosts.includes(hostname.toLowerCase());
        resolve(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
          if (error) return callback(error, '', 4);
          const list = addresses as unknown as dns.LookupAddress[];
          const refused = list.find((entry) => !allowedByName && isRefusedAddress(entry.address, policy));
          if (refused || list.length === 0) return callback(new OutboundFetchError(UNREACHABLE_MESSAGE, `${hostname} resolves to refused ${refused?.address ?? 'nothing'}`), '', 4);
          const first = list[0]!;
          if ((lookupOptions as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, [first]);
          return callback(null, first.address, first.family);
        });
      },
    },
  });
}

function refuseLiteralAddress(url: URL, policy: OutboundPolicy): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host) && isRefusedAddress(host, policy)) refuse(`refused address ${host}`);
}

/**
 * Fetches `url` as text under the policy. Throws OutboundFetchError with the uniform message
 * for anything unreachable or refused, and a specific one only for "too large".
 */
export async function fetchOutboundText(url: string, options: OutboundFetchOptions): Promise<string> {
  const policy = options.policy ?? outboundPolicyFromEnv();
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const agent = policyAgent(policy, options.lookup ?? dns.lookup);
  try {
    let current = checkedUrl(url);
    for (let hop = 0; ; hop++) {
      refuseLiteralAddress(current, policy);
      let response;
      try {
        response = await request(current, { dispatcher: agent, method: 'GET', signal: deadline, headers: { accept: 'application/json, application/yaml, text/yaml, */*' } });
      } catch (error) {
        if (error instanceof OutboundFetchError) throw error;
        const cause = (error as Error & { cause?: unknown }).cause;
        if (cause instanceof OutboundFetchError) throw cause;
        refuse((error as Error).message);
      }
      const location = response.headers.location;
      if (response.statusCode >= 300 && response.statusCode < 400 && location) {
        await response.body.dump().catch(() => undefined);
        if (hop >= (options.maxRedirects ?? 5)) refuse('too many redirects');
        current = checkedUrl(String(location), current);
        continue;
      }
      if (response.statusCode !== 200) {
        await response.body.dump().catch(() => undefined);
        refuse(`HTTP ${response.statusCode}`);
      }
      const declared = Number(response.headers['content-length'] ?? NaN);
      if (declared > options.maxBytes) {
        response.body.destroy();
        throw new OutboundFetchError(`it is larger than ${formatBytes(options.maxBytes)}`, 'too large (declared)');
      }
      return (await cappedBody(response.body, options.maxBytes)).toString('utf8');
    }
  } finally {
    await agent.destroy().catch(() => undefined);
  }
}

/** The answer's body, refused as soon as it grows past `maxBytes` (a declared length is not trusted). */
async function cappedBody(body: AsyncIterable<unknown> & { destroy(): unknown }, maxBytes: number): Promise<Buffer<ArrayBuffer>> {
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of body) {
      received += (chunk as Buffer).byteLength;
      if (received > maxBytes) {
        body.destroy();
        throw new OutboundFetchError(`it is larger than ${formatBytes(maxBytes)}`, 'too large (streamed)');
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof OutboundFetchError) throw error;
    refuse((error as Error).message);
  }
  return Buffer.concat(chunks);
}

/**
 * The same policy for a library that speaks HTTP itself (the OpenID Connect client): one
 * request, any method, no redirects followed (the caller sees them), the answer's body read
 * under `maxBytes` and the whole exchange under `timeoutMs`. Refusals throw OutboundFetchError.
 */
export async function fetchOutbound(input: string | URL | Request, init: RequestInit | undefined, options: OutboundFetchOptions): Promise<Response> {
  const policy = options.policy ?? outboundPolicyFromEnv();
  const outgoing = new Request(input, init);
  const url = checkedUrl(outgoing.url);
  refuseLiteralAddress(url, policy);
  const agent = policyAgent(policy, options.lookup ?? dns.lookup);
  try {
    let response;
    try {
      const body = outgoing.body ? Buffer.from(await outgoing.arrayBuffer()) : undefined;
      response = await request(url, { dispatcher: agent, method: outgoing.method as 'GET', headers: Object.fromEntries(outgoing.headers), body, signal: AbortSignal.any([AbortSignal.timeout(options.timeoutMs), ...(init?.signal ? [init.signal] : [])]) });
    } catch (error) {
      if (error instanceof OutboundFetchError) throw error;
      const cause = (error as Error & { cause?: unknown }).cause;
      if (cause instanceof OutboundFetchError) throw cause;
      refuse((error as Error).message);
    }
    const body = await cappedBody(response.body, options.maxBytes);
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
    }
    const nullBody = response.statusCode === 204 || response.statusCode === 304;
    return new Response(nullBody ? null : body, { status: response.statusCode, headers });
  } finally {
    await agent.destroy().catch(() => undefined);
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
