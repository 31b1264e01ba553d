import { and, desc, eq, lt, notInArray, or, sql } from 'drizzle-orm';
import type { Actor } from '../actor';
import { requireRole } from '../actor';
import { db } from '../db/drizzle';
import { definitionUploads, type DefinitionSummary } from '../db/schema';
import { AppError, invalid, notFound } from '../errors';
import { readBoundedText } from '../http/bounded-body';
import { CHECKS_BUSY_MESSAGE, definitionChecksBusy } from './definition-check';
import { definitionTooLargeMessage, maxDefinitionBytes } from './definition-limits';
import { isUuid } from '../ids';
import { checkApiDefinition } from './openapi';

/**
 * Definitions uploaded by file or paste, checked and kept until the create form names them.
 * The text reaches this module only through a route handler that reads it under the size limit
 * (app/api/publisher/definitions), so a form submission never carries megabytes.
 */

export interface StagedDefinition {
  id: string;
  fileName: string;
  summary: DefinitionSummary;
}

/** Uploads are kept for a day, and only a publisher's few most recent: enough to fix a form and submit again. */
const UPLOAD_LIFETIME_MS = 24 * 60 * 60 * 1000;
const UPLOADS_KEPT_PER_USER = 4;

export function cleanFileName(name: string | null | undefined): string {
  return (name ?? '')
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 200);
}

/**
 * The upload route's work: the raw request body (a file or pasted text) read under the size limit
 * (too_large past it, the rest never read), checked and kept. `X-Definition-Name` names the file.
 */
export async function stageDefinitionFromRequest(actor: Actor, request: Request): Promise<StagedDefinition> {
  requireRole(actor, 'publisher');
  // Before reading megabytes that would only wait in memory for a worker.
  if (definitionChecksBusy()) throw new AppError('unavailable', CHECKS_BUSY_MESSAGE);
  const limit = maxDefinitionBytes();
  const text = await readBoundedText(request, limit).catch((error: unknown) => {
    if (error instanceof AppError && error.kind === 'too_large') throw new AppError('too_large', definitionTooLargeMessage(limit), { definition: [definitionTooLargeMessage(limit)] });
    throw error;
  });
  if (!text.trim()) throw invalid('The definition is empty.', { definition: ['The definition is empty.'] });
  const rawName = request.headers.get('x-definition-name') ?? '';
  let fileName = rawName;
  try {
    fileName = decodeURIComponent(rawName);
  } catch {
    // kept as sent
  }
  return stageDefinition(actor, { text, fileName });
}

/** Checks the text in the bounded worker and keeps the result for the caller; errors name what is wrong. */
export async function stageDefinition(actor: Actor, input: { text: string; fileName?: string | null }): Promise<StagedDefinition> {
  requireRole(actor, 'publisher');
  const { json, summary } = await checkApiDefinition(input.text);
  const database = await db();
  const fileName = cleanFileName(input.fileName);
  const [row] = await database
    .insert(definitionUploads)
    .values({ tenantId: actor.tenantId, userId: actor.userId, fileName, document: sql`${json}::jsonb`, summary })
    .returning({ id: definitionUploads.id });
  await pruneUploads(actor.userId);
  return { id: row!.id, fileName, summary };
}

async function pruneUploads(userId: string): Promise<void> {
  const database = await db();
  const kept = database
    .select({ id: definitionUploads.id })
    .from(definitionUploads)
    .where(eq(definitionUploads.userId, userId))
    .orderBy(desc(definitionUploads.createdAt))
    .limit(UPLOADS_KEPT_PER_USER);
  await database
    .delete(definitionUploads)
    .where(
      or(
        lt(definitionUploads.createdAt, new Date(Date.now() - UPLOAD_LIFETIME_MS)),
        and(eq(definitionUploads.userId, userId), notInArray(definitionUploads.id, kept)),
      ),
    );
}

function ownUpload(actor: Actor, uploadId: string) {
  return and(eq(definitionUploads.id, uploadId), eq(definitionUploads.userId, actor.userId), eq(definitionUploads.tenantId, actor.tenantId));
}

/** The summary of one of the caller's uploads; not found for anyone else's. */
export async function stagedDefinition(actor: Actor, uploadId: string): Promise<StagedDefinition> {
  requireRole(actor, 'publisher');
  if (!isUuid(uploadId)) throw notFound('That uploaded definition');
  const [row] = await (await db())
    .select({ id: definitionUploads.id, fileName: definitionUploads.fileName, summary: definitionUploads.summary })
    .from(definitionUploads)
    .where(ownUpload(actor, uploadId));
  if (!row) throw notFound('That uploaded definition (uploads are kept for a day)');
  return row;
}

/** The checked document as JSON text, read on demand (the read-only view): Postgres writes the text, Node never parses it. */
export async function stagedDefinitionText(actor: Actor, uploadId: string): Promise<string> {
  requireRole(actor, 'publisher');
  if (!isUuid(uploadId)) throw notFound('That uploaded definition');
  const [row] = await (await db())
    .select({ text: sql<string>`${definitionUploads.document}::text` })
    .from(definitionUploads)
    .where(ownUpload(actor, uploadId));
  if (!row) throw notFound('That uploaded definition (uploads are kept for a day)');
  return row.text;
}

/** The condition that selects the caller's upload, for the API insert that copies its document inside the database. */
export function ownUploadCondition(actor: Actor, uploadId: string) {
  return ownUpload(actor, uploadId);
}
