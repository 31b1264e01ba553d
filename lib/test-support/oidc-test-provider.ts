import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real OpenID provider (node-oidc-provider, OpenID-certified) on loopback, for tests: a
 * handful of people with groups, a login page a browser or a test fills in with a username, and
 * consent granted without asking. The HTTP server starts first, so the issuer (its port) is
 * known before the app's provider — and so its redirect URI — exists; {@link TestOpenIdProvider.setClient}
 * then (re)builds the provider with that client. Never imported by product code.
 */

export interface TestPerson {
  sub: string;
  email: string;
  email_verified?: boolean;
  name: string;
  preferred_username: string;
  groups: string[];
}

export const TEST_PEOPLE: Record<string, TestPerson> = {
  alice: { sub: 'alice-0001', email: 'alice@example.com', name: 'Alice Admin', preferred_username: 'alice', groups: ['pj-admins', 'staff'] },
  bob: { sub: 'bob-0002', email: 'bob@example.com', name: 'Bob Builder', preferred_username: 'bob', groups: ['api-team'] },
  carol: { sub: 'carol-0003', email: 'carol@elsewhere.org', name: 'Carol Outside', preferred_username: 'carol', groups: [] },
};

export interface TestClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface TestOpenIdProvider {
  issuer: string;
  port: number;
  setClient(client: TestClient): Promise<void>;
  /** Changes a person's claims for their next sign-in (e.g. their groups). */
  people: Record<string, TestPerson>;
  stop(): Promise<void>;
}

const page = (body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head><body><main>${body}</main></body></html>`;

export async function startTestOpenIdProvider(options: { port?: number; host?: string } = {}): Promise<TestOpenIdProvider> {
  const { default: Provider } = await import('oidc-provider');
  const people: Record<string, TestPerson> = structuredClone(TEST_PEOPLE);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', use: 'sig', alg: 'RS256' };
  let provider: InstanceType<typeof Provider> | undefined;
  let callback: ((req: http.IncomingMessage, res: http.ServerResponse) => void) | undefined;

  const server = http.createServer(async (req, res) => {
    try {
      const interaction = /^\/interaction\/([\w-]+)$/.exec(req.url?.split('?')[0] ?? '');
      if (interaction && provider) {
        if (req.method === 'GET') {
          const details = await provider.interactionDetails(req, res);
          res.setHeader('content-type', 'text/html; charset=utf-8');
          res.end(
            page(`<h1>Sign in to the test provider</h1><p>Client ${details.params.client_id as string}</p>
<form method="post" action="/interaction/${details.uid}"><label for="login">Username</label> <input id="login" name="login" autocomplete="off"> <button type="submit">Continue</button></form>`),
          );
          return;
        }
        const body = await new Promise<string>((resolve) => {
          let text = '';
          req.on('data', (chunk) => (text += chunk));
          req.on('end', () => resolve(text));
        });
        const login = new URLSearchParams(body).get('login') ?? '';
        if (!people[login]) {
          res.statusCode = 400;
          res.end(page('<p>Unknown test user</p>'));
          return;
        }
        // The account id is what the provider issues as `sub`.
        await provider.interactionFinished(req, res, { login: { accountId: people[login]!.sub } }, { mergeWithLastSubmission: false });
        return;
      }
      if (!callback) {
        res.statusCode = 503;
        res.end('not configured');
        return;
      }
      callback(req, res);
    } catch (error) {
      res.statusCode = 500;
      res.end(String((error as Error).message));
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;

  return {
    issuer,
    port,
    people,
    async setClient(client) {
      provider = new Provider(issuer, {
        clients: [{ client_id: client.clientId, client_secret: client.clientSecret, redirect_uris: client.redirectUris, grant_types: ['authorization_code'], response_types: ['code'] }],
        jwks: { keys: [signingKey] },
        cookies: { keys: [randomBytes(16).toString('hex')] },
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'], groups: ['groups'] },
        // Claims of the requested scopes go into the ID token itself, as Keycloak and Entra ID put groups there.
        conformIdTokenClaims: false,
        features: { devInteractions: { enabled: false } },
        interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
        pkce: { required: () => true },
        async findAccount(_ctx, id) {
          const person = Object.values(people).find((candidate) => candidate.sub === id);
          if (!person) return undefined;
          return { accountId: id, claims: async () => ({ ...person, email_verified: person.email_verified ?? true }) };
        },
        // Consent is granted without a page: the tests are about the relying party.
        async loadExistingGrant(ctx) {
          const accountId = ctx.oidc.session?.accountId;
          if (!accountId || !ctx.oidc.client) return undefined;
          const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client.clientId);
          if (grantId) {
            const existing = await ctx.oidc.provider.Grant.find(grantId);
            if (existing) return existing;
          }
          const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId });
          grant.addOIDCScope('openid email profile groups');
          grant.addOIDCClaims(['email', 'email_verified', 'name', 'preferred_username', 'groups']);
          await grant.save();
          return grant;
        },
      });
      provider.proxy = false;
      // A refused token request is otherwise only "an error in the response body" on the app's side.
      for (const event of ['grant.error', 'server_error', 'authorization.error'] as const) {
        (provider.on as (name: string, listener: (ctx: unknown, error: Error & { error_description?: string; error_detail?: string }) => void) => void)(event, (_ctx, error) =>
          console.error(`test OpenID provider ${event}: ${error.message} ${error.error_description ?? ''} ${error.error_detail ?? ''}`),
        );
      }
      callback = provider.callback();
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
