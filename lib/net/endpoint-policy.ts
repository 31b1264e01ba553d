import dns from 'node:dns/promises';
import net, { BlockList } from 'node:net';
import { SUPER_TENANT } from '../super-tenant';
import { publicBaseUrl } from '../env';
import { allowedRanges, outboundPolicyFromEnv, unmapped, type OutboundPolicy } from './outbound-fetch';

/**
 * Which production endpoints a tenant's gateway may call. A gateway forwards without asking
 * who the backend belongs to, so an endpoint on this machine (loopback: other tenants'
 * backends, the app's internal routes) or link-local (cloud metadata) would publish them to
 * the world. Private ranges stay allowed: cluster-internal services are normal backends.
 * The super tenant is the platform's own and is trusted; other tenants get this policy unless
 * the platform allows a host or range (PRIVATEJET_ENDPOINT_ALLOW="backend.local, 127.0.0.1/32").
 */

const ON_THIS_MACHINE = new BlockList();
ON_THIS_MACHINE.addSubnet('127.0.0.0', 8, 'ipv4');
ON_THIS_MACHINE.addSubnet('0.0.0.0', 8, 'ipv4');
ON_THIS_MACHINE.addSubnet('169.254.0.0', 16, 'ipv4');
ON_THIS_MACHINE.addAddress('::1', 'ipv6');
ON_THIS_MACHINE.addAddress('::', 'ipv6');
ON_THIS_MACHINE.addSubnet('fe80::', 10, 'ipv6');

function refusedAddress(address: string, allowed: BlockList): boolean {
  const { address: plain, family } = unmapped(address);
  return !allowed.check(plain, family) && ON_THIS_MACHINE.check(plain, family);
}

export interface EndpointPolicyOptions {
  /** At deploy, names are resolved too: a name that points at this machine is refused. */
  resolveNames: boolean;
  allow?: OutboundPolicy;
  /** For tests: how names resolve (defaults to the system resolver). */
  lookup?: (host: string) => Promise<{ address: string }[]>;
}

/** One sentence per refused endpoint; empty when every endpoint may be used. */
export async function endpointPolicyIssues(endpoints: readonly string[], tenantDomain: string, options: EndpointPolicyOptions): Promise<string[]> {
  if (tenantDomain === SUPER_TENANT) return [];
  const allow = options.allow ?? outboundPolicyFromEnv(process.env.PRIVATEJET_ENDPOINT_ALLOW ?? '');
  const allowedAddresses = allowedRanges(allow);
  const portal = new URL(publicBaseUrl());
  const issues: string[] = [];
  for (const endpoint of endpoints) {
    const url = new URL(endpoint);
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (allow.hosts.includes(host)) continue;
    const refuse = () => issues.push(`${endpoint} is on the portal's own machine or network link (loopback, link-local or the portal itself): tenants' gateways may not call it; ask the platform to allow it`);
    if (url.host === portal.host) refuse();
    else if (host === 'localhost' || host.endsWith('.localhost')) refuse();
    else if (net.isIP(host)) {
      if (refusedAddress(host, allowedAddresses)) refuse();
    } else if (options.resolveNames) {
      // Bounded like every call on a deploy path; a name that does not resolve cannot reach this machine.
      const timeout = new Promise<[]>((resolve) => setTimeout(() => resolve([]), 3_000).unref());
      const addresses = await Promise.race([(options.lookup ?? ((name: string) => dns.lookup(name, { all: true })))(host).catch(() => [] as []), timeout]);
      if (addresses.some((entry) => refusedAddress(entry.address, allowedAddresses))) refuse();
    }
  }
  return issues;
}
