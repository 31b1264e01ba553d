import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GET as jwksEndpoint } from '../../app/oauth2/jwks/route';
import { createApplication, generateApplicationKeys } from '../applications/applications.service';
import type { DatabaseHandle } from '../db/drizzle';
import { freshTestDatabase } from '../test-support/test-database';
import { publicJwks } from './jwks';
import { ensureSigningKeys } from './signing-keys';
import { insertTenant, insertUser, useThrowawaySecretKey } from '../test-support/oauth-fixtures';
import { issueClientCredentialsToken } from './token.service';

// Gateways deployed before the first token is issued render the JWKS into their config: it must
// hold keys from start-up on (lib/startup.ts calls ensureSigningKeys before serving).

let database: DatabaseHandle;

beforeAll(async () => {
  useThrowawaySecretKey();
  database = await freshTestDatabase();
});

afterAll(async () => {
  await database.close();
});

it('is empty on a new database, and holds the signing and the next key right after start-up, before any token', async () => {
  expect((await publicJwks()).keys).toEqual([]);
  await ensureSigningKeys();
  const { keys } = (await (await jwksEndpoint()).json()) as { keys: Array<Record<string, unknown>> };
  expect(keys).toHaveLength(2);
  for (const key of keys) expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });

  // A second start keeps them: gateways need not be given new keys for a restart.
  await ensureSigningKeys();
  expect((await publicJwks()).keys.map((key) => key.kid)).toEqual(keys.map((key) => key.kid));

  // The first token is signed by one of the keys published at start-up.
  const tenant = await insertTenant(database.db, 'jwks.test');
  const developer = await insertUser(database.db, tenant, 'jo', ['subscriber']);
  const application = await createApplication(developer, { name: 'First app', description: '', tier: 'Gold' });
  const { key, consumerSecret } = await generateApplicationKeys(developer, application.id, { tokenValiditySeconds: 300, tokenType: 'JWT' });
  const { access_token } = await issueClientCredentialsToken({ clientId: key.consumerKey, clientSecret: consumerSecret });
  expect(keys.map((published) => published.kid)).toContain(decodeProtectedHeader(access_token).kid);
});
