import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import { hasRole, isSuperTenantAdmin, requireRole, requireSameTenant, requireSuperTenantAdmin, type Actor } from './actor';

const actor = (roles: Actor['roles'], tenantDomain = 'carbon.super'): Actor => ({
  userId: 'u1',
  username: 'u',
  displayName: 'U',
  tenantId: tenantDomain === 'carbon.super' ? 't-super' : 't-other',
  tenantDomain,
  roles,
});

function kindOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof AppError ? error.kind : 'other';
  }
  return undefined;
}

describe('role checks', () => {
  it('lets a role do what it names and admins do everything', () => {
    expect(hasRole(actor(['publisher']), 'publisher')).toBe(true);
    expect(hasRole(actor(['admin']), 'publisher')).toBe(true);
    expect(hasRole(actor(['subscriber']), 'publisher', 'admin')).toBe(false);
    expect(hasRole(null, 'subscriber')).toBe(false);
  });

  it('refuses the signed-out as unauthenticated and the wrong role as forbidden', () => {
    expect(kindOf(() => requireRole(null, 'publisher'))).toBe('unauthenticated');
    expect(kindOf(() => requireRole(actor(['subscriber']), 'publisher'))).toBe('forbidden');
    expect(kindOf(() => requireRole(actor(['publisher']), 'publisher'))).toBeUndefined();
  });

  it('keeps tenant management to admins of the super tenant', () => {
    expect(isSuperTenantAdmin(actor(['admin']))).toBe(true);
    expect(isSuperTenantAdmin(actor(['admin'], 'example.com'))).toBe(false);
    expect(kindOf(() => requireSuperTenantAdmin(actor(['admin'], 'example.com')))).toBe('forbidden');
    expect(kindOf(() => requireSuperTenantAdmin(actor(['publisher'])))).toBe('forbidden');
  });

  it("answers another tenant's object as not found", () => {
    const other = actor(['admin'], 'example.com');
    expect(kindOf(() => requireSameTenant(other, { tenantId: 't-super' }, 'That API'))).toBe('not_found');
    expect(requireSameTenant(other, { tenantId: 't-other', id: 1 }, 'That API')).toEqual({ tenantId: 't-other', id: 1 });
  });
});
