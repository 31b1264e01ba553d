import { execFileSync } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKubeBinaries } from '../../tools/kube/binaries';
import { GATEWAY_PORT } from '../containers/kubernetes/manifests';
import { kubernetesContainerManager } from '../containers/kubernetes/kubernetes-manager';
import { gatewayLabels } from '../containers/kubernetes/object-names';
import { FIRST_BUILD_TIMEOUT_MS, START_TIMEOUT_MS, startRealCluster, type RealCluster } from '../test-support/kubernetes/real-clusters';
import { HOST_HAPROXY } from '../containers/local/haproxy-process';
import { createSigningKey, signToken, startTestGateway, TEST_API, testSpec, tokenClaims, type TestGateway } from '../test-support/gateway-harness';
import { startTestBackend, type TestBackend } from '../test-support/test-backend';
import { parseTrafficExposition, TRAFFIC_METRICS_PATH } from './gateway-counters';

/**
 * A Kubernetes gateway's counters read the way the scraper reads them: through a real
 * kube-apiserver's pod proxy, with the service account and exactly the RBAC of deploy/rbac
 * (now with get on pods/proxy). No kubelet runs, so the test writes the pod's status itself and a
 * real gateway answers at the pod's address: the API server refuses to proxy to loopback, so the
 * pod gets a private address of this machine (added to the loopback device when there is none and
 * the test may add one), relayed to the gateway's loopback port.
 */

const namespace = 'privatejet';
const APP = '33333333-3333-4333-8333-333333333333';

const EXTRA_ADDRESS = '10.250.0.1';

function privateAddress(): string | undefined {
  const addresses = () => Object.values(os.networkInterfaces()).flat();
  const existing = addresses().find((address) => address && address.family === 'IPv4' && !address.internal && !address.address.startsWith('169.254.'));
  if (existing) return existing.address;
  // A private address on the loopback device: routed to this machine, yet not a loopback address.
  try {
    execFileSync('ip', ['addr', 'add', `${EXTRA_ADDRESS}/32`, 'dev', 'lo'], { stdio: 'ignore' });
  } catch {
    // already there, or not allowed: the check below tells
  }
  return addresses().some((address) => address?.address === EXTRA_ADDRESS) ? EXTRA_ADDRESS : undefined;
}

const podAddress = privateAddress();

describe.skipIf(!podAddress)('traffic counters through the API server pod proxy', () => {
  let real: RealCluster;
  let backend: TestBackend;
  let gateway: TestGateway;
  let relay: net.Server;
  const identity = { apiId: TEST_API.id, tenantId: '00000000-0000-4000-8000-000000000001', tenantDomain: TEST_API.tenant, name: TEST_API.name, version: TEST_API.version, context: TEST_API.context };

  beforeAll(async () => {
    await ensureKubeBinaries();
  }, FIRST_BUILD_TIMEOUT_MS);

  beforeAll(async () => {
    real = await startRealCluster('traffic', 'kubernetes', { Replicas: 1 });
    backend = await startTestBackend();
    const key = await createSigningKey('pod-proxy-key');
    gateway = await startTestGateway(HOST_HAPROXY, testSpec(backend.url, [key]));
    const target = new URL(gateway.url);
    relay = net.createServer((client) => {
      const upstream = net.connect(Number(target.port), target.hostname);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => relay.once('error', reject).listen(GATEWAY_PORT, podAddress, () => resolve()));
    const token = await signToken(key, tokenClaims({ applicationId: APP }));
    for (let i = 0; i < 3; i++) await (await fetch(`${gateway.url}/petstore/1.0.0/pets`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer();

    // The gateway's pod as the Deployment would create it, and its status as the kubelet would report it.
    const core = real.controlPlane.adminKubeConfig.makeApiClient(CoreV1Api);
    const created = await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'gateway-pod-1', labels: gatewayLabels(identity) },
        spec: { containers: [{ name: 'haproxy', image: 'haproxy:3.0', ports: [{ name: 'http', containerPort: GATEWAY_PORT }] }] },
      },
    });
    await core.replaceNamespacedPodStatus({
      name: 'gateway-pod-1',
      namespace,
      body: {
        ...created,
        status: { phase: 'Running', podIP: podAddress, podIPs: [{ ip: podAddress! }], conditions: [{ type: 'Ready', status: 'True' }] },
      },
    });
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await new Promise((resolve) => relay?.close(resolve));
    await gateway?.stop();
    await backend?.close();
    await real?.controlPlane.stop();
  });

  it("reads each ready pod's counters with the cluster's service account", async () => {
    const reads = await kubernetesContainerManager.readGatewayCounters!(identity, real.cluster, TRAFFIC_METRICS_PATH, { timeoutMs: 5000, maxBytes: 1024 * 1024 });
    expect(reads.present).toEqual(['gateway-pod-1']);
    const counters = parseTrafficExposition(reads.answered['gateway-pod-1']!);
    expect(counters.requests).toBe(3);
    expect(counters.statuses).toEqual({ '200': 3 });
    expect(counters.applications).toEqual({ [APP]: { requests: 3, errors: 0, throttled: 0 } });
  });
});
