import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HAPROXY_CONFIG_FILE } from '@/lib/gateway/gateway-files';
import { largeDefinition, operationCountOf } from '../test-support/large-definition';
import { gatewayObjectsFor } from './kubernetes/manifests';
import { sampleApi, sampleCluster } from '../test-support/kubernetes/sample-api';
import { checkHaproxyConfig } from './local/haproxy-process';
import { definitionConfigMapFor, DEFINITION_CONFIGMAP_BUDGET_BYTES, SWAGGER_KEY } from './wso2-api-operator/manifests';

/**
 * The objects one deploy applies for an API the size of a real provider's (a 13 MB definition,
 * 1,074 paths, 2,059 operations): Kubernetes refuses a ConfigMap over 1 MiB, so what a gateway
 * gets must be its routes, not the document; and HAProxy must accept a config with that many.
 */
const PATHS = 1_074;
const document = largeDefinition({ paths: PATHS });
const documentBytes = Buffer.byteLength(JSON.stringify(document));
const api = sampleApi({ openapi: document, name: 'Provider', context: '/provider' });
const cluster = sampleCluster();
const KUBERNETES_CONFIGMAP_LIMIT = 1024 * 1024;
const directories: string[] = [];

afterAll(() => Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true }))));

function dataBytes(data: Record<string, string>): number {
  return Object.entries(data).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
}

describe(`the native manager's objects for a ${PATHS}-path API`, () => {
  const plan = gatewayObjectsFor(api, cluster);
  const data = plan.configMap.data!;

  it('fit one ConfigMap: the routes are there, the document is not', () => {
    const bytes = dataBytes(data);
    console.info(`definition ${(documentBytes / 1e6).toFixed(1)} MB (compact JSON) → ConfigMap data ${Math.round(bytes / 1024)} KiB (operations.map ${Math.round(Buffer.byteLength(data['operations.map']!) / 1024)} KiB, paths.map ${Math.round(Buffer.byteLength(data['paths.map']!) / 1024)} KiB)`);
    expect(documentBytes).toBeGreaterThan(6_000_000);
    expect(bytes).toBeLessThan(KUBERNETES_CONFIGMAP_LIMIT);
    // The whole object as the API server stores it, metadata included.
    expect(Buffer.byteLength(JSON.stringify(plan.configMap))).toBeLessThan(KUBERNETES_CONFIGMAP_LIMIT);
    // One route line per operation (plus HEAD beside each GET), one allow line per path.
    const routeLines = data['operations.map']!.split('\n').filter((line) => line.startsWith('^'));
    expect(routeLines).toHaveLength(operationCountOf(PATHS) + PATHS);
    expect(data['paths.map']!.split('\n').filter((line) => line.startsWith('^'))).toHaveLength(PATHS);
    // Nothing of the document beyond its routes: no descriptions, schemas or examples.
    const text = Object.values(data).join('\n');
    expect(text).not.toContain('see [the guide]');
    expect(text).not.toContain('components/schemas');
    // Every other object is small whatever the definition.
    for (const object of plan.others) expect(Buffer.byteLength(JSON.stringify(object))).toBeLessThan(16 * 1024);
  });

  it('is a config haproxy -c accepts', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'privatejet-large-gateway-'));
    directories.push(directory);
    await Promise.all(Object.entries(data).map(([name, text]) => writeFile(path.join(directory, name), text)));
    const started = performance.now();
    await checkHaproxyConfig(directory);
    console.info(`haproxy -c on ${PATHS} paths: ${Math.round(performance.now() - started)} ms`);
    // and refuses a broken one, so the check above means something
    await writeFile(path.join(directory, HAPROXY_CONFIG_FILE), `${data[HAPROXY_CONFIG_FILE]}\n  http-request frobnicate\n`);
    await expect(checkHaproxyConfig(directory)).rejects.toThrow(/haproxy refused the gateway config/);
  });
});

describe(`the WSO2 API Operator's definition ConfigMap for a ${PATHS}-path API`, () => {
  it('holds the routing part of the definition when the whole would not fit, every path and method kept', () => {
    const configMap = definitionConfigMapFor(api, cluster);
    const text = configMap.data![SWAGGER_KEY]!;
    console.info(`WSO2 operator ConfigMap: ${Math.round(Buffer.byteLength(text) / 1024)} KiB of routes for a ${(documentBytes / 1e6).toFixed(1)} MB definition`);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(DEFINITION_CONFIGMAP_BUDGET_BYTES);
    const definition = JSON.parse(text) as { paths: Record<string, Record<string, { parameters?: Array<{ name: string }> }>>; components?: unknown; 'x-wso2-basePath': string };
    expect(Object.keys(definition.paths).sort()).toEqual(Object.keys(document.paths as object).sort());
    const operations = Object.values(definition.paths).reduce((sum, item) => sum + Object.keys(item).length, 0);
    expect(operations).toBe(operationCountOf(PATHS));
    expect(definition['x-wso2-basePath']).toBe('/provider/1.0.0');
    // No $ref is left pointing at components that are not there.
    expect(text).not.toContain('$ref');
    const [template, item] = Object.entries(definition.paths).find(([t]) => t.includes('_id}'))!;
    expect(Object.values(item)[0]!.parameters!.map((p) => p.name)).toEqual([...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]));
  });

  it('keeps a definition that fits whole', () => {
    const small = sampleApi();
    const definition = JSON.parse(definitionConfigMapFor(small, cluster).data![SWAGGER_KEY]!) as Record<string, unknown>;
    expect(definition).toMatchObject({ info: { title: 'PetStore' }, paths: { '/pets': { get: { responses: { '200': { description: 'the pets' } } } } } });
  });
});
