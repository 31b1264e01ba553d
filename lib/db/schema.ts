import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { KeyType } from '../key-types';

/**
 * The whole data model in one Postgres schema. Every row that belongs to a tenant
 * carries `tenant_id`, and every query in lib/ filters on it: that column is how
 * "nothing of one tenant is visible to another" is enforced.
 */

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const roleValues = ['admin', 'publisher', 'subscriber'] as const;
export type Role = (typeof roleValues)[number];

export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** `carbon.super` for the super tenant, otherwise a domain such as `example.com`. */
  domain: text('domain').notNull().unique(),
  displayName: text('display_name').notNull(),
  /** Whether developers may create their own account on this tenant's portal (closed unless opened). */
  selfSignup: boolean('self_signup').notNull().default(false),
  /** Break-glass mode: only admins may sign in with a local password; everyone else uses the tenant's OpenID provider. */
  localPasswordsAdminsOnly: boolean('local_passwords_admins_only').notNull().default(false),
  createdAt: createdAt(),
});

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    email: text('email'),
    passwordHash: text('password_hash').notNull(),
    roles: text('roles').array().notNull().$type<Role[]>(),
    disabled: boolean('disabled').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_tenant_username').on(t.tenantId, t.username)],
);

/** One claim value → PrivateJet role rule of an OpenID provider (lib/auth/oidc). */
export interface OidcRoleMapping {
  value: string;
  role: Role;
}

/**
 * A tenant's OpenID Connect providers (lib/auth/oidc). Providers of the super tenant may also
 * come from deployment.toml; those are not stored. The client secret lives only encrypted.
 */
export const oidcProviders = pgTable(
  'oidc_providers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    displayName: text('display_name').notNull(),
    issuer: text('issuer').notNull(),
    clientId: text('client_id').notNull(),
    clientSecretEncrypted: text('client_secret_encrypted').notNull(),
    scopes: text('scopes').notNull(),
    /** The ID token claim whose values map to roles, e.g. `groups`; null: everyone gets the default role. */
    roleClaim: text('role_claim'),
    roleMappings: jsonb('role_mappings').notNull().$type<OidcRoleMapping[]>(),
    defaultRole: text('default_role').notNull().$type<Role>(),
    /** Lower-case e-mail domains allowed to sign in; empty: any. */
    allowedEmailDomains: text('allowed_email_domains').array().notNull().$type<string[]>(),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('oidc_providers_tenant').on(t.tenantId)],
);

/**
 * Which user an OpenID identity (issuer + subject) is, per tenant. The link is made once, at
 * the first sign-in, and never by matching e-mail addresses, which providers let users change.
 */
export const userIdentities = pgTable(
  'user_identities',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    issuer: text('issuer').notNull(),
    subject: text('subject').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The provider row it came through, or `toml:<id>` for a deployment.toml provider. */
    providerKey: text('provider_key').notNull(),
    createdAt: createdAt(),
    lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.issuer, t.subject] }), index('user_identities_user').on(t.userId)],
);

/**
 * Sign-in throttle counters (lib/auth/sign-in-throttle.ts), one row per scope: an account, a
 * client address, or an account from one address. Keys are ids, addresses and keyed hashes:
 * never what someone typed into the username field.
 */
export const signInThrottle = pgTable(
  'sign_in_throttle',
  {
    key: text('key').primaryKey(),
    /** Failures still remembered; they fade by one per the scope's decay period. */
    failures: doublePrecision('failures').notNull().default(0),
    lastFailureAt: timestamp('last_failure_at', { withTimezone: true }),
    /** Account-from-address rows only: the account's last sign-in from there (a known address). */
    lastSuccessAt: timestamp('last_success_at', { withTimezone: true }),
    updatedAt: updatedAt(),
  },
  (t) => [index('sign_in_throttle_updated').on(t.updatedAt)],
);

/**
 * A tenant's own clusters (the seed's `ContainerMgt` block). Super-tenant clusters of
 * deployment.toml are not stored: they are read from the file at start-up.
 * Secrets live only in the *_encrypted columns.
 */
export const tenantClusters = pgTable(
  'tenant_clusters',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    type: text('type').notNull(),
    clusterName: text('cluster_name').notNull(),
    displayName: text('display_name').notNull(),
    /** Non-secret properties as entered, unknown ones included. */
    properties: jsonb('properties').notNull().$type<Record<string, unknown>>(),
    saTokenEncrypted: text('sa_token_encrypted'),
    caCertEncrypted: text('ca_cert_encrypted'),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('tenant_clusters_name').on(t.tenantId, t.clusterName)],
);

export const apiStateValues = [
  'CREATED',
  'PRE_RELEASED',
  'PUBLISHED',
  'BLOCKED',
  'DEPRECATED',
  'RETIRED',
] as const;
export type ApiState = (typeof apiStateValues)[number];
export const apiState = pgEnum('api_state', apiStateValues);

export const apis = pgTable(
  'apis',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    version: text('version').notNull(),
    /** Base path without version, e.g. `/pets`; the gateway serves `/<context>/<version>`. */
    context: text('context').notNull(),
    description: text('description').notNull().default(''),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    /**
     * `public`: listed for visitors too. `private`: listed only for the tenant's signed-in users;
     * its definition, gateways and Try Out open only to publishers, admins and developers holding
     * an approved (ACTIVE) subscription, and every subscription needs approval.
     */
    visibility: text('visibility').notNull().default('public').$type<'public' | 'private'>(),
    /** New subscriptions wait (ON_HOLD) until a publisher approves them; always on for private APIs. */
    subscriptionApproval: boolean('subscription_approval').notNull().default(false),
    state: apiState('state').notNull().default('CREATED'),
    productionEndpoints: text('production_endpoints').array().notNull(),
    /**
     * Where tokens of SANDBOX keys go (WSO2's sandbox endpoint): a testing backend beside the real
     * one. Empty: the API has none, and its gateways refuse sandbox tokens with a hint.
     */
    sandboxEndpoints: text('sandbox_endpoints').array().notNull().default(sql`'{}'::text[]`),
    /** The OpenAPI 3 document the gateway routes by (resources are its paths and methods). */
    openapi: jsonb('openapi').notNull().$type<Record<string, unknown>>(),
    security: jsonb('security').notNull().$type<{ oauth2: boolean; basic: boolean }>(),
    tiers: text('tiers').array().notNull(),
    cors: jsonb('cors').notNull().$type<{ enabled: boolean; allowedOrigins: string[] }>(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    /**
     * Bumped by every change of the API (settings, definition, clusters, state): the REST API's
     * ETag, so a write with a stale If-Match is refused instead of overwriting someone else's.
     */
    revision: integer('revision').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('apis_tenant_context_version').on(t.tenantId, t.context, t.version),
    uniqueIndex('apis_tenant_name_version').on(t.tenantId, t.name, t.version),
    index('apis_tenant_state').on(t.tenantId, t.state),
  ],
);

/** What the publisher sees of a checked definition, before and after it is imported. */
export interface DefinitionSummary {
  title: string;
  version: string;
  description: string;
  /** As imported: "OpenAPI 3.0.3" or "Swagger 2.0" (stored converted to OpenAPI 3). */
  specification: string;
  paths: number;
  operations: number;
  tags: number;
  /** The first server's URL ('' when there is none), as the definition gives it. */
  firstServerUrl: string;
  /** Size of the text as imported. */
  bytes: number;
}

/**
 * A definition a publisher uploaded (file or paste) and the worker checked, waiting for the API
 * it will become: the upload streams to a route handler with the size limit, so the create form
 * then sends only this id. Removed when the API is created; uploads older than a day, or beyond
 * a publisher's few most recent, are removed when the next one arrives.
 */
export const definitionUploads = pgTable(
  'definition_uploads',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    fileName: text('file_name').notNull().default(''),
    /** The checked (and converted) OpenAPI 3 document, $refs kept. */
    document: jsonb('document').notNull().$type<Record<string, unknown>>(),
    summary: jsonb('summary').notNull().$type<DefinitionSummary>(),
    createdAt: createdAt(),
  },
  (t) => [index('definition_uploads_user_created').on(t.userId, t.createdAt)],
);

/**
 * The publisher's Markdown guide to an API, shown to developers as a tab of the portal Overview.
 * A table of its own: pages that list or check APIs never read it, only the two that show it.
 */
export const apiDocumentation = pgTable('api_documentation', {
  apiId: uuid('api_id')
    .primaryKey()
    .references(() => apis.id, { onDelete: 'cascade' }),
  markdown: text('markdown').notNull(),
  updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
  updatedAt: updatedAt(),
});

/** The Environments tab: which clusters (by name, from either source) an API goes to. */
export const apiClusterSelections = pgTable(
  'api_cluster_selections',
  {
    apiId: uuid('api_id')
      .notNull()
      .references(() => apis.id, { onDelete: 'cascade' }),
    clusterName: text('cluster_name').notNull(),
  },
  (t) => [primaryKey({ columns: [t.apiId, t.clusterName] })],
);

export const lifecycleEvents = pgTable(
  'lifecycle_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    apiId: uuid('api_id')
      .notNull()
      .references(() => apis.id, { onDelete: 'cascade' }),
    fromState: apiState('from_state').notNull(),
    toState: apiState('to_state').notNull(),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    actorName: text('actor_name').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('lifecycle_events_api').on(t.apiId, t.at)],
);

export const deploymentStatusValues = [
  'pending',
  'applying',
  'waiting',
  'ready',
  'failed',
  'undeploying',
] as const;
export type DeploymentStatus = (typeof deploymentStatusValues)[number];
export const deploymentStatus = pgEnum('deployment_status', deploymentStatusValues);

/** One record per (API version, cluster): its own status, message and retry. */
export const deployments = pgTable(
  'deployments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    apiId: uuid('api_id')
      .notNull()
      .references(() => apis.id, { onDelete: 'cascade' }),
    clusterName: text('cluster_name').notNull(),
    status: deploymentStatus('status').notNull().default('pending'),
    message: text('message'),
    /** Hash of the gateway config last applied, to tell a re-apply from a no-op. */
    configHash: text('config_hash'),
    /** Key ids of the token signing keys the applied gateway config holds: a new key signs only once every gateway has it. */
    signingKeyIds: text('signing_key_ids').array().notNull().default(sql`'{}'::text[]`),
    /** Tries of the current request (reset by each new one); shown with the back-off on the page. */
    attempts: integer('attempts').notNull().default(0),
    /**
     * Bumped by every request for work on the pair (publish, edit, selection change, Retry). A job
     * writes only while the generation it claimed is current, so a newer request is never
     * overwritten by an older job; the newer one runs when that job lets go.
     */
    generation: integer('generation').notNull().default(0),
    /** The replica working on the pair (its job queue is this table: lib/deployments/deployment-jobs.ts). */
    leaseOwner: text('lease_owner'),
    /** The owner renews it while it works; once past, any replica may take the pair over. */
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    /** When the pair is next due: a retry after back-off, or the next read-back of a ready gateway. */
    dueAt: timestamp('due_at', { withTimezone: true }),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('deployments_api_cluster').on(t.apiId, t.clusterName),
    index('deployments_status').on(t.status),
    index('deployments_due').on(t.dueAt),
  ],
);

export const applications = pgTable(
  'applications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    tier: text('tier').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('applications_owner_name').on(t.ownerId, t.name)],
);


export const applicationKeys = pgTable(
  'application_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id, { onDelete: 'cascade' }),
    keyType: text('key_type').notNull().default('PRODUCTION').$type<KeyType>(),
    consumerKey: text('consumer_key').notNull().unique(),
    /** Only a hash: the secret is shown once, then can be regenerated, never read back. */
    consumerSecretHash: text('consumer_secret_hash').notNull(),
    tokenValiditySeconds: integer('token_validity_seconds').notNull().default(3600),
    /** JWT (checked offline by gateways) or opaque (checked by introspection). */
    tokenType: text('token_type').notNull().default('JWT').$type<'JWT' | 'OPAQUE'>(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('application_keys_app_type').on(t.applicationId, t.keyType),
    check('application_keys_key_type', sql`${t.keyType} in ('PRODUCTION', 'SANDBOX')`),
  ],
);

/** As in WSO2: ON_HOLD waits for a publisher's approval, REJECTED was refused, BLOCKED was stopped. */
export const subscriptionStatusValues = ['ACTIVE', 'BLOCKED', 'ON_HOLD', 'REJECTED'] as const;
export type SubscriptionStatus = (typeof subscriptionStatusValues)[number];

export const subscriptions = pgTable(
  'subscriptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id, { onDelete: 'cascade' }),
    apiId: uuid('api_id')
      .notNull()
      .references(() => apis.id, { onDelete: 'cascade' }),
    tier: text('tier').notNull(),
    /** Only ACTIVE subscriptions go into tokens (lib/oauth/access-token-claims.ts). */
    status: text('status').notNull().default('ACTIVE').$type<SubscriptionStatus>(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('subscriptions_app_api').on(t.applicationId, t.apiId),
    check('subscriptions_status', sql`${t.status} in ('ACTIVE', 'BLOCKED', 'ON_HOLD', 'REJECTED')`),
  ],
);

/**
 * A subscription that stopped granting an API (blocked, rejected, removed, its application
 * deleted): gateways refuse that application's tokens issued before `revokedAt` for the API,
 * until they expire. Not tied to the application row, so deleting it revokes, not forgets.
 */
export const subscriptionRevocations = pgTable(
  'subscription_revocations',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    apiId: uuid('api_id')
      .notNull()
      .references(() => apis.id, { onDelete: 'cascade' }),
    applicationId: uuid('application_id').notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.apiId, t.applicationId] }), index('subscription_revocations_revoked_at').on(t.revokedAt)],
);

/** Token signing keys of the authorization server; the private half is encrypted. */
export const signingKeys = pgTable('signing_keys', {
  kid: text('kid').primaryKey(),
  algorithm: text('algorithm').notNull(),
  publicJwk: jsonb('public_jwk').notNull().$type<Record<string, unknown>>(),
  privateKeyEncrypted: text('private_key_encrypted').notNull(),
  createdAt: createdAt(),
  /**
   * When it began to sign. Null: the next key, published to the JWKS and to every gateway
   * first, so that tokens it signs are never refused by a gateway that has not loaded it.
   */
  activatedAt: timestamp('activated_at', { withTimezone: true }),
  /** After this a key signs nothing new; it stays in the JWKS until its tokens expire. */
  rotatedAt: timestamp('rotated_at', { withTimezone: true }),
  /** When the last token it may have signed expires; then it leaves the JWKS. */
  retireAfter: timestamp('retire_after', { withTimezone: true }),
});

/** Issued access tokens, for introspection and revocation (only a hash of opaque values). */
export const accessTokens = pgTable(
  'access_tokens',
  {
    jti: text('jti').primaryKey(),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id, { onDelete: 'cascade' }),
    consumerKey: text('consumer_key').notNull(),
    /** The key type of the consumer key it was issued to: introspection states it, gateways route by it. */
    keyType: text('key_type').notNull().default('PRODUCTION').$type<KeyType>(),
    tokenType: text('token_type').notNull().$type<'jwt' | 'opaque'>(),
    opaqueTokenHash: text('opaque_token_hash').unique(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('access_tokens_app').on(t.applicationId)],
);

/**
 * The credential a tenant's gateways use to call the introspection endpoint (RFC 7662).
 * Encrypted, not hashed: it is written into the gateway configs of that tenant.
 */
export const introspectionClients = pgTable('introspection_clients', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  clientId: text('client_id').notNull().unique(),
  clientSecretEncrypted: text('client_secret_encrypted').notNull(),
  createdAt: createdAt(),
});

/**
 * Personal access tokens for the REST API (/api/v1) and the CLI: a user's own, limited to scopes
 * their roles allow, with an expiry. Only a SHA-256 of the token is kept (256 random bits, like
 * consumer secrets): it is shown once. Last use is recorded so an owner sees what still calls.
 */
export const personalAccessTokens = pgTable(
  'personal_access_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The first characters of the token, shown in lists so an owner can tell tokens apart. */
    displayPrefix: text('display_prefix').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    scopes: text('scopes').array().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    /** The client address of the last use (lib/http/client-address.ts). */
    lastUsedFrom: text('last_used_from'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('personal_access_tokens_user_name').on(t.userId, t.name), index('personal_access_tokens_tenant').on(t.tenantId)],
);

export const auditOutcomeValues = ['ok', 'refused'] as const;
export type AuditOutcome = (typeof auditOutcomeValues)[number];
/** `oidc`: a change made by signing in with a tenant's OpenID provider (a just-in-time account, roles from claims). */
export const auditChannelValues = ['session', 'token', 'anonymous', 'oidc'] as const;
export type AuditChannel = (typeof auditChannelValues)[number];

/**
 * The audit log: one row per change made through pages, server actions or the REST API, written
 * in the change's own transaction (lib/audit). Append-only: a trigger (migration 0008) refuses
 * UPDATE, DELETE and TRUNCATE, except the retention purge of rows older than the cutoff it sets.
 * No foreign keys on purpose: a record outlives the user, token or object it names.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Milliseconds, as JavaScript dates hold them: the export's (at, id) cursor then round-trips exactly.
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    tenantId: uuid('tenant_id').notNull(),
    tenantDomain: text('tenant_domain').notNull(),
    actorUserId: uuid('actor_user_id'),
    actorUsername: text('actor_username').notNull(),
    channel: text('channel', { enum: auditChannelValues }).notNull(),
    tokenId: uuid('token_id'),
    tokenName: text('token_name'),
    clientAddress: text('client_address'),
    action: text('action').notNull(),
    objectType: text('object_type').notNull(),
    objectId: text('object_id'),
    /** Redacted before/after of what changed (lib/audit/redaction.ts): secrets appear only as "… replaced". */
    summary: jsonb('summary').$type<Record<string, unknown>>().notNull().default({}),
    outcome: text('outcome', { enum: auditOutcomeValues }).notNull(),
    /** Why a refused action was refused, as the caller was told. */
    reason: text('reason'),
  },
  (t) => [
    index('audit_events_tenant_at').on(t.tenantId, t.at),
    index('audit_events_at').on(t.at),
    check('audit_events_outcome', sql`${t.outcome} in ('ok', 'refused')`),
  ],
);

/*
 * Traffic (lib/traffic): what each API's gateways answered, scraped from their counters
 * (/metrics/traffic) and stored as increments per minute and per hour. Both grains are written by
 * the same scrape, so no roll-up job can count a minute twice; minutes are kept for days, hours
 * for months (PRIVATEJET_TRAFFIC_*_RETENTION_DAYS).
 */

/** The latency histogram's upper bounds in ms (the gateway's privatejet.lua); the last bucket is above them all. */
export const TRAFFIC_LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;

const trafficFigures = () => ({
  requests: integer('requests').notNull().default(0),
  status2xx: integer('status_2xx').notNull().default(0),
  status3xx: integer('status_3xx').notNull().default(0),
  status4xx: integer('status_4xx').notNull().default(0),
  status5xx: integer('status_5xx').notNull().default(0),
  status401: integer('status_401').notNull().default(0),
  status403: integer('status_403').notNull().default(0),
  /** Refused by the tier's rate limit (the gateway answers 429 for nothing else). */
  throttled: integer('throttled').notNull().default(0),
  /** Requests per latency bucket (TRAFFIC_LATENCY_BOUNDS_MS, then one above them all). */
  latencyBuckets: integer('latency_buckets').array().notNull(),
  latencySumMs: doublePrecision('latency_sum_ms').notNull().default(0),
});

/** Per API × cluster × minute (UTC, truncated): what the gateways of the API in that cluster answered. */
export const trafficMinutes = pgTable(
  'traffic_minutes',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    apiId: uuid('api_id')
      .notNull()
      .references(() => apis.id, { onDelete: 'cascade' }),
    clusterName: text('cluster_name').notNull(),
    bucket: timestamp('bucket', { withTimezone: true }).notNull(),
    ...trafficFigures(),
  },
  (t) => [primaryKey({ columns: [t.apiId, t.bucket, t.clusterName] }), index('traffic_minutes_bucket').on(t.bucket)],
);

/** The same figures per hour, for ranges of days. */
export const trafficHours = pgTable(
  'traffic_hours',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    apiId: uuid('api_id')
      .notNull()
      .references(() => apis.id, { onDelete: 'cascade' }),
    clusterName: text('cluster_name').notNull(),
    bucket: timestamp('bucket', { withTimezone: true }).notNull(),
    ...trafficFigures(),
  },
  (t) => [primaryKey({ columns: [t.apiId, t.bucket, t.clusterName] }), index('traffic_hours_bucket').on(t.bucket)],
);

const applicationFigures = () => ({
  requests: integer('requests').notNull().default(0),
  /** Answered 4xx or 5xx. */
  errors: integer('errors').notNull().default(0),
  throttled: integer('throttled').notNull().default(0),
});

/**
 * Per API × application × minute, all clusters together: a developer's usage against the tier.
 * Not tied to the application row: usage stays countable while a deleted application's tokens live.
 */
export const applicationTrafficMinutes = pgTable(
  'application_traffic_minutes',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    apiId: uuid('api_id')
      .notNull()
      .references(() => apis.id, { onDelete: 'cascade' }),
    applicationId: uuid('application_id').notNull(),
    bucket: timestamp('bucket', { withTimezone: true }).notNull(),
    ...applicationFigures(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.apiId, t.bucket] }), index('application_traffic_minutes_bucket').on(t.bucket)],
);

export const applicationTrafficHours = pgTable(
  'application_traffic_hours',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    apiId: uuid('api_id')
      .notNull()
      .references(() => apis.id, { onDelete: 'cascade' }),
    applicationId: uuid('application_id').notNull(),
    bucket: timestamp('bucket', { withTimezone: true }).notNull(),
    ...applicationFigures(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.apiId, t.bucket] }), index('application_traffic_hours_bucket').on(t.bucket)],
);

/** The raw counters of one gateway process (a Local process, a pod) at its last scrape. */
export interface GatewayCounterSnapshot {
  /** The process's counting start (privatejet_gateway_start_time_seconds): another value means a restart. */
  startTime: number;
  requests: number;
  statuses: Record<string, number>;
  latencyBuckets: number[];
  latencySumMs: number;
  applications: Record<string, { requests: number; errors: number; throttled: number }>;
}

/**
 * One row per (API, cluster) with a gateway: the scrape job's queue (leased like deployments, so
 * with several replicas each gateway is read once per interval), the counters of its last scrape
 * (increments are taken against them), and how the last scrapes went, for people.
 */
export const gatewayScrapes = pgTable(
  'gateway_scrapes',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    apiId: uuid('api_id')
      .notNull()
      .references(() => apis.id, { onDelete: 'cascade' }),
    clusterName: text('cluster_name').notNull(),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull().defaultNow(),
    /** By gateway process (pod name; "local" on Local). */
    counters: jsonb('counters').notNull().default({}).$type<Record<string, GatewayCounterSnapshot>>(),
    /** Gateway processes that answered the last successful scrape (the replicas seen). */
    replicas: integer('replicas').notNull().default(0),
    lastSuccessAt: timestamp('last_success_at', { withTimezone: true }),
    lastFailureAt: timestamp('last_failure_at', { withTimezone: true }),
    /** Why the last failed scrape failed, in words a person can act on. */
    lastFailure: text('last_failure'),
    lastDurationMs: integer('last_duration_ms'),
    lastBytes: integer('last_bytes'),
  },
  (t) => [primaryKey({ columns: [t.apiId, t.clusterName] }), index('gateway_scrapes_due').on(t.dueAt)],
);
