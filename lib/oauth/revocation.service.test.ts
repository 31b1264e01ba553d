import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplication, generateApplicationKeys } from '../applications/applications.service';
import type { DatabaseHandle } from '../db/drizzle';
import { freshTestDatabase } from '../test-support/test-database';
import { introspect } from './introspection.service';
import { revokeToken } from './revocation.service';
import { insertTenant, insertUser, useThrowawaySecretKey } from '../test-support/oauth-fixtures';
import { issueClientCredentialsToken } from './token.service';

let database: DatabaseHandle;
let clientA: { clientId: string; clientSecret: string };
let clientB: { clientId: string; clientSecret: string };

beforeAll(async () => {
  useThrowawaySecretKey();
  database = await freshTestDatabase();
  const tenant = await insertTenant(database.db, 'revoke.test');
  const developer = await insertUser(database.db, tenant, 'rita', ['subscriber']);
  for (const [name, tokenType] of [['A', 'JWT'], ['B', 'OPAQUE']] as const) {
    const application = await createApplication(developer, { name, description: '', tier: 'Unlimited' });
    const { key, consumerSecret } = await generateApplicationKeys(developer, application.id, { tokenValiditySeconds: 600, tokenType });
    if (name === 'A') clientA = { clientId: key.consumerKey, clientSecret: consumerSecret };
    else clientB = { clientId: key.consumerKey, clientSecret: consumerSecret };
  }
});

afterAll(async () => {
  await database.close();
});

describe('token revocation', () => {
  it('revokes a JWT and an opaque token for their own client', async () => {
    const jwt = (await issueClientCredentialsToken(clientA)).access_token;
    const opaque = (await issueClientCredentialsToken(clientB)).access_token;
    await revokeToken(jwt, clientA);
    await revokeToken(opaque, clientB);
    expect(await introspect(jwt, clientA)).toEqual({ active: false });
    expect(await introspect(opaque, clientB)).toEqual({ active: false });
    // Revoking again changes nothing and is no error.
    await expect(revokeToken(jwt, clientA)).resolves.toBeUndefined();
  });

  it('refuses to revoke another client’s token and leaves it active', async () => {
    const tokenOfB = (await issueClientCredentialsToken(clientB)).access_token;
    await expect(revokeToken(tokenOfB, clientA)).rejects.toMatchObject({ code: 'unauthorized_client' });
    expect((await introspect(tokenOfB, clientB)).active).toBe(true);
  });

  it('accepts an unknown token silently but not a wrong secret', async () => {
    await expect(revokeToken('unknown-token', clientA)).resolves.toBeUndefined();
    await expect(revokeToken('unknown-token', { ...clientA, clientSecret: 'wrong' })).rejects.toMatchObject({ code: 'invalid_client' });
  });
});
