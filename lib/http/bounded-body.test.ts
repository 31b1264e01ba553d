import { expect, it } from 'vitest';
import { POST as introspectEndpoint } from '../../app/oauth2/introspect/route';
import { POST as revokeEndpoint } from '../../app/oauth2/revoke/route';
import { POST as tokenEndpoint } from '../../app/oauth2/token/route';
import { readBoundedText, ROUTE_BODY_LIMIT_BYTES, withBoundedBody } from './bounded-body';

/** A body that never ends unless the reader stops: counts how much the server pulled. */
function endlessBody(): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const chunk = new Uint8Array(16 * 1024).fill(0x61);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, pulled: () => pulled };
}

function streamingPost(url: string, body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Request {
  return new Request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body, duplex: 'half' } as RequestInit);
}

it('reads a body under the cap and refuses one past it without reading the rest', async () => {
  expect(await readBoundedText(new Request('http://x/', { method: 'POST', body: 'grant_type=client_credentials' }))).toBe('grant_type=client_credentials');
  expect(await readBoundedText(new Request('http://x/', { method: 'POST', body: 'é'.repeat(10) }), 20)).toBe('é'.repeat(10));
  const endless = endlessBody();
  await expect(readBoundedText(streamingPost('http://x/', endless.stream))).rejects.toMatchObject({ kind: 'too_large' });
  // a chunked body (no Content-Length) stops being read one chunk past the cap
  expect(endless.pulled()).toBeLessThanOrEqual(ROUTE_BODY_LIMIT_BYTES + 64 * 1024);
  // a declared length past the cap is refused before any byte is read
  const declared = endlessBody();
  await expect(readBoundedText(streamingPost('http://x/', declared.stream, { 'content-length': String(200 * 1024 * 1024) }))).rejects.toMatchObject({ kind: 'too_large' });
  expect(declared.pulled()).toBeLessThanOrEqual(64 * 1024);
});

it.each([
  ['token', tokenEndpoint, 'http://localhost:3000/oauth2/token'],
  ['introspect', introspectEndpoint, 'http://localhost:3000/oauth2/introspect'],
  ['revoke', revokeEndpoint, 'http://localhost:3000/oauth2/revoke'],
] as const)('the %s endpoint answers 413 to an endless body and stops reading it', async (_name, endpoint, url) => {
  const endless = endlessBody();
  const response = await endpoint(streamingPost(url, endless.stream));
  expect(response.status).toBe(413);
  expect(await response.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('larger than 64 KiB') });
  expect(endless.pulled()).toBeLessThanOrEqual(ROUTE_BODY_LIMIT_BYTES + 64 * 1024);
});

// The sign-in route hands next-auth this copy (next-auth itself does not load under Vitest).
it('gives handlers that read the body themselves a copy read under the cap', async () => {
  const copy = await withBoundedBody(new Request('http://x/api/auth/callback/credentials', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=a&password=b' }));
  expect(Object.fromEntries(await copy.formData())).toEqual({ username: 'a', password: 'b' });
  const endless = endlessBody();
  await expect(withBoundedBody(streamingPost('http://x/api/auth/callback/credentials', endless.stream))).rejects.toMatchObject({ kind: 'too_large' });
  expect(endless.pulled()).toBeLessThanOrEqual(ROUTE_BODY_LIMIT_BYTES + 64 * 1024);
});
