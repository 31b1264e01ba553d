import { and, eq } from 'drizzle-orm';
import type { Actor } from '../actor';
import { requireRole } from '../actor';
import { recordAudit } from '../audit/audit.service';
import { db } from '../db/drizzle';
import { apiDocumentation, apis } from '../db/schema';
import { notFound } from '../errors';
import { isUuid } from '../ids';
import { saveDocumentationSchema, type SaveDocumentationInput } from './api-documentation.schema';

/**
 * The Markdown guide a publisher writes for an API. Stored as written; it is made safe where it is
 * shown (components/markdown/safe-markdown.tsx renders no HTML and only http, https and mailto
 * links), so a change of that policy applies to every guide already saved.
 */

export interface ApiDocumentationView {
  markdown: string;
  /** Null when the publisher has not written any yet. */
  updatedAt: Date | null;
}

/** The API's id when it is in the publisher's tenant; not found otherwise, so ids of other tenants leak nothing. */
async function publisherApiId(actor: Actor, apiId: string): Promise<string> {
  requireRole(actor, 'publisher');
  if (!isUuid(apiId)) throw notFound('That API');
  const [row] = await (await db())
    .select({ id: apis.id })
    .from(apis)
    .where(and(eq(apis.id, apiId), eq(apis.tenantId, actor.tenantId)));
  if (!row) throw notFound('That API');
  return row.id;
}

export async function apiDocumentationForPublisher(actor: Actor, apiId: string): Promise<ApiDocumentationView> {
  const id = await publisherApiId(actor, apiId);
  return (await storedApiDocumentation(id)) ?? { markdown: '', updatedAt: null };
}

/** Saves the guide; saving empty text removes it, and the portal shows no Documentation tab. */
export async function saveApiDocumentation(actor: Actor, input: SaveDocumentationInput): Promise<ApiDocumentationView> {
  const { apiId, markdown } = saveDocumentationSchema.parse(input);
  const id = await publisherApiId(actor, apiId);
  const updatedAt = new Date();
  // One audit record in the same transaction: the size of the guide before and after, not its text.
  return (await db()).transaction(async (tx) => {
    const [before] = await tx.select({ markdown: apiDocumentation.markdown }).from(apiDocumentation).where(eq(apiDocumentation.apiId, id));
    const removing = !markdown.trim();
    if (removing) {
      await tx.delete(apiDocumentation).where(eq(apiDocumentation.apiId, id));
    } else {
      await tx
        .insert(apiDocumentation)
        .values({ apiId: id, markdown, updatedBy: actor.userId, updatedAt })
        .onConflictDoUpdate({ target: apiDocumentation.apiId, set: { markdown, updatedBy: actor.userId, updatedAt } });
    }
    await recordAudit(tx, actor, {
      action: removing ? 'api.documentation.delete' : 'api.documentation.update',
      objectType: 'api',
      objectId: id,
      before: { characters: before?.markdown.length ?? 0 },
      after: { characters: removing ? 0 : markdown.length },
    });
    return removing ? { markdown: '', updatedAt: null } : { markdown, updatedAt };
  });
}

/**
 * The guide of an API whose visibility the caller already checked (the portal Overview, after
 * its own access checks). Not exported from a page: every reader goes through a checked path.
 */
export async function storedApiDocumentation(apiId: string): Promise<ApiDocumentationView | null> {
  const [row] = await (await db())
    .select({ markdown: apiDocumentation.markdown, updatedAt: apiDocumentation.updatedAt })
    .from(apiDocumentation)
    .where(eq(apiDocumentation.apiId, apiId));
  return row ?? null;
}
