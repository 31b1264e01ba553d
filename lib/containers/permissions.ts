/**
 * What each Kubernetes-based container manager may do in a cluster: the one source of truth
 * for the RBAC in deploy/rbac/, the setup guide's commands and the connection check.
 * A manager must not call the API server for anything that is not listed here.
 */

export type KubernetesVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

export interface RequiredPermission {
  /** '' is the core group. */
  apiGroup: string;
  /** Plural resource, optionally with a subresource: `deployments/status`. */
  resource: string;
  verbs: readonly KubernetesVerb[];
  /** True: granted in the cluster's namespace (Role). False: cluster-wide (ClusterRole). */
  namespaced: boolean;
  /**
   * Restricts the rule to one object, for least privilege on cluster-scoped resources:
   * a fixed name, the cluster's configured namespace itself, or the object a cluster property
   * names (granted only when the cluster sets that property).
   */
  onlyObject?: { name: string } | { theConfiguredNamespace: true } | { theClusterProperty: SecurityResourceProperty };
  /** Why the manager needs it, shown in the setup guide and the connection check. */
  why: string;
}

import type { SecurityResourceProperty } from './security-resources';

export const KUBERNETES_MANAGERS = ['kubernetes', 'wso2-api-operator'] as const;
export type KubernetesManagerName = (typeof KUBERNETES_MANAGERS)[number];

/** Server-side apply is a PATCH that creates a missing object, which the API server also authorizes as create. */
const APPLY_AND_REMOVE: readonly KubernetesVerb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

const NAMESPACE_LOOKUP: RequiredPermission = {
  apiGroup: '',
  resource: 'namespaces',
  verbs: ['get'],
  namespaced: false,
  onlyObject: { theConfiguredNamespace: true },
  why: 'the connection check confirms that the configured namespace exists',
};

export const REQUIRED_PERMISSIONS: Readonly<Record<KubernetesManagerName, readonly RequiredPermission[]>> = {
  kubernetes: [
    NAMESPACE_LOOKUP,
    {
      apiGroup: '',
      resource: 'configmaps',
      verbs: APPLY_AND_REMOVE,
      namespaced: true,
      why: "each API's gateway configuration; list finds leftovers by label so undeploy removes every object",
    },
    {
      apiGroup: '',
      resource: 'secrets',
      // Written and removed, never read back: PrivateJet has no business reading other Secrets.
      verbs: ['create', 'patch', 'delete'],
      namespaced: true,
      why: "each gateway's client secret (introspection of opaque tokens, the revocation list), kept out of its ConfigMap",
    },
    {
      apiGroup: 'apps',
      resource: 'deployments',
      verbs: APPLY_AND_REMOVE,
      namespaced: true,
      why: "each API's dedicated gateway pods; watch follows the rollout until the gateway is ready",
    },
    {
      apiGroup: 'apps',
      resource: 'deployments/status',
      verbs: ['get'],
      namespaced: true,
      why: 'readiness is read back from the cluster: the Deployment\'s available replicas and conditions',
    },
    {
      apiGroup: '',
      resource: 'services',
      verbs: APPLY_AND_REMOVE,
      namespaced: true,
      why: "a ClusterIP Service in front of each API's gateway pods",
    },
    {
      apiGroup: 'networking.k8s.io',
      resource: 'ingresses',
      verbs: APPLY_AND_REMOVE,
      namespaced: true,
      why: 'routes AccessURL + /<context>/<version> to the API\'s gateway through the ingress controller',
    },
    {
      apiGroup: 'autoscaling',
      resource: 'horizontalpodautoscalers',
      verbs: APPLY_AND_REMOVE,
      namespaced: true,
      why: 'scales a gateway between Replicas and MaxReplicas when MaxReplicas is set; deleted when it is removed',
    },
    {
      apiGroup: '',
      resource: 'secrets',
      verbs: ['get'],
      namespaced: true,
      onlyObject: { theClusterProperty: 'BasicSecurityCustomResourceName' },
      why: "the cluster's Basic users: the deploy and the connection check confirm the Secret exists and its key \"users\" is well-formed (the hashes reach the gateway pods by a volume, never through PrivateJet)",
    },
    {
      apiGroup: '',
      resource: 'configmaps',
      verbs: ['get'],
      namespaced: true,
      onlyObject: { theClusterProperty: 'JWTSecurityCustomResourceName' },
      why: "the cluster's other JWT issuer (issuer, audience, public-key.pem), when it is a ConfigMap",
    },
    {
      apiGroup: '',
      resource: 'secrets',
      verbs: ['get'],
      namespaced: true,
      onlyObject: { theClusterProperty: 'JWTSecurityCustomResourceName' },
      why: "the cluster's other JWT issuer (issuer, audience, public-key.pem), when it is a Secret",
    },
    {
      apiGroup: '',
      resource: 'secrets',
      verbs: ['get'],
      namespaced: true,
      onlyObject: { theClusterProperty: 'OauthSecurityCustomResourceName' },
      why: "the cluster's other authorization server: the deploy and the connection check confirm introspection-url, client-id and client-secret are there (the gateway pods mount the credentials; PrivateJet never copies them)",
    },
    {
      apiGroup: '',
      resource: 'pods',
      verbs: ['get', 'list', 'watch'],
      namespaced: true,
      why: 'explains a gateway that is not ready (image pull errors, crash loops) from its pods\' container states',
    },
    {
      apiGroup: '',
      resource: 'pods/proxy',
      // Only get: the traffic scraper reads each gateway pod's counters (GET /metrics/traffic) through the API server.
      verbs: ['get'],
      namespaced: true,
      why: "reads each gateway pod's traffic counters (/metrics/traffic) through the API server, so no new network path into the cluster is opened",
    },
    {
      apiGroup: '',
      resource: 'events',
      verbs: ['list', 'watch'],
      namespaced: true,
      why: "shows the cluster's own reason when a gateway cannot be scheduled or started",
    },
  ],
  'wso2-api-operator': [
    NAMESPACE_LOOKUP,
    {
      apiGroup: 'apiextensions.k8s.io',
      resource: 'customresourcedefinitions',
      verbs: ['get'],
      namespaced: false,
      onlyObject: { name: 'apis.wso2.com' },
      why: 'the connection check confirms that the WSO2 API Operator (its API custom resource) is installed',
    },
    {
      apiGroup: '',
      resource: 'configmaps',
      verbs: APPLY_AND_REMOVE,
      namespaced: true,
      why: "holds each API's OpenAPI definition for the operator; deleted on undeploy",
    },
    {
      apiGroup: 'wso2.com',
      resource: 'apis',
      verbs: APPLY_AND_REMOVE,
      namespaced: true,
      why: 'the operator\'s API object (apis.wso2.com/v1alpha1) that makes it build and run the gateway',
    },
    {
      apiGroup: 'wso2.com',
      resource: 'apis/status',
      verbs: ['get'],
      namespaced: true,
      why: "the API object's status, read back to show whether the operator deployed the gateway",
    },
  ],
};

export function isKubernetesManager(name: string): name is KubernetesManagerName {
  return (KUBERNETES_MANAGERS as readonly string[]).includes(name);
}

export function requiredPermissionsFor(manager: string): readonly RequiredPermission[] | undefined {
  return isKubernetesManager(manager) ? REQUIRED_PERMISSIONS[manager] : undefined;
}
