import type { Role } from '../db/schema';

/**
 * What a personal access token may do. Each scope belongs to one role: a token gets only scopes
 * its owner's roles allow when it is made, and is narrowed again on every use to the roles the
 * owner still has, so a token never does more than its owner could in the pages.
 */
export const SCOPES = {
  'apis:read': { role: 'publisher', description: 'Read APIs, their definitions, clusters to pick, deployments and lifecycle history; export API files' },
  'apis:write': { role: 'publisher', description: 'Create, import, update and delete APIs; choose their clusters; apply API files' },
  'apis:publish': { role: 'publisher', description: 'Move APIs through their lifecycle (publish, block, retire…) and retry deployments' },
  'subscriptions:read': { role: 'publisher', description: "See who subscribes to the tenant's APIs" },
  'subscriptions:manage': { role: 'publisher', description: 'Approve, reject, block and unblock subscriptions' },
  'clusters:read': { role: 'admin', description: "See the tenant's clusters (never their tokens)" },
  'clusters:admin': { role: 'admin', description: "Add, replace, delete and check the tenant's own clusters" },
  'applications:read': { role: 'subscriber', description: 'See your applications, their keys (never secrets) and subscriptions' },
  'applications:write': { role: 'subscriber', description: 'Create and change your applications, keys and subscriptions; get access tokens' },
} as const satisfies Record<string, { role: Role; description: string }>;

export type Scope = keyof typeof SCOPES;
export const scopeValues = Object.keys(SCOPES) as [Scope, ...Scope[]];

/** Admins may do everything in their tenant (lib/actor.ts), so they may grant every scope. */
function holds(roles: readonly Role[], role: Role): boolean {
  return roles.includes('admin') || roles.includes(role);
}

export function scopesAllowedFor(roles: readonly Role[]): Scope[] {
  return scopeValues.filter((scope) => holds(roles, SCOPES[scope].role));
}

/** The scopes of a token that its owner's current roles still allow. */
export function effectiveScopes(granted: readonly string[], roles: readonly Role[]): Scope[] {
  const allowed = new Set<string>(scopesAllowedFor(roles));
  return scopeValues.filter((scope) => granted.includes(scope) && allowed.has(scope));
}

/**
 * The roles a request made with these scopes acts with: only those the scopes need. The domain
 * layer's own role checks then apply to the narrowed actor, so a token for reading applications
 * cannot reach a publisher's function even through a route that forgot its scope.
 */
export function rolesForScopes(scopes: readonly Scope[]): Role[] {
  return [...new Set(scopes.map((scope) => SCOPES[scope].role as Role))];
}
