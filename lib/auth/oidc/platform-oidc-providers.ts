import { readFile } from 'node:fs/promises';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../../config-issues';
import { deploymentTomlPath } from '../../env';
import { roleValues, type OidcRoleMapping } from '../../db/schema';
import { defaultRoleValues, emailDomainsSchema, issuerSchema, scopesSchema } from './oidc-provider.schema';
import { PLATFORM_PROVIDER_PREFIX, type OidcProviderConfig } from './oidc-provider-config';

/**
 * The super tenant's OpenID providers from deployment.toml (`[[OidcProvider]]` blocks). The
 * client secret may be written in the file or, better, named as an environment variable
 * (`clientSecretEnv`) so the file can be checked in. The tenant is filled in by the caller.
 */

const KEY = 'OidcProvider';

const entrySchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'use lower-case letters, digits and dashes, e.g. "corporate"'),
    displayName: z.string().trim().min(1).max(80),
    issuer: issuerSchema,
    clientId: z.string().trim().min(1).max(255),
    clientSecret: z.string().min(1).max(1024).optional(),
    clientSecretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'name an environment variable such as PRIVATEJET_OIDC_SECRET').optional(),
    scopes: scopesSchema.default('openid profile email'),
    roleClaim: z.string().trim().max(200).optional(),
    roleMappings: z.record(z.string().min(1).max(200), z.enum(roleValues)).default({}),
    defaultRole: z.enum(defaultRoleValues).default('subscriber'),
    allowedEmailDomains: z.array(z.string()).max(50).default([]),
    enabled: z.boolean().default(true),
  })
  .strict()
  .refine((entry) => !!entry.clientSecret !== !!entry.clientSecretEnv, { message: 'set exactly one of clientSecret and clientSecretEnv', path: ['clientSecret'] });

export type PlatformOidcProvider = Omit<OidcProviderConfig, 'tenantId' | 'tenantDomain'>;

/** Parses the `[[OidcProvider]]` blocks of a deployment.toml's text; other tables are left alone. */
export function parsePlatformOidcProviders(text: string, fileName: string, env: Record<string, string | undefined> = process.env): PlatformOidcProvider[] {
  const document = parseToml(text) as Record<string, unknown>;
  const raw = document[KEY];
  if (raw === undefined) return [];
  const issues: ConfigIssue[] = [];
  if (!Array.isArray(raw)) throw new ConfigError([{ path: `${fileName}: ${KEY}`, message: `must be written as [[${KEY}]] blocks, one per provider` }]);
  const providers: PlatformOidcProvider[] = [];
  for (const [index, entry] of raw.entries()) {
    const parsed = entrySchema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) issues.push({ path: `${fileName}: ${KEY}[${index}]${issue.path.map((segment) => `.${String(segment)}`).join('')}`, message: issue.message });
      continue;
    }
    const value = parsed.data;
    const clientSecret = value.clientSecret ?? env[value.clientSecretEnv!];
    if (!clientSecret) {
      issues.push({ path: `${fileName}: ${KEY}[${index}].clientSecretEnv`, message: `names ${value.clientSecretEnv}, which is not set` });
      continue;
    }
    const domains = emailDomainsSchema.safeParse(value.allowedEmailDomains.join(','));
    if (!domains.success) {
      issues.push({ path: `${fileName}: ${KEY}[${index}].allowedEmailDomains`, message: 'list domains such as "example.com"' });
      continue;
    }
    if (!value.enabled) continue;
    const roleMappings: OidcRoleMapping[] = Object.entries(value.roleMappings).map(([claimValue, role]) => ({ value: claimValue, role }));
    providers.push({
      key: `${PLATFORM_PROVIDER_PREFIX}${value.name}`,
      displayName: value.displayName,
      issuer: value.issuer,
      clientId: value.clientId,
      clientSecret,
      scopes: value.scopes,
      roleClaim: value.roleClaim || null,
      roleMappings,
      defaultRole: value.defaultRole,
      allowedEmailDomains: domains.data,
    });
  }
  const names = providers.map((provider) => provider.key);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) issues.push({ path: `${fileName}: ${KEY}`, message: `two providers are named "${duplicate.slice(PLATFORM_PROVIDER_PREFIX.length)}"` });
  if (issues.length > 0) throw new ConfigError(issues);
  return providers;
}

const globalForOidc = globalThis as unknown as { privatejetPlatformOidc?: Promise<PlatformOidcProvider[]> };

/** The file's providers, read once per process; a missing file has none (start-up reports a missing file already). */
export function platformOidcProviders(): Promise<PlatformOidcProvider[]> {
  globalForOidc.privatejetPlatformOidc ??= (async () => {
    const file = deploymentTomlPath();
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return [];
    }
    return parsePlatformOidcProviders(text, file);
  })().catch((error: unknown) => {
    globalForOidc.privatejetPlatformOidc = undefined;
    throw error;
  });
  return globalForOidc.privatejetPlatformOidc;
}

/** For tests: use these providers instead of the file's. */
export function setPlatformOidcProviders(providers: PlatformOidcProvider[]): void {
  globalForOidc.privatejetPlatformOidc = Promise.resolve(providers);
}
