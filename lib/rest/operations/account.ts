import { defineOperation } from '../operation';
import { me } from '../resources';

export const meOperation = defineOperation({
  operationId: 'getMe',
  method: 'get',
  path: '/me',
  tag: 'Account',
  summary: 'Who the token belongs to, and what it may do',
  description: 'Any valid token may ask. `scopes` are the granted scopes the owner’s roles still allow; `roles` are the roles the token acts with.',
  scope: 'any',
  responses: { 200: { description: 'The token’s owner and scopes.', schema: me } },
  async handle({ actor, scopes, token }) {
    return {
      body: {
        user: { id: actor.userId, username: actor.username, displayName: actor.displayName, tenantDomain: actor.tenantDomain, roles: actor.roles },
        token: { id: token!.id, name: token!.name, scopes, expiresAt: token!.expiresAt.toISOString() },
      },
    };
  },
});

export const accountOperations = [meOperation];
