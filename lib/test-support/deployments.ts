import { eq } from 'drizzle-orm';
import fs from 'node:fs';
import net from 'node:net';
import { parse as parseYaml } from 'yaml';
import type { Actor } from '../actor';
import type { ClusterDefinition } from '../clusters/cluster-definition';
import { DEFAULT_MANAGERS } from '../clusters/container-managers';
import { setPlatformClusterConfig } from '../clusters/platform-config';
import type { Database } from '../db/drizzle';
import { apis, tenants, users } from '../db/schema';

/** A tenant, a publisher and a Created API over the sample pet store, straight into the database. */
export async function seedPublisherWithApi(
  database: Database,
  options: { tenantDomain: string; context: string; endpoint: string },
): Promise<{ actor: Actor; apiId: string }> {
  const [tenant] = await database.insert(tenants).values({ domain: options.tenantDomain, displayName: options.tenantDomain }).returning();
  const [user] = await database
    .insert(users)
    .values({ tenantId: tenant!.id, username: 'pub', displayName: 'Pub', passwordHash: 'unused', roles: ['publisher'] })
    .returning();
  const openapi = parseYaml(fs.readFileSync('tools/sample-backend/openapi.yaml', 'utf8')) as Record<string, unknown>;
  const [api] = await database
    .insert(apis)
    .values({
      tenantId: tenant!.id,
      name: 'PetStore',
      version: '1.0.0',
      context: options.context,
      productionEndpoints: [options.endpoint],
      openapi,
      security: { oauth2: true, basic: false },
      tiers: ['Unlimited', 'Gold'],
      cors: { enabled: false, allowedOrigins: [] },
      createdBy: user!.id,
    })
    .returning();
  const actor: Actor = {
    userId: user!.id,
    username: 'pub',
    displayName: 'Pub',
    tenantId: tenant!.id,
    tenantDomain: tenant!.domain,
    roles: ['publisher'],
  };
  return { actor, apiId: api!.id };
}

/** Another API of the same publisher: a Created copy of `apiId` under its own name and context. */
export async function copyApi(database: Database, apiId: string, name: string): Promise<string> {
  const [original] = await database.select().from(apis).where(eq(apis.id, apiId));
  const { id: _id, createdAt: _createdAt, updatedAt: _updatedAt, ...copy } = original!;
  const [api] = await database.insert(apis).values({ ...copy, name, context: `/${name.toLowerCase()}`, state: 'CREATED' }).returning({ id: apis.id });
  return api!.id;
}

/** The platform configuration without deployment.toml clusters, plus the given ones. */
export function usePlatformClusters(clusters: ClusterDefinition[] = []): void {
  setPlatformClusterConfig({ clusters, managers: DEFAULT_MANAGERS, warnings: [] });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A TCP relay in front of an API server: closing it is, for the app, exactly an API server
 * that went away (connection refused); opening it again on the same port brings it back.
 */
export class ApiServerRelay {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    readonly port: number,
    private readonly target: URL,
  ) {}

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async open(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(Number(this.target.port), this.target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}
