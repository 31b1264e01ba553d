import { z } from 'zod';
import { RESERVED_GATEWAY_PATHS } from '@/lib/gateway/gateway-spec';
import { apiStateValues } from '../db/schema';
import { TIER_NAMES } from './tiers';

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
  );

/**
 * The rules for each list, once: forms send them as text (one per line) and go through `lines`,
 * the REST API and API files send JSON arrays and use these directly.
 */
export const productionEndpointListSchema = z
  .array(z.url({ protocol: /^https?$/, error: 'Each endpoint must be an http:// or https:// URL.' }))
  .min(1, 'Enter at least one production endpoint URL.')
  .max(10, 'Use at most 10 endpoints.');

export const tierListSchema = z.array(z.enum(TIER_NAMES as [string, ...string[]], { error: `Offer tiers from ${TIER_NAMES.join(', ')}.` })).min(1, 'Offer at least one tier.');

export const corsOriginListSchema = z.array(z.url({ error: 'Each origin must look like https://app.example.com.' }).or(z.literal('*'))).max(20, 'Use at most 20 origins.');

export const tagListSchema = z.array(z.string().max(30, 'Tags have at most 30 characters.')).max(20, 'Use at most 20 tags.');

const endpointsSchema = lines.pipe(productionEndpointListSchema);

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
  tiers: tiersSchema,
  securityOauth2: checkbox,
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
    definition: z.string().max(2 * 1024 * 1024, 'The definition is larger than 2 MiB.').default(''),
    definitionUrl: z.string().trim().max(2000).default(''),
    ...apiSettingsFields,
  });
export type CreateApiInput = z.infer<typeof createApiSchema>;

export const updateApiSchema = z
  .object({
    apiId: z.uuid(),
    resources: z.string().max(20_000),
    ...apiSettingsFields,
  });
/** An edit: the form gives resources as lines; the REST API may give a whole new definition instead. */
export type UpdateApiInput = z.infer<typeof updateApiSchema> & { definition?: string };

export const newVersionSchema = z.object({ apiId: z.uuid(), version: apiVersionSchema });

export const clusterSelectionSchema = z.object({ apiId: z.uuid(), clusters: list.pipe(z.array(z.string().max(253)).max(50)) });

export const lifecycleChangeSchema = z.object({ apiId: z.uuid(), to: z.enum(apiStateValues) });

export const apiSearchSchema = z.object({
  q: z.string().trim().max(100).optional(),
  state: z.enum(apiStateValues).optional(),
});
