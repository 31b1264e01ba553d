import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppError } from '../errors';
import { checkDefinitionInWorker, DEFAULT_DEFINITION_CHECK_LIMITS } from './definition-check';
import { importApiDefinition, resourcesOf } from './openapi';
import { watchMainThread } from '../test-support/main-thread-watch';

/** The probe's definition: `levels` schemas, each with `fanOut` properties that all $ref the level below. */
function fanOutDefinition(levels = 20, fanOut = 10): string {
  const schemas: Record<string, unknown> = { L0: { type: 'string' } };
  for (let level = 1; level <= levels; level++) {
    const properties = Object.fromEntries(Array.from({ length: fanOut }, (_, i) => [`p${i}`, { $ref: `#/components/schemas/L${level - 1}` }]));
    schemas[`L${level}`] = { type: 'object', properties };
  }
  return JSON.stringify({
    openapi: '3.0.3',
    info: { title: 'Fan-out', version: '1.0.0' },
    paths: { '/x': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: `#/components/schemas/L${levels}` } } } } } } } },
    components: { schemas },
  });
}

/** An ordinary, valid but large definition: `count` resources sharing a few schemas. */
function largeDefinition(count: number): string {
  const paths = Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `/things${i}/{id}`,
      {
        get: {
          operationId: `getThing${i}`,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } },
        },
      },
    ]),
  );
  const Thing = { type: 'object', required: ['id'], properties: { id: { type: 'string' }, name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } } };
  return JSON.stringify({ openapi: '3.0.3', info: { title: 'Large', version: '1.0.0' }, paths, components: { schemas: { Thing } } });
}

let server: http.Server;
let baseUrl: string;

beforeAll(async () => {
  server = http.createServer((_request, response) => response.end('alive'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/**
 * Runs `work` while a 20 ms interval ticks and an HTTP request is made to a server in this process,
 * as a health check would be: both only progress if the main thread is free.
 */
async function whileMainThreadWatched<T>(work: () => Promise<T>) {
  const watch = watchMainThread();
  const started = performance.now();
  let answeredAtMs = Infinity;
  const request = fetch(baseUrl).then(async (response) => {
    const body = await response.text();
    answeredAtMs = performance.now() - started;
    return body;
  });
  const outcome = await work().then(
    (value) => ({ value, error: undefined }),
    (error: AppError) => ({ value: undefined, error }),
  );
  const settledAtMs = performance.now() - started;
  const maxGapMs = watch.maxGapMs();
  watch.stop();
  return { ...outcome, maxGapMs, answeredAtMs, settledAtMs, body: await request };
}

describe('importing a definition off the main thread', () => {
  it('refuses the ~9 KB fan-out definition with a clear message while the server keeps answering', async () => {
    const text = fanOutDefinition();
    expect(text.length).toBeGreaterThan(7_000);
    expect(text.length).toBeLessThan(12_000);

    const run = await whileMainThreadWatched(() => importApiDefinition(text));
    expect(run.error).toMatchObject({ kind: 'validation', fieldErrors: { definition: [expect.stringContaining('expands beyond 10000000 schema nodes when its $refs are resolved')] } });
    expect(run.settledAtMs).toBeLessThan(15_000);
    expect(run.maxGapMs).toBeLessThan(500);
    expect(run.body).toBe('alive');
    expect(run.answeredAtMs).toBeLessThan(run.settledAtMs);
    console.info(`fan-out refused in ${Math.round(run.settledAtMs)} ms; HTTP answered after ${Math.round(run.answeredAtMs)} ms; largest tick gap ${Math.round(run.maxGapMs)} ms`);
  });

  it('stops a check that passes its time budget, and the main thread stays free meanwhile', async () => {
    // Without the $ref count the fan-out reaches the validator, which would expand it for hours.
    const limits = { ...DEFAULT_DEFINITION_CHECK_LIMITS, timeBudgetMs: 2_000, maxExpandedNodes: Number.POSITIVE_INFINITY };
    const cpuAtStart = process.cpuUsage();
    const run = await whileMainThreadWatched(() => checkDefinitionInWorker(fanOutDefinition(), limits));
    expect(run.error).toMatchObject({ kind: 'validation', message: expect.stringContaining('could not be checked within 2 s: its $refs expand beyond what can be validated') });
    expect(run.settledAtMs).toBeGreaterThanOrEqual(1_900);
    expect(run.settledAtMs).toBeLessThan(5_000);
    expect(run.maxGapMs).toBeLessThan(500);
    expect(run.answeredAtMs).toBeLessThan(run.settledAtMs);
    const cpuDuringMs = (process.cpuUsage(cpuAtStart).user + process.cpuUsage(cpuAtStart).system) / 1000;
    expect(cpuDuringMs).toBeGreaterThan(500); // the worker really was busy expanding

    // The worker was terminated, not abandoned: this process no longer burns a core on it.
    const cpuBefore = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const cpuAfter = process.cpuUsage(cpuBefore);
    const cpuMs = (cpuAfter.user + cpuAfter.system) / 1000;
    expect(cpuMs).toBeLessThan(250);
    console.info(`over-budget check stopped after ${Math.round(run.settledAtMs)} ms; largest tick gap ${Math.round(run.maxGapMs)} ms; CPU during ${Math.round(cpuDuringMs)} ms, in the next 500 ms: ${Math.round(cpuMs)} ms`);
  });

  it('terminates an ordinary definition that needs more than a small budget, and accepts it with the default one', async () => {
    const text = largeDefinition(300);
    const started = performance.now();
    await expect(checkDefinitionInWorker(text, { ...DEFAULT_DEFINITION_CHECK_LIMITS, timeBudgetMs: 50 })).rejects.toMatchObject({
      kind: 'validation',
      fieldErrors: { definition: [expect.stringContaining('could not be checked within 50 ms')] },
    });
    expect(performance.now() - started).toBeLessThan(1_000);

    const document = await importApiDefinition(text);
    expect(resourcesOf(document)).toHaveLength(300);
  });

  it('runs at most two checks at once: a third waits for a free slot instead of taking another core', async () => {
    const limits = { ...DEFAULT_DEFINITION_CHECK_LIMITS, timeBudgetMs: 700, maxExpandedNodes: Number.POSITIVE_INFINITY };
    const started = performance.now();
    const settledAfter = await Promise.all(
      [1, 2, 3].map((n) =>
        checkDefinitionInWorker(fanOutDefinition(), limits).then(
          () => `check ${n} passed`,
          () => performance.now() - started,
        ),
      ),
    );
    const [first, second, third] = settledAfter as number[];
    expect(first).toBeLessThan(1_300);
    expect(second).toBeLessThan(1_300);
    expect(third).toBeGreaterThanOrEqual(1_350);
    console.info(`three over-budget checks settled after ${settledAfter.map((ms) => Math.round(ms as number)).join(', ')} ms`);
  });

  it('still imports a valid pet store definition, $refs kept as written', async () => {
    const text = fs.readFileSync('tools/sample-backend/openapi.yaml', 'utf8');
    const started = performance.now();
    const document = await importApiDefinition(text);
    const elapsedMs = performance.now() - started;
    expect(document.info?.title).toBe('PetStore');
    expect(resourcesOf(document)).toEqual(expect.arrayContaining([{ path: '/pets', method: 'GET' }]));
    expect(JSON.stringify(document)).toContain('"$ref":"#/components/schemas/');
    console.info(`pet store imported through the worker in ${Math.round(elapsedMs)} ms`);
  });
});

it('counts a cycle of $refs as a reference, not an infinity: a recursive schema imports', async () => {
  const recursive = {
    openapi: '3.0.3',
    info: { title: 'Tree', version: '1.0.0' },
    paths: { '/tree': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } } } } } },
    components: { schemas: { Node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } } } },
  };
  const document = await importApiDefinition(JSON.stringify(recursive));
  expect(Object.keys(document.paths)).toEqual(['/tree']);
});
