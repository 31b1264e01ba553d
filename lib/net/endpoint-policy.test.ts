import { expect, it } from 'vitest';
import { endpointPolicyIssues } from './endpoint-policy';

const resolvesTo = (address: string) => async () => [{ address }];

it("refuses at deploy a tenant's endpoint whose name resolves to this machine, and allows one that resolves elsewhere", async () => {
  for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '169.254.169.254']) {
    const issues = await endpointPolicyIssues(['http://backend.example:8080'], 'example.com', { resolveNames: true, lookup: resolvesTo(address), allow: { hosts: [], cidrs: [] } });
    expect(issues, address).toHaveLength(1);
  }
  expect(await endpointPolicyIssues(['http://backend.example:8080'], 'example.com', { resolveNames: true, lookup: resolvesTo('10.1.2.3'), allow: { hosts: [], cidrs: [] } })).toEqual([]);
  // on save names are not resolved (the name may only resolve inside the cluster)
  expect(await endpointPolicyIssues(['http://backend.example:8080'], 'example.com', { resolveNames: false, lookup: resolvesTo('127.0.0.1'), allow: { hosts: [], cidrs: [] } })).toEqual([]);
});

it('lets the platform allow a host or range, and leaves the super tenant alone', async () => {
  const options = { resolveNames: true, lookup: resolvesTo('127.0.0.1') };
  expect(await endpointPolicyIssues(['http://backend.example:8080'], 'example.com', { ...options, allow: { hosts: ['backend.example'], cidrs: [] } })).toEqual([]);
  expect(await endpointPolicyIssues(['http://127.0.0.1:8080'], 'example.com', { ...options, allow: { hosts: [], cidrs: ['127.0.0.1/32'] } })).toEqual([]);
  expect(await endpointPolicyIssues(['http://127.0.0.1:8080'], 'carbon.super', { ...options, allow: { hosts: [], cidrs: [] } })).toEqual([]);
});
