import type { Actor } from './actor';
import { hasRole, isSuperTenantAdmin } from './actor';

export type SurfaceId = 'portal' | 'publisher' | 'admin';

export interface NavLink {
  href: string;
  label: string;
}

export interface Surface extends NavLink {
  id: SurfaceId;
  nav: NavLink[];
}

/** The three surfaces, each with its own navigation; only those the actor may use are offered. */
export function surfacesFor(actor: Actor | null): Surface[] {
  const portalNav: NavLink[] = [{ href: '/portal', label: 'APIs' }];
  // Visitors see it too: it leads them to sign in. Accounts without the subscriber role have no applications.
  if (!actor || hasRole(actor, 'subscriber')) portalNav.push({ href: '/portal/applications', label: 'Applications' });
  const surfaces: Surface[] = [{ id: 'portal', href: '/portal', label: 'Developer Portal', nav: portalNav }];
  if (hasRole(actor, 'publisher')) {
    surfaces.push({ id: 'publisher', href: '/publisher', label: 'Publisher', nav: [{ href: '/publisher', label: 'APIs' }] });
  }
  if (hasRole(actor, 'admin')) {
    const nav: NavLink[] = [{ href: '/admin/users', label: 'Users' }, { href: '/admin/clusters', label: 'Clusters' }, { href: '/admin/traffic', label: 'Traffic' }];
    if (isSuperTenantAdmin(actor)) nav.push({ href: '/admin/tenants', label: 'Tenants' });
    nav.push({ href: '/admin/sign-in', label: 'Sign-in' }, { href: '/admin/settings', label: 'Settings' }, { href: '/admin/audit', label: 'Audit log' });
    surfaces.push({ id: 'admin', href: '/admin/users', label: 'Admin', nav });
  }
  return surfaces;
}

/** Where "home" is for a user: the most specific surface their roles open. */
export function homePathFor(actor: Actor | null): string {
  if (hasRole(actor, 'admin')) return '/admin/users';
  if (hasRole(actor, 'publisher')) return '/publisher';
  return '/portal';
}
