import { createHash } from 'node:crypto';
import type { ApiIdentity } from '../container-manager';

/**
 * Names and labels of the objects that run one API version of one tenant in a cluster.
 * Shared by every Kubernetes-based manager so an object can always be traced back to its API.
 */

/** Kubernetes' limit for names of Services, Deployments, label values, …: one DNS-1123 label. */
export const KUBERNETES_NAME_LIMIT = 63;

const NAME_PREFIX = 'pj';
const HASH_LENGTH = 10;
const VERSION_ROOM = 20;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const NAME_LABEL = 'app.kubernetes.io/name';
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';
export const API_ID_LABEL = 'privatejet.io/api-id';
export const TENANT_LABEL = 'privatejet.io/tenant';
export const API_VERSION_LABEL = 'privatejet.io/api-version';

export const MANAGED_BY = 'privatejet';
export const GATEWAY_APP_NAME = 'privatejet-gateway';

type NamedApi = Pick<ApiIdentity, 'tenantId' | 'apiId' | 'name' | 'version'>;

export function isDns1123Label(name: string): boolean {
  return name.length <= KUBERNETES_NAME_LIMIT && DNS_1123_LABEL.test(name);
}

export function isValidLabelValue(value: string): boolean {
  return value.length <= KUBERNETES_NAME_LIMIT && LABEL_VALUE.test(value);
}

function shortHash(text: string, length = HASH_LENGTH): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

function cut(slug: string, length: number): string {
  return slug.slice(0, Math.max(0, length)).replace(/-+$/, '');
}

/** Lowercase letters, digits and single dashes; whatever else the text holds becomes a dash. */
function slugOf(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * `pj-<api-name>-<version>-<hash>`: readable in `kubectl get`, and unique per tenant + API +
 * version because the hash covers all three (the name alone is not: two tenants may publish
 * "PetStore 1.0.0"). The readable part is cut so the whole stays within 63 characters.
 */
export function gatewayObjectName(api: NamedApi): string {
  const hash = shortHash(JSON.stringify([api.tenantId, api.apiId, api.version]));
  const room = KUBERNETES_NAME_LIMIT - NAME_PREFIX.length - hash.length - 2;
  // The version stays visible; a long API name gives way first.
  const version = cut(slugOf(api.version), VERSION_ROOM);
  const name = cut(slugOf(api.name), room - (version === '' ? 0 : version.length + 1));
  return [NAME_PREFIX, name, version, hash].filter((part) => part !== '').join('-');
}

/** The name of each object of one API in one cluster (one name; kinds keep them apart). */
export interface GatewayObjectNames {
  configMap: string;
  deployment: string;
  service: string;
  ingress: string;
  horizontalPodAutoscaler: string;
}

export function gatewayObjectNames(api: NamedApi): GatewayObjectNames {
  const name = gatewayObjectName(api);
  return { configMap: name, deployment: name, service: name, ingress: name, horizontalPodAutoscaler: name };
}

/**
 * A label value that says the same thing as `text`: kept as is when Kubernetes accepts it
 * (`carbon.super`, `1.0.0`), otherwise cleaned and suffixed with a hash of the original so two
 * different values never end up equal.
 */
export function safeLabelValue(text: string): string {
  if (isValidLabelValue(text)) return text;
  const hash = shortHash(text, 8);
  const cleaned = text
    .replace(/[^-A-Za-z0-9_.]+/g, '-')
    .slice(0, KUBERNETES_NAME_LIMIT - hash.length - 1)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned === '' ? hash : `${cleaned}-${hash}`;
}

/** Identify the pods of one gateway; never change for an existing Deployment (its selector is immutable). */
export function gatewaySelectorLabels(api: NamedApi): Record<string, string> {
  return { [NAME_LABEL]: GATEWAY_APP_NAME, [INSTANCE_LABEL]: gatewayObjectName(api) };
}

/** On every object: who manages it, and which API version of which tenant it serves. */
export function gatewayLabels(api: NamedApi & Pick<ApiIdentity, 'tenantDomain'>): Record<string, string> {
  return {
    [MANAGED_BY_LABEL]: MANAGED_BY,
    ...gatewaySelectorLabels(api),
    [API_ID_LABEL]: safeLabelValue(api.apiId),
    [TENANT_LABEL]: safeLabelValue(api.tenantDomain),
    [API_VERSION_LABEL]: safeLabelValue(api.version),
  };
}

/** Finds every object of one API version in a namespace (`kubectl get … -l <this>`). */
export function gatewayLabelSelector(api: NamedApi): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY},${INSTANCE_LABEL}=${gatewayObjectName(api)}`;
}
