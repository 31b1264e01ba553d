import { z } from 'zod';

// What one dedicated gateway must do, in the data plane's terms: the single input of the
// HAProxy config generator (haproxy-config.ts). Built from an API and the platform's settings
// by gatewaySpecFor() (gateway-spec-for.ts); nothing secret is ever part of it — the gateway's
// client secret reaches the proxy as a file (a Kubernetes Secret, or a 0600 file on Local).

export const HTTP_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Paths the gateway serves itself; an API context may not start with one of them. */
export const RESERVED_GATEWAY_PATHS = ['/health', '/metrics'] as const;

/** The port the proxy listens on inside a pod; on Local the bind address comes from the environment. */
export const GATEWAY_CONTAINER_PORT = 8080;

// Everything below ends up inside generated HAProxy files, so each field is held to a shape
// that cannot break out of its line, its quotes or its regular expression.
const safeText = (what: string) => z.string().regex(/^[A-Za-z0-9 ._~:/@+-]*$/, `${what} may hold only letters, digits, spaces and . _ ~ : / @ + -`);
const identifier = z.string().regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, dots, dashes or underscores');
const pathSegments = z.string().regex(/^(\/[A-Za-z0-9._~-]+)+$/, 'must look like "/petstore": a leading "/", URL-safe segments');

/** OpenAPI path templates as routed: printable, no spaces or quotes, templated segments in braces. */
export const routeTemplateSchema = z
  .string()
  .max(1000)
  .regex(/^\/[\x21-\x7e]*$/, 'must start with "/" and hold printable characters without spaces')
  .refine((template) => !/['"\\#]/.test(template), 'must not contain quotes, backslashes or "#"');

export const gatewayRouteSchema = z.object({
  template: routeTemplateSchema,
  /** Each method the path's item declares; `public` when the operation says `security: []`. */
  operations: z.array(z.object({ method: z.enum(HTTP_METHODS), public: z.boolean() })).min(1),
});

/** Endpoints of one kind, tried round robin; they share one base path, which the gateway rewrites to. */
const endpointListSchema = z
  .array(z.url({ protocol: /^https?$/ }).refine((value) => /^[A-Za-z0-9._~/%:@!$&()*+,;=-]*$/.test(new URL(value).pathname), 'path holds characters the gateway cannot forward'))
  .refine((urls) => new Set(urls.map((url) => new URL(url).pathname.replace(/\/+$/, ''))).size <= 1, 'all endpoints must share one base path');

const httpOrigin = z.url({ protocol: /^https?$/ }).refine((value) => new URL(value).origin === value.replace(/\/$/, ''), 'must be an origin');

export const gatewaySpecSchema = z.object({
  api: z.object({
    id: identifier,
    tenant: identifier,
    name: safeText('The API name'),
    context: pathSegments,
    version: identifier,
  }),
  routes: z.array(gatewayRouteSchema),
  /** Production endpoints: where tokens of production keys (and every other caller) go. */
  endpoints: endpointListSchema,
  /** Sandbox endpoints: where tokens of sandbox keys go. Empty: sandbox tokens are refused. */
  sandboxEndpoints: endpointListSchema.default([]),
  /**
   * JWTs checked offline; opaque tokens introspected; Basic credentials of the cluster's users
   * (the userlist comes from the cluster's Basic Secret, beside the config); JWTs of the
   * cluster's other issuer. None of them: every operation is open.
   */
  security: z.object({
    jwt: z.boolean(),
    opaqueTokens: z.boolean(),
    basic: z.boolean().optional(),
    externalJwt: z
      .object({
        issuer: z.string().regex(/^[A-Za-z0-9._~:/@+-]{1,512}$/),
        audience: z.string().regex(/^[A-Za-z0-9._~:/@+-]{1,512}$/),
        pem: z.string().startsWith('-----BEGIN PUBLIC KEY-----'),
      })
      .optional(),
    /** Opaque tokens the portal does not know are asked about at the cluster's other server (client credentials from a mounted Secret). */
    externalIntrospection: z
      .object({
        introspectionUrl: z.string().regex(/^https?:\/\/[A-Za-z0-9._~:/@%+=?&-]{1,1000}$/),
        audience: z.string().regex(/^[A-Za-z0-9._~:/@+-]{1,512}$/).optional(),
      })
      .optional(),
  }),
  authorizationServer: z.object({
    /** Accepted `iss` values: the current issuer, plus earlier ones while their tokens live. */
    issuers: z.array(safeText('An issuer')).min(1),
    audience: safeText('The audience').min(1),
    /** The portal's signing keys (RS256), as PEM public keys; `kid` names them in tokens. */
    keys: z.array(z.object({ kid: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/), pem: z.string().startsWith('-----BEGIN PUBLIC KEY-----') })),
    clockSkewSeconds: z.number().int().min(0).max(300),
    /** The gateway's own client at the portal (introspection and revocations); its secret is a file. */
    clientId: identifier,
    introspectionUrl: z.url({ protocol: /^https?$/ }),
    revocationsUrl: z.url({ protocol: /^https?$/ }),
    revocationsPollSeconds: z.number().int().min(1).max(300),
    introspectionCacheSeconds: z.number().int().min(1).max(60),
  }),
  /** Requests per minute per application, for each tier the API offers. */
  tiers: z.record(identifier, z.union([z.number().int().positive(), z.literal('unlimited')])),
  /** Each replica enforces its share of a tier's rate (rate ÷ replicas), as no state is shared. */
  replicas: z.number().int().min(1),
  /** The scheme clients used at the cluster's AccessURL, passed on as X-Forwarded-Proto. */
  forwardedProto: z.enum(['http', 'https']),
  cors: z.object({ allowedOrigins: z.array(z.union([z.literal('*'), httpOrigin])), maxAgeSeconds: z.number().int().min(0) }),
  limits: z.object({
    maxBodyBytes: z.number().int().positive(),
    connectTimeoutMs: z.number().int().positive(),
    responseTimeoutMs: z.number().int().positive(),
  }),
}).refine((spec) => spec.endpoints.length + spec.sandboxEndpoints.length > 0, { error: 'a gateway needs a production or a sandbox endpoint', path: ['endpoints'] });

export type GatewaySpec = z.infer<typeof gatewaySpecSchema>;
export type GatewayRoute = z.infer<typeof gatewayRouteSchema>;

/** The path prefix the gateway serves its API under, e.g. "/petstore/1.0.0". */
export function apiBasePath(api: Pick<GatewaySpec['api'], 'context' | 'version'>): string {
  return `${api.context}/${api.version}`;
}
