/**
 * The names of the files a gateway loads and of the environment its proxy reads: shared by the
 * generator (haproxy-config.ts) and the managers that mount or write the files.
 */

export type GatewayFiles = Record<string, string>;

export const HAPROXY_CONFIG_FILE = 'haproxy.cfg';
export const REVOKED_TOKENS_MAP = 'revoked-tokens.map';
export const REVOKED_APPLICATIONS_MAP = 'revoked-applications.map';
/** The public key of the cluster's other JWT issuer, when the gateway accepts its tokens. */
export const EXTERNAL_JWT_KEY_FILE = 'external-jwt.pem';
/** Turns the mounted Basic Secret into BASIC_USERS_CONFIG_FILE in a pod (see security-resources.ts). */
export const BASIC_USERS_SCRIPT_FILE = 'basic-users.sh';

/** Environment of the proxy process: where to listen, and the file holding the gateway's client secret. */
export const GATEWAY_ENV = {
  bind: 'PRIVATEJET_GATEWAY_BIND',
  secretFile: 'PRIVATEJET_GATEWAY_SECRET_FILE',
  /** The folder holding client-id and client-secret of the cluster's other introspection server. */
  externalIntrospectionDir: 'PRIVATEJET_EXTERNAL_INTROSPECTION_DIR',
} as const;
/** Where a pod mounts the cluster's OAuth2 Secret (client-id, client-secret). */
export const EXTERNAL_INTROSPECTION_DIR = '/etc/privatejet/oauth-introspection';

/** The portal's token signing key `kid`, one file per key. */
export function keyFileName(kid: string): string {
  return `key-${kid}.pem`;
}
