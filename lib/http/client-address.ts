import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import net, { BlockList } from 'node:net';
import { unmapped } from '../net/outbound-fetch';

/**
 * Who is calling, by network address, for per-address limits (the sign-in throttle).
 *
 * Next.js passes the socket's address on only as `X-Forwarded-For`, and only when the client
 * did not send that header itself, so a client could name any address it likes. The address
 * used here is the socket's own peer, captured per request; `X-Forwarded-For` is read only
 * when that peer is one of the reverse proxies named in PRIVATEJET_TRUSTED_PROXIES.
 */

interface RequestPeer {
  peer: string | undefined;
}

// On globalThis: instrumentation and the route bundles each get their own copy of this module.
const STORAGE = Symbol.for('privatejet.requestPeer');
const INSTALLED = Symbol.for('privatejet.requestPeerInstalled');
const holder = globalThis as unknown as { [STORAGE]?: AsyncLocalStorage<RequestPeer>; [INSTALLED]?: boolean };
const peers = (holder[STORAGE] ??= new AsyncLocalStorage<RequestPeer>());

/**
 * Runs every HTTP request this process serves with its socket's peer address at hand, so code
 * deep inside a route handler or server action (next-auth's authorize) can read it. Idempotent.
 */
export function captureRequestPeers(): void {
  if (holder[INSTALLED]) return;
  holder[INSTALLED] = true;
  const prototype = http.Server.prototype as unknown as { emit: (event: string | symbol, ...args: unknown[]) => boolean };
  const emit = prototype.emit;
  prototype.emit = function emitWithPeer(this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'request') return emit.call(this, event, ...args);
    const request = args[0] as http.IncomingMessage;
    return peers.run({ peer: request.socket?.remoteAddress }, () => emit.call(this, event, ...args));
  };
}

/** The socket peer of the request being served, when captureRequestPeers() is installed. */
export function currentRequestPeer(): string | undefined {
  return peers.getStore()?.peer;
}

/** Reverse proxies whose X-Forwarded-For is believed: addresses or CIDRs, comma-separated. */
export interface TrustedProxies {
  ranges: BlockList;
  empty: boolean;
}

/** Parses PRIVATEJET_TRUSTED_PROXIES; an entry that is neither an address nor a CIDR is an error. */
export function trustedProxiesFrom(value: string): TrustedProxies {
  const ranges = new BlockList();
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address = '', prefixText, extra] = entry.split('/');
    const family = net.isIPv6(address) ? 'ipv6' : net.isIPv4(address) ? 'ipv4' : null;
    const prefix = prefixText === undefined ? (family === 'ipv6' ? 128 : 32) : Number(prefixText);
    const maxPrefix = family === 'ipv6' ? 128 : 32;
    if (!family || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix || prefixText === '') {
      throw new Error(`PRIVATEJET_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR such as 10.0.0.0/8`);
    }
    // An IPv4-mapped entry (::ffff:10.0.0.1) is the IPv4 address it carries, as peers are judged.
    const plain = unmapped(address);
    const plainPrefix = plain.family === family ? prefix : prefix - 96;
    if (plainPrefix < 0) throw new Error(`PRIVATEJET_TRUSTED_PROXIES: "${entry}" mixes IPv4-mapped and IPv6 ranges; list them separately`);
    ranges.addSubnet(plain.address, plainPrefix, plain.family);
  }
  return { ranges, empty: entries.length === 0 };
}

let fromEnv: { value: string; proxies: TrustedProxies } | undefined;
export function trustedProxiesFromEnv(): TrustedProxies {
  const value = process.env.PRIVATEJET_TRUSTED_PROXIES ?? '';
  if (fromEnv?.value !== value) fromEnv = { value, proxies: trustedProxiesFrom(value) };
  return fromEnv.proxies;
}

function isTrusted(address: string, proxies: TrustedProxies): boolean {
  if (proxies.empty || !net.isIP(address)) return false;
  const plain = unmapped(address);
  return proxies.ranges.check(plain.address, plain.family);
}

/**
 * The client's address: the socket peer, or — when the peer is a trusted proxy — the nearest
 * X-Forwarded-For hop that is not itself a trusted proxy (read right to left, since each proxy
 * appends and only the entries our own proxies added can be believed). A malformed hop stops
 * the walk at the last proxy that vouched for it. Undefined when the peer is unknown.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | null, proxies: TrustedProxies = trustedProxiesFromEnv()): string | undefined {
  if (!peer) return undefined;
  let client = peer;
  if (!isTrusted(client, proxies) || !forwardedFor) return client;
  const hops = forwardedFor.split(',').map((hop) => hop.trim());
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = hops[index]!;
    if (!net.isIP(hop)) return client;
    client = hop;
    if (!isTrusted(hop, proxies)) return client;
  }
  return client;
}

/** The client address of the request being served (see clientAddress). */
export function clientAddressOfCurrentRequest(headers: Headers): string | undefined {
  return clientAddress(currentRequestPeer(), headers.get('x-forwarded-for'));
}
