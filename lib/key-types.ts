/**
 * WSO2's pair: production keys reach an API's production endpoints, sandbox keys its sandbox
 * endpoints. A leaf of its own (not lib/db/schema.ts, whose key-type columns hold these values),
 * because the portal's forms offer the choice in the browser, where the ORM must not go.
 */
export const keyTypeValues = ['PRODUCTION', 'SANDBOX'] as const;
export type KeyType = (typeof keyTypeValues)[number];
