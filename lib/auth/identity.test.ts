import { describe, expect, it } from 'vitest';
import { formatSignInIdentifier, parseSignInIdentifier } from './identity';
import { SUPER_TENANT } from '../super-tenant';

describe('sign-in identifiers', () => {
  it('reads a bare name as a super-tenant user', () => {
    expect(parseSignInIdentifier('Alice')).toEqual({ username: 'alice', tenantDomain: SUPER_TENANT });
  });

  it('reads name@tenant as a user of that tenant', () => {
    expect(parseSignInIdentifier(' bob@Example.com ')).toEqual({ username: 'bob', tenantDomain: 'example.com' });
  });

  it('accepts the super tenant spelled out', () => {
    expect(parseSignInIdentifier('alice@carbon.super')).toEqual({ username: 'alice', tenantDomain: SUPER_TENANT });
  });

  it.each(['', '@example.com', 'bob@', 'bob@not a domain', 'b', 'bob@@example.com', "robert'); drop table users;--"])(
    'refuses %j',
    (identifier) => {
      expect(parseSignInIdentifier(identifier)).toBeNull();
    },
  );

  it('formats back to what the user types', () => {
    expect(formatSignInIdentifier({ username: 'alice', tenantDomain: SUPER_TENANT })).toBe('alice');
    expect(formatSignInIdentifier({ username: 'bob', tenantDomain: 'example.com' })).toBe('bob@example.com');
  });
});
