import { unstable_rethrow } from 'next/navigation';
import { z } from 'zod';
import { echoableValues, formDataToObject, zodFieldErrors } from './form-data';
import { isPrivilegeRefusal, recordRefusal } from '../audit/audit.service';
import type { Actor } from '../actor';
import { requireRole } from '../actor';
import { currentActor } from '../auth/session';
import type { Role } from '../db/schema';
import { AppError, isUserVisible, logUnexpected, type FieldErrors } from '../errors';

/** What every form action returns to `useActionState`. */
export interface ActionState<T = undefined> {
  status: 'idle' | 'success' | 'error';
  message?: string;
  fieldErrors?: FieldErrors;
  data?: T;
  /** What the user typed, echoed back after an error so the form keeps it (never secrets). */
  values?: Record<string, string | string[]>;
}

export const idleState: ActionState<never> = { status: 'idle' };

function errorState<T>(error: unknown, context: string): ActionState<T> {
  unstable_rethrow(error); // redirects and notFound() must pass through
  if (isUserVisible(error)) {
    return { status: 'error', message: error.message, fieldErrors: error.fieldErrors };
  }
  const reference = logUnexpected(error, context);
  return { status: 'error', message: `Something went wrong on our side (reference ${reference}). Please try again.` };
}

/** A handler returns the state to show (a success message, data) or nothing for plain success. */
type Handler<S extends z.ZodType, A, T> = (input: z.infer<S>, actor: A) => Promise<ActionState<T> | void>;

/**
 * The one wrapper every form action goes through: resolve and authorize the caller,
 * validate the form with zod (field errors come back next to the inputs), run one
 * domain call, and turn errors into a message the user can act on.
 * `roles: 'anyone'` is for sign-in and sign-up; everything else names its roles.
 */
/** Names a server action in the audit log when it is refused (see recordRefusal). */
export interface AuditedAs {
  action: string;
  objectType: string;
}

/** Records a refusal of a signed-in caller; other errors pass by. */
async function auditRefusal(actor: Actor | null, error: unknown, audit: AuditedAs | undefined, objectId?: string | null): Promise<void> {
  if (actor && isPrivilegeRefusal(error)) {
    await recordRefusal(actor, { action: audit?.action ?? 'server-action', objectType: audit?.objectType ?? 'unknown', objectId: objectId ?? null }, error.message);
  }
}

export function validatedAction<S extends z.ZodType, T = undefined>(
  options: { schema: S; roles: 'anyone'; audit?: AuditedAs },
  handler: Handler<S, Actor | null, T>,
): (previous: ActionState<T>, formData: FormData) => Promise<ActionState<T>>;
export function validatedAction<S extends z.ZodType, T = undefined>(
  options: { schema: S; roles: Role[]; audit?: AuditedAs },
  handler: Handler<S, Actor, T>,
): (previous: ActionState<T>, formData: FormData) => Promise<ActionState<T>>;
export function validatedAction<S extends z.ZodType, T>(
  options: { schema: S; roles: Role[] | 'anyone'; audit?: AuditedAs },
  handler: Handler<S, Actor, T>,
) {
  return async (_previous: ActionState<T>, formData: FormData): Promise<ActionState<T>> => {
    const fields = formDataToObject(formData);
    let actor: Actor | null = null;
    try {
      actor = await currentActor();
      if (options.roles !== 'anyone') requireRole(actor, ...options.roles);
      const parsed = options.schema.safeParse(fields);
      if (!parsed.success) {
        return { status: 'error', message: 'Please correct the highlighted fields.', fieldErrors: zodFieldErrors(parsed.error), values: echoableValues(fields) };
      }
      const result = await handler(parsed.data, actor as Actor);
      if (!result) return { status: 'success' };
      return result.status === 'error' ? { values: echoableValues(fields), ...result } : result;
    } catch (error) {
      await auditRefusal(actor, error, options.audit);
      return { ...errorState<T>(error, `action ${handler.name || 'anonymous'}`), values: echoableValues(fields) };
    }
  };
}

/** For actions called with arguments rather than a form (buttons, toggles). */
export async function runAction<T>(
  roles: Role[],
  body: (actor: Actor) => Promise<T>,
  audit?: AuditedAs & { objectId?: string },
): Promise<ActionState<T>> {
  let signedIn: Actor | null = null;
  try {
    signedIn = await currentActor();
    const actor = requireRole(signedIn, ...roles);
    return { status: 'success', data: await body(actor) };
  } catch (error) {
    await auditRefusal(signedIn, error, audit, audit?.objectId);
    return errorState<T>(error, 'action');
  }
}

export { AppError };
