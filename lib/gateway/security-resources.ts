import { createPublicKey, X509Certificate } from 'node:crypto';

/**
 * The documented formats of a cluster's security resources — the seed's
 * `BasicSecurityCustomResourceName` and `JWTSecurityCustomResourceName` — as the gateway uses
 * them. The cluster's admin creates them with kubectl (native manager: objects in the cluster's
 * namespace) or as a folder next to deployment.toml (Local: one file per key, exactly what a
 * mounted ConfigMap/Secret looks like). Pure: parsing and rendering only, no I/O.
 *
 *   Basic — a Secret, key `users`: one `name:hash` per line (`#` comments, blank lines allowed),
 *           the hash a SHA-512 or SHA-256 crypt (`openssl passwd -6`), which HAProxy's userlist
 *           checks with the system's crypt() on every libc (glibc and musl images alike).
 *   JWT   — a ConfigMap or a Secret, keys `issuer`, `audience`, `public-key.pem` (an RSA public
 *           key or a certificate, PEM); tokens are RS256.
 *   OAuth2 — a Secret, keys `introspection-url` (RFC 7662), `client-id`, `client-secret`, and
 *           optionally `audience` (then an active token's `aud` must be it).
 */

export const BASIC_USERS_KEY = 'users';
export const JWT_RESOURCE_KEYS = { issuer: 'issuer', audience: 'audience', publicKey: 'public-key.pem' } as const;
/** OAuth2: an RFC 7662 endpoint and the gateway's client there; `audience` is optional. */
export const OAUTH_RESOURCE_KEYS = { introspectionUrl: 'introspection-url', clientId: 'client-id', clientSecret: 'client-secret', audience: 'audience' } as const;

/** The userlist the gateway's config names; its section lives in BASIC_USERS_CONFIG_FILE. */
export const BASIC_USERLIST = 'cluster_users';
/** A second config file next to haproxy.cfg, rendered from the Basic Secret where the gateway runs. */
export const BASIC_USERS_CONFIG_FILE = 'basic-users.cfg';

const USER_NAME = /^[A-Za-z0-9._@-]{1,64}$/;
/** SHA-256/512 crypt: `$5$` or `$6$`, optional rounds, a salt, the digest — the crypt alphabet only. */
const CRYPT_HASH = /^\$[56]\$(rounds=[0-9]{1,9}\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{43,86}$/;
const ISSUER = /^[A-Za-z0-9._~:/@+-]{1,512}$/;

/** What was read from the cluster (or the Local folder): where it came from, and its keys as text. */
export interface SecurityResource {
  /** For messages: "Secret team-a/securitybasic", or the Local folder's path. */
  description: string;
  data: Record<string, string>;
  /** Changes when the object changes (a Kubernetes resourceVersion), if known. */
  version?: string;
}

/** A resource that is missing or does not follow its documented format; the message names the resource and the key. */
export class SecurityResourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecurityResourceError';
  }
}

export interface BasicUser {
  name: string;
  hash: string;
}

/** The users of a Basic resource, or a SecurityResourceError naming the key and the line. */
export function basicUsersOf(resource: SecurityResource): BasicUser[] {
  const text = resource.data[BASIC_USERS_KEY];
  if (text === undefined) throw new SecurityResourceError(`${resource.description} has no key "${BASIC_USERS_KEY}" (lines "name:hash", hash from openssl passwd -6)`);
  const users: BasicUser[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${resource.description}, key "${BASIC_USERS_KEY}", line ${index + 1}`;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const hash = colon < 0 ? '' : line.slice(colon + 1);
    if (!USER_NAME.test(name)) throw new SecurityResourceError(`${where}: the user name must be 1–64 letters, digits or . _ @ -`);
    if (!CRYPT_HASH.test(hash)) {
      throw new SecurityResourceError(`${where}: user "${name}" needs a SHA-512 or SHA-256 crypt hash ("$6$…" from openssl passwd -6); bcrypt and plain text are not accepted`);
    }
    if (seen.has(name)) throw new SecurityResourceError(`${where}: user "${name}" appears twice`);
    seen.add(name);
    users.push({ name, hash });
  });
  if (users.length === 0) throw new SecurityResourceError(`${resource.description}, key "${BASIC_USERS_KEY}": no users`);
  return users;
}

/** The userlist section HAProxy loads beside haproxy.cfg (hashes single-quoted: no expansion). */
export function basicUsersConfig(resource: SecurityResource): string {
  const users = basicUsersOf(resource);
  return [`# Users of ${resource.description}: generated where the gateway runs, never stored by PrivateJet.`, `userlist ${BASIC_USERLIST}`, ...users.map((user) => `  user ${user.name} password '${user.hash}'`), ''].join('\n');
}

/**
 * The same rendering in POSIX sh, for the gateway pod's init container: the Secret is mounted
 * there and turned into BASIC_USERS_CONFIG_FILE, so the hashes never pass through PrivateJet or a
 * ConfigMap. Patterns mirror basicUsersOf (a test runs both on the same inputs). Usage:
 * `sh basic-users.sh <users file> <output file>`.
 */
export const BASIC_USERS_SCRIPT = `#!/bin/sh
# Renders the cluster's Basic users (lines "name:hash") as an HAProxy userlist; refuses a line
# that is not a user name and a SHA-256/512 crypt hash, naming its number, so the pod never runs
# with a partial list. Generated by PrivateJet.
set -eu
input="$1"; output="$2"; tmp="$output.tmp"; number=0; count=0
printf '# Users of the Basic Secret: rendered in the pod, never stored by PrivateJet.\\nuserlist ${BASIC_USERLIST}\\n' > "$tmp"
while IFS= read -r line || [ -n "$line" ]; do
  number=$((number + 1))
  line=$(printf '%s' "$line" | tr -d '\\r' | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')
  case "$line" in ''|'#'*) continue ;; esac
  name=\${line%%:*}; hash=\${line#*:}
  if ! printf '%s\\n' "$name" | grep -Eq '^[A-Za-z0-9._@-]{1,64}$' || [ "$name" = "$line" ]; then
    echo "basic users, line $number: expected name:hash with a name of letters, digits or . _ @ -" >&2; exit 1
  fi
  if ! printf '%s\\n' "$hash" | grep -Eq '^\\$[56]\\$(rounds=[0-9]{1,9}\\$)?[./0-9A-Za-z]{1,16}\\$[./0-9A-Za-z]{43,86}$'; then
    echo "basic users, line $number: user $name needs a SHA-512 or SHA-256 crypt hash (openssl passwd -6)" >&2; exit 1
  fi
  if grep -q "^  user $name password " "$tmp"; then echo "basic users, line $number: user $name appears twice" >&2; exit 1; fi
  printf "  user %s password '%s'\\n" "$name" "$hash" >> "$tmp"
  count=$((count + 1))
done < "$input"
if [ "$count" -eq 0 ]; then echo "basic users: no users" >&2; exit 1; fi
mv "$tmp" "$output"
`;

/** A JWT issuer of the cluster's own choosing: what the gateway checks its tokens against. */
export interface ExternalJwtIssuer {
  issuer: string;
  audience: string;
  /** SPKI PEM of the RSA key, whether the resource held a key or a certificate. */
  pem: string;
}

/** The trimmed text under `key`, or a SecurityResourceError naming the key when it is missing or blank. */
function requiredValue(resource: SecurityResource, key: string): string {
  const text = resource.data[key]?.trim();
  if (!text) throw new SecurityResourceError(`${resource.description} has no key "${key}"`);
  return text;
}

/** The issuer of a JWT resource, or a SecurityResourceError naming the key. */
export function externalJwtIssuerOf(resource: SecurityResource): ExternalJwtIssuer {
  const issuer = requiredValue(resource, JWT_RESOURCE_KEYS.issuer);
  const audience = requiredValue(resource, JWT_RESOURCE_KEYS.audience);
  for (const [key, text] of [[JWT_RESOURCE_KEYS.issuer, issuer], [JWT_RESOURCE_KEYS.audience, audience]] as const) {
    if (!ISSUER.test(text)) throw new SecurityResourceError(`${resource.description}, key "${key}": must be one value of letters, digits and . _ ~ : / @ + - (no spaces)`);
  }
  const pemText = requiredValue(resource, JWT_RESOURCE_KEYS.publicKey);
  let pem: string;
  try {
    const key = pemText.includes('BEGIN CERTIFICATE') ? new X509Certificate(pemText).publicKey : createPublicKey(pemText);
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`it is a ${key.asymmetricKeyType ?? 'unknown'} key; tokens must be RS256 (RSA)`);
    pem = key.export({ type: 'spki', format: 'pem' }).toString();
  } catch (error) {
    throw new SecurityResourceError(`${resource.description}, key "${JWT_RESOURCE_KEYS.publicKey}": not a PEM RSA public key or certificate (${(error as Error).message})`);
  }
  return { issuer, audience, pem };
}

/** Another authorization server whose opaque tokens the gateway introspects; its client's credentials stay in the Secret. */
export interface ExternalIntrospection {
  introspectionUrl: string;
  audience?: string;
}

const INTROSPECTION_URL = /^https?:\/\/[A-Za-z0-9._~:/@%+=?&-]{1,1000}$/;

/** The server of an OAuth2 resource, or a SecurityResourceError naming the key. The secret is only checked for presence. */
export function externalIntrospectionOf(resource: SecurityResource): ExternalIntrospection {
  const introspectionUrl = requiredValue(resource, OAUTH_RESOURCE_KEYS.introspectionUrl);
  let parsed: URL | undefined;
  try {
    parsed = new URL(introspectionUrl);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !INTROSPECTION_URL.test(introspectionUrl)) {
    throw new SecurityResourceError(`${resource.description}, key "${OAUTH_RESOURCE_KEYS.introspectionUrl}": must be an http(s) URL without spaces, quotes or "#"`);
  }
  requiredValue(resource, OAUTH_RESOURCE_KEYS.clientId);
  requiredValue(resource, OAUTH_RESOURCE_KEYS.clientSecret);
  const audience = resource.data[OAUTH_RESOURCE_KEYS.audience]?.trim();
  if (audience && !ISSUER.test(audience)) throw new SecurityResourceError(`${resource.description}, key "${OAUTH_RESOURCE_KEYS.audience}": must be one value without spaces`);
  return { introspectionUrl, ...(audience ? { audience } : {}) };
}
