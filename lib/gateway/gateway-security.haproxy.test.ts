import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSigningKey,
  haproxyRuntimes,
  signToken,
  startTestGateway,
  testSpec,
  tokenClaims,
  type SigningKey,
  type TestGateway,
} from '@/lib/test-support/gateway-harness';
import { startTestBackend, type TestBackend } from '@/lib/test-support/test-backend';
import { gatewaySpecInCluster } from './gateway-spec-for';
import { BASIC_USERS_SCRIPT, basicUsersConfig, externalIntrospectionOf, externalJwtIssuerOf, type SecurityResource } from './security-resources';

// The cluster's own security resources at a real gateway, on both HAProxy versions: Basic users
// from the Basic Secret and JWTs of the issuer named by the JWT resource, next to the portal's
// tokens. The 3.0 gateway loads the userlist as a pod renders it (the init container's script),
// the 2.6 one as Local renders it (basicUsersConfig): both must admit the same people.

const sha512Crypt = (password: string) => execFileSync('openssl', ['passwd', '-6', '-stdin'], { input: password, encoding: 'utf8' }).trim();
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const EXTERNAL_ISSUER = 'https://idp.example.test/realms/orders';
const EXTERNAL_AUDIENCE = 'orders-api';

/**
 * An RFC 7662 introspection endpoint that checks its client's Basic credentials: the portal's (which
 * knows no opaque token here) or the cluster's other authorization server (which knows some).
 */
class IntrospectionServer {
  readonly asked: string[] = [];
  url = '';
  private server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.headers.authorization !== basic(this.clientId, this.clientSecret)) {
        response.writeHead(401).end();
        return;
      }
      const token = new URLSearchParams(body).get('token') ?? '';
      if (request.url !== '/introspect') {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('');
        return;
      }
      this.asked.push(token);
      const claims = this.active.get(token);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(claims ? { active: true, ...claims } : { active: false }));
    });
  });

  constructor(
    private readonly clientId: string,
    private readonly clientSecret: string,
    readonly active = new Map<string, Record<string, unknown>>(),
  ) {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/**
 * Runs the pod's init-container script on `users`, as `sh` does in the image: the host's sh, or
 * inside the Debian 13 root filesystem laid out like the gateway image (its sh, sed, grep, tr).
 */
function renderWithScript(users: string, rootDir?: string): { status: number; output?: string; stderr: string } {
  const folder = mkdtempSync(path.join(rootDir ? path.join(rootDir, 'tmp') : tmpdir(), 'basic-users-'));
  const inRoot = (file: string) => (rootDir ? `/${path.relative(rootDir, file)}` : file);
  try {
    writeFileSync(path.join(folder, 'users'), users);
    writeFileSync(path.join(folder, 'basic-users.sh'), BASIC_USERS_SCRIPT);
    const args = ['sh', ...[path.join(folder, 'basic-users.sh'), path.join(folder, 'users'), path.join(folder, 'out.cfg')].map(inRoot)];
    try {
      execFileSync(rootDir ? 'chroot' : args[0]!, rootDir ? [rootDir, ...args] : args.slice(1), { encoding: 'utf8', stdio: 'pipe' });
      return { status: 0, output: readFileSync(path.join(folder, 'out.cfg'), 'utf8'), stderr: '' };
    } catch (error) {
      return { status: (error as { status: number }).status, stderr: String((error as { stderr: string }).stderr) };
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const now = () => Math.floor(Date.now() / 1000);
const usersText = () => `# the cluster's Basic users\nalice:${sha512Crypt('wonderland')}\n\nbob:${sha512Crypt('builder')}\n`;

describe('the Basic users script of the gateway pod', () => {
  it('renders the same userlist as the local manager', () => {
    const users = usersText();
    const body = (text: string) => text.split('\n').filter((line) => !line.startsWith('#'));
    const rendered = renderWithScript(users);
    expect(rendered.status).toBe(0);
    expect(body(rendered.output!)).toEqual(body(basicUsersConfig({ description: 'Secret ns/securitybasic', data: { users } })));
  });

  it('refuses what basicUsersOf refuses, naming the line', () => {
    for (const [users, line] of [
      ['alice:plaintext\n', 1],
      ['# ok\nbob:$2y$05$abcdefghijklmnopqrstuu5Kqq1lRdaH6U6Iqg9e3M1lqHbhaK6y\n', 2],
      ["eve' user:$6$salt$" + 'a'.repeat(86) + '\n', 1],
    ] as const) {
      const rendered = renderWithScript(users);
      expect(rendered.status, users).not.toBe(0);
      expect(rendered.stderr).toContain(`line ${line}`);
      expect(() => basicUsersConfig({ description: 'Secret ns/securitybasic', data: { users } })).toThrow(`line ${line}`);
    }
    expect(renderWithScript('# nobody\n').status).not.toBe(0);
  });
});

describe.each(haproxyRuntimes())('$name', (runtime) => {
  let backend: TestBackend;
  let portalKey: SigningKey;
  let externalKey: SigningKey;
  let strangerKey: SigningKey;
  let gateway: TestGateway;
  let basicOnly: TestGateway;
  let opaque: TestGateway;
  let portal: IntrospectionServer;
  let otherServer: IntrospectionServer;

  beforeAll(async () => {
    backend = await startTestBackend();
    [portalKey, externalKey, strangerKey] = await Promise.all([createSigningKey('portal-key-1'), createSigningKey('idp-key'), createSigningKey('idp-key')]);
    const users = usersText();
    const resource: SecurityResource = { description: 'Secret ns/securitybasic', data: { users } };
    const userlist = runtime.rootDir ? renderWithScript(users, runtime.rootDir).output! : basicUsersConfig(resource);
    const jwtResource: SecurityResource = {
      description: 'ConfigMap ns/securityjwt',
      data: { issuer: EXTERNAL_ISSUER, audience: EXTERNAL_AUDIENCE, 'public-key.pem': externalKey.pem },
    };
    const cluster = { basicUsers: true, externalJwt: externalJwtIssuerOf(jwtResource) };
    const spec = testSpec(backend.url, [portalKey]);
    gateway = await startTestGateway(runtime, gatewaySpecInCluster({ ...spec, security: { ...spec.security, basic: true } }, cluster), { basicUsersConfig: userlist });
    basicOnly = await startTestGateway(
      runtime,
      gatewaySpecInCluster({ ...spec, security: { jwt: false, opaqueTokens: false, basic: true } }, cluster),
      { basicUsersConfig: userlist },
    );
    portal = await new IntrospectionServer('gateway-client', 'gateway-secret').start();
    otherServer = await new IntrospectionServer('gateway-at-idp', 'idp-secret').start();
    otherServer.active.set('idp-opaque-token', { client_id: 'orders-service', aud: 'orders-api', exp: now() + 300 });
    otherServer.active.set('idp-token-for-billing', { client_id: 'billing-service', aud: 'billing-api', exp: now() + 300 });
    const oauthResource: SecurityResource = {
      description: 'Secret ns/securityoauth',
      data: { 'introspection-url': `${otherServer.url}/introspect`, 'client-id': 'gateway-at-idp', 'client-secret': 'idp-secret', audience: 'orders-api' },
    };
    opaque = await startTestGateway(
      runtime,
      gatewaySpecInCluster(
        {
          ...spec,
          security: { jwt: true, opaqueTokens: true },
          authorizationServer: { ...spec.authorizationServer, introspectionUrl: `${portal.url}/introspect`, revocationsUrl: `${portal.url}/revocations`, introspectionCacheSeconds: 2 },
        },
        { basicUsers: false, externalIntrospection: externalIntrospectionOf(oauthResource) },
      ),
      { secret: 'gateway-secret', externalIntrospectionClient: { clientId: 'gateway-at-idp', clientSecret: 'idp-secret' } },
    );
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await basicOnly?.stop();
    await opaque?.stop();
    await backend?.close();
    await portal?.close();
    await otherServer?.close();
  });

  const call = (target: TestGateway, authorization?: string) =>
    fetch(`${target.url}/petstore/1.0.0/pets`, { headers: authorization ? { authorization } : {} });
  const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;
  const externalClaims = (overrides: Record<string, unknown> = {}) => ({
    iss: EXTERNAL_ISSUER,
    aud: EXTERNAL_AUDIENCE,
    sub: 'service-account-orders',
    iat: now(),
    exp: now() + 300,
    ...overrides,
  });

  describe('Basic credentials of the cluster\'s users', () => {
    it('admits a user of the Secret with the right password, and the backend never sees the credentials', async () => {
      const response = await call(gateway, basic('alice', 'wonderland'));
      expect(response.status).toBe(200);
      const received = (await response.json()) as { headers: Record<string, string> };
      expect(received.headers.authorization).toBeUndefined();
      expect((await call(gateway, basic('bob', 'builder'))).status).toBe(200);
    });

    it('refuses a wrong password and an unknown user with a Basic challenge', async () => {
      for (const credentials of [basic('alice', 'looking-glass'), basic('mallory', 'wonderland'), basic('alice', '')]) {
        const response = await call(gateway, credentials);
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toContain('Basic realm="/petstore/1.0.0"');
        expect((await errorCode(response)).code).toBe('invalid_credentials');
      }
    });

    it('still admits the portal\'s tokens, and offers both ways when nothing is sent', async () => {
      expect((await call(gateway, `Bearer ${await signToken(portalKey, tokenClaims())}`)).status).toBe(200);
      const response = await call(gateway);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/Bearer realm.*Basic realm|Basic realm.*Bearer realm/);
      expect((await errorCode(response)).message).toContain('Basic credentials of a user of the cluster');
    });

    it('on an API that allows only Basic, refuses any bearer token', async () => {
      expect((await call(basicOnly, basic('alice', 'wonderland'))).status).toBe(200);
      const response = await call(basicOnly, `Bearer ${await signToken(portalKey, tokenClaims())}`);
      expect(response.status).toBe(401);
      expect((await errorCode(response)).message).toContain('Basic credentials only');
    });
  });

  describe("JWTs of the cluster's other issuer", () => {
    it('admits a token signed with the key of the JWT resource', async () => {
      const response = await call(gateway, `Bearer ${await signToken(externalKey, externalClaims(), { typ: 'JWT' })}`);
      expect(response.status).toBe(200);
    });

    it('refuses a token of that issuer signed with another key', async () => {
      const response = await call(gateway, `Bearer ${await signToken(strangerKey, externalClaims())}`);
      expect(response.status).toBe(401);
      expect((await errorCode(response)).message).toBe(`token signature is not valid for the key of issuer ${EXTERNAL_ISSUER}`);
    });

    it('refuses another issuer, another audience, and an expired token', async () => {
      const otherIssuer = await call(gateway, `Bearer ${await signToken(externalKey, externalClaims({ iss: 'https://elsewhere.test' }))}`);
      expect(otherIssuer.status).toBe(401);
      const otherAudience = await call(gateway, `Bearer ${await signToken(externalKey, externalClaims({ aud: 'billing-api' }))}`);
      expect(otherAudience.status).toBe(401);
      expect((await errorCode(otherAudience)).message).toBe(`token audience "billing-api" is not the expected "${EXTERNAL_AUDIENCE}"`);
      const expired = await call(gateway, `Bearer ${await signToken(externalKey, externalClaims({ exp: now() - 600 }))}`);
      expect(expired.status).toBe(401);
      expect((await errorCode(expired)).message).toMatch(/^token expired at /);
    });

    it('does not let the portal\'s key sign for the other issuer, nor the other key for the portal', async () => {
      expect((await call(gateway, `Bearer ${await signToken(portalKey, externalClaims())}`)).status).toBe(401);
      expect((await call(gateway, `Bearer ${await signToken(externalKey, tokenClaims(), { kid: 'portal-key-1' })}`)).status).toBe(401);
    });
  });

  describe("opaque tokens of the cluster's other authorization server", () => {
    it('admits a token that server says is active, after the portal said it knows it not', async () => {
      const response = await call(opaque, 'Bearer idp-opaque-token');
      expect(response.status).toBe(200);
      expect(portal.asked).toContain('idp-opaque-token');
      expect(otherServer.asked).toContain('idp-opaque-token');
    });

    it('refuses a token neither server knows, and one for another audience', async () => {
      const unknown = await call(opaque, 'Bearer nobody-knows-me');
      expect(unknown.status).toBe(401);
      expect((await errorCode(unknown)).message).toContain('not active');
      const otherAudience = await call(opaque, 'Bearer idp-token-for-billing');
      expect(otherAudience.status).toBe(401);
      expect((await errorCode(otherAudience)).message).toBe('token audience "billing-api" is not the expected "orders-api"');
    });

    it("still admits the portal's own tokens", async () => {
      expect((await call(opaque, `Bearer ${await signToken(portalKey, tokenClaims())}`)).status).toBe(200);
    });
  });
});
