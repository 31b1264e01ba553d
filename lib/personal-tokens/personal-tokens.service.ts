import { and, count, desc, eq, isNull, lt, or } from 'drizzle-orm';
import type { Actor } from '../actor';
import { requireRole } from '../actor';
import { recordAudit } from '../audit/audit.service';
import { db } from '../db/drizzle';
import { isUniqueViolation } from '../db/errors';
import { personalAccessTokens, tenants, users } from '../db/schema';
import { AppError, conflict, forbidden, invalid, notFound } from '../errors';
import { isUuid } from '../ids';
import { newSecret, sha256Hex } from '../oauth/credentials';
import { MAX_TOKENS_PER_USER, type CreatePersonalTokenInput } from './personal-tokens.schema';
import { effectiveScopes, rolesForScopes, scopesAllowedFor, type Scope } from './scopes';

/**
 * Personal access tokens: a user's own credentials for the REST API and the CLI. The token is
 * 256 random bits behind a recognisable prefix (so secret scanners and people can spot one);
 * only its SHA-256 is stored (lib/oauth/credentials.ts explains why a fast hash is enough).
 */

export const PERSONAL_TOKEN_PREFIX = 'pjp_';
const DISPLAY_PREFIX_LENGTH = PERSONAL_TOKEN_PREFIX.length + 8;
/** Last use is written at most this often per token, so a busy pipeline does not write on every call. */
const LAST_USE_RESOLUTION_MS = 60_000;

export type PersonalTokenStatus = 'active' | 'expired' | 'revoked';

/** What the owner sees of a token: never the token, nor its hash. */
export interface PersonalTokenView {
  id: string;
  name: string;
  displayPrefix: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedFrom: string | null;
  status: PersonalTokenStatus;
}

/** A presented token that checked out: who acts, with which scopes. */
export interface AuthenticatedToken {
  actor: Actor;
  /** The granted scopes the owner's roles still allow. */
  scopes: Scope[];
  token: { id: string; name: string; expiresAt: Date };
}

const viewColumns = {
  id: personalAccessTokens.id,
  name: personalAccessTokens.name,
  displayPrefix: personalAccessTokens.displayPrefix,
  scopes: personalAccessTokens.scopes,
  createdAt: personalAccessTokens.createdAt,
  expiresAt: personalAccessTokens.expiresAt,
  revokedAt: personalAccessTokens.revokedAt,
  lastUsedAt: personalAccessTokens.lastUsedAt,
  lastUsedFrom: personalAccessTokens.lastUsedFrom,
};

function statusOf(row: { revokedAt: Date | null; expiresAt: Date }, now: Date): PersonalTokenStatus {
  if (row.revokedAt) return 'revoked';
  return row.expiresAt.getTime() <= now.getTime() ? 'expired' : 'active';
}

/** Tokens are made and revoked by a person in the portal, never by another token. */
function requireSignedInPerson(actor: Actor | null | undefined): Actor {
  const person = requireRole(actor, 'admin', 'publisher', 'subscriber');
  if (person.via) throw forbidden('Personal access tokens are managed in the portal, signed in: a token cannot make or revoke tokens.');
  return person;
}

export async function listPersonalTokens(actor: Actor, now = new Date()): Promise<PersonalTokenView[]> {
  const person = requireSignedInPerson(actor);
  const rows = await (await db())
    .select(viewColumns)
    .from(personalAccessTokens)
    .where(and(eq(personalAccessTokens.userId, person.userId), eq(personalAccessTokens.tenantId, person.tenantId)))
    .orderBy(desc(personalAccessTokens.createdAt));
  return rows.map((row) => ({ ...row, status: statusOf(row, now) }));
}

/** Makes a token; the returned `token` is the only time it exists in clear. */
export async function createPersonalToken(actor: Actor, input: CreatePersonalTokenInput, now = new Date()): Promise<{ token: string; view: PersonalTokenView }> {
  const person = requireSignedInPerson(actor);
  const allowed = new Set<string>(scopesAllowedFor(person.roles));
  const beyond = input.scopes.filter((scope) => !allowed.has(scope));
  if (beyond.length > 0) {
    const message = `Your roles (${person.roles.join(', ')}) do not allow ${beyond.join(', ')}: a token can do only what you can.`;
    throw invalid(message, { scopes: [message] });
  }
  const database = await db();
  const [existing] = await database.select({ total: count() }).from(personalAccessTokens).where(eq(personalAccessTokens.userId, person.userId));
  if ((existing?.total ?? 0) >= MAX_TOKENS_PER_USER) {
    throw conflict(`You have ${MAX_TOKENS_PER_USER} tokens, the most one person may have; delete revoked or expired ones first.`);
  }
  const token = `${PERSONAL_TOKEN_PREFIX}${newSecret()}`;
  try {
    const row = await database.transaction(async (tx) => {
      const [inserted] = await tx
        .insert(personalAccessTokens)
        .values({
          tenantId: person.tenantId,
          userId: person.userId,
          name: input.name,
          displayPrefix: token.slice(0, DISPLAY_PREFIX_LENGTH),
          tokenHash: sha256Hex(token),
          scopes: [...new Set(input.scopes)],
          expiresAt: new Date(now.getTime() + input.expiresInDays * 24 * 60 * 60 * 1000),
          createdAt: now,
        })
        .returning(viewColumns);
      await recordAudit(tx, person, {
        action: 'personal-token.create',
        objectType: 'personal-token',
        objectId: inserted!.id,
        after: { name: inserted!.name, scopes: inserted!.scopes, expiresAt: inserted!.expiresAt, token: true },
      });
      return inserted;
    });
    return { token, view: { ...row!, status: statusOf(row!, now) } };
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('You already have a token with that name.', { name: ['You already have a token with that name.'] });
    throw error;
  }
}

/** Revokes one of the actor's own tokens at once; the next call with it is refused. */
export async function revokePersonalToken(actor: Actor, tokenId: string, now = new Date()): Promise<void> {
  const person = requireSignedInPerson(actor);
  if (!isUuid(tokenId)) throw notFound('That token');
  const own = and(eq(personalAccessTokens.id, tokenId), eq(personalAccessTokens.userId, person.userId), eq(personalAccessTokens.tenantId, person.tenantId));
  const database = await db();
  const [row] = await database.select({ id: personalAccessTokens.id, name: personalAccessTokens.name }).from(personalAccessTokens).where(own);
  if (!row) throw notFound('That token');
  await database.transaction(async (tx) => {
    const revoked = await tx.update(personalAccessTokens).set({ revokedAt: now }).where(and(own, isNull(personalAccessTokens.revokedAt))).returning({ id: personalAccessTokens.id });
    // Revoking a revoked token changes nothing.
    if (revoked.length > 0) await recordAudit(tx, person, { action: 'personal-token.revoke', objectType: 'personal-token', objectId: row.id, before: { name: row.name } });
  });
}

/** Removes a revoked or expired token from the list; an active one must be revoked first. */
export async function deletePersonalToken(actor: Actor, tokenId: string, now = new Date()): Promise<void> {
  const person = requireSignedInPerson(actor);
  if (!isUuid(tokenId)) throw notFound('That token');
  const own = and(eq(personalAccessTokens.id, tokenId), eq(personalAccessTokens.userId, person.userId), eq(personalAccessTokens.tenantId, person.tenantId));
  const database = await db();
  const [row] = await database.select({ name: personalAccessTokens.name, revokedAt: personalAccessTokens.revokedAt, expiresAt: personalAccessTokens.expiresAt }).from(personalAccessTokens).where(own);
  if (!row) throw notFound('That token');
  if (statusOf(row, now) === 'active') throw conflict('Revoke the token before removing it from the list.');
  await database.transaction(async (tx) => {
    await tx.delete(personalAccessTokens).where(own);
    await recordAudit(tx, person, { action: 'personal-token.delete', objectType: 'personal-token', objectId: tokenId, before: { name: row.name } });
  });
}

const unauthenticated = (message: string) => new AppError('unauthenticated', message);

/**
 * Checks a presented token: known, not revoked, not expired, its owner still enabled. The actor
 * it returns acts with only the roles its scopes need (see rolesForScopes), and names the token.
 */
export async function authenticatePersonalToken(presented: string, context: { clientAddress?: string; now?: Date } = {}): Promise<AuthenticatedToken> {
  const now = context.now ?? new Date();
  if (!presented.startsWith(PERSONAL_TOKEN_PREFIX) || presented.length > 200) {
    throw unauthenticated(`That is not a PrivateJet personal access token (they start with "${PERSONAL_TOKEN_PREFIX}").`);
  }
  const database = await db();
  const [row] = await database
    .select({
      id: personalAccessTokens.id,
      name: personalAccessTokens.name,
      scopes: personalAccessTokens.scopes,
      expiresAt: personalAccessTokens.expiresAt,
      revokedAt: personalAccessTokens.revokedAt,
      lastUsedAt: personalAccessTokens.lastUsedAt,
      userId: users.id,
      username: users.username,
      displayName: users.displayName,
      roles: users.roles,
      disabled: users.disabled,
      tenantId: tenants.id,
      tenantDomain: tenants.domain,
    })
    .from(personalAccessTokens)
    .innerJoin(users, and(eq(users.id, personalAccessTokens.userId), eq(users.tenantId, personalAccessTokens.tenantId)))
    .innerJoin(tenants, eq(tenants.id, personalAccessTokens.tenantId))
    .where(eq(personalAccessTokens.tokenHash, sha256Hex(presented)));
  if (!row) throw unauthenticated('The token is not known: it may have been mistyped or deleted.');
  if (row.revokedAt) throw unauthenticated(`The token "${row.name}" was revoked on ${row.revokedAt.toISOString()}.`);
  if (row.expiresAt.getTime() <= now.getTime()) throw unauthenticated(`The token "${row.name}" expired on ${row.expiresAt.toISOString()}; make a new one.`);
  if (row.disabled) throw unauthenticated('The account this token belongs to is disabled.');

  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USE_RESOLUTION_MS) {
    await database
      .update(personalAccessTokens)
      .set({ lastUsedAt: now, lastUsedFrom: context.clientAddress ?? null })
      .where(
        and(
          eq(personalAccessTokens.id, row.id),
          or(isNull(personalAccessTokens.lastUsedAt), lt(personalAccessTokens.lastUsedAt, new Date(now.getTime() - LAST_USE_RESOLUTION_MS))),
        ),
      );
  }
  const scopes = effectiveScopes(row.scopes, row.roles);
  return {
    actor: {
      userId: row.userId,
      username: row.username,
      displayName: row.displayName,
      tenantId: row.tenantId,
      tenantDomain: row.tenantDomain,
      roles: rolesForScopes(scopes),
      via: { tokenId: row.id, tokenName: row.name },
      clientAddress: context.clientAddress,
    },
    scopes,
    token: { id: row.id, name: row.name, expiresAt: row.expiresAt },
  };
}
