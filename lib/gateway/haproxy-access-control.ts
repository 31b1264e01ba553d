import { apiBasePath, type GatewaySpec } from './gateway-spec';
import { EXTERNAL_JWT_KEY_FILE, keyFileName, REVOKED_APPLICATIONS_MAP, REVOKED_TOKENS_MAP } from './gateway-files';
import { refuse, sample, type MessagePart } from './haproxy-refusals';
import { BASIC_USERLIST, BASIC_USERS_CONFIG_FILE } from './security-resources';

/**
 * Who may call the API and how often, sections 7 to 9 of the gateway's frontend: credentials
 * (Basic, the cluster's other JWT issuer, the portal's JWTs and opaque tokens), the claims and
 * subscription of a portal token, its key type, and throttling per application and tier.
 */

const ACCESS_TOKEN_TYPES = ['at+jwt', 'application/at+jwt', 'jwt'];

/** Whether the gateway reads access tokens of the portal (JWTs, opaque tokens or both). */
export function acceptsPortalTokens(spec: GatewaySpec): boolean {
  return spec.security.jwt || spec.security.opaqueTokens;
}

/** Each throttled tier with the share of its rate per minute that one replica enforces. */
export function throttledTiers(spec: GatewaySpec): Array<{ tier: string; limit: number }> {
  return Object.entries(spec.tiers).flatMap(([tier, rate]) =>
    rate === 'unlimited' ? [] : [{ tier, limit: Math.max(1, Math.ceil(rate / spec.replicas)) }],
  );
}

/** The frontend's rules from section 7 on; none when the gateway accepts no credentials of any kind. */
export function accessControlRules(spec: GatewaySpec): string[] {
  const { api, authorizationServer: as } = spec;
  const realm = `realm="${apiBasePath(api)}"`;
  const portalTokens = acceptsPortalTokens(spec);
  if (!portalTokens && spec.security.basic !== true && spec.security.externalJwt === undefined) return [];
  const kids = as.keys.map((key) => key.kid);
  const limitedTiers = throttledTiers(spec);
  const invalidToken = (message: MessagePart[], when: string): string =>
    refuse({ status: 401, code: 'invalid_token', message, when, headers: [['WWW-Authenticate', `Bearer ${realm}, error="invalid_token"`]] });
  const notSubscribed = (message: MessagePart[], when: string, code = 'not_subscribed'): string => refuse({ status: 403, code, message, when });
  const hasProduction = spec.endpoints.length > 0;
  const hasSandbox = spec.sandboxEndpoints.length > 0;

  const out: string[] = [];
  const add = (...lines: string[]) => out.push(...lines);

  const accepted = [
    ...(portalTokens ? ['Authorization: Bearer <access token>'] : []),
    ...(spec.security.externalJwt && !portalTokens ? ['Authorization: Bearer <JWT>'] : []),
    ...(spec.security.basic ? ['Basic credentials of a user of the cluster'] : []),
  ];
  const challenges: Array<[string, string]> = [
    ...(portalTokens || spec.security.externalJwt ? [['WWW-Authenticate', `Bearer ${realm}`] as [string, string]] : []),
    ...(spec.security.basic ? [['WWW-Authenticate', `Basic ${realm}, charset="UTF-8"`] as [string, string]] : []),
  ];
  add(
    '',
    `  # 7. Credentials${accepted.length === 1 && portalTokens ? ': an access token of the portal' : ''}, unless the operation says security: [].`,
    '  acl needs_token var(txn.access) -m str token',
    '  http-request set-var(txn.token) http_auth_bearer if needs_token',
    '  acl has_token var(txn.token) -m found',
    '  acl jwt_shaped var(txn.token) -m reg ^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*$',
    refuse({
      status: 401,
      code: 'missing_credentials',
      message: [`this API needs credentials: send ${accepted.join(' or ')}`],
      when: 'needs_token !{ req.fhdr(authorization) -m found }',
      headers: challenges,
    }),
  );
  if (spec.security.basic) {
    add(
      '',
      `  # 7-basic. Basic credentials of the cluster's users: userlist ${BASIC_USERLIST}, in ${BASIC_USERS_CONFIG_FILE} beside this`,
      "  #     file (rendered from the cluster's Secret where the gateway runs). A Basic caller is a person or",
      '  #     system the cluster\'s admin trusts, not an application: no subscription, tier or throttling applies.',
      '  acl basic_sent http_auth_type -m str -i basic',
      refuse({
        status: 401,
        code: 'invalid_credentials',
        message: ['user name or password is not valid'],
        when: `needs_token basic_sent !{ http_auth(${BASIC_USERLIST}) }`,
        headers: [['WWW-Authenticate', `Basic ${realm}, charset="UTF-8"`]],
      }),
      '  http-request set-var(txn.client_id) http_auth_user if needs_token basic_sent',
      '  # Authenticated: nothing below that concerns tokens applies to this request.',
      '  http-request set-var(txn.access) str(basic) if needs_token basic_sent',
    );
  }
  if (spec.security.externalJwt) {
    const external = spec.security.externalJwt;
    const invalidExternal = (message: MessagePart[], when: string) => invalidToken(message, when);
    add(
      '',
      `  # 7-external. JWTs of the cluster's other issuer ${external.issuer} (the cluster's JWT resource), told`,
      '  #     apart by their iss claim before anything else: RS256 with its key, then aud, exp and nbf. Such a',
      "  #     caller is the other issuer's client, not an application of the portal: no subscription, tier or",
      '  #     throttling applies (the issuer decides who gets tokens for this audience).',
      "  http-request set-var(txn.ext_iss) var(txn.token),word(2,.),ub64dec,json_query('$.iss') if needs_token jwt_shaped",
      `  http-request set-var(txn.is_external) bool(1) if needs_token jwt_shaped { var(txn.ext_iss) -m str -- ${external.issuer} }`,
      '  acl is_external var(txn.is_external) -m bool',
      "  http-request set-var(txn.jwt_alg) var(txn.token),jwt_header_query('$.alg') if is_external",
      invalidExternal(['token algorithm "', sample('var(txn.jwt_alg)'), `" is not allowed for issuer ${external.issuer}; expected RS256`], 'is_external !{ var(txn.jwt_alg) -m str RS256 }'),
      `  http-request set-var(txn.jwt_valid) var(txn.token),jwt_verify("RS256","${EXTERNAL_JWT_KEY_FILE}") if is_external`,
      invalidExternal([`token signature is not valid for the key of issuer ${external.issuer}`], 'is_external !{ var(txn.jwt_valid) -m int 1 }'),
      '  http-request set-var(txn.claims) var(txn.token),word(2,.),ub64dec if is_external',
      "  http-request set-var(txn.exp) var(txn.claims),json_query('$.exp','int') if is_external",
      "  http-request set-var(txn.nbf) var(txn.claims),json_query('$.nbf','int') if is_external",
      "  http-request set-var(txn.aud) var(txn.claims),json_query('$.aud') if is_external",
      `  http-request set-var(txn.exp_left) var(txn.exp),add(${as.clockSkewSeconds}),sub(txn.now) if is_external`,
      `  http-request set-var(txn.nbf_past) var(txn.now),add(${as.clockSkewSeconds}),sub(txn.nbf) if is_external { var(txn.nbf) -m found }`,
      invalidExternal(['token has no exp claim'], 'is_external !{ var(txn.exp) -m found }'),
      invalidExternal(['token expired at ', sample('var(txn.exp),utime(%Y-%m-%dT%H:%M:%SZ)')], 'is_external !{ var(txn.exp_left) -m int gt 0 }'),
      invalidExternal(['token is not valid before ', sample('var(txn.nbf),utime(%Y-%m-%dT%H:%M:%SZ)')], 'is_external { var(txn.nbf_past) -m found } !{ var(txn.nbf_past) -m int ge 0 }'),
      invalidExternal(['token audience "', sample('var(txn.aud)'), `" is not the expected "${external.audience}"`], `is_external !{ var(txn.aud) -m str -- ${external.audience} }`),
      "  http-request set-var(txn.client_id) var(txn.claims),json_query('$.sub') if is_external",
      "  http-request set-var(txn.client_id) var(txn.claims),json_query('$.client_id') if is_external { var(txn.claims),json_query('$.client_id') -m found }",
      '  # Verified: the portal\'s token rules below do not apply to this request.',
      '  http-request set-var(txn.access) str(external-jwt) if is_external',
      '  http-request unset-var(txn.token) if is_external',
    );
  }
  if (!portalTokens) {
    add(invalidToken([spec.security.externalJwt ? `this API accepts only tokens of issuer ${spec.security.externalJwt.issuer}${spec.security.basic ? ' or Basic credentials' : ''}` : 'this API accepts Basic credentials only'], 'needs_token'));
  } else {
    add(invalidToken(['credentials must be an access token sent as Authorization: Bearer <token>'], 'needs_token !has_token'));
  }
  if (portalTokens && !spec.security.opaqueTokens) add(invalidToken(['token is not a JWT access token of the portal'], 'needs_token !jwt_shaped'));
  if (portalTokens && !spec.security.jwt) add(invalidToken(['this API accepts opaque access tokens only'], 'needs_token jwt_shaped'));

  if (spec.security.jwt) {
    add(
      '',
      '  # 7a. JWT: header first (algorithm, type, key id), then the signature, then the claims.',
      '  #     A verified signature is remembered by the token\'s hash for 2 minutes (bounded table);',
      '  #     the claims are checked on every request whatever the cache says.',
      '  http-request set-var(txn.is_jwt) bool(1) if needs_token jwt_shaped',
      '  acl is_jwt var(txn.is_jwt) -m bool',
      "  http-request set-var(txn.jwt_alg) var(txn.token),jwt_header_query('$.alg') if is_jwt",
      "  http-request set-var(txn.jwt_typ) var(txn.token),jwt_header_query('$.typ') if is_jwt",
      "  http-request set-var(txn.jwt_kid) var(txn.token),jwt_header_query('$.kid') if is_jwt",
      invalidToken(['token is not a well-formed JWT'], 'is_jwt !{ var(txn.jwt_alg) -m found }'),
      invalidToken(['token algorithm "', sample('var(txn.jwt_alg)'), '" is not allowed; expected one of RS256'], 'is_jwt !{ var(txn.jwt_alg) -m str RS256 }'),
      invalidToken(
        ['token type "', sample('var(txn.jwt_typ)'), '" is not an access token; expected "at+jwt"'],
        `is_jwt { var(txn.jwt_typ) -m found } !{ var(txn.jwt_typ) -m str -i ${ACCESS_TOKEN_TYPES.join(' ')} }`,
      ),
      invalidToken(['token has no key id ("kid") matching a key of the issuer'], 'is_jwt !{ var(txn.jwt_kid) -m found }'),
      invalidToken(
        ['token key id "', sample('var(txn.jwt_kid)'), '" is not a key of the issuer'],
        // `--` ends the options: a kid is a JWK thumbprint in base64url and may start with "-".
        kids.length > 0 ? `is_jwt !{ var(txn.jwt_kid) -m str -- ${kids.join(' ')} }` : 'is_jwt',
      ),
      '  http-request set-var(txn.jwt_hash) var(txn.token),sha2(256) if is_jwt',
      '  acl jwt_seen var(txn.jwt_hash),in_table(verified_tokens)',
      ...as.keys.map(
        (key) =>
          `  http-request set-var(txn.jwt_valid) var(txn.token),jwt_verify("RS256","${keyFileName(key.kid)}") if is_jwt !jwt_seen { var(txn.jwt_kid) -m str -- ${key.kid} }`,
      ),
      '  http-request set-var(txn.jwt_valid) int(1) if is_jwt jwt_seen',
      invalidToken(['token signature is invalid'], 'is_jwt !{ var(txn.jwt_valid) -m int 1 }'),
      '  http-request track-sc0 var(txn.jwt_hash) table verified_tokens if is_jwt !jwt_seen',
      '  http-request set-var(txn.claims) var(txn.token),word(2,.),ub64dec if is_jwt',
      "  http-request set-var(txn.exp) var(txn.claims),json_query('$.exp','int') if is_jwt",
      "  http-request set-var(txn.nbf) var(txn.claims),json_query('$.nbf','int') if is_jwt",
      "  http-request set-var(txn.iat) var(txn.claims),json_query('$.iat','int') if is_jwt",
      "  http-request set-var(txn.iss) var(txn.claims),json_query('$.iss') if is_jwt",
      "  http-request set-var(txn.aud) var(txn.claims),json_query('$.aud') if is_jwt",
      "  http-request set-var(txn.jti) var(txn.claims),json_query('$.jti') if is_jwt",
      "  http-request set-var(txn.client_id) var(txn.claims),json_query('$.client_id') if is_jwt",
      "  http-request set-var(txn.tenant) var(txn.claims),json_query('$.tenant') if is_jwt",
      "  http-request set-var(txn.app_id) var(txn.claims),json_query('$.application.id') if is_jwt",
      "  http-request set-var(txn.app_name) var(txn.claims),json_query('$.application.name') if is_jwt",
      '  # The portal puts subscriptions in a map keyed by API id: one lookup gives this API\'s tier.',
      `  http-request set-var(txn.tier) var(txn.claims),json_query('$.subscriptions.${api.id}') if is_jwt`,
      "  http-request set-var(txn.key_type) var(txn.claims),json_query('$.keytype') if is_jwt",
      invalidToken(["token claims do not follow the access-token contract of the portal (exp, iss, aud, tenant and application are required)"], 'is_jwt !{ var(txn.exp) -m found } || is_jwt !{ var(txn.iss) -m found } || is_jwt !{ var(txn.tenant) -m found } || is_jwt !{ var(txn.app_id) -m found }'),
    );
  }
  if (spec.security.opaqueTokens) {
    add(
      '',
      '  # 7b. Opaque tokens: RFC 7662 introspection at the portal, answers cached',
      `  #     ${as.introspectionCacheSeconds} s at most (privatejet.lua); it sets the same variables as a JWT.`,
      '  http-request set-var(txn.is_opaque) bool(1) if needs_token has_token !jwt_shaped',
      '  acl is_opaque var(txn.is_opaque) -m bool',
      '  http-request lua.privatejet_introspect if is_opaque',
    );
    const other = spec.security.externalIntrospection;
    if (!other) {
      add(
        refuse({
          status: 503,
          code: 'service_unavailable',
          message: ['the token introspection service is unavailable; try again'],
          when: 'is_opaque !{ var(txn.active) -m found }',
          headers: [['Retry-After', '1']],
        }),
        invalidToken(['token is not active (revoked, expired or unknown to the issuer)'], 'is_opaque !{ var(txn.active) -m int 1 }'),
      );
    } else {
      const unavailable = (when: string) =>
        refuse({ status: 503, code: 'service_unavailable', message: ['the token introspection service is unavailable; try again'], when, headers: [['Retry-After', '1']] });
      add(
        `  #     A token the portal does not know is asked about at the cluster's other server, ${other.introspectionUrl}`,
        "  #     (its OAuth2 resource; client credentials from the mounted Secret). Such a caller is that server's",
        '  #     client, not an application of the portal: no subscription, tier or throttling applies.',
        '  http-request lua.privatejet_introspect_external if is_opaque !{ var(txn.active) -m int 1 }',
        '  acl external_active var(txn.ext_active) -m int 1',
        unavailable('is_opaque !{ var(txn.active) -m found } !external_active'),
        unavailable('is_opaque { var(txn.active) -m int 0 } !{ var(txn.ext_active) -m found }'),
        invalidToken(['token is not active (revoked, expired or unknown to the issuer)'], 'is_opaque !{ var(txn.active) -m int 1 } !external_active'),
        `  http-request set-var(txn.ext_exp_left) var(txn.ext_exp),add(${as.clockSkewSeconds}),sub(txn.now) if is_opaque external_active { var(txn.ext_exp) -m found }`,
        invalidToken(['token expired at ', sample('var(txn.ext_exp),utime(%Y-%m-%dT%H:%M:%SZ)')], 'is_opaque external_active { var(txn.ext_exp_left) -m found } !{ var(txn.ext_exp_left) -m int gt 0 }'),
        ...(other.audience
          ? [invalidToken(['token audience "', sample('var(txn.ext_aud)'), `" is not the expected "${other.audience}"`], `is_opaque external_active !{ var(txn.ext_aud) -m str -- ${other.audience} }`)]
          : []),
        '  http-request set-var(txn.client_id) var(txn.ext_client_id) if is_opaque external_active',
        "  # Active at the other server: the portal's token rules below do not apply to this request.",
        '  http-request set-var(txn.access) str(external-oauth) if is_opaque external_active',
        '  http-request unset-var(txn.token) if is_opaque external_active',
      );
    }
  }

  add(
    '',
    `  # 8. Claims, whichever way the token was read. Times allow ${as.clockSkewSeconds} s of clock skew; the sums`,
    '  #    are compared with 0 (comparing with a negative constant is unreliable on HAProxy 2.6).',
    `  http-request set-var(txn.exp_left) var(txn.exp),add(${as.clockSkewSeconds}),sub(txn.now) if has_token`,
    `  http-request set-var(txn.nbf_past) var(txn.now),add(${as.clockSkewSeconds}),sub(txn.nbf) if has_token { var(txn.nbf) -m found }`,
    `  http-request set-var(txn.iat_past) var(txn.now),add(${as.clockSkewSeconds}),sub(txn.iat) if has_token { var(txn.iat) -m found }`,
    invalidToken(['token expired at ', sample('var(txn.exp),utime(%Y-%m-%dT%H:%M:%SZ)')], 'has_token !{ var(txn.exp_left) -m int gt 0 }'),
    invalidToken(['token is not valid before ', sample('var(txn.nbf),utime(%Y-%m-%dT%H:%M:%SZ)')], 'has_token { var(txn.nbf_past) -m found } !{ var(txn.nbf_past) -m int ge 0 }'),
    invalidToken(['token was issued in the future (', sample('var(txn.iat),utime(%Y-%m-%dT%H:%M:%SZ)'), ')'], 'has_token { var(txn.iat_past) -m found } !{ var(txn.iat_past) -m int ge 0 }'),
    invalidToken(
      ['token issuer "', sample('var(txn.iss)'), `" is not the expected "${as.issuers.join('" or "')}"`],
      `has_token !{ var(txn.iss) -m str ${as.issuers.join(' ')} }`,
    ),
    invalidToken(
      ['token audience "', sample('var(txn.aud)'), `" does not include the expected "${as.audience}"`],
      `${spec.security.jwt ? 'is_jwt' : 'FALSE'} !{ var(txn.aud) -m str ${as.audience} }`,
    ),
    invalidToken(['token was revoked'], `has_token { var(txn.jti),map(${REVOKED_TOKENS_MAP}) -m found }`),
    notSubscribed(
      ['token belongs to tenant "', sample('var(txn.tenant)'), `", but API "${api.name}" ${api.version} is in tenant "${api.tenant}"`],
      `has_token !{ var(txn.tenant) -m str ${api.tenant} }`,
    ),
    notSubscribed(
      [
        'application "',
        sample('var(txn.app_name)'),
        `" is not subscribed to API "${api.name}" ${api.version} (id ${api.id}); subscribe in the developer portal and get a new token`,
      ],
      'has_token !{ var(txn.tier) -m found }',
    ),
    '  # A blocked or removed subscription: tokens issued before that moment no longer grant this API.',
    `  http-request set-var(txn.revoked_since) var(txn.app_id),map_str_int(${REVOKED_APPLICATIONS_MAP},0) if has_token`,
    '  http-request set-var(txn.revoked_left) var(txn.revoked_since),sub(txn.iat) if has_token',
    notSubscribed(
      ['the subscription of application "', sample('var(txn.app_name)'), '" to this API was blocked or removed; get a new token once it is active again'],
      'has_token { var(txn.revoked_since) -m int gt 0 } { var(txn.revoked_left) -m int ge 0 }',
    ),
    notSubscribed(
      ['subscription tier "', sample('var(txn.tier)'), `" is not configured on this gateway; known tiers: ${Object.keys(spec.tiers).join(', ')}`],
      `has_token !{ var(txn.tier) -m str ${Object.keys(spec.tiers).join(' ')} }`,
      'tier_not_configured',
    ),
  );
  if (portalTokens) {
    add(
      '',
      '  # 8b. Key type, as in WSO2: tokens of sandbox keys (claim keytype SANDBOX) go to the sandbox endpoint,',
      '  #     all others (PRODUCTION, or no keytype: tokens issued before key types) to the production endpoint.',
      '  acl sandbox_token var(txn.key_type) -m str SANDBOX',
      `  #     Sandbox endpoint: ${hasSandbox ? spec.sandboxEndpoints.join(', ') : 'none'}. Production endpoint: ${hasProduction ? spec.endpoints.join(', ') : 'none'}.`,
      ...(hasSandbox
        ? []
        : [
            notSubscribed(
              [`API "${api.name}" ${api.version} has no sandbox endpoint, so tokens of sandbox keys cannot call it; use a token of the production keys of application "`, sample('var(txn.app_name)'), '"'],
              'has_token sandbox_token',
              'sandbox_endpoint_missing',
            ),
          ]),
      ...(hasProduction
        ? []
        : [
            notSubscribed(
              [`API "${api.name}" ${api.version} has only a sandbox endpoint, so tokens of production keys cannot call it; use a token of the sandbox keys of application "`, sample('var(txn.app_name)'), '"'],
              'has_token !sandbox_token',
              'production_endpoint_missing',
            ),
          ]),
    );
  }

  if (limitedTiers.length > 0) {
    add(
      '',
      `  # 9. Throttling per application and tier. Each of the ${spec.replicas} replica(s) enforces its share of the`,
      '  #    tier\'s rate; a refused request does not count against the next minute.',
      ...limitedTiers.flatMap(({ tier, limit }) => [
        `  acl tier_${tier} var(txn.tier) -m str ${tier}`,
        `  http-request track-sc1 var(txn.app_id) table tier_${tier} if has_token tier_${tier}`,
        `  http-request set-var(txn.rate_limit) int(${limit}) if has_token tier_${tier}`,
        `  http-request set-var(txn.retry_after) int(${Math.max(1, Math.ceil(60 / limit))}) if has_token tier_${tier}`,
      ]),
      '  acl throttled_tier var(txn.rate_limit) -m found',
      '  http-request set-var(txn.rate_used) sc_gpc0_rate(1) if throttled_tier',
      '  http-request set-var(txn.rate_left) var(txn.rate_limit),sub(txn.rate_used) if throttled_tier',
      refuse({
        status: 429,
        code: 'throttled',
        message: ['rate limit of tier "', sample('var(txn.tier)'), '" (', sample('var(txn.rate_limit)'), ' requests per minute per replica) reached; retry in ', sample('var(txn.retry_after)'), ' s'],
        when: 'throttled_tier !{ var(txn.rate_left) -m int gt 0 }',
        headers: [
          ['Retry-After', '%[var(txn.retry_after)]'],
          ['RateLimit-Limit', '%[var(txn.rate_limit)]'],
          ['RateLimit-Remaining', '0'],
          ['RateLimit-Reset', '60'],
        ],
      }),
      '  http-request sc-inc-gpc0(1) if throttled_tier',
      '  http-request set-var(txn.rate_left) var(txn.rate_left),sub(1) if throttled_tier',
      '  http-after-response set-header RateLimit-Limit %[var(txn.rate_limit)] if { var(txn.rate_limit) -m found } { var(txn.rate_left) -m found }',
      '  http-after-response set-header RateLimit-Remaining %[var(txn.rate_left)] if { var(txn.rate_limit) -m found } { var(txn.rate_left) -m found }',
      '  http-after-response set-header RateLimit-Reset 60 if { var(txn.rate_limit) -m found } { var(txn.rate_left) -m found }',
    );
  }
  return out;
}
