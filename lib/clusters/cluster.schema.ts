import { z } from 'zod';
import {
  DEFAULT_INGRESS_CLASS,
  DEFAULT_NAMESPACE,
  DEFAULT_REPLICAS,
  KNOWN_PROPERTIES,
  type ClusterDefinition,
  type ClusterProperties,
  type KnownPropertyName,
} from './cluster-definition';
import {
  booleanFlag,
  dnsName,
  DNS_LABEL,
  DNS_SUBDOMAIN,
  httpUrl,
  isPemOrBase64Pem,
  optionalText,
  originUrl,
  replicaCount,
  requiredText,
  type FieldResult,
} from './cluster-field-checks';
import type { ConfigIssue } from '../config-issues';
import { closestMatch, describeValue, isPlainObject } from './config-values';
import { DEFAULT_MANAGERS, KUBERNETES_TYPE, knownClusterTypes, managerForType, type ContainerManagerMap } from './container-managers';
import { isTenantDomainList } from './shared-with-tenants';

/**
 * The one validation of a cluster definition, shared by `deployment.toml`
 * (`[[ContainerMgtClusterConfig]]`), the tenant JSON (`"ContainerMgt": [...]`) and the admin form.
 * Sources turn their text into canonical drafts (`{ type, clusterName, displayName, properties }`)
 * and tell how to spell a location; everything else happens here.
 */

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

const DISPLAY_NAME_LIMIT = 128;

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
  if (sharedWith !== undefined && !isTenantDomainList(sharedWith)) {
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

/** The optional properties that were given, so an absent one stays absent (not `undefined`). */
function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

