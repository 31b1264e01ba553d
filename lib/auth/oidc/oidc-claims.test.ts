import { describe, expect, it } from 'vitest';
import { emailDomainAllowed, rolesFromClaims, usernameCandidateFrom, type IdTokenClaims } from './oidc-claims';
import { createOidcProviderSchema } from './oidc-provider.schema';
import { parsePlatformOidcProviders } from './platform-oidc-providers';

const claims = (extra: Record<string, unknown>): IdTokenClaims => ({ iss: 'https://login.example.com', sub: 'subject-1', ...extra });
const mapping = { roleClaim: 'groups', roleMappings: [{ value: 'admins', role: 'admin' as const }, { value: 'team', role: 'publisher' as const }], defaultRole: 'subscriber' as const };

describe('roles from claims', () => {
  it('gives every mapped role the claim holds, as a list or a single string', () => {
    expect(rolesFromClaims(claims({ groups: ['team', 'admins', 'other'] }), mapping)).toEqual(['admin', 'publisher']);
    expect(rolesFromClaims(claims({ groups: 'team' }), mapping)).toEqual(['publisher']);
  });
  it('gives the default role when nothing maps, the claim is missing, or no claim is configured', () => {
    expect(rolesFromClaims(claims({ groups: ['other'] }), mapping)).toEqual(['subscriber']);
    expect(rolesFromClaims(claims({}), mapping)).toEqual(['subscriber']);
    expect(rolesFromClaims(claims({ groups: ['admins'] }), { ...mapping, roleClaim: null })).toEqual(['subscriber']);
  });
  it('ignores values that are not strings', () => {
    expect(rolesFromClaims(claims({ groups: [{ name: 'admins' }, 1] }), mapping)).toEqual(['subscriber']);
  });
});

describe('allowed e-mail domains', () => {
  it('allows anyone without a list', () => expect(emailDomainAllowed(claims({}), [])).toBe(true));
  it('allows a verified address of a listed domain or its subdomain', () => {
    expect(emailDomainAllowed(claims({ email: 'a@Example.com' }), ['example.com'])).toBe(true);
    expect(emailDomainAllowed(claims({ email: 'a@eu.example.com', email_verified: true }), ['example.com'])).toBe(true);
  });
  it('refuses other domains, look-alikes, unverified and missing addresses', () => {
    expect(emailDomainAllowed(claims({ email: 'a@elsewhere.org' }), ['example.com'])).toBe(false);
    expect(emailDomainAllowed(claims({ email: 'a@notexample.com' }), ['example.com'])).toBe(false);
    expect(emailDomainAllowed(claims({ email: 'a@example.com', email_verified: false }), ['example.com'])).toBe(false);
    expect(emailDomainAllowed(claims({}), ['example.com'])).toBe(false);
  });
});

describe('username of a new account', () => {
  it('prefers preferred_username, then the e-mail local part, then the subject, made valid', () => {
    expect(usernameCandidateFrom(claims({ preferred_username: 'Jane.Doe' }))).toBe('jane.doe');
    expect(usernameCandidateFrom(claims({ preferred_username: 'Jane Doe@corp' }))).toBe('jane-doe-corp');
    expect(usernameCandidateFrom(claims({ email: 'j.smith@example.com' }))).toBe('j.smith');
    expect(usernameCandidateFrom(claims({}))).toBe('subject-1');
  });
});

describe('the provider form schema', () => {
  const valid = {
    displayName: 'Corp SSO',
    issuer: 'https://login.example.com/realms/acme',
    clientId: 'privatejet',
    clientSecret: 's3cret',
    scopes: 'openid  email openid',
    roleClaim: 'groups',
    roleMappings: 'admins = admin\n\nteam=publisher',
    defaultRole: 'subscriber',
    allowedEmailDomains: 'Example.com, example.org',
  };
  it('parses mappings, scopes and domains', () => {
    const parsed = createOidcProviderSchema.parse(valid);
    expect(parsed).toMatchObject({ scopes: 'openid email', roleMappings: [{ value: 'admins', role: 'admin' }, { value: 'team', role: 'publisher' }], allowedEmailDomains: ['example.com', 'example.org'], enabled: false });
  });
  it('refuses with a sentence per field', () => {
    const result = createOidcProviderSchema.safeParse({ ...valid, issuer: 'http://login.example.com', scopes: 'email', roleMappings: 'admins = root', defaultRole: 'admin', clientSecret: '' });
    expect(result.success).toBe(false);
    const messages = Object.fromEntries(result.error!.issues.map((issue) => [issue.path.join('.'), issue.message]));
    expect(messages).toMatchObject({
      issuer: 'The issuer must use https (plain http only on this machine, for tests).',
      scopes: 'The scopes must include openid.',
      roleMappings: 'Line 1: write "claim value = role", with role one of admin, publisher, subscriber.',
      defaultRole: 'Choose subscriber or publisher.',
      clientSecret: 'Enter the client secret.',
    });
  });
});

describe('deployment.toml providers', () => {
  const toml = `
[[OidcProvider]]
name = "corporate"
displayName = "Corporate SSO"
issuer = "https://login.example.com"
clientId = "privatejet"
clientSecretEnv = "CORP_SECRET"
roleClaim = "groups"
roleMappings = { "platform-admins" = "admin" }
allowedEmailDomains = ["example.com"]
`;
  it('reads providers with the secret from the environment', () => {
    expect(parsePlatformOidcProviders(toml, 'deployment.toml', { CORP_SECRET: 'from-env' })).toEqual([
      {
        key: 'oidc-platform-corporate',
        displayName: 'Corporate SSO',
        issuer: 'https://login.example.com',
        clientId: 'privatejet',
        clientSecret: 'from-env',
        scopes: 'openid profile email',
        roleClaim: 'groups',
        roleMappings: [{ value: 'platform-admins', role: 'admin' }],
        defaultRole: 'subscriber',
        allowedEmailDomains: ['example.com'],
      },
    ]);
  });
  it('names the file, the block and the key of a problem', () => {
    expect(() => parsePlatformOidcProviders(toml, 'deployment.toml', {})).toThrow('deployment.toml: OidcProvider[0].clientSecretEnv: names CORP_SECRET, which is not set');
    expect(() => parsePlatformOidcProviders(toml.replace('https://login', 'ftp://login'), 'deployment.toml', { CORP_SECRET: 'x' })).toThrow(/OidcProvider\[0\]\.issuer/);
  });
  it('has none when the file has no [[OidcProvider]]', () => {
    expect(parsePlatformOidcProviders('[ContainerMgtConfig]\nLocal = "local"\n', 'deployment.toml')).toEqual([]);
  });
});
