import { isIP } from 'node:net';
import type {
  V1ConfigMap,
  V1Deployment,
  V1Ingress,
  V1ObjectMeta,
  V1Secret,
  V1Service,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { GATEWAY_CONTAINER_PORT } from '@/lib/gateway/gateway-spec';
import { BASIC_USERS_SCRIPT_FILE, EXTERNAL_INTROSPECTION_DIR, GATEWAY_ENV, HAPROXY_CONFIG_FILE, type GatewayFiles } from '@/lib/gateway/gateway-files';
import { gatewayConfigHash, haproxyGatewayFiles } from '@/lib/gateway/haproxy-config';
import { BASIC_USERS_CONFIG_FILE, BASIC_USERS_KEY, OAUTH_RESOURCE_KEYS } from '@/lib/gateway/security-resources';
import { DEFAULT_INGRESS_CLASS } from '../../clusters/cluster-definition';
import type { ApiIdentity, DeployableApi, TargetCluster } from '../container-manager';
import { gatewayLabels, gatewayObjectName, gatewaySelectorLabels } from './object-names';

/**
 * Pure builders of the objects that run one API's dedicated gateway in one cluster
 * (design: ContainerManager, `kubernetes`). Nothing here talks to a cluster.
 */

/**
 * The stock official HAProxy image, of the version line the tests run (3.0 LTS): nothing of
 * PrivateJet's to build, push or host. A cluster's GatewayImage overrides it (a mirror, or a
 * pinned digest); the pod follows this image's conventions: config in /usr/local/etc/haproxy,
 * user haproxy (uid 99), master-worker mode added by its entrypoint, SIGUSR1 to drain.
 */
export const DEFAULT_GATEWAY_IMAGE = 'haproxy:3.0';

export const GATEWAY_PORT = GATEWAY_CONTAINER_PORT;
export const SERVICE_PORT = 80;
/** Where the image reads its config; the ConfigMap holds haproxy.cfg and every file it names. */
export const GATEWAY_CONFIG_DIR = '/usr/local/etc/haproxy';
/** The gateway's client secret (introspection, revocation list), from a Secret, never the ConfigMap. */
export const GATEWAY_SECRET_DIR = '/etc/privatejet/gateway-secret';
export const GATEWAY_SECRET_KEY = 'client-secret';
/** The cluster's Basic Secret, mounted for the init container only; the proxy sees the rendered userlist. */
export const BASIC_SECRET_DIR = '/etc/privatejet/basic-users-secret';
/** The userlist rendered from it (an in-memory emptyDir), loaded by haproxy as a second config file. */
export const BASIC_USERLIST_DIR = '/etc/privatejet/basic-users';
/** The resourceVersion of the Basic Secret at deploy time: a redeploy after the users changed rolls the pods. */
export const BASIC_USERS_VERSION_ANNOTATION = 'privatejet.io/basic-users-version';
/** Likewise for the OAuth2 Secret, whose client credentials the gateway reads at start. */
export const INTROSPECTION_CLIENT_VERSION_ANNOTATION = 'privatejet.io/introspection-client-version';
export const CONFIG_HASH_ANNOTATION = 'privatejet.io/config-hash';
/** The haproxy user of the official image. */
export const GATEWAY_USER_ID = 99;
export const AUTOSCALING_CPU_UTILIZATION = 70;

/** A manifest as applied: kind, apiVersion and a namespaced name are always set. */
export type Manifest<T> = T & { apiVersion: string; kind: string; metadata: V1ObjectMeta & { name: string; namespace: string } };

/** Enough to find one object in a cluster: to read or delete it. */
export interface ObjectReference {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
}

export type GatewayManifest =
  | Manifest<V1ConfigMap>
  | Manifest<V1Secret>
  | Manifest<V1Deployment>
  | Manifest<V1Service>
  | Manifest<V1Ingress>
  | Manifest<V2HorizontalPodAutoscaler>;

type ManifestApi = Pick<ApiIdentity, 'tenantId' | 'tenantDomain' | 'apiId' | 'name' | 'version'>;
type GatewayInputs = Pick<DeployableApi, 'gateway' | 'gatewayClientSecret'>;

/** The gateway's files exactly as mounted. */
export function gatewayFilesOf(api: Pick<DeployableApi, 'gateway'>): GatewayFiles {
  return haproxyGatewayFiles(api.gateway);
}

/** Changes exactly when the pods must roll (HAProxy reads its files at start). */
export function configHashOf(api: GatewayInputs): string {
  return gatewayConfigHash(api.gateway, api.gatewayClientSecret);
}

/** `/<context>/<version>`, the prefix the gateway serves the API under. */
export function apiPathPrefix(api: Pick<ApiIdentity, 'context' | 'version'>): string {
  const context = `/${api.context.replace(/^\/+|\/+$/g, '')}`;
  return `${context === '/' ? '' : context}/${api.version}`;
}

function metadataFor(api: ManifestApi, cluster: TargetCluster): V1ObjectMeta & { name: string; namespace: string } {
  return { name: gatewayObjectName(api), namespace: cluster.properties.Namespace, labels: gatewayLabels(api) };
}

export function configMapFor(api: ManifestApi & Pick<DeployableApi, 'gateway'>, cluster: TargetCluster): Manifest<V1ConfigMap> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadataFor(api, cluster), data: gatewayFilesOf(api) };
}

export function secretFor(api: ManifestApi & Pick<DeployableApi, 'gatewayClientSecret'>, cluster: TargetCluster): Manifest<V1Secret> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: metadataFor(api, cluster),
    type: 'Opaque',
    stringData: { [GATEWAY_SECRET_KEY]: api.gatewayClientSecret },
  };
}

/** What a deploy read from the cluster's own resources for the pods. */
export interface ClusterSecurityMounts {
  /** The Basic Secret's resourceVersion, when the gateway accepts the cluster's Basic users. */
  basicUsersVersion?: string;
  /** The OAuth2 Secret's resourceVersion, when the gateway asks the cluster's other server. */
  introspectionClientVersion?: string;
}

/**
 * The Basic users in a pod: the cluster's Secret (only its `users` key) is mounted into an init
 * container of the same image, which renders it into a userlist on an in-memory volume — or
 * fails the pod with the line that is wrong. PrivateJet never reads or copies the hashes.
 */
function basicUsersPodParts(cluster: TargetCluster, image: string) {
  const secretName = cluster.properties.BasicSecurityCustomResourceName!;
  return {
    initContainer: {
      name: 'basic-users',
      image,
      command: ['sh', `${GATEWAY_CONFIG_DIR}/${BASIC_USERS_SCRIPT_FILE}`, `${BASIC_SECRET_DIR}/${BASIC_USERS_KEY}`, `${BASIC_USERLIST_DIR}/${BASIC_USERS_CONFIG_FILE}`],
      resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } },
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      volumeMounts: [
        { name: 'config', mountPath: GATEWAY_CONFIG_DIR, readOnly: true },
        { name: 'basic-users-secret', mountPath: BASIC_SECRET_DIR, readOnly: true },
        { name: 'basic-users', mountPath: BASIC_USERLIST_DIR },
      ],
    },
    // The image's entrypoint adds -W -db to arguments that start with an option.
    args: ['-f', `${GATEWAY_CONFIG_DIR}/${HAPROXY_CONFIG_FILE}`, '-f', `${BASIC_USERLIST_DIR}/${BASIC_USERS_CONFIG_FILE}`],
    mounts: [{ name: 'basic-users', mountPath: BASIC_USERLIST_DIR, readOnly: true }],
    volumes: [
      { name: 'basic-users-secret', secret: { secretName, items: [{ key: BASIC_USERS_KEY, path: BASIC_USERS_KEY }], defaultMode: 0o440 } },
      { name: 'basic-users', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
    ],
  };
}

export function deploymentFor(api: ManifestApi & GatewayInputs, cluster: TargetCluster, mounts: ClusterSecurityMounts = {}): Manifest<V1Deployment> {
  const name = gatewayObjectName(api);
  const selector = gatewaySelectorLabels(api);
  const autoscaled = cluster.properties.MaxReplicas !== undefined;
  const image = cluster.properties.GatewayImage ?? DEFAULT_GATEWAY_IMAGE;
  const basic = api.gateway.security.basic && cluster.properties.BasicSecurityCustomResourceName ? basicUsersPodParts(cluster, image) : undefined;
  // The other introspection server's client: only its two keys, straight from the cluster's Secret.
  const oauthSecret = api.gateway.security.externalIntrospection ? cluster.properties.OauthSecurityCustomResourceName : undefined;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadataFor(api, cluster),
    spec: {
      // With an autoscaler the replica count is its to set; applying one here would undo its
      // scaling on every deploy.
      ...(autoscaled ? {} : { replicas: cluster.properties.Replicas }),
      selector: { matchLabels: selector },
      // A new pod must be ready before an old one goes, so a config roll never drops the API.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      revisionHistoryLimit: 3,
      progressDeadlineSeconds: 300,
      template: {
        metadata: {
          labels: gatewayLabels(api),
          // HAProxy reads its files at start: a changed config or secret rolls the pods.
          annotations: {
            [CONFIG_HASH_ANNOTATION]: configHashOf(api),
            ...(basic && mounts.basicUsersVersion ? { [BASIC_USERS_VERSION_ANNOTATION]: mounts.basicUsersVersion } : {}),
            ...(oauthSecret && mounts.introspectionClientVersion ? { [INTROSPECTION_CLIENT_VERSION_ANNOTATION]: mounts.introspectionClientVersion } : {}),
          },
        },
        spec: {
          // The gateway never calls the API server: no token in the pod.
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          // The image stops on SIGUSR1: stop listening, finish in-flight requests (hard stop after 25 s).
          terminationGracePeriodSeconds: 30,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: GATEWAY_USER_ID,
            runAsGroup: GATEWAY_USER_ID,
            // Makes the mounted secret readable by the haproxy group, and nobody else.
            fsGroup: GATEWAY_USER_ID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...(basic ? { initContainers: [basic.initContainer] } : {}),
          containers: [
            {
              name: 'gateway',
              image,
              // No command: the image runs haproxy -W -db -f /usr/local/etc/haproxy/haproxy.cfg
              // (plus the Basic userlist when the gateway accepts the cluster's users).
              ...(basic ? { args: basic.args } : {}),
              ports: [{ name: 'http', containerPort: GATEWAY_PORT, protocol: 'TCP' }],
              env: [
                { name: GATEWAY_ENV.bind, value: `:${GATEWAY_PORT}` },
                { name: GATEWAY_ENV.secretFile, value: `${GATEWAY_SECRET_DIR}/${GATEWAY_SECRET_KEY}` },
                ...(oauthSecret ? [{ name: GATEWAY_ENV.externalIntrospectionDir, value: EXTERNAL_INTROSPECTION_DIR }] : []),
              ],
              readinessProbe: {
                httpGet: { path: '/health/ready', port: 'http' },
                periodSeconds: 2,
                failureThreshold: 2,
              },
              livenessProbe: {
                httpGet: { path: '/health/live', port: 'http' },
                initialDelaySeconds: 5,
                periodSeconds: 10,
                failureThreshold: 3,
              },
              // The Service and Ingress take a terminating pod out of rotation a moment after
              // it is told to stop: keep serving meanwhile, then drain.
              lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
              // Sized from bench/gateway: about 10 MB idle, under 40 MB at full load (one thread).
              resources: {
                requests: { cpu: '50m', memory: '32Mi' },
                limits: { cpu: '1', memory: '128Mi' },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'config', mountPath: GATEWAY_CONFIG_DIR, readOnly: true },
                { name: 'secret', mountPath: GATEWAY_SECRET_DIR, readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
                ...(basic?.mounts ?? []),
                ...(oauthSecret ? [{ name: 'introspection-client', mountPath: EXTERNAL_INTROSPECTION_DIR, readOnly: true }] : []),
              ],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name } },
            { name: 'secret', secret: { secretName: name, defaultMode: 0o440 } },
            { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
            ...(basic?.volumes ?? []),
            ...(oauthSecret
              ? [
                  {
                    name: 'introspection-client',
                    secret: {
                      secretName: oauthSecret,
                      items: [OAUTH_RESOURCE_KEYS.clientId, OAUTH_RESOURCE_KEYS.clientSecret].map((key) => ({ key, path: key })),
                      defaultMode: 0o440,
                    },
                  },
                ]
              : []),
          ],
        },
      },
    },
  };
}

export function serviceFor(api: ManifestApi, cluster: TargetCluster): Manifest<V1Service> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadataFor(api, cluster),
    spec: {
      type: 'ClusterIP',
      selector: gatewaySelectorLabels(api),
      ports: [{ name: 'http', port: SERVICE_PORT, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

/** AccessURL's host name, or undefined for an IP address (an Ingress host must be a DNS name). */
export function ingressHostOf(accessUrl: string): string | undefined {
  let hostname: string;
  try {
    hostname = new URL(accessUrl).hostname;
  } catch {
    return undefined;
  }
  const bare = hostname.replace(/^\[|\]$/g, '');
  return bare === '' || isIP(bare) !== 0 ? undefined : bare;
}

export function ingressFor(api: ManifestApi & Pick<ApiIdentity, 'context'>, cluster: TargetCluster): Manifest<V1Ingress> {
  const host = ingressHostOf(cluster.properties.AccessURL);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: metadataFor(api, cluster),
    spec: {
      ingressClassName: cluster.properties.IngressClass ?? DEFAULT_INGRESS_CLASS,
      rules: [
        {
          ...(host ? { host } : {}),
          http: {
            paths: [
              {
                // The gateway serves the full /<context>/<version> path itself: no rewrite.
                path: apiPathPrefix(api),
                pathType: 'Prefix',
                backend: { service: { name: gatewayObjectName(api), port: { name: 'http' } } },
              },
            ],
          },
        },
      ],
    },
  };
}

/** Only when the cluster sets MaxReplicas: scales between Replicas and MaxReplicas on CPU. */
export function horizontalPodAutoscalerFor(api: ManifestApi, cluster: TargetCluster): Manifest<V2HorizontalPodAutoscaler> | undefined {
  const maxReplicas = cluster.properties.MaxReplicas;
  if (maxReplicas === undefined) return undefined;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: metadataFor(api, cluster),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: gatewayObjectName(api) },
      minReplicas: cluster.properties.Replicas,
      maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: AUTOSCALING_CPU_UTILIZATION } },
        },
      ],
    },
  };
}

/** Every kind the native manager may create for an API, in apply order; undeploy removes them all. */
export const GATEWAY_OBJECT_KINDS = [
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
] as const;

export function gatewayObjectReferences(api: ManifestApi, cluster: Pick<TargetCluster, 'properties'>): ObjectReference[] {
  const metadata = { name: gatewayObjectName(api), namespace: cluster.properties.Namespace };
  return GATEWAY_OBJECT_KINDS.map(({ apiVersion, kind }) => ({ apiVersion, kind, metadata }));
}

export interface GatewayObjectPlan {
  /** ConfigMap and Secret first, so a new pod never starts without its config; then the rest. */
  configMap: Manifest<V1ConfigMap>;
  secret: Manifest<V1Secret>;
  others: GatewayManifest[];
  /** Objects of an earlier deploy that this one no longer wants (the autoscaler after MaxReplicas was removed). */
  stale: ObjectReference[];
  configHash: string;
}

/** Everything one deploy of `api` to `cluster` applies and removes. */
export function gatewayObjectsFor(api: DeployableApi, cluster: TargetCluster, mounts: ClusterSecurityMounts = {}): GatewayObjectPlan {
  const autoscaler = horizontalPodAutoscalerFor(api, cluster);
  const others: GatewayManifest[] = [deploymentFor(api, cluster, mounts), serviceFor(api, cluster), ingressFor(api, cluster)];
  if (autoscaler) others.push(autoscaler);
  const stale = autoscaler
    ? []
    : gatewayObjectReferences(api, cluster).filter((reference) => reference.kind === 'HorizontalPodAutoscaler');
  return { configMap: configMapFor(api, cluster), secret: secretFor(api, cluster), others, stale, configHash: configHashOf(api) };
}
