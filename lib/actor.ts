import { AppError, forbidden } from './errors';
import type { Role } from './db/schema';
import { SUPER_TENANT } from './super-tenant';

/** Who is calling: every domain function takes one and scopes its queries to `tenantId`. */
export interface Actor {
  userId: string;
  username: string;
  displayName: string;
  tenantId: string;
  tenantDomain: string;
  roles: Role[];
  /** Set when the caller came with a personal access token (REST API, CLI): which one, for attribution. */
  via?: { tokenId: string; tokenName: string };
  /** The client's network address (lib/http/client-address.ts), for the audit log; unknown outside a request. */
  clientAddress?: string;
}

/** How a change is attributed: the user, and the token when one was used. */
export function actorLabel(actor: Pick<Actor, 'username' | 'via'>): string {
  return actor.via ? `${actor.username} (token "${actor.via.tokenName}")` : actor.username;
}

/** Admins may do everything in their tenant; other roles only what they name. */
export function hasRole(actor: Actor | null | undefined, ...allowed: Role[]): boolean {
  if (!actor) return false;
  return actor.roles.includes('admin') || actor.roles.some((role) => allowed.includes(role));
}

export function requireRole(actor: Actor | null | undefined, ...allowed: Role[]): Actor {
  if (!actor) throw new AppError('unauthenticated', 'Please sign in.');
  if (!hasRole(actor, ...allowed)) throw forbidden();
  return actor;
}

export function isSuperTenantAdmin(actor: Actor | null | undefined): boolean {
  return !!actor && actor.tenantDomain === SUPER_TENANT && actor.roles.includes('admin');
}

export function requireSuperTenantAdmin(actor: Actor | null | undefined): Actor {
  requireRole(actor, 'admin');
  if (!isSuperTenantAdmin(actor)) throw forbidden('Only an administrator of the super tenant can do that.');
  return actor!;
}

/** Refuses any object of another tenant as if it did not exist, so ids leak nothing. */
export function requireSameTenant<T extends { tenantId: string }>(actor: Actor, row: T | undefined, what: string): T {
  if (!row || row.tenantId !== actor.tenantId) throw new AppError('not_found', `${what} was not found.`);
  return row;
}
