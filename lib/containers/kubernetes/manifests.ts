import { isIP } from 'node:net';
import type {
  V1ConfigMap,
  V1Deployment,
  V1Ingress,
  V1ObjectMeta,
  V1Service,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { DEFAULT_INGRESS_CLASS } from '../../clusters/cluster.schema';
import type { ApiIdentity, DeployableApi, TargetCluster } from '../container-manager';
import { configHash } from '../gateway-config';
import { gatewayLabels, gatewayObjectName, gatewaySelectorLabels } from './object-names';

/**
 * Pure builders of the objects that run one API's dedicated gateway in one cluster
 * (design: ContainerManager, `kubernetes`). Nothing here talks to a cluster.
 */

/** The gateway image released with this version of the app; a cluster's GatewayImage overrides it. */
export const DEFAULT_GATEWAY_IMAGE = 'ghcr.io/privatejet/gateway:0.1.0';

/** The port the image listens on (gateway/Dockerfile: PORT=8080). */
export const GATEWAY_PORT = 8080;
export const SERVICE_PORT = 80;
/** The ConfigMap is mounted here as a directory; the image's GATEWAY_CONFIG points at the key below. */
export const GATEWAY_CONFIG_DIR = '/etc/privatejet/gateway';
export const GATEWAY_CONFIG_KEY = 'config.json';
export const CONFIG_HASH_ANNOTATION = 'privatejet.io/config-hash';
/** Non-root user of the pod; any id works, the image writes nothing outside /tmp. */
export const GATEWAY_USER_ID = 10001;
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
  | Manifest<V1Deployment>
  | Manifest<V1Service>
  | Manifest<V1Ingress>
  | Manifest<V2HorizontalPodAutoscaler>;

type ManifestApi = Pick<ApiIdentity, 'tenantId' | 'tenantDomain' | 'apiId' | 'name' | 'version'>;

/** JSON with object keys sorted, so the same config always gives the same text and hash. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** The gateway config file exactly as mounted. */
export function gatewayConfigText(api: Pick<DeployableApi, 'gatewayConfig'>): string {
  return `${canonicalJson(api.gatewayConfig)}\n`;
}

/** The hash every manager reports for a gateway config: changes exactly when the config does. */
export function configHashOf(api: Pick<DeployableApi, 'gatewayConfig'>): string {
  return configHash(api.gatewayConfig);
}

/** `/<context>/<version>`, the prefix the gateway serves the API under. */
export function apiPathPrefix(api: Pick<ApiIdentity, 'context' | 'version'>): string {
  const context = `/${api.context.replace(/^\/+|\/+$/g, '')}`;
  return `${context === '/' ? '' : context}/${api.version}`;
}

function metadataFor(api: ManifestApi, cluster: TargetCluster): V1ObjectMeta & { name: string; namespace: string } {
  return { name: gatewayObjectName(api), namespace: cluster.properties.Namespace, labels: gatewayLabels(api) };
}

export function configMapFor(api: ManifestApi & Pick<DeployableApi, 'gatewayConfig'>, cluster: TargetCluster): Manifest<V1ConfigMap> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadataFor(api, cluster),
    data: { [GATEWAY_CONFIG_KEY]: gatewayConfigText(api) },
  };
}

export function deploymentFor(api: ManifestApi & Pick<DeployableApi, 'gatewayConfig'>, cluster: TargetCluster): Manifest<V1Deployment> {
  const name = gatewayObjectName(api);
  const selector = gatewaySelectorLabels(api);
  const autoscaled = cluster.properties.MaxReplicas !== undefined;
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
          annotations: { [CONFIG_HASH_ANNOTATION]: configHashOf(api) },
        },
        spec: {
          // The gateway never calls the API server: no token in the pod.
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          // The gateway drains in-flight requests for up to 25 s on SIGTERM.
          terminationGracePeriodSeconds: 30,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: GATEWAY_USER_ID,
            runAsGroup: GATEWAY_USER_ID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'gateway',
              image: cluster.properties.GatewayImage ?? DEFAULT_GATEWAY_IMAGE,
              ports: [{ name: 'http', containerPort: GATEWAY_PORT, protocol: 'TCP' }],
              env: [
                { name: 'GATEWAY_CONFIG', value: `${GATEWAY_CONFIG_DIR}/${GATEWAY_CONFIG_KEY}` },
                { name: 'PORT', value: String(GATEWAY_PORT) },
              ],
              readinessProbe: {
                httpGet: { path: '/health/ready', port: 'http' },
                periodSeconds: 5,
                failureThreshold: 2,
              },
              livenessProbe: {
                httpGet: { path: '/health/live', port: 'http' },
                initialDelaySeconds: 5,
                periodSeconds: 10,
                failureThreshold: 3,
              },
              // Sized from the design's targets: about 60 MB idle, at most 100 MB under load.
              resources: {
                requests: { cpu: '100m', memory: '96Mi' },
                limits: { cpu: '1', memory: '192Mi' },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                // The whole map as a directory, not a subPath: only then does the kubelet swap in
                // an updated ConfigMap, which the gateway picks up without a restart.
                { name: 'config', mountPath: GATEWAY_CONFIG_DIR, readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name } },
            { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
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
  /** ConfigMap first, so a new pod never starts without its config; then the rest. */
  configMap: Manifest<V1ConfigMap>;
  others: GatewayManifest[];
  /** Objects of an earlier deploy that this one no longer wants (the autoscaler after MaxReplicas was removed). */
  stale: ObjectReference[];
  configHash: string;
}

/** Everything one deploy of `api` to `cluster` applies and removes. */
export function gatewayObjectsFor(api: DeployableApi, cluster: TargetCluster): GatewayObjectPlan {
  const autoscaler = horizontalPodAutoscalerFor(api, cluster);
  const others: GatewayManifest[] = [deploymentFor(api, cluster), serviceFor(api, cluster), ingressFor(api, cluster)];
  if (autoscaler) others.push(autoscaler);
  const stale = autoscaler
    ? []
    : gatewayObjectReferences(api, cluster).filter((reference) => reference.kind === 'HorizontalPodAutoscaler');
  return { configMap: configMapFor(api, cluster), others, stale, configHash: configHashOf(api) };
}
