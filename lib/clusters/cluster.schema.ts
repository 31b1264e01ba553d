import { z } from 'zod';
import type { ConfigIssue } from '../config-issues';

/**
 * The one validation of a cluster definition, shared by `deployment.toml`
 * (`[[ContainerMgtClusterConfig]]`), the tenant JSON (`"ContainerMgt": [...]`) and the admin form.
 * Sources turn their text into canonical drafts (`{ type, clusterName, displayName, properties }`)
 * and tell how to spell a location; everything else happens here.
 */

export const KUBERNETES_TYPE = 'Kubernetes';
export const LOCAL_TYPE = 'Local';

export const BUILT_IN_MANAGERS = ['kubernetes', 'wso2-api-operator', 'local'] as const;
export type BuiltInManagerName = (typeof BUILT_IN_MANAGERS)[number];

/** Environment type → container manager (a built-in name or a module path). */
export type ContainerManagerMap = Readonly<Record<string, string>>;

export const DEFAULT_MANAGERS: ContainerManagerMap = Object.freeze({
  [KUBERNETES_TYPE]: 'kubernetes',
  [LOCAL_TYPE]: 'local',
});

export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_REPLICAS = 1;
export const DEFAULT_INGRESS_CLASS = 'nginx';
/** A sane ceiling: a typo like 1000 should not schedule a thousand gateway pods. */
export const REPLICAS_LIMIT = 100;

/** The seed's properties, in the seed's order (the tenant export keeps this order). */
export const SEED_PROPERTIES = [
  'MasterURL',
  'AccessURL',
  'SAToken',
  'Namespace',
  'Replicas',
  'BasicSecurityCustomResourceName',
  'OauthSecurityCustomResourceName',
  'JWTSecurityCustomResourceName',
] as const;

/** Properties beyond the seed, all optional. */
export const OPTIONAL_PROPERTIES = [
  'CACert',
  'InsecureSkipTLSVerify',
  'IngressClass',
  'GatewayImage',
  'MaxReplicas',
  'SharedWithTenants',
] as const;

export const KNOWN_PROPERTIES = [...SEED_PROPERTIES, ...OPTIONAL_PROPERTIES] as const;
export type KnownPropertyName = (typeof KNOWN_PROPERTIES)[number];

export interface KnownClusterProperties {
  /** API server URL; empty together with SAToken = in-cluster credentials. */
  MasterURL: string;
  /** Base URL where this cluster's gateways are reached. */
  AccessURL: string;
  /** Service account token; empty together with MasterURL = in-cluster credentials. */
  SAToken: string;
  Namespace: string;
  Replicas: number;
  BasicSecurityCustomResourceName?: string;
  OauthSecurityCustomResourceName?: string;
  JWTSecurityCustomResourceName?: string;
  /** PEM or base64 PEM of the API server's CA, as written by the user. */
  CACert?: string;
  InsecureSkipTLSVerify?: boolean;
  /** Absent = {@link DEFAULT_INGRESS_CLASS}. */
  IngressClass?: string;
  GatewayImage?: string;
  /** Present = the gateway gets a HorizontalPodAutoscaler from Replicas to MaxReplicas. */
  MaxReplicas?: number;
  /**
   * deployment.toml only: the tenants (domains, comma-separated, or "*") that may deploy to
   * this platform cluster besides the super tenant. Local clusters are never a tenant's own.
   */
  SharedWithTenants?: string;
}

export type ClusterProperties = KnownClusterProperties & {
  /** Properties this version does not know: kept (and exported again), never dropped. */
  extra: Record<string, unknown>;
};

export interface ClusterDefinition {
  type: string;
  clusterName: string;
  displayName: string;
  properties: ClusterProperties;
}

/** What a source or a form hands over before validation, in canonical spelling. */
export interface ClusterDraft {
  type?: unknown;
  clusterName?: unknown;
  displayName?: unknown;
  properties?: unknown;
}

export type ClusterField = 'entry' | 'type' | 'clusterName' | 'displayName' | 'properties';

/** Spells a location the way the source does. `entry` is the whole cluster entry. */
export type LocateClusterField = (field: ClusterField, property?: string) => string;

/** A problem with a canonical path, e.g. `['properties', 'Namespace']`. */
export interface DraftIssue {
  path: [Exclude<ClusterField, 'entry'>] | ['properties', string];
  message: string;
}

export interface ClusterDraftCheck {
  definition?: ClusterDefinition;
  errors: DraftIssue[];
  warnings: DraftIssue[];
}

// ---------------------------------------------------------------------------------------------
// Container managers

export type ManagerReference =
  | { kind: 'built-in'; name: BuiltInManagerName }
  | { kind: 'module'; path: string };

/** The manager that runs clusters of `type`, or undefined when the type is not known. */
export function managerForType(type: string, managers: ContainerManagerMap = DEFAULT_MANAGERS): string | undefined {
  return Object.hasOwn(managers, type) ? managers[type] : Object.hasOwn(DEFAULT_MANAGERS, type) ? DEFAULT_MANAGERS[type] : undefined;
}

export function knownClusterTypes(managers: ContainerManagerMap = DEFAULT_MANAGERS): string[] {
  return [...new Set([...Object.keys(DEFAULT_MANAGERS), ...Object.keys(managers)])];
}

export function isModulePath(value: string): boolean {
  return value.startsWith('./') || value.startsWith('/');
}

function isBuiltInManager(value: string): value is BuiltInManagerName {
  return (BUILT_IN_MANAGERS as readonly string[]).includes(value);
}

/** `org.wso2.carbon.apimgt.impl.containermgt.K8sManager` — what the seed's example configures. */
function looksLikeJavaClassName(value: string): boolean {
  return /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/.test(value);
}

export interface ManagerMapCheck {
  managers: ContainerManagerMap;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

/**
 * Validates the `[ContainerMgtConfig]` table. `locate()` spells the table, `locate(type)` one key.
 * A Java class name (the seed's example) cannot be loaded here: it falls back to the type's
 * built-in manager with a warning, or is an error for a type without one.
 */
export function checkManagerMap(raw: unknown, locate: (type?: string) => string): ManagerMapCheck {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const managers: Record<string, string> = { ...DEFAULT_MANAGERS };
  if (raw === undefined || raw === null) return { managers, errors, warnings };
  if (!isPlainObject(raw)) {
    errors.push({
      path: locate(),
      message: `must be a table of <Environment-type> = "<manager>" entries, e.g. Kubernetes = "kubernetes", not ${describeValue(raw)}`,
    });
    return { managers, errors, warnings };
  }
  for (const [type, value] of Object.entries(raw)) {
    const path = locate(type);
    if (typeof value !== 'string' || value.trim() === '') {
      errors.push({ path, message: `must be the name of a container manager in quotes (${builtInManagerList()}) or a module path starting with "./" or "/", not ${describeValue(value)}` });
      continue;
    }
    const reference = value.trim();
    if (isBuiltInManager(reference) || isModulePath(reference)) {
      managers[type] = reference;
      continue;
    }
    const fallback = Object.hasOwn(DEFAULT_MANAGERS, type) ? DEFAULT_MANAGERS[type] : undefined;
    if (looksLikeJavaClassName(reference) && fallback) {
      managers[type] = fallback;
      warnings.push({
        path,
        message: `"${reference}" is a Java class name, which this server cannot load; the built-in "${fallback}" manager is used for ${type}. Set ${builtInManagerList()} or a module path starting with "./" or "/"`,
      });
      continue;
    }
    const suggestion = closestMatch(reference, BUILT_IN_MANAGERS);
    errors.push({
      path,
      message: `"${reference}" is not a known container manager${suggestion ? ` (did you mean "${suggestion}"?)` : ''}: use ${builtInManagerList()} or a JavaScript module path starting with "./" or "/"`,
    });
  }
  return { managers, errors, warnings };
}

function builtInManagerList(): string {
  return BUILT_IN_MANAGERS.map((name) => `"${name}"`).join(', ');
}

// ---------------------------------------------------------------------------------------------
// One cluster

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DISPLAY_NAME_LIMIT = 128;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

type FieldResult<T> = { value: T } | { error: string };

/** `"<cluster-name>"`: a value copied from the documentation's Format template. */
function placeholderError(value: string, replaceWith: string): string | undefined {
  return /^<[^<>]*>$/.test(value.trim())
    ? `still holds the template placeholder "${value.trim()}": replace it with ${replaceWith}`
    : undefined;
}

function textOf(value: unknown, example: string): FieldResult<string> {
  if (typeof value !== 'string') return { error: `must be text in quotes, e.g. ${example}, not ${describeValue(value)}` };
  return { value: value.trim() };
}

function requiredText(value: unknown, what: string, example: string): FieldResult<string> {
  if (value === undefined || value === null) return { error: `is required: ${what}, e.g. ${example}` };
  const text = textOf(value, example);
  if ('error' in text) return text;
  if (text.value === '') return { error: `is empty: ${what}, e.g. ${example}` };
  const placeholder = placeholderError(text.value, example);
  return placeholder ? { error: placeholder } : text;
}

function optionalText(value: unknown, example: string): FieldResult<string | undefined> {
  if (value === undefined || value === null) return { value: undefined };
  const text = textOf(value, example);
  if ('error' in text) return text;
  if (text.value === '') return { value: undefined };
  const placeholder = placeholderError(text.value, example);
  return placeholder ? { error: placeholder } : text;
}

function httpUrl(value: string, example: string): FieldResult<string> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { error: `"${value}" is not a URL: write it with its scheme, e.g. ${example}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { error: `"${value}" must start with https:// or http://, e.g. ${example}` };
  }
  return { value };
}

/**
 * A URL that is only scheme, host and port. Gateways serve /<context>/<version> at the root of
 * their AccessURL (the Ingress routes that path, the local ingress too), so a path there would
 * give the portal addresses nothing answers at.
 */
function originUrl(value: string, example: string): FieldResult<string> {
  const checked = httpUrl(value, example);
  if ('error' in checked) return checked;
  const url = new URL(value);
  if (url.username || url.password) return { error: `must not contain a user name or password, e.g. ${example}` };
  if (url.pathname !== '/' || url.search || url.hash) {
    return {
      error: `must be only scheme, host and port, e.g. ${example}: gateways serve /<context>/<version> at its root, so "${url.pathname}${url.search}${url.hash}" would be part of no API's address`,
    };
  }
  return checked;
}

function dnsName(value: string, pattern: RegExp, limit: number, what: string, example: string): FieldResult<string> {
  if (value.length > limit || !pattern.test(value)) {
    return {
      error: `"${value}" is not a valid ${what}: use at most ${limit} lowercase letters, digits and "-"${pattern === DNS_SUBDOMAIN ? ' or "."' : ''}, starting and ending with a letter or digit, e.g. ${example}`,
    };
  }
  return { value };
}

const TENANT_DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i;

function tenantListEntries(text: string): string[] {
  return text.split(',').map((entry) => entry.trim()).filter(Boolean);
}

/** Whether a platform cluster's SharedWithTenants lets `tenantDomain` deploy to it. */
export function isSharedWithTenant(properties: Pick<KnownClusterProperties, 'SharedWithTenants'>, tenantDomain: string): boolean {
  const entries = tenantListEntries(properties.SharedWithTenants ?? '');
  return entries.includes('*') || entries.some((entry) => entry.toLowerCase() === tenantDomain.toLowerCase());
}

/** Replicas and MaxReplicas: the seed writes both `1` and `"<number>"`. */
function replicaCount(value: unknown, example: string): FieldResult<number> {
  let count: number;
  if (typeof value === 'number') {
    count = value;
  } else if (typeof value === 'string') {
    const placeholder = placeholderError(value, example);
    if (placeholder) return { error: placeholder };
    if (!/^\s*[+-]?\d+(\.\d+)?\s*$/.test(value)) return { error: `"${value}" is not a number: write a whole number, e.g. ${example}` };
    count = Number(value);
  } else {
    return { error: `must be a whole number, e.g. ${example}, not ${describeValue(value)}` };
  }
  if (!Number.isInteger(count)) return { error: `${String(value).trim()} is not a whole number: write e.g. ${example}` };
  if (count < 1) return { error: `must be at least 1, not ${count}` };
  if (count > REPLICAS_LIMIT) return { error: `${count} is more than ${REPLICAS_LIMIT}: write a number from 1 to ${REPLICAS_LIMIT}` };
  return { value: count };
}

function booleanFlag(value: unknown): FieldResult<boolean> {
  if (typeof value === 'boolean') return { value };
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return { value: value.trim().toLowerCase() === 'true' };
  return { error: `must be true or false, not ${describeValue(value)}` };
}

/** True when `text` is a PEM certificate or the base64 encoding of one. */
export function isPemOrBase64Pem(text: string): boolean {
  if (PEM_CERTIFICATE.test(text)) return true;
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return false;
  try {
    return PEM_CERTIFICATE.test(atob(compact));
  } catch {
    return false;
  }
}

/**
 * Checks one draft. Errors and warnings carry canonical paths; every field is checked even
 * when another one failed, so the user sees all problems at once.
 */
export function checkClusterDraft(input: unknown, managers: ContainerManagerMap = DEFAULT_MANAGERS): ClusterDraftCheck {
  const errors: DraftIssue[] = [];
  const warnings: DraftIssue[] = [];
  if (!isPlainObject(input)) {
    return { errors: [{ path: ['properties'], message: `a cluster entry must be a set of keys, not ${describeValue(input)}` }], warnings };
  }
  const draft = input as ClusterDraft;

  const take = <T>(path: DraftIssue['path'], result: FieldResult<T>): T | undefined => {
    if ('error' in result) {
      errors.push({ path, message: result.error });
      return undefined;
    }
    return result.value;
  };

  const typeNames = knownClusterTypes(managers);
  const type = take(['type'], requiredText(draft.type, `the environment type (${typeNames.map((t) => `"${t}"`).join(' or ')})`, `"${KUBERNETES_TYPE}"`));
  let manager: string | undefined;
  if (type !== undefined) {
    manager = managerForType(type, managers);
    if (manager === undefined) {
      const suggestion = closestMatch(type, typeNames);
      errors.push({
        path: ['type'],
        message: `"${type}" is not a known environment type${suggestion ? ` (did you mean "${suggestion}"?)` : ''}: use ${typeNames.map((t) => `"${t}"`).join(' or ')}, or map it to a container manager in [ContainerMgtConfig] of deployment.toml`,
      });
    }
  }

  const clusterNameText = take(['clusterName'], requiredText(draft.clusterName, 'a unique name of lowercase letters, digits and "-"', '"docker-desktop"'));
  const clusterName = clusterNameText === undefined ? undefined : take(['clusterName'], dnsName(clusterNameText, DNS_LABEL, 63, 'cluster name', '"docker-desktop"'));

  const displayName = take(['displayName'], requiredText(draft.displayName, 'the name users see for this cluster', '"cluster-1"'));
  if (displayName !== undefined && displayName.length > DISPLAY_NAME_LIMIT) {
    errors.push({ path: ['displayName'], message: `is ${displayName.length} characters long: keep it to ${DISPLAY_NAME_LIMIT}` });
  }

  const rawProperties = draft.properties ?? {};
  if (!isPlainObject(rawProperties)) {
    errors.push({ path: ['properties'], message: `must be a set of properties (key = value), not ${describeValue(rawProperties)}` });
    return { errors, warnings };
  }
  // A null value means "not set" (exports of other tools write null for empty fields).
  const raw = Object.fromEntries(Object.entries(rawProperties).filter(([, value]) => value !== null)) as Record<string, unknown>;
  const at = (name: KnownPropertyName): DraftIssue['path'] => ['properties', name];

  const masterUrlText = take(at('MasterURL'), optionalText(raw.MasterURL, '"https://kubernetes.example.com:6443"'));
  const masterUrl = masterUrlText === undefined ? '' : take(at('MasterURL'), httpUrl(masterUrlText, '"https://kubernetes.example.com:6443"'));
  const accessUrlText = take(at('AccessURL'), requiredText(raw.AccessURL, "the URL where this cluster's gateways are reached", '"https://apis.example.com"'));
  const accessUrl = accessUrlText === undefined ? undefined : take(at('AccessURL'), originUrl(accessUrlText, '"https://apis.example.com"'));

  let saToken = take(at('SAToken'), optionalText(raw.SAToken, 'the token printed by "kubectl create token"'));
  if (saToken !== undefined && /\s/.test(saToken)) {
    errors.push({ path: at('SAToken'), message: 'contains spaces or line breaks: paste the token as one line, exactly as kubectl printed it' });
    saToken = undefined;
  }

  const namespaceText = take(at('Namespace'), optionalText(raw.Namespace, '"default"'));
  const namespace = namespaceText === undefined ? DEFAULT_NAMESPACE : take(at('Namespace'), dnsName(namespaceText, DNS_LABEL, 63, 'namespace name', '"default"'));

  const replicas = raw.Replicas === undefined ? DEFAULT_REPLICAS : take(at('Replicas'), replicaCount(raw.Replicas, '1'));

  const resourceName = (name: KnownPropertyName, example: string, what: string): string | undefined => {
    const text = take(at(name), optionalText(raw[name], example));
    return text === undefined ? undefined : take(at(name), dnsName(text, DNS_SUBDOMAIN, 253, what, example));
  };
  const basic = resourceName('BasicSecurityCustomResourceName', '"securitybasic"', 'resource name');
  const oauth = resourceName('OauthSecurityCustomResourceName', '"securityoauth"', 'resource name');
  const jwt = resourceName('JWTSecurityCustomResourceName', '"securityjwt"', 'resource name');

  const caCert = take(at('CACert'), optionalText(raw.CACert, 'the PEM text of the API server\'s CA (or its base64)'));
  if (caCert !== undefined && !isPemOrBase64Pem(caCert)) {
    errors.push({
      path: at('CACert'),
      message: 'is neither a PEM certificate ("-----BEGIN CERTIFICATE-----…") nor its base64 encoding: paste the certificate-authority-data of your kubeconfig or the ca.crt of the service account',
    });
  }
  const insecure = raw.InsecureSkipTLSVerify === undefined ? undefined : take(at('InsecureSkipTLSVerify'), booleanFlag(raw.InsecureSkipTLSVerify));
  const ingressClass = resourceName('IngressClass', `"${DEFAULT_INGRESS_CLASS}"`, 'ingress class name');
  const gatewayImage = take(at('GatewayImage'), optionalText(raw.GatewayImage, '"registry.example.com/privatejet/gateway:1.0.0"'));
  if (gatewayImage !== undefined && (/\s/.test(gatewayImage) || gatewayImage.startsWith('-'))) {
    errors.push({ path: at('GatewayImage'), message: `"${gatewayImage}" is not an image reference: write e.g. "registry.example.com/privatejet/gateway:1.0.0"` });
  }
  const maxReplicas = raw.MaxReplicas === undefined ? undefined : take(at('MaxReplicas'), replicaCount(raw.MaxReplicas, '4'));
  const sharedWith = take(at('SharedWithTenants'), optionalText(raw.SharedWithTenants, '"example.com, example.org" or "*"'));
  if (sharedWith !== undefined && !tenantListEntries(sharedWith).every((entry) => entry === '*' || TENANT_DOMAIN.test(entry))) {
    errors.push({ path: at('SharedWithTenants'), message: `"${sharedWith}" is not a list of tenant domains: write e.g. "example.com, example.org", or "*" for every tenant` });
  }

  // Rules between properties.
  const runsLocally = manager === 'local';
  if (runsLocally) {
    for (const name of ['MasterURL', 'SAToken'] as const) {
      const value = name === 'MasterURL' ? masterUrlText : saToken;
      if (value) {
        errors.push({ path: at(name), message: `must be empty for a ${type} cluster: its gateways run on this machine and need no API server credentials` });
      }
    }
  } else if (manager !== undefined) {
    if (masterUrlText && saToken === undefined && !errors.some((e) => e.path[1] === 'SAToken')) {
      errors.push({
        path: at('SAToken'),
        message: 'is empty while MasterURL is set: paste the service account token, or leave both empty to use in-cluster credentials',
      });
    }
    if (!masterUrlText && saToken !== undefined && !errors.some((e) => e.path[1] === 'MasterURL')) {
      errors.push({
        path: at('MasterURL'),
        message: 'is empty while SAToken is set: give the API server URL ("kubectl cluster-info" prints it), or leave both empty to use in-cluster credentials',
      });
    }
  }
  if (maxReplicas !== undefined && replicas !== undefined && maxReplicas < replicas) {
    errors.push({ path: at('MaxReplicas'), message: `${maxReplicas} is less than Replicas (${replicas}): the autoscaler scales between Replicas and MaxReplicas` });
  }
  if (insecure === true && caCert !== undefined) {
    errors.push({ path: at('InsecureSkipTLSVerify'), message: 'is true while CACert is set: keep CACert and remove InsecureSkipTLSVerify (or set it to false)' });
  }

  // Warnings: accepted, but the user should know.
  if (insecure === true && caCert === undefined) {
    warnings.push({ path: at('InsecureSkipTLSVerify'), message: "TLS verification of the API server is off: anyone between this app and the cluster can read the token; set CACert instead" });
  }
  if (masterUrl && masterUrl.startsWith('http:') && !runsLocally) {
    warnings.push({ path: at('MasterURL'), message: 'uses http: the service account token travels unencrypted; use the https URL printed by "kubectl cluster-info"' });
  }
  const unknownEntries = Object.entries(rawProperties).filter(([name]) => !(KNOWN_PROPERTIES as readonly string[]).includes(name));
  // fromEntries defines own properties, so a key like "__proto__" stays data, never a prototype.
  const extra: Record<string, unknown> = Object.fromEntries(unknownEntries);
  for (const [name] of unknownEntries) {
    const suggestion = closestMatch(name, KNOWN_PROPERTIES);
    warnings.push({
      path: ['properties', name],
      message: `is not a known property${suggestion ? ` (did you mean "${suggestion}"?)` : ''}: it is kept but not used`,
    });
  }

  if (errors.length > 0) return { errors, warnings };
  const properties: ClusterProperties = {
    MasterURL: masterUrl ?? '',
    AccessURL: accessUrl ?? '',
    SAToken: saToken ?? '',
    Namespace: namespace ?? DEFAULT_NAMESPACE,
    Replicas: replicas ?? DEFAULT_REPLICAS,
    ...definedOnly({
      BasicSecurityCustomResourceName: basic,
      OauthSecurityCustomResourceName: oauth,
      JWTSecurityCustomResourceName: jwt,
      CACert: caCert,
      InsecureSkipTLSVerify: insecure,
      IngressClass: ingressClass,
      GatewayImage: gatewayImage,
      MaxReplicas: maxReplicas,
      SharedWithTenants: sharedWith,
    }),
    extra,
  };
  return {
    definition: { type: type!, clusterName: clusterName!, displayName: displayName!, properties },
    errors,
    warnings,
  };
}

/**
 * The zod schema of one cluster, for the admin form and server action: its issues carry
 * canonical paths (`['properties', 'Namespace']`) and the same sentences as the loaders.
 */
export function clusterDraftSchema(managers: ContainerManagerMap = DEFAULT_MANAGERS) {
  return z.unknown().transform((input, ctx): ClusterDefinition => {
    const check = checkClusterDraft(input, managers);
    for (const issue of check.errors) ctx.addIssue({ code: 'custom', message: issue.message, path: [...issue.path] });
    return check.definition ?? (z.NEVER as never);
  });
}

// ---------------------------------------------------------------------------------------------
// A whole source

export interface LocatedClusterDraft {
  draft: unknown;
  locate: LocateClusterField;
}

export interface ClusterListCheck {
  clusters: ClusterDefinition[];
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

function spell(locate: LocateClusterField, path: DraftIssue['path']): string {
  return path[0] === 'properties' && path.length === 2 ? locate('properties', path[1]) : locate(path[0]);
}

/** Validates every draft of one source and that cluster names are unique across it. */
export function checkClusterDrafts(
  drafts: readonly LocatedClusterDraft[],
  managers: ContainerManagerMap = DEFAULT_MANAGERS,
): ClusterListCheck {
  const clusters: ClusterDefinition[] = [];
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const firstUse = new Map<string, LocateClusterField>();
  for (const { draft, locate } of drafts) {
    const check = checkClusterDraft(draft, managers);
    errors.push(...check.errors.map((issue) => ({ path: spell(locate, issue.path), message: issue.message })));
    warnings.push(...check.warnings.map((issue) => ({ path: spell(locate, issue.path), message: issue.message })));
    const name = isPlainObject(draft) && typeof draft.clusterName === 'string' ? draft.clusterName.trim() : undefined;
    if (name) {
      const earlier = firstUse.get(name);
      if (earlier) {
        errors.push({ path: locate('clusterName'), message: `"${name}" is already used by ${earlier('entry')}: cluster names must be unique` });
        continue;
      }
      firstUse.set(name, locate);
    }
    if (check.definition) clusters.push(check.definition);
  }
  return { clusters: errors.length > 0 ? [] : clusters, errors, warnings };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the text "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  if (value instanceof Date) return 'a date';
  if (isPlainObject(value)) return 'a table of keys';
  return `a ${typeof value}`;
}

function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** A known word the user probably meant: same letters ignoring case, or one or two typos away. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const sameIgnoringCase = candidates.find((candidate) => candidate.toLowerCase() === lower);
  if (sameIgnoringCase) return sameIgnoringCase;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= Math.min(2, Math.floor(candidate.length / 4)) && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
