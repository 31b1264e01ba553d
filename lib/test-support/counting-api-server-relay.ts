import { readFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ControlPlane } from '../../tools/kube/control-plane';

interface HeldRequest {
  forward(): void;
  clientGone(): boolean;
}

/**
 * An HTTPS relay in front of a real kube-apiserver that counts the server-side applies it passes
 * on, per object. It serves the API server's own certificate (issued for 127.0.0.1 by the
 * cluster's CA), so the app trusts it with the cluster's CACert and sends its ServiceAccount token
 * through unchanged: what the API server sees is exactly what the app sent.
 *
 * `holdApplies()` keeps applies back until `releaseApplies()`: a replica stuck mid-apply, to be
 * killed there. A held request whose client died is dropped and never reaches the API server.
 * `stopHolding()` lets new applies through while the held ones wait: the replica that takes over
 * is not held too, so the held count only falls as the ended replica's connections close.
 */
export class CountingApiServerRelay {
  /** Applies that reached the API server: "PATCH <path>" → how many. */
  readonly applies = new Map<string, number>();
  private server: https.Server | undefined;
  private holding = false;
  private held: HeldRequest[] = [];
  private readonly upstream: URL;

  constructor(private readonly controlPlane: ControlPlane) {
    this.upstream = new URL(controlPlane.masterUrl);
  }

  /** Starts listening on a free loopback port; returns the URL to use as MasterURL. */
  async open(): Promise<string> {
    const pki = path.join(this.controlPlane.dataDir, 'pki');
    const [cert, key] = await Promise.all([readFile(path.join(pki, 'apiserver.crt')), readFile(path.join(pki, 'apiserver.key'))]);
    this.server = https.createServer({ cert, key }, (request, response) => {
      const chunks: Buffer[] = [];
      let gone = false;
      response.on('close', () => (gone = !response.writableFinished));
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const isApply = request.method === 'PATCH' && (request.headers['content-type'] ?? '').startsWith('application/apply-patch');
        const forward = () => {
          if (gone) return;
          if (isApply) {
            const object = `PATCH ${new URL(request.url ?? '/', this.upstream).pathname}`;
            this.applies.set(object, (this.applies.get(object) ?? 0) + 1);
          }
          const upstreamRequest = https.request(
            { hostname: this.upstream.hostname, port: this.upstream.port, method: request.method, path: request.url, headers: request.headers, ca: this.controlPlane.caCertPem },
            (upstreamResponse) => {
              response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
              upstreamResponse.pipe(response);
            },
          );
          upstreamRequest.on('error', () => response.destroy());
          upstreamRequest.end(Buffer.concat(chunks));
        };
        if (isApply && this.holding) this.held.push({ forward, clientGone: () => gone });
        else forward();
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  holdApplies(): void {
    this.holding = true;
  }

  /** New applies pass straight through again; those already held keep waiting for releaseApplies(). */
  stopHolding(): void {
    this.holding = false;
  }

  /** Applies held back whose client is still there (a killed replica's are not). */
  get heldApplies(): number {
    return this.held.filter((request) => !request.clientGone()).length;
  }

  /** Passes on the held applies of clients still connected, and stops holding. */
  releaseApplies(): void {
    this.holding = false;
    for (const request of this.held.splice(0)) request.forward();
  }

  /** The most times any one object was applied: 1 when nothing was applied twice. */
  mostAppliesOfOneObject(): number {
    return Math.max(0, ...this.applies.values());
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}
