import { and, desc, eq, gte, ilike, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../actor';
import { isSuperTenantAdmin, requireRole } from '../actor';
import { db, type Database } from '../db/drizzle';
import { auditEvents, type AuditChannel, type AuditOutcome } from '../db/schema';
import { AppError } from '../errors';
import type { AuditFilters } from './audit.schema';
import { auditSummary, type AuditSummary } from './redaction';

/**
 * The audit log (issue: "who changed this, and when"). Every change made through a page, a
 * server action or the REST API calls recordAudit with the transaction that makes the change,
 * so a change that rolls back leaves no record and a record never describes a change that did
 * not happen. Refusals of privileged actions are recorded on their own (recordRefusal).
 */

/** A database or an open transaction: anything that can insert. */
export type AuditWriter = Pick<Database, 'insert'>;

/** Who acted, as a record keeps it: copied, not referenced, so it outlives the user and token. */
export interface AuditActor {
  userId: string | null;
  username: string;
  tenantId: string;
  tenantDomain: string;
  channel: AuditChannel;
  tokenId?: string | null;
  tokenName?: string | null;
  clientAddress?: string | null;
}

export function auditActorOf(actor: Actor): AuditActor {
  return {
    userId: actor.userId,
    username: actor.username,
    tenantId: actor.tenantId,
    tenantDomain: actor.tenantDomain,
    channel: actor.via ? 'token' : 'session',
    tokenId: actor.via?.tokenId ?? null,
    tokenName: actor.via?.tokenName ?? null,
    clientAddress: actor.clientAddress ?? null,
  };
}

/** What changed. `before`/`after` are plain objects; lib/audit/redaction.ts decides what of them is kept. */
export interface AuditChange {
  /** `<object type>.<verb>`, e.g. api.update, subscription.block. */
  action: string;
  objectType: string;
  objectId?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  note?: string;
}

function rowOf(who: AuditActor, change: AuditChange, outcome: AuditOutcome, reason?: string) {
  return {
    tenantId: who.tenantId,
    tenantDomain: who.tenantDomain,
    actorUserId: who.userId,
    actorUsername: who.username,
    channel: who.channel,
    tokenId: who.tokenId ?? null,
    tokenName: who.tokenName ?? null,
    clientAddress: who.clientAddress ?? null,
    action: change.action,
    objectType: change.objectType,
    objectId: change.objectId ?? null,
    summary: auditSummary(change) as Record<string, unknown>,
    outcome,
    reason: reason ?? null,
  };
}

/** Records a change that succeeded. Call it with the transaction that makes the change. */
export async function recordAudit(tx: AuditWriter, actor: Actor | AuditActor, change: AuditChange): Promise<void> {
  const who = 'channel' in actor ? actor : auditActorOf(actor);
  await tx.insert(auditEvents).values(rowOf(who, change, 'ok'));
}

/**
 * Records a refused privileged action (a role or tenant check failed) in its own small
 * transaction: the refused work rolled back, its refusal must not. Never throws: failing to log
 * a refusal must not turn the refusal into an error page.
 */
export async function recordRefusal(actor: Actor, change: Omit<AuditChange, 'before' | 'after'>, reason: string): Promise<void> {
  try {
    await (await db()).insert(auditEvents).values(rowOf(auditActorOf(actor), change, 'refused', reason.slice(0, 500)));
  } catch (error) {
    console.error('audit: recording a refusal failed:', error);
  }
}

/** True for the errors recordRefusal is for: an authenticated caller refused by a role or tenant check. */
export function isPrivilegeRefusal(error: unknown): error is AppError {
  return error instanceof AppError && error.kind === 'forbidden';
}

/** One record as the admin page and the export show it. */
export interface AuditRecordView {
  id: string;
  at: Date;
  tenantDomain: string;
  actorUserId: string | null;
  actorUsername: string;
  channel: AuditChannel;
  tokenName: string | null;
  clientAddress: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  summary: AuditSummary;
  outcome: AuditOutcome;
  reason: string | null;
}

const viewColumns = {
  id: auditEvents.id,
  at: auditEvents.at,
  tenantDomain: auditEvents.tenantDomain,
  actorUserId: auditEvents.actorUserId,
  actorUsername: auditEvents.actorUsername,
  channel: auditEvents.channel,
  tokenName: auditEvents.tokenName,
  clientAddress: auditEvents.clientAddress,
  action: auditEvents.action,
  objectType: auditEvents.objectType,
  objectId: auditEvents.objectId,
  summary: auditEvents.summary,
  outcome: auditEvents.outcome,
  reason: auditEvents.reason,
};

/**
 * Who may read which records: a tenant's admins their tenant's, the super tenant's admins every
 * tenant's (optionally narrowed to one by domain). Anyone else is refused.
 */
function visibleTo(actor: Actor, filters: Partial<AuditFilters>): SQL | undefined {
  requireRole(actor, 'admin');
  const conditions: Array<SQL | undefined> = [];
  if (isSuperTenantAdmin(actor)) {
    if (filters.tenant) conditions.push(eq(auditEvents.tenantDomain, filters.tenant));
  } else {
    conditions.push(eq(auditEvents.tenantId, actor.tenantId));
  }
  if (filters.user) conditions.push(eq(auditEvents.actorUsername, filters.user));
  if (filters.action) conditions.push(or(eq(auditEvents.action, filters.action), ilike(auditEvents.action, `${filters.action.replace(/[\\%_]/g, '\\$&')}.%`)));
  if (filters.objectType) conditions.push(eq(auditEvents.objectType, filters.objectType));
  if (filters.objectId) conditions.push(eq(auditEvents.objectId, filters.objectId));
  if (filters.outcome) conditions.push(eq(auditEvents.outcome, filters.outcome));
  if (filters.from) conditions.push(gte(auditEvents.at, filters.from));
  if (filters.to) conditions.push(lte(auditEvents.at, filters.to));
  return and(...conditions);
}

export const AUDIT_PAGE_SIZE = 50;
/** Pages further back than this are reached by narrowing the time range: offsets stay cheap. */
export const AUDIT_MAX_PAGE = 200;

export interface AuditPage {
  records: AuditRecordView[];
  page: number;
  hasNext: boolean;
}

/** A page of the log, newest first (the admin page). */
export async function auditLogPage(actor: Actor, filters: Partial<AuditFilters>, page = 1): Promise<AuditPage> {
  const where = visibleTo(actor, filters);
  const bounded = Math.min(Math.max(1, Math.floor(page)), AUDIT_MAX_PAGE);
  const rows = await (await db())
    .select(viewColumns)
    .from(auditEvents)
    .where(where)
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(AUDIT_PAGE_SIZE + 1)
    .offset((bounded - 1) * AUDIT_PAGE_SIZE);
  return { records: rows.slice(0, AUDIT_PAGE_SIZE) as AuditRecordView[], page: bounded, hasNext: rows.length > AUDIT_PAGE_SIZE && bounded < AUDIT_MAX_PAGE };
}

/** The most rows one export carries; narrow the filters (time range) for more. */
export const AUDIT_EXPORT_MAX_ROWS = 100_000;
const EXPORT_BATCH = 1_000;

/**
 * The records of an export, newest first, read in batches by (at, id) so memory stays flat while
 * the response streams. The access check runs before the first row; at most AUDIT_EXPORT_MAX_ROWS.
 */
export function auditRecordsForExport(actor: Actor, filters: Partial<AuditFilters>): AsyncGenerator<AuditRecordView> {
  // Checked now, before a response starts: a refused caller gets a status, not an empty stream.
  const where = visibleTo(actor, filters);
  return exportBatches(where);
}

async function* exportBatches(where: SQL | undefined): AsyncGenerator<AuditRecordView> {
  const database = await db();
  let cursor: { at: Date; id: string } | null = null;
  let sent = 0;
  while (sent < AUDIT_EXPORT_MAX_ROWS) {
    const after: SQL | undefined = cursor ? sql`(${auditEvents.at}, ${auditEvents.id}) < (${cursor.at.toISOString()}::timestamptz, ${cursor.id}::uuid)` : undefined;
    const rows = (await database
      .select(viewColumns)
      .from(auditEvents)
      .where(and(where, after))
      .orderBy(desc(auditEvents.at), desc(auditEvents.id))
      .limit(Math.min(EXPORT_BATCH, AUDIT_EXPORT_MAX_ROWS - sent))) as AuditRecordView[];
    for (const row of rows) yield row;
    sent += rows.length;
    if (rows.length < EXPORT_BATCH) return;
    const last = rows[rows.length - 1]!;
    cursor = { at: last.at, id: last.id };
  }
}

/** The values the page's filter lists offer: the actions and object types seen in the visible records. */
export async function auditFilterChoices(actor: Actor): Promise<{ actions: string[]; objectTypes: string[] }> {
  const where = visibleTo(actor, {});
  const database = await db();
  const [actions, objectTypes] = await Promise.all([
    database.selectDistinct({ value: auditEvents.action }).from(auditEvents).where(where).orderBy(auditEvents.action).limit(200),
    database.selectDistinct({ value: auditEvents.objectType }).from(auditEvents).where(where).orderBy(auditEvents.objectType).limit(100),
  ]);
  return { actions: actions.map((r) => r.value), objectTypes: objectTypes.map((r) => r.value) };
}

/**
 * Deletes records older than the retention. The append-only trigger lets a DELETE through only
 * for rows older than the cutoff this transaction sets, so nothing else can use this path.
 */
export async function purgeExpiredAuditEvents(retentionDays: number, now: Date = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 24 * 60 * 60 * 1000);
  return (await db()).transaction(async (tx) => {
    await tx.execute(sql`select set_config('privatejet.audit_purge_before', ${cutoff.toISOString()}, true)`);
    const deleted = await tx.delete(auditEvents).where(lt(auditEvents.at, cutoff)).returning({ id: auditEvents.id });
    return deleted.length;
  });
}
