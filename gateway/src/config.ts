import { z } from 'zod';

// The single source of truth for the dedicated gateway's config file. The app imports this
// module to write configs, so it must stay free of Node-only imports and side effects.

/** Paths the gateway serves itself; an API context may not start with one of them. */
export const RESERVED_GATEWAY_PATHS = ['/health', '/metrics'] as const;

export const HTTP_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE'] as const;

const contextSchema = z
  .string()
  .regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'must look like "/petstore": a leading "/", no trailing "/", URL-safe segments')
  .refine(
    (context) => !RESERVED_GATEWAY_PATHS.some((reserved) => context.toLowerCase().split('/')[1] === reserved.slice(1)),
    { message: `must not start with ${RESERVED_GATEWAY_PATHS.join(' or ')}: the gateway serves those paths itself` },
  );

const versionSchema = z.string().regex(/^[A-Za-z0-9._~-]+$/, 'must be one URL-safe path segment such as "1.0.0"');

const httpUrlSchema = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

/**
 * The OpenAPI 3 document of the API. Only `paths` matters to the gateway (each path's
 * operations are the routes); everything else is kept as-is so the app can store the whole
 * document. An operation with `security: []` is served without credentials.
 */
const openApiDocumentSchema = z.looseObject({
  openapi: z.string().optional(),
  paths: z.record(z.string().regex(/^\//, 'OpenAPI paths start with "/"'), z.record(z.string(), z.unknown())),
});

const jwksSchema = z.object({
  keys: z.array(z.looseObject({ kty: z.string(), kid: z.string().optional() })),
});

const tierLimitSchema = z.object({
  requestsPerMinute: z.union([z.number().int().positive(), z.literal('unlimited')]),
});

const basicUserSchema = z.object({
  username: z.string().min(1).regex(/^[^:]+$/, 'must not contain ":"'),
  passwordHash: z.string().regex(/^scrypt\$/, 'must be a hash made by hashBasicPassword() ("scrypt$…")'),
  /** Throttling tier for this user; defaults to the config's `defaultBasicTier`. */
  tier: z.string().optional(),
});

export const gatewayConfigSchema = z
  .object({
    api: z.object({
      id: z.string().min(1),
      tenant: z.string().min(1),
      name: z.string().min(1),
      context: contextSchema,
      version: versionSchema,
    }),
    openapi: openApiDocumentSchema,
    endpoints: z.object({
      production: z.array(httpUrlSchema).min(1, 'needs at least one production endpoint URL'),
    }),
    security: z.object({
      jwt: z.object({ enabled: z.boolean() }).default({ enabled: true }),
      oauth2: z
        .object({
          enabled: z.boolean(),
          introspectionUrl: httpUrlSchema,
          clientId: z.string().min(1),
          /** Either the secret itself or a file that holds it (a mounted Kubernetes Secret). */
          clientSecret: z.string().min(1).optional(),
          clientSecretFile: z.string().min(1).optional(),
          /** Upper bound on how long an "active" answer is trusted, so revocation shows up. */
          maxCacheSeconds: z.number().int().positive().default(300),
        })
        .refine((oauth2) => !oauth2.enabled || oauth2.clientSecret || oauth2.clientSecretFile, {
          message: 'needs clientSecret or clientSecretFile when enabled',
        })
        .optional(),
      basic: z
        .object({
          enabled: z.boolean(),
          users: z.array(basicUserSchema),
        })
        .optional(),
    }),
    tokens: z.object({
      issuer: z.string().min(1),
      audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
      algorithms: z
        .array(z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']))
        .min(1)
        .default(['RS256']),
      jwks: jwksSchema.default({ keys: [] }),
      jwksUrl: httpUrlSchema.optional(),
      clockSkewSeconds: z.number().int().min(0).max(300).default(30),
    }),
    tiers: z.record(z.string().min(1), tierLimitSchema).default({ Unlimited: { requestsPerMinute: 'unlimited' } }),
    defaultBasicTier: z.string().default('Unlimited'),
    cors: z
      .object({
        allowedOrigins: z.array(z.union([z.literal('*'), z.url({ error: 'must be an origin such as https://portal.example.com' })])),
        allowCredentials: z.boolean().default(false),
        maxAgeSeconds: z.number().int().min(0).default(600),
      })
      .default({ allowedOrigins: [], allowCredentials: false, maxAgeSeconds: 600 }),
    limits: z
      .object({
        maxBodyBytes: z.number().int().positive().default(10 * 1024 * 1024),
        connectTimeoutMs: z.number().int().positive().default(5_000),
        responseTimeoutMs: z.number().int().positive().default(30_000),
      })
      .default({ maxBodyBytes: 10 * 1024 * 1024, connectTimeoutMs: 5_000, responseTimeoutMs: 30_000 }),
  })
  .superRefine((config, ctx) => {
    const jwtEnabled = config.security.jwt.enabled;
    if (jwtEnabled && config.tokens.jwks.keys.length === 0 && !config.tokens.jwksUrl) {
      ctx.addIssue({ code: 'custom', path: ['tokens', 'jwks'], message: 'JWT security needs embedded keys or a jwksUrl' });
    }
    const basic = config.security.basic;
    if (basic?.enabled) {
      basic.users.forEach((user, index) => {
        const tier = user.tier ?? config.defaultBasicTier;
        if (!config.tiers[tier]) {
          ctx.addIssue({
            code: 'custom',
            path: ['security', 'basic', 'users', index, 'tier'],
            message: `tier "${tier}" is not defined in "tiers"`,
          });
        }
      });
    }
  });

/** The config as the gateway uses it (defaults applied). */
export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
/** The config as a writer may produce it (defaults optional). */
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;

export type ConfigParseResult = { ok: true; config: GatewayConfig } | { ok: false; errors: string[] };

/** Validates a parsed JSON value; each error reads `field.path: problem`. */
export function parseGatewayConfig(value: unknown): ConfigParseResult {
  const result = gatewayConfigSchema.safeParse(value);
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`),
  };
}

/** Parses the text of a config file, reporting JSON syntax errors the same way as schema errors. */
export function parseGatewayConfigText(text: string): ConfigParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`(root): not valid JSON: ${(error as Error).message}`] };
  }
  return parseGatewayConfig(value);
}

/** The path prefix under which the gateway serves the API, e.g. "/petstore/1.0.0". */
export function apiBasePath(config: Pick<GatewayConfig, 'api'>): string {
  return `${config.api.context}/${config.api.version}`;
}
