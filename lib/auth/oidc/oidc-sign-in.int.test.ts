import { Auth, raw, skipCSRFCheck, type AuthConfig } from '@auth/core';
import { and, eq } from 'drizzle-orm';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setAppDatabase, type DatabaseHandle } from '../../db/drizzle';
import { auditEvents, tenants, userIdentities, users } from '../../db/schema';
import { freshTestDatabase } from '../../test-support/test-database';
import { insertTenant, insertUser, useThrowawaySecretKey, type TestTenant } from '../../test-support/oauth-fixtures';
import { startForgingOpenIdProvider, type ForgingOpenIdProvider } from '../../test-support/forging-openid-provider';
import { startTestOpenIdProvider, type TestOpenIdProvider } from '../../test-support/oidc-test-provider';
import type { Actor } from '../../actor';
import { authRoute } from '../auth';
import { authConfig } from '../auth-config';
import { verifyCredentials } from '../credentials';
import { hashPassword } from '../password';
import { discoverProvider } from './oidc-fetch';
import { createOidcProviderSchema } from './oidc-provider.schema';
import type { OidcProviderConfig } from './oidc-provider-config';
import { createOidcProvider, oidcProviderConfig, setLocalPasswordsAdminsOnly } from './oidc-providers.service';

/**
 * The whole OpenID sign-in below the browser: next-auth's real handlers (as the app's route runs
 * them), a real node-oidc-provider on loopback with a login form filled in over HTTP, real
 * signed tokens, and the database. The browser-level flow is e2e/oidc-sign-in.spec.ts.
 */

const APP = 'http://app.test';
let database: DatabaseHandle;
let op: TestOpenIdProvider;
let forge: ForgingOpenIdProvider;
let tenant: TestTenant;
let admin: Actor;
let provider: OidcProviderConfig;
let forged: OidcProviderConfig;

/** Cookies as a browser keeps them: by name, the latest value wins, an emptied one is gone. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      if (!value || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }
  get(name: string): string | undefined {
    return this.cookies.get(name);
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

const config = (providers: OidcProviderConfig[]) => authConfig(providers) as AuthConfig;

/** What the app's "Sign in with" action does: next-auth answers with the provider's authorization URL and sets its check cookies. */
async function startFlow(with_: OidcProviderConfig) {
  const response = (await Auth(
    new Request(`${APP}/api/auth/signin/${with_.key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ callbackUrl: '/portal' }),
    }),
    { ...config([with_]), raw, skipCSRFCheck },
  )) as unknown as { redirect: string; cookies: { name: string; value: string }[] };
  const app = new CookieJar();
  for (const cookie of response.cookies) app.set(cookie.name, cookie.value);
  const authorizationUrl = new URL(response.redirect);
  return { app, authorizationUrl, state: authorizationUrl.searchParams.get('state')!, nonce: authorizationUrl.searchParams.get('nonce')! };
}

/** A person at the provider: the login form filled in, redirects followed until the provider sends them back to the app. */
async function loginAtProvider(authorizationUrl: URL, person: string): Promise<URL> {
  const jar = new CookieJar();
  let url = authorizationUrl;
  let init: RequestInit = {};
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
    jar.take(response.headers.getSetCookie());
    const location = response.headers.get('location');
    if (!location) throw new Error(`the provider answered ${response.status} at ${url}: ${(await response.text()).slice(0, 200)}`);
    const next = new URL(location, url);
    if (next.origin === APP) return next;
    init = /^\/interaction\//.test(next.pathname)
      ? { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ login: person }) }
      : {};
    url = next;
  }
  throw new Error('too many redirects at the provider');
}

/** The provider's redirect back, handled by next-auth as the app's callback route does. */
async function finishFlow(callbackUrl: URL, app: CookieJar, with_: OidcProviderConfig) {
  const response = await Auth(new Request(callbackUrl, { headers: { cookie: app.header() } }), config([with_]));
  const setCookies = response.headers.getSetCookie();
  return {
    location: new URL(response.headers.get('location') ?? '/', APP),
    signedIn: setCookies.some((line) => line.startsWith('authjs.session-token=') && !/=;/.test(line)),
  };
}

/** Runs `work` and returns the sign-in error lines it logged: they say which check refused. */
async function loggedErrors<T>(work: () => Promise<T>): Promise<{ result: T; logged: string }> {
  const spy = vi.spyOn(console, 'error');
  try {
    const result = await work();
    return { result, logged: spy.mock.calls.map((call) => call.join(' ')).join('\n') };
  } finally {
    spy.mockRestore();
  }
}

async function signInAs(person: string) {
  const flow = await startFlow(provider);
  return finishFlow(await loginAtProvider(flow.authorizationUrl, person), flow.app, provider);
}

async function userOf(subject: string) {
  const [row] = await database.db
    .select({ id: users.id, username: users.username, roles: users.roles, email: users.email, passwordHash: users.passwordHash })
    .from(userIdentities)
    .innerJoin(users, eq(users.id, userIdentities.userId))
    .where(and(eq(userIdentities.tenantId, tenant.id), eq(userIdentities.issuer, op.issuer), eq(userIdentities.subject, subject)));
  return row;
}

async function addProvider(issuer: string, extra: Partial<Record<string, string>> = {}): Promise<OidcProviderConfig> {
  const input = createOidcProviderSchema.parse({
    displayName: 'Example SSO',
    issuer,
    clientId: 'privatejet',
    clientSecret: 'test-client-secret-1234',
    scopes: 'openid profile email groups',
    roleClaim: 'groups',
    roleMappings: 'pj-admins = admin\napi-team = publisher',
    defaultRole: 'subscriber',
    allowedEmailDomains: 'example.com',
    enabled: 'on',
    ...extra,
  });
  const created = await createOidcProvider(admin, input);
  return (await oidcProviderConfig(`oidc-${created.id}`))!;
}

beforeAll(async () => {
  useThrowawaySecretKey();
  vi.stubEnv('PRIVATEJET_PUBLIC_URL', APP);
  // The platform's allowance for a provider on this machine; without it the fetch is refused (see below).
  vi.stubEnv('PRIVATEJET_OUTBOUND_ALLOW', '127.0.0.1/32');
  database = await freshTestDatabase();
  setAppDatabase(database);
  tenant = await insertTenant(database.db, 'acme.example');
  admin = await insertUser(database.db, tenant, 'acme-admin', ['admin']);
  [op, forge] = await Promise.all([startTestOpenIdProvider(), startForgingOpenIdProvider()]);
  provider = await addProvider(op.issuer);
  forged = await addProvider(forge.issuer, { displayName: 'Forging SSO' });
  await op.setClient({ clientId: 'privatejet', clientSecret: 'test-client-secret-1234', redirectUris: [`${APP}/api/auth/callback/${provider.key}`] });
});
afterAll(async () => {
  await Promise.all([op?.stop(), forge?.stop()]);
  await database?.close();
  vi.unstubAllEnvs();
});

describe('OpenID sign-in through next-auth against a real provider', () => {
  it('keeps the client secret encrypted at rest', async () => {
    const rows = await database.db.query.oidcProviders.findMany();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.clientSecretEncrypted).not.toContain('test-client-secret');
    expect(provider.clientSecret).toBe('test-client-secret-1234');
  });

  it('creates the user just in time at the first sign-in, with roles from the groups claim', async () => {
    const result = await signInAs('alice');
    expect(result.signedIn).toBe(true);
    expect(result.location.pathname).toBe('/portal');
    const alice = await userOf('alice-0001');
    expect(alice).toMatchObject({ username: 'alice', roles: ['admin'], email: 'alice@example.com' });
    // The account's creation is audited once, in the tenant, with alice as its actor through her provider.
    const created = await database.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'user.create'), eq(auditEvents.objectId, alice!.id)));
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ channel: 'oidc', outcome: 'ok', tenantId: tenant.id, actorUserId: alice!.id, actorUsername: 'alice', objectType: 'user' });
    // No local password: such an account signs in only through its provider.
    expect(await verifyCredentials(database.db, 'alice@acme.example', alice!.passwordHash)).toMatchObject({ ok: false });
  });

  it('updates the roles from the claims at a later sign-in, for the same user', async () => {
    const before = await userOf('alice-0001');
    op.people.alice!.groups = ['api-team'];
    expect((await signInAs('alice')).signedIn).toBe(true);
    const after = await userOf('alice-0001');
    expect(after!.id).toBe(before!.id);
    expect(after!.roles).toEqual(['publisher']);
    // A later sign-in changes roles, audited as such; it creates no second account record.
    const records = await database.db.select().from(auditEvents).where(eq(auditEvents.objectId, after!.id));
    expect(records.map((record) => `${record.action} ${record.channel}`).sort()).toEqual(['user.create oidc', 'user.roles.update oidc']);
    op.people.alice!.groups = ['pj-admins'];
  });

  it('never links a provider identity to a local account of the same name', async () => {
    const [local] = await database.db
      .insert(users)
      .values({ tenantId: tenant.id, username: 'bob', displayName: 'Local Bob', passwordHash: await hashPassword('local-bob-password'), roles: ['admin'] })
      .returning({ id: users.id });
    expect((await signInAs('bob')).signedIn).toBe(true);
    const bob = await userOf('bob-0002');
    expect(bob!.id).not.toBe(local!.id);
    expect(bob!.username).toMatch(/^bob-[0-9a-f]{8}$/);
    expect(bob!.roles).toEqual(['publisher']);
  });

  it('refuses a person whose e-mail domain is not allowed, and creates no account', async () => {
    const result = await signInAs('carol');
    expect(result.signedIn).toBe(false);
    expect(result.location.pathname).toBe('/signin');
    expect(Object.fromEntries(result.location.searchParams)).toEqual({ tenant: 'acme.example', oidc: 'domain' });
    expect(await userOf('carol-0003')).toBeUndefined();
  });

  it('refuses a callback whose state is not the one this browser sent', async () => {
    const first = await startFlow(provider);
    const second = await startFlow(provider);
    const callback = await loginAtProvider(first.authorizationUrl, 'alice');
    callback.searchParams.set('state', second.state);
    const { result, logged } = await loggedErrors(() => finishFlow(callback, first.app, provider));
    expect(logged).toContain('"state" response parameter');
    expect(result.signedIn).toBe(false);
    expect(result.location.pathname).toBe('/signin');
    expect(result.location.searchParams.get('error')).toBeTruthy();
  });

  it('refuses an ID token whose nonce is not the one this browser sent', async () => {
    const first = await startFlow(provider);
    const second = await startFlow(provider);
    const callback = await loginAtProvider(first.authorizationUrl, 'alice');
    // The nonce cookie of another flow: the provider's token carries the first flow's nonce.
    first.app.set('authjs.nonce', second.app.get('authjs.nonce')!);
    const { result, logged } = await loggedErrors(() => finishFlow(callback, first.app, provider));
    expect(logged).toContain('"nonce" claim');
    expect(result.signedIn).toBe(false);
    expect(result.location.searchParams.get('error')).toBeTruthy();
  });

  it('signs in the same flow with its own cookies (the control for the two tests above)', async () => {
    const flow = await startFlow(provider);
    expect((await finishFlow(await loginAtProvider(flow.authorizationUrl, 'alice'), flow.app, provider)).signedIn).toBe(true);
  });

  it('sends the registered redirect URI at the token step even when the callback reaches the app under another origin', async () => {
    const flow = await startFlow(provider);
    const callback = await loginAtProvider(flow.authorizationUrl, 'alice');
    // As next start can hand the route handler: the same path under the server's own host name.
    const elsewhere = new URL(`${callback.pathname}${callback.search}`, 'http://localhost:3000');
    expect((await finishFlow(elsewhere, flow.app, provider)).signedIn).toBe(true);
  });

  it('answers the auth route at the public URL even when it is a loopback IP, which Next.js rewrites to localhost', async () => {
    vi.stubEnv('PRIVATEJET_PUBLIC_URL', 'http://127.0.0.1:3100');
    try {
      // As `next start -H 127.0.0.1` hands the route its request; no state cookie, so next-auth refuses and redirects.
      const request = new NextRequest(`http://127.0.0.1:3100/api/auth/callback/${provider.key}?code=any&state=any`);
      expect(request.url).toMatch(/^http:\/\/localhost:3100\//);
      const response = await authRoute(request);
      expect(response.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:3100\/signin\?/);
    } finally {
      vi.stubEnv('PRIVATEJET_PUBLIC_URL', APP);
    }
  });

  describe('ID tokens shaped by the test, signed with real keys', () => {
    async function signInWithForgedToken(recipe: Parameters<ForgingOpenIdProvider['nextToken']>[0] extends infer R ? Omit<R & object, 'nonce' | 'clientId'> : never) {
      const flow = await startFlow(forged);
      forge.nextToken({ ...recipe, nonce: flow.nonce, clientId: 'privatejet' });
      const callback = new URL(`${APP}/api/auth/callback/${forged.key}`);
      callback.searchParams.set('code', 'forged-code');
      callback.searchParams.set('state', flow.state);
      return finishFlow(callback, flow.app, forged);
    }

    it('accepts a well-formed token (the control: the forging provider itself is sound)', async () => {
      expect((await signInWithForgedToken({})).signedIn).toBe(true);
    });

    it('refuses an expired ID token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const { result, logged } = await loggedErrors(() => signInWithForgedToken({ claims: { iat: now - 3600, exp: now - 600 } }));
      expect(logged).toContain('"exp" (expiration time)');
      expect(result.signedIn).toBe(false);
      expect(result.location.searchParams.get('error')).toBeTruthy();
    });

    it('refuses an ID token of another issuer', async () => {
      const { result, logged } = await loggedErrors(() => signInWithForgedToken({ claims: { iss: op.issuer } }));
      expect(logged).toContain('"iss" (issuer)');
      expect(result.signedIn).toBe(false);
      expect(result.location.searchParams.get('error')).toBeTruthy();
    });

    it('refuses an ID token for another client', async () => {
      const { result, logged } = await loggedErrors(() => signInWithForgedToken({ claims: { aud: 'someone-else' } }));
      expect(logged).toContain('"aud" (audience)');
      expect(result.signedIn).toBe(false);
    });

    it('refuses an ID token signed with a key the provider does not publish', async () => {
      const result = await signInWithForgedToken({ foreignKey: true });
      expect(result.signedIn).toBe(false);
      expect(Object.fromEntries(result.location.searchParams)).toEqual({ tenant: 'acme.example', oidc: 'token' });
    });
  });

  describe('an unreachable provider and local break-glass', () => {
    it('cannot start a flow with a provider that does not answer', async () => {
      const gone = await addProvider('http://127.0.0.1:9', { displayName: 'Gone SSO' });
      await expect(discoverProvider(gone.issuer)).rejects.toThrow(/not reachable/);
      await expect(startFlow(gone)).rejects.toThrow();
    });

    it('refuses a provider on loopback unless the platform allows it', async () => {
      vi.stubEnv('PRIVATEJET_OUTBOUND_ALLOW', '');
      await expect(discoverProvider(op.issuer)).rejects.toThrow(/not reachable/);
      vi.stubEnv('PRIVATEJET_OUTBOUND_ALLOW', '127.0.0.1/32');
      await expect(discoverProvider(op.issuer)).resolves.toMatchObject({ issuer: op.issuer });
    });

    it('lets local admins sign in with a password when local passwords are for admins only, and nobody else', async () => {
      await database.db.insert(users).values({ tenantId: tenant.id, username: 'dev', displayName: 'Dev', passwordHash: await hashPassword('dev-password-1'), roles: ['subscriber'] });
      await database.db.update(users).set({ passwordHash: await hashPassword('admin-password-1') }).where(eq(users.id, admin.userId));
      await setLocalPasswordsAdminsOnly(admin, true);
      expect(await verifyCredentials(database.db, 'acme-admin@acme.example', 'admin-password-1', { clientAddress: '10.0.0.1' })).toMatchObject({ ok: true });
      expect(await verifyCredentials(database.db, 'dev@acme.example', 'dev-password-1', { clientAddress: '10.0.0.2' })).toEqual({ ok: false, reason: 'local_passwords_off' });
      await setLocalPasswordsAdminsOnly(admin, false);
      expect(await verifyCredentials(database.db, 'dev@acme.example', 'dev-password-1', { clientAddress: '10.0.0.3' })).toMatchObject({ ok: true });
      const [row] = await database.db.select({ flag: tenants.localPasswordsAdminsOnly }).from(tenants).where(eq(tenants.id, tenant.id));
      expect(row!.flag).toBe(false);
    });
  });
});
