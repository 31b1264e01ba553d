import { z } from 'zod';
import { roleValues, type OidcRoleMapping, type Role } from '../../db/schema';
import { tenantDomainSchema } from '../identity';

/**
 * What an admin (or deployment.toml) says about an OpenID provider. One schema for the admin
 * form and the file, so both refuse the same things with the same sentences.
 */

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The issuer as the provider itself spells it (discovery compares it exactly): https, or http on loopback only. */
export const issuerSchema = z
  .string()
  .trim()
  .min(1, 'Enter the issuer URL.')
  .max(2048, 'Use at most 2048 characters.')
  .refine((value) => URL.canParse(value), 'Enter an absolute URL such as https://login.example.com/realms/acme.')
  .refine((value) => !URL.canParse(value) || (() => {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  })(), 'The issuer must use https (plain http only on this machine, for tests).')
  .refine((value) => !URL.canParse(value) || (() => {
    const url = new URL(value);
    return !url.search && !url.hash && !url.username && !url.password;
  })(), 'The issuer URL has no query, fragment or credentials.');

export const scopesSchema = z
  .string()
  .trim()
  .max(500, 'Use at most 500 characters.')
  .transform((value) => value.split(/\s+/).filter(Boolean))
  .refine((scopes) => scopes.every((scope) => /^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/.test(scope)), 'Scopes are words separated by spaces.')
  .refine((scopes) => scopes.includes('openid'), 'The scopes must include openid.')
  .transform((scopes) => [...new Set(scopes)].join(' '));

const claimNameSchema = z
  .string()
  .trim()
  .max(200, 'Use at most 200 characters.')
  .regex(/^[A-Za-z0-9_.:/-]*$/, 'A claim name has letters, digits and _ . : / - only, e.g. groups or https://example.com/roles.');

/** Roles a person may get without a mapping: never admin, which only an explicit mapping grants. */
export const defaultRoleValues = ['subscriber', 'publisher'] as const satisfies readonly Role[];

/** One `claim value = role` per line, e.g. `platform-admins = admin`. */
export const roleMappingsSchema = z
  .string()
  .max(10_000, 'Use at most 10000 characters.')
  .transform((text, context): OidcRoleMapping[] => {
    const mappings: OidcRoleMapping[] = [];
    const lines = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
    if (lines.length > 100) context.addIssue({ code: 'custom', message: 'Use at most 100 mappings.' });
    for (const [index, line] of lines.entries()) {
      const match = /^(.{1,200}?)\s*=\s*([a-z]+)$/.exec(line);
      const role = match?.[2] as Role | undefined;
      if (!match || !role || !(roleValues as readonly string[]).includes(role)) {
        context.addIssue({ code: 'custom', message: `Line ${index + 1}: write "claim value = role", with role one of ${roleValues.join(', ')}.` });
        continue;
      }
      mappings.push({ value: match[1]!.trim(), role });
    }
    return mappings;
  });

export const emailDomainsSchema = z
  .string()
  .max(5000, 'Use at most 5000 characters.')
  .transform((text) => [...new Set(text.split(/[\s,]+/).map((domain) => domain.trim().toLowerCase()).filter(Boolean))])
  .refine((domains) => domains.length <= 50, 'Use at most 50 domains.')
  .refine((domains) => domains.every((domain) => tenantDomainSchema.safeParse(domain).success), 'List domains such as example.com, separated by commas.');

const checkbox = z.union([z.literal('on'), z.literal('off'), z.literal('')]).optional().transform((value) => value === 'on');

const providerFields = {
  displayName: z.string().trim().min(1, 'Enter a name for the sign-in button.').max(80, 'Use at most 80 characters.'),
  issuer: issuerSchema,
  clientId: z.string().trim().min(1, 'Enter the client id.').max(255, 'Use at most 255 characters.'),
  scopes: scopesSchema,
  roleClaim: claimNameSchema,
  roleMappings: roleMappingsSchema,
  defaultRole: z.enum(defaultRoleValues, { message: 'Choose subscriber or publisher.' }),
  allowedEmailDomains: emailDomainsSchema,
  enabled: checkbox,
};

/** The secret is write-only: on create it is required; on edit an empty field keeps the stored one. */
export const createOidcProviderSchema = z.object({
  ...providerFields,
  clientSecret: z.string().min(1, 'Enter the client secret.').max(1024, 'Use at most 1024 characters.'),
});

export const updateOidcProviderSchema = z.object({
  ...providerFields,
  id: z.uuid(),
  clientSecret: z.string().max(1024, 'Use at most 1024 characters.').optional().transform((value) => value || undefined),
});

export const deleteOidcProviderSchema = z.object({ id: z.uuid() });

export const localPasswordsSchema = z.object({ adminsOnly: z.enum(['on', 'off']).transform((value) => value === 'on') });

export type CreateOidcProviderInput = z.infer<typeof createOidcProviderSchema>;
export type UpdateOidcProviderInput = z.infer<typeof updateOidcProviderSchema>;
