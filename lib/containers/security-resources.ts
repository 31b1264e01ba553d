import type { ClusterSecurity } from '@/lib/gateway/gateway-spec-for';
import type { GatewaySpec } from '@/lib/gateway/gateway-spec';
import {
  BASIC_USERS_KEY,
  basicUsersOf,
  externalJwtIssuerOf,
  externalIntrospectionOf,
  JWT_RESOURCE_KEYS,
  OAUTH_RESOURCE_KEYS,
  SecurityResourceError,
  type SecurityResource,
} from '@/lib/gateway/security-resources';
import type { TargetCluster } from './container-manager';

/**
 * The seed's three `*SecurityCustomResourceName` properties as the gateway-running managers
 * (kubernetes, local) use them: which object each names, where it is read from, and what a
 * gateway there may then accept. The formats themselves are in lib/gateway/security-resources.ts.
 * The wso2-api-operator manager hands the names to the operator instead and never calls this.
 */

export type SecurityMechanism = 'basic' | 'jwt' | 'oauth';

export const SECURITY_RESOURCE_PROPERTIES = {
  basic: 'BasicSecurityCustomResourceName',
  jwt: 'JWTSecurityCustomResourceName',
  oauth: 'OauthSecurityCustomResourceName',
} as const satisfies Record<SecurityMechanism, string>;

export type SecurityResourceProperty = (typeof SECURITY_RESOURCE_PROPERTIES)[SecurityMechanism];

export type SecurityResourceKind = 'Secret' | 'ConfigMap';

/** The kinds a named resource may be, tried in this order: Basic users are secret; a JWT issuer's key is public. */
export const SECURITY_RESOURCE_KINDS: Record<SecurityMechanism, readonly SecurityResourceKind[]> = {
  basic: ['Secret'],
  jwt: ['ConfigMap', 'Secret'],
  oauth: ['Secret'],
};

/** The documented keys of each kind of resource, for messages and the connection check. */
export const SECURITY_RESOURCE_KEYS: Record<SecurityMechanism, readonly string[]> = {
  basic: [BASIC_USERS_KEY],
  jwt: Object.values(JWT_RESOURCE_KEYS),
  oauth: Object.values(OAUTH_RESOURCE_KEYS),
};

/** Reads one named object of one kind where the cluster keeps them; undefined when there is none. */
export type SecurityResourceReader = (kind: SecurityResourceKind, name: string) => Promise<SecurityResource | undefined>;

/** What the connection check shows for one named resource; safe for a browser (no key's value). */
export interface SecurityResourceStatus {
  mechanism: SecurityMechanism;
  property: SecurityResourceProperty;
  name: string;
  /** The object it was found as, e.g. "Secret team-a/securitybasic". */
  foundAs?: string;
  ok: boolean;
  /** What is missing or malformed (names the resource and the key), or why the mechanism is not used. */
  problem?: string;
  /** What a gateway of this cluster accepts thanks to it, in words. */
  offers?: string;
}

export function securityResourceName(cluster: Pick<TargetCluster, 'properties'>, mechanism: SecurityMechanism): string | undefined {
  const name = cluster.properties[SECURITY_RESOURCE_PROPERTIES[mechanism]];
  return name === undefined || name.trim() === '' ? undefined : name.trim();
}

async function readNamed(mechanism: SecurityMechanism, name: string, read: SecurityResourceReader, where: string): Promise<SecurityResource> {
  for (const kind of SECURITY_RESOURCE_KINDS[mechanism]) {
    const resource = await read(kind, name);
    if (resource) return resource;
  }
  const kinds = SECURITY_RESOURCE_KINDS[mechanism].join(' or ');
  throw new SecurityResourceError(
    `${SECURITY_RESOURCE_PROPERTIES[mechanism]} names "${name}", but there is no ${kinds} "${name}" ${where} (keys: ${SECURITY_RESOURCE_KEYS[mechanism].join(', ')})`,
  );
}

/**
 * What the cluster's resources let this API's gateway accept, read only when the API can use them
 * (Basic when it allows Basic, the JWT issuer when it requires tokens). A named resource that is
 * missing or malformed fails the deploy with a SecurityResourceError naming it and its key.
 */
export async function clusterSecurityFor(
  spec: GatewaySpec,
  cluster: Pick<TargetCluster, 'properties'>,
  read: SecurityResourceReader,
  where: string,
): Promise<{ security: ClusterSecurity; basicResource?: SecurityResource; oauthResource?: SecurityResource }> {
  const basicName = securityResourceName(cluster, 'basic');
  const jwtName = securityResourceName(cluster, 'jwt');
  const oauthName = securityResourceName(cluster, 'oauth');
  let oauthResource: SecurityResource | undefined;
  let basicResource: SecurityResource | undefined;
  const security: ClusterSecurity = { basicUsers: false };
  // Without its users an API that allows only Basic would be open to everyone: refuse instead.
  if (spec.security.basic && !basicName && !spec.security.jwt && !spec.security.opaqueTokens) {
    throw new SecurityResourceError(
      `this API accepts only Basic credentials, but the cluster names no Basic users (${SECURITY_RESOURCE_PROPERTIES.basic}): set it, or require an access token too`,
    );
  }
  if (spec.security.basic && basicName) {
    basicResource = await readNamed('basic', basicName, read, where);
    basicUsersOf(basicResource);
    security.basicUsers = true;
  }
  if ((spec.security.jwt || spec.security.opaqueTokens) && jwtName) {
    security.externalJwt = externalJwtIssuerOf(await readNamed('jwt', jwtName, read, where));
  }
  if (spec.security.opaqueTokens && oauthName) {
    oauthResource = await readNamed('oauth', oauthName, read, where);
    security.externalIntrospection = externalIntrospectionOf(oauthResource);
  }
  return { security, ...(basicResource ? { basicResource } : {}), ...(oauthResource ? { oauthResource } : {}) };
}

/** The connection check's view: each named resource, found or not, following its format or not. */
export async function securityResourceStatuses(cluster: Pick<TargetCluster, 'properties'>, read: SecurityResourceReader, where: string): Promise<SecurityResourceStatus[]> {
  const statuses: SecurityResourceStatus[] = [];
  for (const mechanism of ['basic', 'jwt', 'oauth'] as const) {
    const name = securityResourceName(cluster, mechanism);
    if (!name) continue;
    const base = { mechanism, property: SECURITY_RESOURCE_PROPERTIES[mechanism], name };
    try {
      const resource = await readNamed(mechanism, name, read, where);
      if (mechanism === 'basic') {
        const users = basicUsersOf(resource);
        statuses.push({ ...base, foundAs: resource.description, ok: true, offers: `Basic credentials of ${users.length} user(s), on APIs that allow Basic` });
      } else if (mechanism === 'jwt') {
        const issuer = externalJwtIssuerOf(resource);
        statuses.push({ ...base, foundAs: resource.description, ok: true, offers: `JWTs of issuer ${issuer.issuer} for audience ${issuer.audience}, on APIs that require a token` });
      } else {
        const server = externalIntrospectionOf(resource);
        statuses.push({ ...base, foundAs: resource.description, ok: true, offers: `opaque tokens active at ${server.introspectionUrl}${server.audience ? ` for audience ${server.audience}` : ''}, on APIs that require a token` });
      }
    } catch (error) {
      if (!(error instanceof SecurityResourceError)) throw error;
      statuses.push({ ...base, ok: false, problem: error.message });
    }
  }
  return statuses;
}

/** "Basic", "JWT (issuer …)": what the check found usable, for the publisher's Environments tab. */
export function offeredMechanisms(statuses: readonly SecurityResourceStatus[]): string[] {
  return statuses.filter((status) => status.ok && status.offers).map((status) => status.offers!);
}

/** Managers that run PrivateJet's own gateways and so read the named resources themselves. */
const GATEWAY_MANAGERS = new Set(['kubernetes', 'local']);

/**
 * The mechanisms a cluster offers, in words, from its configuration alone (no cluster call):
 * for the publisher's Environments tab. Whether the named resources are really there is the
 * connection check's answer, and a deploy's.
 */
export function clusterSecurityOffer(cluster: Pick<TargetCluster, 'properties'>, manager: string): string[] {
  const basic = securityResourceName(cluster, 'basic');
  const jwt = securityResourceName(cluster, 'jwt');
  const oauth = securityResourceName(cluster, 'oauth');
  if (!GATEWAY_MANAGERS.has(manager)) {
    const named = [jwt, oauth, basic].filter((name) => name !== undefined);
    return [named.length > 0 ? `The WSO2 API Operator's security resources ${named.map((name) => `"${name}"`).join(', ')}` : "The WSO2 API Operator's default JWT security"];
  }
  return [
    "Access tokens of the portal's applications (JWT or opaque), for APIs that require a token",
    ...(jwt ? [`JWTs of the cluster's own issuer (${SECURITY_RESOURCE_PROPERTIES.jwt} "${jwt}"), for APIs that require a token`] : []),
    ...(oauth ? [`Opaque tokens of the cluster's own authorization server (${SECURITY_RESOURCE_PROPERTIES.oauth} "${oauth}"), for APIs that require a token`] : []),
    ...(basic ? [`Basic credentials of the cluster's users (${SECURITY_RESOURCE_PROPERTIES.basic} "${basic}"), for APIs that allow Basic`] : []),
  ];
}

/** How a developer calls one API on one cluster: for the portal's Overview, one line per way. */
export function howToCallOnCluster(api: { security: { oauth2: boolean; basic?: boolean } }, cluster: Pick<TargetCluster, 'properties'>, manager: string): string[] {
  const ways: string[] = [];
  if (api.security.oauth2) ways.push('Authorization: Bearer <access token> of an application subscribed to this API');
  if (GATEWAY_MANAGERS.has(manager)) {
    if (api.security.oauth2 && securityResourceName(cluster, 'jwt')) ways.push("Authorization: Bearer <JWT> from this cluster's own identity provider (ask the cluster's admin)");
    if (api.security.oauth2 && securityResourceName(cluster, 'oauth')) ways.push("Authorization: Bearer <access token> from this cluster's own authorization server (ask the cluster's admin)");
    if (api.security.basic && securityResourceName(cluster, 'basic')) ways.push("Basic credentials issued by the cluster's admin");
  }
  return ways.length > 0 ? ways : ['No credentials needed'];
}
