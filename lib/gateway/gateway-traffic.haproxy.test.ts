import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRAFFIC_LATENCY_BOUNDS_MS } from '@/lib/db/schema';
import { parseTrafficExposition, trafficIncrement, TRAFFIC_METRICS_PATH } from '@/lib/traffic/gateway-counters';
import { createSigningKey, haproxyRuntimes, signToken, startTestGateway, testSpec, tokenClaims, type SigningKey, type TestGateway } from '@/lib/test-support/gateway-harness';
import { checkMetrics, promtoolBinary } from '@/lib/test-support/promtool';
import { startTestBackend, type TestBackend } from '@/lib/test-support/test-backend';

// Built from the Go module proxy on first use (about a minute), then cached.
const promtool = promtoolBinary();

// The gateway's own traffic counters (privatejet.lua, /metrics/traffic) on both HAProxy lines:
// a known mix of requests — answered by the backend (200, 500) and refused by the gateway (401,
// 403, 404, 429) — gives exactly these counts; the gateway's own paths count for nothing; a
// reload starts the counters again with a new start time, which the increment takes for a restart.

const APP_GOLD = '11111111-1111-4111-8111-111111111111';
const APP_BRONZE = '22222222-2222-4222-8222-222222222222';

/**
 * A GET on a new connection: after a reload, a kept-alive connection may still reach the old
 * worker once (it finishes that request, then closes), and what it counts there is its own.
 */
function getOnNewConnection(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      })
      .on('error', reject);
  });
}

describe.each(haproxyRuntimes())('$name: traffic counters', (runtime) => {
  let backend: TestBackend;
  let key: SigningKey;
  let gateway: TestGateway;
  const counters = async () => {
    const response = await getOnNewConnection(`${gateway.url}${TRAFFIC_METRICS_PATH}`);
    expect(response.status).toBe(200);
    return parseTrafficExposition(response.text);
  };

  beforeAll(async () => {
    backend = await startTestBackend();
    key = await createSigningKey('traffic-key');
    gateway = await startTestGateway(runtime, testSpec(backend.url, [key]));
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await backend?.close();
  });

  it('counts every answered request once, by status, latency and calling application', async () => {
    const api = `${gateway.url}/petstore/1.0.0`;
    const gold = { authorization: `Bearer ${await signToken(key, tokenClaims({ applicationId: APP_GOLD }))}` };
    const bronze = { authorization: `Bearer ${await signToken(key, tokenClaims({ applicationId: APP_BRONZE, tier: 'Bronze' }))}` };
    const otherTenant = { authorization: `Bearer ${await signToken(key, tokenClaims({ applicationId: APP_GOLD, tenant: 'example.com' }))}` };
    const statuses: number[] = [];
    const call = async (url: string, headers: Record<string, string> = {}) => {
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      statuses.push(response.status);
    };
    for (let i = 0; i < 3; i++) await call(`${api}/pets`, gold);
    await call(`${api}/pets`, { ...gold, 'x-test-status': '500' });
    for (let i = 0; i < 2; i++) await call(`${api}/pets`);
    await call(`${api}/pets`, otherTenant);
    // Bronze allows 5 a minute on this one replica: the 6th and 7th are throttled.
    for (let i = 0; i < 7; i++) await call(`${api}/pets`, bronze);
    await call(`${api}/nowhere`, gold);
    // The gateway's own paths are not traffic.
    await fetch(`${gateway.url}/health/live`);
    await fetch(`${gateway.url}/metrics`);
    await fetch(`${gateway.url}${TRAFFIC_METRICS_PATH}`);
    expect(statuses.sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 401, 401, 403, 404, 429, 429, 500].sort());

    const read = await counters();
    expect(read.requests).toBe(15);
    expect(read.statuses).toEqual({ '200': 8, '401': 2, '403': 1, '404': 1, '429': 2, '500': 1 });
    expect(read.latencyBuckets).toHaveLength(TRAFFIC_LATENCY_BOUNDS_MS.length + 1);
    expect(read.latencyBuckets.reduce((a, b) => a + b, 0)).toBe(15);
    expect(read.latencySumMs).toBeGreaterThan(0);
    // The 404 is refused before the token is read, so it belongs to no application.
    expect(read.applications).toEqual({
      [APP_GOLD]: { requests: 5, errors: 2, throttled: 0 },
      [APP_BRONZE]: { requests: 7, errors: 2, throttled: 2 },
    });
  });

  it('follows Prometheus naming rules: promtool check metrics finds nothing', async () => {
    const lint = checkMetrics(promtool, (await getOnNewConnection(`${gateway.url}${TRAFFIC_METRICS_PATH}`)).text);
    expect(lint.findings).toEqual([]);
    expect(lint.exitCode).toBe(0);
  });

  it('starts again after a reload, and the increment across it is what came after, never negative', async () => {
    const before = await counters();
    await gateway.update(testSpec(backend.url, [key], { limits: { maxBodyBytes: 2048, connectTimeoutMs: 1000, responseTimeoutMs: 2000 } }));
    // The new worker answers once the old one has handed over the port.
    let after = await counters();
    for (let i = 0; i < 100 && after.startTime === before.startTime; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = await counters();
    }
    expect(after.startTime).not.toBe(before.startTime);
    const gold = { authorization: `Bearer ${await signToken(key, tokenClaims({ applicationId: APP_GOLD }))}` };
    for (let i = 0; i < 2; i++) expect((await getOnNewConnection(`${gateway.url}/petstore/1.0.0/pets`, gold)).status).toBe(200);
    const increment = trafficIncrement({ replica: before }, { replica: await counters() });
    expect(increment).toMatchObject({ requests: 2, status2xx: 2, status4xx: 0, status5xx: 0, throttled: 0 });
    expect(increment.applications).toEqual({ [APP_GOLD]: { requests: 2, errors: 0, throttled: 0 } });
  }, 30_000);
});
