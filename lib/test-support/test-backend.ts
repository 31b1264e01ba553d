import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  bodyBytes: number;
}

export interface TestBackend {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * A backend for gateway tests: echoes what it received as JSON; `/slow?ms=N` answers after N ms;
 * `/stream?chunks=N&bytes=B` streams N chunks of B bytes with no Content-Length; a JSON object in
 * the request header `x-test-response-headers` is added to the response headers, and the request
 * header `x-test-status` sets the response's status (a backend failing with 500).
 */
export async function startTestBackend(): Promise<TestBackend> {
  const received: ReceivedRequest[] = [];
  const server = http.createServer((request, response) => {
    let bodyBytes = 0;
    request.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://backend');
      const record = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, bodyBytes };
      received.push(record);
      const answer = () => {
        const body = JSON.stringify(record);
        const extraHeaders = JSON.parse((request.headers['x-test-response-headers'] as string | undefined) ?? '{}') as Record<string, string>;
        response.writeHead(Number(request.headers['x-test-status'] ?? 200), { 'content-type': 'application/json', 'x-backend': 'test', ...extraHeaders });
        response.end(body);
      };
      if (url.pathname.endsWith('/stream')) {
        streamChunks(response, Number(url.searchParams.get('chunks') ?? 1), Number(url.searchParams.get('bytes') ?? 1));
        return;
      }
      const delayMs = url.pathname.endsWith('/slow') ? Number(url.searchParams.get('ms') ?? 0) : 0;
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Writes the chunks a few milliseconds apart, so the gateway forwards them as they come. */
function streamChunks(response: http.ServerResponse, chunks: number, bytes: number): void {
  response.writeHead(200, { 'content-type': 'application/octet-stream' });
  let sent = 0;
  const timer = setInterval(() => {
    response.write(Buffer.alloc(bytes, 0x61 + (sent % 26)));
    if (++sent === chunks) {
      clearInterval(timer);
      response.end();
    }
  }, 2);
}
