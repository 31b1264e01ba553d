import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LocalIngress, RouteTakenError, type IngressTarget } from './ingress';

let ingress: LocalIngress;
const servers: http.Server[] = [];

async function namedServer(name: string): Promise<IngressTarget & { port: number }> {
  const server = http.createServer((request, response) => response.end(JSON.stringify({ name, url: request.url })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return { port, status: () => ({ state: 'ready', port }) };
}

beforeAll(async () => {
  ingress = new LocalIngress({ port: 0 });
  await ingress.start();
});

afterAll(async () => {
  await ingress?.close();
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

it('routes by longest matching prefix, keeps the full path, and answers 404 JSON when nothing matches', async () => {
  ingress.setRoute('/shop/v1', 'shop-api', await namedServer('shop'));
  ingress.setRoute('/shop/v1/admin/', 'shop-api', await namedServer('shop-admin'));
  const call = async (path: string) => (await fetch(`${ingress.url}${path}`)).json();
  expect(await call('/shop/v1/items?x=1')).toEqual({ name: 'shop', url: '/shop/v1/items?x=1' });
  expect(await call('/shop/v1/admin/users')).toEqual({ name: 'shop-admin', url: '/shop/v1/admin/users' });
  expect(await call('/shop/v1')).toEqual({ name: 'shop', url: '/shop/v1' });

  const missing = await fetch(`${ingress.url}/shop/v10/items`);
  expect(missing.status).toBe(404);
  expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'no API is deployed at /shop/v10/items on this cluster' } });

  ingress.removeRoute('/shop/v1/admin', 'shop-api');
  expect(await call('/shop/v1/admin/users')).toEqual({ name: 'shop', url: '/shop/v1/admin/users' });
});

it('answers 503 while the target gateway is not ready', async () => {
  ingress.setRoute('/booting/1.0', 'booting-api', { status: () => ({ state: 'restarting', port: 1 }) });
  const response = await fetch(`${ingress.url}/booting/1.0/x`);
  expect(response.status).toBe(503);
  expect(((await response.json()) as { error: { message: string } }).error.message).toBe('the gateway of /booting/1.0 is not ready (restarting)');
});

it("refuses another owner's path, a path inside it and a path around it, and removes only the caller's own route", async () => {
  const tenantA = await namedServer('tenant-a');
  ingress.setRoute('/petstore/1.0.0', 'api-of-tenant-a', tenantA);
  const intruder = await namedServer('tenant-b');
  for (const prefix of ['/petstore/1.0.0', '/petstore/1.0.0/', '/petstore/1.0.0/pets', '/petstore']) {
    expect(() => ingress.setRoute(prefix, 'api-of-tenant-b', intruder), prefix).toThrow(RouteTakenError);
  }
  // Removing "the same path" as another owner is a no-op, not a takeover of the route.
  ingress.removeRoute('/petstore/1.0.0', 'api-of-tenant-b');
  expect(ingress.routeOwner('/petstore/1.0.0')).toBe('api-of-tenant-a');
  expect(await (await fetch(`${ingress.url}/petstore/1.0.0/pets`)).json()).toEqual({ name: 'tenant-a', url: '/petstore/1.0.0/pets' });

  // A neighbour that only shares characters, not a path segment, is not an overlap.
  ingress.setRoute('/petstore/1.0.01', 'api-of-tenant-b', intruder);
  expect(await (await fetch(`${ingress.url}/petstore/1.0.01/pets`)).json()).toEqual({ name: 'tenant-b', url: '/petstore/1.0.01/pets' });

  // The owner redeploying keeps its route; after the owner removes it, the path is free.
  ingress.setRoute('/petstore/1.0.0', 'api-of-tenant-a', tenantA);
  ingress.removeRoute('/petstore/1.0.0', 'api-of-tenant-a');
  ingress.setRoute('/petstore/1.0.0', 'api-of-tenant-b', intruder);
  expect(ingress.routeOwner('/petstore/1.0.0')).toBe('api-of-tenant-b');
});

it("passes on a gateway's early answer (413 before the body was read) instead of turning it into 502", async () => {
  // Like the gateway: answers as soon as the headers say the body is too large, never reads it, closes.
  const early = http.createServer((request, response) => {
    response.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
    response.end('{"error":{"code":"payload_too_large","message":"too large"}}');
  });
  await new Promise<void>((resolve) => early.listen(0, '127.0.0.1', resolve));
  servers.push(early);
  const port = (early.address() as AddressInfo).port;
  ingress.setRoute('/upload/v1', 'upload-api', { status: () => ({ state: 'ready', port }) });
  const earlyAnswer = await fetch(`${ingress.url}/upload/v1/files`, { method: 'POST', body: Buffer.alloc(64 * 1024) });
  expect(earlyAnswer.status).toBe(413);
  // Over the gateways' limit the ingress answers itself, declared or streamed, and never sends the body on.
  const declared = await fetch(`${ingress.url}/upload/v1/files`, { method: 'POST', body: Buffer.alloc(20 * 1024 * 1024) });
  expect(declared.status).toBe(413);
  expect(((await declared.json()) as { error: { message: string } }).error.message).toBe('request body is larger than the limit of 10485760 bytes');
  let sent = 0;
  const chunks = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ < 30) controller.enqueue(new Uint8Array(512 * 1024));
      else controller.close();
    },
  });
  const sink = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => response.end('{}'));
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  servers.push(sink);
  const sinkPort = (sink.address() as AddressInfo).port;
  ingress.setRoute('/sink/v1', 'sink-api', { status: () => ({ state: 'ready', port: sinkPort }) });
  const streamed = await fetch(`${ingress.url}/sink/v1/files`, { method: 'POST', body: chunks, duplex: 'half' } as RequestInit);
  expect(streamed.status).toBe(413);
});
