import { and, asc, eq, gt, inArray, isNull } from 'drizzle-orm';
import type { Actor } from '../actor';
import { requireRole } from '../actor';
import { recordAudit } from '../audit/audit.service';
import { db } from '../db/drizzle';
import { isUuid } from '../ids';
import { isUniqueViolation } from '../db/errors';
import { accessTokens, applicationKeys, applications, subscriptions } from '../db/schema';
import { type KeyType } from '../key-types';
import { AppError, conflict, invalid, notFound } from '../errors';
import { describeDuration } from '../durations';
import { effectiveTokenLifetime, maxTokenLifetimeSeconds } from '../oauth/token-lifetime';
import { newConsumerKey, newSecret, sha256Hex } from '../oauth/credentials';
import { recordRevokedGrants } from '../oauth/gateway-revocations';
import { issueAccessToken, type TokenResponse } from '../oauth/token.service';
import type { ApplicationInput, KeySettings, TokenType } from './applications.schema';

/**
 * A developer's applications and their keys: a production pair and a sandbox pair (WSO2's two key
 * types), each with its own consumer key, secret and token settings; tokens of a sandbox key reach
 * an API's sandbox endpoint. Every function works only on the
 * signed-in developer's own applications: another user's application is "not found", like
 * one that does not exist. Secrets leave this module once, in `GeneratedCredentials`.
 */

export interface ApplicationSummary {
  id: string;
  name: string;
  description: string;
  tier: string;
  createdAt: Date;
  hasProductionKeys: boolean;
  hasSandboxKeys: boolean;
}

/** What the portal shows of a key: never the secret, nor its hash. */
export interface ApplicationKeyInfo {
  keyType: KeyType;
  consumerKey: string;
  tokenValiditySeconds: number;
  tokenType: TokenType;
  createdAt: Date;
}

export interface ApplicationDetails extends ApplicationSummary {
  productionKey: ApplicationKeyInfo | null;
  sandboxKey: ApplicationKeyInfo | null;
}

/** Returned when a secret is made: the only time the consumer secret can be seen. */
export interface GeneratedCredentials {
  key: ApplicationKeyInfo;
  consumerSecret: string;
}

const applicationColumns = {
  id: applications.id,
  name: applications.name,
  description: applications.description,
  tier: applications.tier,
  createdAt: applications.createdAt,
};

const keyInfoColumns = {
  keyType: applicationKeys.keyType,
  consumerKey: applicationKeys.consumerKey,
  tokenValiditySeconds: applicationKeys.tokenValiditySeconds,
  tokenType: applicationKeys.tokenType,
  createdAt: applicationKeys.createdAt,
};

const applicationNotFound = () => notFound('That application');
const nameTaken = () =>
  conflict('You already have an application with that name.', { name: ['You already have an application with that name.'] });
export const KEY_TYPE_LABELS: Record<KeyType, string> = { PRODUCTION: 'production', SANDBOX: 'sandbox' };
const noKeysYet = (keyType: KeyType) => new AppError('not_found', `This application has no ${KEY_TYPE_LABELS[keyType]} keys yet; generate them first.`);
const keyOfType = (applicationId: string, keyType: KeyType) => and(eq(applicationKeys.applicationId, applicationId), eq(applicationKeys.keyType, keyType));


const ownedBy = (actor: Actor, applicationId: string) =>
  and(eq(applications.id, applicationId), eq(applications.ownerId, actor.userId), eq(applications.tenantId, actor.tenantId));

/** The actor's own application, or not_found; also the ownership check other features (subscriptions) use. */
export async function requireOwnApplication(
  actor: Actor,
  applicationId: string,
): Promise<Omit<ApplicationSummary, 'hasProductionKeys' | 'hasSandboxKeys'> & { tenantId: string }> {
  requireRole(actor, 'subscriber');
  if (!isUuid(applicationId)) throw applicationNotFound();
  const [row] = await (await db())
    .select({ ...applicationColumns, tenantId: applications.tenantId })
    .from(applications)
    .where(ownedBy(actor, applicationId));
  if (!row) throw applicationNotFound();
  return row;
}

async function keysOf(applicationId: string): Promise<Record<KeyType, ApplicationKeyInfo | null>> {
  const keys = await (await db()).select(keyInfoColumns).from(applicationKeys).where(eq(applicationKeys.applicationId, applicationId));
  const ofType = (keyType: KeyType) => {
    const key = keys.find((k) => k.keyType === keyType);
    return key ? withEffectiveLifetime(key) : null;
  };
  return { PRODUCTION: ofType('PRODUCTION'), SANDBOX: ofType('SANDBOX') };
}

export async function listApplications(actor: Actor): Promise<ApplicationSummary[]> {
  requireRole(actor, 'subscriber');
  const database = await db();
  const rows = await database
    .select(applicationColumns)
    .from(applications)
    .where(and(eq(applications.ownerId, actor.userId), eq(applications.tenantId, actor.tenantId)))
    .orderBy(asc(applications.name));
  if (rows.length === 0) return [];
  const keys = await database
    .select({ applicationId: applicationKeys.applicationId, keyType: applicationKeys.keyType })
    .from(applicationKeys)
    .where(inArray(applicationKeys.applicationId, rows.map((row) => row.id)));
  const has = (applicationId: string, keyType: KeyType) => keys.some((key) => key.applicationId === applicationId && key.keyType === keyType);
  return rows.map((application) => ({ ...application, hasProductionKeys: has(application.id, 'PRODUCTION'), hasSandboxKeys: has(application.id, 'SANDBOX') }));
}

export async function getApplication(actor: Actor, applicationId: string): Promise<ApplicationDetails> {
  const { tenantId: _tenantId, ...application } = await requireOwnApplication(actor, applicationId);
  const keys = await keysOf(applicationId);
  return {
    ...application,
    hasProductionKeys: keys.PRODUCTION !== null,
    hasSandboxKeys: keys.SANDBOX !== null,
    productionKey: keys.PRODUCTION,
    sandboxKey: keys.SANDBOX,
  };
}

export async function createApplication(actor: Actor, input: ApplicationInput): Promise<ApplicationSummary> {
  requireRole(actor, 'subscriber');
  try {
    return await (await db()).transaction(async (tx) => {
      const [created] = await tx
        .insert(applications)
        .values({ tenantId: actor.tenantId, ownerId: actor.userId, name: input.name, description: input.description, tier: input.tier })
        .returning(applicationColumns);
      await recordAudit(tx, actor, { action: 'application.create', objectType: 'application', objectId: created!.id, after: { ...input } });
      return { ...created!, hasProductionKeys: false, hasSandboxKeys: false };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
}

/** New name, description or tier; tokens carry the new tier once they are refreshed. */
export async function updateApplication(actor: Actor, applicationId: string, input: ApplicationInput): Promise<ApplicationDetails> {
  const before = await requireOwnApplication(actor, applicationId);
  try {
    await (await db()).transaction(async (tx) => {
      await tx.update(applications).set({ name: input.name, description: input.description, tier: input.tier }).where(ownedBy(actor, applicationId));
      await recordAudit(tx, actor, {
        action: 'application.update',
        objectType: 'application',
        objectId: applicationId,
        before: { name: before.name, description: before.description, tier: before.tier },
        after: { name: input.name, description: input.description, tier: input.tier },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
  return getApplication(actor, applicationId);
}

/** Deletes the application with its keys, subscriptions and token records (introspection then says inactive). */
export async function deleteApplication(actor: Actor, applicationId: string): Promise<void> {
  const application = await requireOwnApplication(actor, applicationId);
  await (await db()).transaction(async (tx) => {
    const granted = await tx
      .select({ tenantId: subscriptions.tenantId, apiId: subscriptions.apiId, applicationId: subscriptions.applicationId })
      .from(subscriptions)
      .where(and(eq(subscriptions.applicationId, applicationId), eq(subscriptions.status, 'ACTIVE')));
    await tx.delete(applications).where(ownedBy(actor, applicationId));
    // Its tokens' records go with it: running gateways refuse the tokens by application instead.
    await recordRevokedGrants(tx, granted);
    await recordAudit(tx, actor, { action: 'application.delete', objectType: 'application', objectId: applicationId, before: { name: application.name, tier: application.tier } });
  });
}

/** The platform caps token lifetimes (lib/oauth/token-lifetime); asking for more is a field error. */
function checkTokenLifetime(settings: KeySettings): void {
  const max = maxTokenLifetimeSeconds();
  if (settings.tokenValiditySeconds > max) {
    const message = `Use at most ${max} seconds (${describeDuration(max)}): the longest token lifetime this platform allows.`;
    throw invalid(message, { tokenValiditySeconds: [message] });
  }
}

/** A key's validity as tokens get it: a value saved above today's platform maximum counts as the maximum. */
function withEffectiveLifetime<K extends { tokenValiditySeconds: number }>(key: K): K {
  return { ...key, tokenValiditySeconds: effectiveTokenLifetime(key.tokenValiditySeconds) };
}

/** The application's consumer key and secret of one key type; each type is generated once, then its secret regenerated. */
export async function generateApplicationKeys(actor: Actor, applicationId: string, settings: KeySettings, keyType: KeyType = 'PRODUCTION'): Promise<GeneratedCredentials> {
  await requireOwnApplication(actor, applicationId);
  checkTokenLifetime(settings);
  const consumerSecret = newSecret();
  try {
    return await (await db()).transaction(async (tx) => {
      const [key] = await tx
        .insert(applicationKeys)
        .values({
          applicationId,
          keyType,
          consumerKey: newConsumerKey(),
          consumerSecretHash: sha256Hex(consumerSecret),
          tokenValiditySeconds: settings.tokenValiditySeconds,
          tokenType: settings.tokenType,
        })
        .returning(keyInfoColumns);
      await recordAudit(tx, actor, {
        action: 'application.keys.generate',
        objectType: 'application',
        objectId: applicationId,
        after: { keyType, consumerKey: key!.consumerKey, consumerSecret: true, tokenValiditySeconds: key!.tokenValiditySeconds, tokenType: key!.tokenType },
      });
      return { key: withEffectiveLifetime(key!), consumerSecret };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw conflict(`This application already has ${KEY_TYPE_LABELS[keyType]} keys; regenerate the consumer secret to get a new secret.`);
    }
    throw error;
  }
}

/** A new secret for the same consumer key; the old secret stops working at once, issued tokens stay valid. */
export async function regenerateConsumerSecret(actor: Actor, applicationId: string, keyType: KeyType = 'PRODUCTION'): Promise<GeneratedCredentials> {
  await requireOwnApplication(actor, applicationId);
  const consumerSecret = newSecret();
  const key = await (await db()).transaction(async (tx) => {
    const [updated] = await tx
      .update(applicationKeys)
      .set({ consumerSecretHash: sha256Hex(consumerSecret) })
      .where(keyOfType(applicationId, keyType))
      .returning(keyInfoColumns);
    if (!updated) throw noKeysYet(keyType);
    await recordAudit(tx, actor, {
      action: 'application.secret.regenerate',
      objectType: 'application',
      objectId: applicationId,
      // Flags, never the secret: the summary says "secret replaced".
      before: { keyType, consumerKey: updated.consumerKey, consumerSecret: 'previous' },
      after: { keyType, consumerKey: updated.consumerKey, consumerSecret: 'new' },
    });
    return updated;
  });
  return { key: withEffectiveLifetime(key), consumerSecret };
}

/** Applies to tokens issued from now on; tokens already out keep their validity. */
export async function updateKeySettings(actor: Actor, applicationId: string, settings: KeySettings, keyType: KeyType = 'PRODUCTION'): Promise<ApplicationKeyInfo> {
  await requireOwnApplication(actor, applicationId);
  checkTokenLifetime(settings);
  const keyOfThisType = keyOfType(applicationId, keyType);
  const key = await (await db()).transaction(async (tx) => {
    const [before] = await tx.select(keyInfoColumns).from(applicationKeys).where(keyOfThisType);
    if (!before) throw noKeysYet(keyType);
    const [updated] = await tx
      .update(applicationKeys)
      .set({ tokenValiditySeconds: settings.tokenValiditySeconds, tokenType: settings.tokenType })
      .where(keyOfThisType)
      .returning(keyInfoColumns);
    await recordAudit(tx, actor, {
      action: 'application.keys.update',
      objectType: 'application',
      objectId: applicationId,
      before: { keyType, tokenValiditySeconds: before.tokenValiditySeconds, tokenType: before.tokenType },
      after: { keyType, ...settings },
    });
    return updated!;
  });
  return withEffectiveLifetime(key);
}

/**
 * The portal's "Generate access token" button: the signed-in owner needs no secret (the session
 * is the authorization), and the token comes from the same issuing code as the token endpoint.
 */
export async function generateAccessTokenForApplication(actor: Actor, applicationId: string, keyType: KeyType = 'PRODUCTION'): Promise<TokenResponse> {
  const application = await requireOwnApplication(actor, applicationId);
  const [key] = await (await db())
    .select({
      consumerKey: applicationKeys.consumerKey,
      tokenValiditySeconds: applicationKeys.tokenValiditySeconds,
      tokenType: applicationKeys.tokenType,
      keyType: applicationKeys.keyType,
    })
    .from(applicationKeys)
    .where(keyOfType(applicationId, keyType));
  if (!key) throw noKeysYet(keyType);
  return issueAccessToken(
    { applicationId, tenantId: application.tenantId, ...key },
    {
      withRecord: (tx, record) =>
        recordAudit(tx, actor, { action: 'application.token.issue', objectType: 'application', objectId: applicationId, after: { keyType, jti: record.jti, expiresAt: record.expiresAt, tokenType: key.tokenType } }),
    },
  );
}

/**
 * Revokes every unexpired token of the application. Introspection (opaque tokens) sees it at
 * once; gateways verifying JWTs offline accept those until they expire.
 */
export async function revokeApplicationTokens(actor: Actor, applicationId: string, now: Date = new Date()): Promise<{ revokedCount: number }> {
  await requireOwnApplication(actor, applicationId);
  const revoked = await (await db()).transaction(async (tx) => {
    const rows = await tx
      .update(accessTokens)
      .set({ revokedAt: now })
      .where(and(eq(accessTokens.applicationId, applicationId), isNull(accessTokens.revokedAt), gt(accessTokens.expiresAt, now)))
      .returning({ jti: accessTokens.jti });
    await recordAudit(tx, actor, { action: 'application.tokens.revoke', objectType: 'application', objectId: applicationId, note: `${rows.length} token(s) revoked` });
    return rows;
  });
  return { revokedCount: revoked.length };
}
