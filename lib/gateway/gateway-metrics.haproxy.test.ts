import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSigningKey,
  haproxyRuntimes,
  signToken,
  startTestGateway,
  testSpec,
  tokenClaims,
  type TestGateway,
} from '@/lib/test-support/gateway-harness';
import { checkMetrics, promtoolBinary } from '@/lib/test-support/promtool';
import { startTestBackend, type TestBackend } from '@/lib/test-support/test-backend';

// The gateways' /metrics (HAProxy's built-in exporter) linted by Prometheus' own linter:
// parse errors and naming rules (counters end in _total, base units, snake_case). The app itself
// serves no /metrics; this is the only exposition PrivateJet has.

// Built from the Go module proxy on first use (about a minute), then cached.
const promtool = promtoolBinary();

/**
 * What promtool still finds on HAProxy 2.6 (Debian 12, the host's haproxy on Local): it ignores
 * the exporter's `metrics` filter that the generated config uses to leave this counter out, and
 * only dropping every process metric (scope) would remove it.
 */
const HAPROXY_26_FINDINGS = ['haproxy_process_failed_resolutions counter metrics should have "_total" suffix'];

describe('promtool itself', () => {
  it('finds what breaks the naming rules, so a clean result means something', () => {
    const lint = checkMetrics(promtool, '# HELP requests Requests.\n# TYPE requests counter\nrequests 1\n# HELP size_total Size.\n# TYPE size_total gauge\nsize_total 2\n');
    expect(lint.exitCode).not.toBe(0);
    expect(lint.findings).toContain('requests counter metrics should have "_total" suffix');
    expect(checkMetrics(promtool, 'not an exposition {').exitCode).not.toBe(0);
  });
});

describe.each(haproxyRuntimes())('$name: /metrics', (runtime) => {
  let backend: TestBackend;
  let gateway: TestGateway;
  let exposition: string;

  beforeAll(async () => {
    backend = await startTestBackend();
    const key = await createSigningKey('metrics-key');
    gateway = await startTestGateway(runtime, testSpec(backend.url, [key]));
    // Traffic of every kind, so the per-status and per-server series exist.
    const token = await signToken(key, tokenClaims());
    const api = `${gateway.url}/petstore/1.0.0`;
    await fetch(`${api}/pets`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`${api}/pets`);
    await fetch(`${api}/nowhere`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`${api}/pets`, { method: 'PATCH', headers: { authorization: `Bearer ${token}` } });
    const response = await fetch(`${gateway.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4');
    exposition = await response.text();
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await backend?.close();
  });

  it('follows Prometheus naming rules: promtool check metrics finds nothing (but the known 2.6 finding)', () => {
    const lint = checkMetrics(promtool, exposition);
    const expected = runtime.rootDir ? [] : HAPROXY_26_FINDINGS;
    expect(lint.findings).toEqual(expected);
    expect(lint.exitCode).toBe(expected.length === 0 ? 0 : 3);
  });

  it('counts the traffic it served', () => {
    expect(exposition).toMatch(/^haproxy_frontend_http_requests_total\{proxy="gateway"\} [1-9]\d*$/m);
    expect(exposition).toMatch(/^haproxy_frontend_http_responses_total\{proxy="gateway",code="4xx"\} [1-9]\d*$/m);
  });

  it("keeps a scraper's own parameters beside the filter", async () => {
    const processOnly = await (await fetch(`${gateway.url}/metrics?scope=global`)).text();
    expect(processOnly).toMatch(/^haproxy_process_uptime_seconds /m);
    expect(processOnly).not.toMatch(/^haproxy_(frontend|backend|server)_/m);
    if (runtime.rootDir) expect(processOnly).not.toMatch(/^haproxy_process_(failed_resolutions|pipes_used_total|pipes_free_total) /m);
  });
});
