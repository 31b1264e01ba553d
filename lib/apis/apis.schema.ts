import { z } from 'zod';
import { RESERVED_GATEWAY_PATHS } from '@/lib/gateway/gateway-spec';
import { apiStateValues } from '../db/schema';
import type { CheckedOpenApiDocument } from './openapi';
import { TIER_NAMES } from '../tiers';

/** Form fields arrive as strings; a checkbox group arrives as a string or an array. */
const list = z.union([z.string(), z.array(z.string())]).optional().transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
const lines = z
  .string()
  .max(20_000)
  .default('')
  .transform((text) => text.split(/[\n,]/).map((l) => l.trim()).filter(Boolean));

export const apiNameSchema = z
  .string()
  .trim()
  .min(1, 'Enter a name.')
  .max(60, 'Use at most 60 characters.')
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'Use letters, digits, spaces, dots, dashes or underscores.');

export const apiVersionSchema = z
  .string()
  .trim()
  .min(1, 'Enter a version.')
  .max(30, 'Use at most 30 characters.')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Use one path segment such as 1.0.0 or v2.');

export const apiContextSchema = z
  .string()
  .trim()
  .transform((c) => (c.startsWith('/') ? c : `/${c}`).replace(/\/+$/, ''))
  .pipe(
    z
      .string()
      .min(2, 'Enter a context such as /pets.')
      .max(100, 'Use at most 100 characters.')
      .regex(/^(\/[a-z0-9._~-]+)+$/, 'Use lowercase URL-safe segments such as /pets or /shop/orders.')
      .refine((c) => !RESERVED_GATEWAY_PATHS.some((r) => c === r || c.startsWith(`${r}/`)), 'The gateway serves /health and /metrics itself; choose another context.'),
  )
  .meta({ description: 'The base path, such as /pets: the gateways serve the API at /<context>/<version>.' });

/**
 * The rules for each list, once: forms send them as text (one per line) and go through `lines`,
 * the REST API and API files send JSON arrays and use these directly.
 */
export const productionEndpointListSchema = z
  .array(z.url({ protocol: /^https?$/, error: 'Each endpoint must be an http:// or https:// URL.' }))
  .min(1, 'Enter at least one production endpoint URL.')
  .max(10, 'Use at most 10 endpoints.');

/** WSO2's sandbox endpoint: where tokens of sandbox keys go. None: gateways refuse sandbox tokens. */
export const sandboxEndpointListSchema = z
  .array(z.url({ protocol: /^https?$/, error: 'Each sandbox endpoint must be an http:// or https:// URL.' }))
  .max(10, 'Use at most 10 sandbox endpoints.');

export const tierListSchema = z.array(z.enum(TIER_NAMES as [string, ...string[]], { error: `Offer tiers from ${TIER_NAMES.join(', ')}.` })).min(1, 'Offer at least one tier.');

export const corsOriginListSchema = z.array(z.url({ error: 'Each origin must look like https://app.example.com.' }).or(z.literal('*'))).max(20, 'Use at most 20 origins.');

export const tagListSchema = z.array(z.string().max(30, 'Tags have at most 30 characters.')).max(20, 'Use at most 20 tags.');

const endpointsSchema = lines.pipe(productionEndpointListSchema);

const sandboxEndpointsSchema = lines.pipe(sandboxEndpointListSchema);

const tiersSchema = list.pipe(tierListSchema);

const corsOriginsSchema = lines.pipe(corsOriginListSchema);

const checkbox = z.string().optional().transform((v) => v === 'on' || v === 'true');

/** Everything about an API except its definition, shared by create and edit. */
const apiSettingsFields = {
  description: z.string().trim().max(2000, 'Use at most 2000 characters.').default(''),
  tags: lines.pipe(tagListSchema),
  visibility: z.enum(['public', 'private']).default('public'),
  /** Absent means off, like any checkbox. Private APIs need approval whatever it says (subscriptionsNeedApproval). */
  subscriptionApproval: checkbox.optional(),
  productionEndpoints: endpointsSchema,
  sandboxEndpoints: sandboxEndpointsSchema,
  tiers: tiersSchema,
  securityOauth2: checkbox,
  /** Also admit the Basic users of each cluster that names a Basic Secret (not tied to a subscription). */
  securityBasic: checkbox,
  corsEnabled: checkbox,
  corsOrigins: corsOriginsSchema,
};

/** The publisher's create form. */
export const createApiSchema = z
  .object({
    source: z.enum(['scratch', 'paste', 'file', 'url']).default('scratch'),
    name: apiNameSchema,
    version: apiVersionSchema,
    context: apiContextSchema,
    resources: z.string().max(20_000).default(''),
    /** A definition uploaded (file or paste) through the size-limited route and checked already: only its id travels with the form. */
    definitionUpload: z.union([z.uuid(), z.literal('')]).default(''),
    definitionUrl: z.string().trim().max(2000).default(''),
    ...apiSettingsFields,
  });
/** The REST API may hand over a definition it has checked already (`checkedDefinition`), so it is not checked twice. */
export type CreateApiInput = WithOptionalSandbox<z.infer<typeof createApiSchema>> & { checkedDefinition?: CheckedOpenApiDocument };

/** Sandbox endpoints came after the other settings: a caller that says nothing of them means none. */
type WithOptionalSandbox<T extends { sandboxEndpoints: string[] }> = Omit<T, 'sandboxEndpoints'> & { sandboxEndpoints?: string[] };

/** Resource lines of a large API: GitHub's 1,223 operations take some 60 KB; this holds about 10,000. */
const RESOURCE_LINES_MAX = 600_000;

export const updateApiSchema = z
  .object({
    apiId: z.uuid(),
    resources: z.string().max(RESOURCE_LINES_MAX, 'Use at most 600,000 characters of resources.'),
    /** The revision the form was rendered at: its resource lines must not undo a definition saved since. */
    revision: z.coerce.number().int().min(0).max(2_147_483_647).optional(),
    ...apiSettingsFields,
  });
/** An edit: the form gives resources as lines; the REST API may give a whole new definition instead, the editor a checked upload's id. */
export type UpdateApiInput = WithOptionalSandbox<z.infer<typeof updateApiSchema>> & { definition?: string | CheckedOpenApiDocument; definitionUpload?: string };

/** The definition editor of an existing API: the checked upload, and the revision the editor was opened at. */
export const replaceDefinitionSchema = z.object({
  apiId: z.uuid(),
  definitionUpload: z.uuid({ error: 'Check the definition first.' }),
  revision: z.coerce.number().int().min(0).max(2_147_483_647),
});

export const newVersionSchema = z.object({ apiId: z.uuid(), version: apiVersionSchema });

export const clusterSelectionSchema = z.object({ apiId: z.uuid(), clusters: list.pipe(z.array(z.string().max(253)).max(50)) });

export const lifecycleChangeSchema = z.object({ apiId: z.uuid(), to: z.enum(apiStateValues) });

export const apiSearchSchema = z.object({
  q: z.string().trim().max(100).optional(),
  state: z.enum(apiStateValues).optional(),
});

/*
 * JSON shapes of an API, for the REST API and API files. They apply the same rules as the form
 * (the list schemas above); objects are strict, so a misspelt key is an error, not a silent default.
 */

export const MAX_DEFINITION_BYTES = 2 * 1024 * 1024;

/** An OpenAPI 3 or Swagger 2.0 document given inline, as an object. */
export const definitionDocumentSchema = z
  .record(z.string(), z.unknown())
  .refine((document) => typeof document.openapi === 'string' || typeof document.swagger === 'string', {
    error: 'An inline definition is an OpenAPI 3.x or Swagger 2.0 object: it has "openapi: 3.x" or "swagger: 2.0".',
  })
  .meta({ description: 'An OpenAPI 3.x or Swagger 2.0 document as an object.' });

export const definitionTextSchema = z
  .string()
  .min(1, 'The definition is empty.')
  .max(MAX_DEFINITION_BYTES, 'The definition is larger than 2 MiB.')
  .meta({ description: 'An OpenAPI 3.x or Swagger 2.0 document as JSON or YAML text.' });

export const definitionSchema = z.union([definitionTextSchema, definitionDocumentSchema]);

export const resourceLineListSchema = z
  .array(z.string().max(2000))
  .min(1, 'Add at least one resource, such as "GET /".')
  .max(500, 'Use at most 500 resources.')
  .meta({ description: 'Operations as "METHOD /path" lines, for an API without a definition of its own, e.g. ["GET /pets", "POST /pets"].' });

export const clusterNameListSchema = z.array(z.string().min(1).max(253)).max(50, 'Select at most 50 clusters.');

/** The settings of an API in JSON, as the REST API reads and writes them. */
export const apiSettingsJsonFields = {
  description: z.string().trim().max(2000, 'Use at most 2000 characters.').default(''),
  tags: tagListSchema.default([]),
  visibility: z.enum(['public', 'private']).default('public').meta({ description: 'public: visitors see it too; private: only the tenant, with approved subscriptions.' }),
  subscriptionApproval: z.boolean().default(false).meta({ description: 'New subscriptions wait for a publisher; private APIs always do.' }),
  productionEndpoints: productionEndpointListSchema.meta({ description: 'The backend URLs the gateways call for production tokens (and every other caller).' }),
  sandboxEndpoints: sandboxEndpointListSchema
    .default([])
    .meta({ description: "The backend URLs the gateways call for tokens of an application's sandbox keys; empty: sandbox tokens are refused." }),
  tiers: tierListSchema.meta({ description: 'The subscription tiers offered.' }),
  security: z
    .strictObject({
      oauth2: z.boolean().default(true).meta({ description: "Gateways require an access token: the portal's, or of a cluster's own issuer or authorization server." }),
      basic: z.boolean().default(false).meta({ description: "Gateways also accept Basic credentials of the users a cluster names (BasicSecurityCustomResourceName); not tied to a subscription." }),
    })
    .default({ oauth2: true, basic: false }),
  cors: z
    .strictObject({ enabled: z.boolean().default(false), allowedOrigins: corsOriginListSchema.default([]) })
    .default({ enabled: false, allowedOrigins: [] }),
};

/** The form's field names for the JSON ones, so the domain's field errors can be pointed back at the JSON. */
export const jsonPointerOfApiField: Record<string, string> = {
  securityOauth2: '/security/oauth2',
  securityBasic: '/security/basic',
  corsEnabled: '/cors/enabled',
  corsOrigins: '/cors/allowedOrigins',
};

/** Everything an API file (and the REST API's apply) says about an API besides its name and version. */
export const apiSpecFields = {
  context: apiContextSchema,
  ...apiSettingsJsonFields,
  resources: resourceLineListSchema.optional(),
  clusters: clusterNameListSchema.optional().meta({ description: 'The clusters (by name) that get a gateway. Left as they are when absent.' }),
  state: z.enum(apiStateValues).optional().meta({ description: 'The lifecycle state wanted; reached through allowed transitions. Left as it is when absent.' }),
};

const oneDefinitionSource = (spec: { definition?: unknown; resources?: unknown; definitionUrl?: unknown }) =>
  [spec.definition, spec.resources, spec.definitionUrl].filter((v) => v !== undefined).length <= 1;
const oneDefinitionSourceError = { error: 'Give the operations one way: a definition, a definitionUrl or resources.', path: ['definition'] };

/** The body of the REST API's idempotent PUT by name and version: the desired state of the API. */
export const apiSpecSchema = z
  .strictObject({ ...apiSpecFields, definition: definitionSchema.optional() })
  .refine(oneDefinitionSource, oneDefinitionSourceError)
  .meta({ id: 'ApiSpec', description: 'The desired state of an API (the spec of an API file).' });
export type ApiSpec = z.infer<typeof apiSpecSchema>;

/** The REST API's create: name, version and context, settings, and where the operations come from. */
export const apiCreateBodySchema = z
  .strictObject({
    name: apiNameSchema,
    version: apiVersionSchema,
    context: apiContextSchema,
    ...apiSettingsJsonFields,
    definition: definitionSchema.optional(),
    definitionUrl: z.url({ protocol: /^https?$/, error: 'Enter a valid http:// or https:// URL.' }).max(2000).optional().meta({ description: 'Import the definition from this URL (under the outbound fetch policy).' }),
    resources: resourceLineListSchema.optional(),
  })
  .refine(oneDefinitionSource, oneDefinitionSourceError)
  .meta({ id: 'ApiCreate' });
export type ApiCreateBody = z.infer<typeof apiCreateBodySchema>;

/** The REST API's update by id: every setting (absent ones take their defaults, as PUT replaces), and optionally new operations. */
export const apiUpdateBodySchema = z
  .strictObject({ ...apiSettingsJsonFields, definition: definitionSchema.optional(), resources: resourceLineListSchema.optional() })
  .refine(oneDefinitionSource, oneDefinitionSourceError)
  .meta({ id: 'ApiUpdate' });
export type ApiUpdateBody = z.infer<typeof apiUpdateBodySchema>;

/** The domain's form-shaped input from JSON settings. */
export function settingsInputOf(settings: z.infer<z.ZodObject<typeof apiSettingsJsonFields>>) {
  return {
    description: settings.description,
    tags: settings.tags,
    visibility: settings.visibility,
    subscriptionApproval: settings.subscriptionApproval,
    productionEndpoints: settings.productionEndpoints,
    sandboxEndpoints: settings.sandboxEndpoints,
    tiers: settings.tiers,
    securityOauth2: settings.security.oauth2,
    securityBasic: settings.security.basic,
    corsEnabled: settings.cors.enabled,
    corsOrigins: settings.cors.allowedOrigins,
  };
}

/** A definition given as text or as an object, as the text the definition check reads. */
export function definitionText(definition: string | Record<string, unknown>): string {
  return typeof definition === 'string' ? definition : JSON.stringify(definition);
}
