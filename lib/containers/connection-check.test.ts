import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterDefinition } from '../clusters/cluster-definition';
import { clusterAccessReport } from './connection-check';

/**
 * Network-level failures, which need no API server: a closed port and a socket that never
 * answers. Everything an API server says (versions, RBAC answers, 401, TLS) is tested against
 * a real kube-apiserver in connection-check.int.test.ts.
 */
const TOKEN = 'never-shown-token';
let hangingServer: net.Server;
let hangingUrl: string;
let closedPortUrl: string;
const hangingSockets: net.Socket[] = [];

beforeAll(async () => {
  hangingServer = net.createServer((socket) => hangingSockets.push(socket));
  await new Promise<void>((resolve) => hangingServer.listen(0, '127.0.0.1', resolve));
  hangingUrl = `https://127.0.0.1:${(hangingServer.address() as AddressInfo).port}`;

  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPortUrl = `https://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  for (const socket of hangingSockets) socket.destroy();
  await new Promise((resolve) => hangingServer?.close(resolve));
});

const cluster = (properties: Partial<ClusterDefinition['properties']>): Pick<ClusterDefinition, 'clusterName' | 'properties'> => ({
  clusterName: 'test',
  properties: { MasterURL: closedPortUrl, AccessURL: 'https://a.example.com', SAToken: TOKEN, Namespace: 'privatejet', Replicas: 1, extra: {}, ...properties },
});

describe('clusterAccessReport without an API server', () => {
  it('explains an unreachable MasterURL, without the token in the report', async () => {
    const report = await clusterAccessReport(cluster({}), 'kubernetes');
    expect(report).toMatchObject({ reachable: false, ready: false, error: { kind: 'unreachable' } });
    expect(report.error?.hint).toContain('reachable from the machine that runs this app');
    expect(JSON.stringify(report)).not.toContain(TOKEN);
  });

  it('gives up on a server that never answers', async () => {
    const started = Date.now();
    const report = await clusterAccessReport(cluster({ MasterURL: hangingUrl }), 'kubernetes', { timeoutMs: 300 });
    expect(report).toMatchObject({ reachable: false, error: { kind: 'timeout' } });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('has nothing to check for the local manager', async () => {
    expect(await clusterAccessReport(cluster({}), 'local')).toMatchObject({ reachable: true, ready: true, checks: [], note: expect.stringContaining('no API server') });
  });
});
