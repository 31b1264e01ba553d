import { readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterDefinition } from './cluster.schema';
import { clusterAccessReport } from './connection-check';

/**
 * A stand-in API server on 127.0.0.1 with the test certificate: it answers /version, one
 * namespace lookup and SelfSubjectAccessReviews from a small rule table, so the report's logic
 * and TLS handling are tested without a cluster (connection-check.int.test.ts uses a real one).
 */
const tls = (name: string) => readFileSync(path.join(__dirname, 'fixtures/tls', name), 'utf8');
const serverCert = tls('localhost-cert.pem');
const TOKEN = 'good-token';

let server: https.Server;
let masterUrl: string;
let hangingServer: net.Server;
let hangingUrl: string;
let closedPortUrl: string;
const hangingSockets: net.Socket[] = [];

const allowedByFakeRbac = (attributes: { group: string; resource: string; verb: string; subresource?: string; name?: string }) =>
  (attributes.resource === 'configmaps' && attributes.group === '') ||
  (attributes.resource === 'namespaces' && attributes.name === 'privatejet');

beforeAll(async () => {
  server = https.createServer({ cert: serverCert, key: tls('localhost-key.pem') }, (request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      response.setHeader('content-type', 'application/json');
      if (request.headers.authorization !== `Bearer ${TOKEN}`) {
        response.statusCode = 401;
        return response.end(JSON.stringify({ kind: 'Status', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }));
      }
      if (request.url === '/version') return response.end(JSON.stringify({ gitVersion: 'v1.37.2', major: '1', minor: '37' }));
      const namespace = /^\/api\/v1\/namespaces\/([^/?]+)/.exec(request.url ?? '')?.[1];
      if (namespace) {
        if (namespace === 'privatejet') return response.end(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }));
        response.statusCode = 404;
        return response.end(JSON.stringify({ kind: 'Status', message: `namespaces "${namespace}" not found`, reason: 'NotFound', code: 404 }));
      }
      if (request.url?.startsWith('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')) {
        const review = JSON.parse(body);
        const allowed = allowedByFakeRbac(review.spec.resourceAttributes);
        response.statusCode = 201;
        return response.end(JSON.stringify({ ...review, status: allowed ? { allowed, reason: 'RBAC: allowed by RoleBinding "r/privatejet"' } : { allowed } }));
      }
      response.statusCode = 404;
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  masterUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // Accepts connections and never answers.
  hangingServer = net.createServer((socket) => hangingSockets.push(socket));
  await new Promise<void>((resolve) => hangingServer.listen(0, '127.0.0.1', resolve));
  hangingUrl = `https://127.0.0.1:${(hangingServer.address() as AddressInfo).port}`;

  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPortUrl = `https://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  for (const socket of hangingSockets) socket.destroy();
  await new Promise((resolve) => hangingServer?.close(resolve));
});

const cluster = (properties: Partial<ClusterDefinition['properties']>): Pick<ClusterDefinition, 'clusterName' | 'properties'> => ({
  clusterName: 'test',
  properties: { MasterURL: masterUrl, AccessURL: 'https://a.example.com', SAToken: TOKEN, Namespace: 'privatejet', Replicas: 1, CACert: serverCert, extra: {}, ...properties },
});

describe('clusterAccessReport', () => {
  it('lists every required permission with what the API server says', async () => {
    const report = await clusterAccessReport(cluster({}), 'kubernetes');
    expect(report).toMatchObject({ reachable: true, serverVersion: 'v1.37.2', namespaceExists: true, ready: false });
    expect(report.error).toBeUndefined();
    const allowed = report.checks.filter((check) => check.allowed).map((check) => `${check.verb} ${check.resource}`);
    expect(allowed).toEqual(['get namespaces', ...['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'].map((verb) => `${verb} configmaps`)]);
    expect(report.checks).toContainEqual(expect.objectContaining({ apiGroup: 'apps', resource: 'deployments', verb: 'patch', namespaced: true, allowed: false }));
    expect(report.checks).toContainEqual(expect.objectContaining({ resource: 'deployments/status', verb: 'get', allowed: false }));
    expect(report.checks[0]).toMatchObject({ resource: 'namespaces', name: 'privatejet', namespaced: false, reason: 'RBAC: allowed by RoleBinding "r/privatejet"' });
  });

  it('says when the namespace does not exist', async () => {
    const report = await clusterAccessReport(cluster({ Namespace: 'missing' }), 'wso2-api-operator');
    expect(report).toMatchObject({ reachable: true, namespaceExists: false, ready: false });
    expect(report.checks.map((check) => `${check.verb} ${check.resource}`)).toContain('get customresourcedefinitions');
  });

  it('explains a wrong token (401) and still calls the server reachable', async () => {
    const report = await clusterAccessReport(cluster({ SAToken: 'expired-token' }), 'kubernetes');
    expect(report).toMatchObject({ reachable: true, ready: false, checks: [], error: { kind: 'unauthorized', status: 401, message: 'Unauthorized' } });
    expect(report.error?.hint).toContain('expired');
  });

  it('explains a self-signed API server certificate without CACert', async () => {
    const report = await clusterAccessReport(cluster({ CACert: undefined }), 'kubernetes');
    expect(report).toMatchObject({ reachable: false, error: { kind: 'tls' } });
    expect(report.error?.message).toMatch(/self[- ]signed certificate/);
    expect(report.error?.hint).toContain('CACert');
  });

  it('explains a wrong CACert', async () => {
    const report = await clusterAccessReport(cluster({ CACert: tls('other-ca-cert.pem') }), 'kubernetes');
    expect(report).toMatchObject({ reachable: false, error: { kind: 'tls' } });
  });

  it('explains an unreachable MasterURL', async () => {
    const report = await clusterAccessReport(cluster({ MasterURL: closedPortUrl }), 'kubernetes');
    expect(report).toMatchObject({ reachable: false, ready: false, error: { kind: 'unreachable' } });
    expect(report.error?.hint).toContain('reachable from the machine that runs this app');
  });

  it('gives up on a server that never answers', async () => {
    const started = Date.now();
    const report = await clusterAccessReport(cluster({ MasterURL: hangingUrl }), 'kubernetes', { timeoutMs: 300 });
    expect(report).toMatchObject({ reachable: false, error: { kind: 'timeout' } });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('never puts the token in the report', async () => {
    for (const properties of [{}, { SAToken: 'wrong-token-value' }, { MasterURL: closedPortUrl }]) {
      const report = await clusterAccessReport(cluster(properties), 'kubernetes');
      const text = JSON.stringify(report);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('wrong-token-value');
    }
  });

  it('has nothing to check for the local manager', async () => {
    expect(await clusterAccessReport(cluster({}), 'local')).toMatchObject({ reachable: true, ready: true, checks: [], note: expect.stringContaining('no API server') });
  });

  it('checks only the connection for a manager module without a permission list', async () => {
    const report = await clusterAccessReport(cluster({}), './managers/custom.js');
    expect(report).toMatchObject({ reachable: true, namespaceExists: true, checks: [], ready: true, note: expect.stringContaining('declares no permission list') });
  });
});
