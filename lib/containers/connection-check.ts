import { AuthorizationV1Api, CoreV1Api, VersionApi, type KubeConfig } from '@kubernetes/client-node';
import type { ClusterDefinition } from '../clusters/cluster-definition';
import { kubeConfigFor, withTimeout } from './kube-client';
import { kubeErrorFrom, type KubeErrorInfo } from './kube-errors';
import { requiredPermissionsFor, type KubernetesVerb, type RequiredPermission } from './permissions';
import { localSecurityResourceReader } from './local/security-folder';
import { securityResourceStatuses, type SecurityResourceReader, type SecurityResourceStatus } from './security-resources';
import { SecurityResourceError } from '../gateway/security-resources';
import { deploymentTomlPath } from '../env';

/**
 * The admin page's connection test: can this app reach the cluster's API server with the
 * configured credentials, does the namespace exist, and may the service account do everything
 * the cluster's container manager needs? The report is a DTO safe to send to a browser.
 */

export interface AccessCheck {
  apiGroup: string;
  resource: string;
  verb: KubernetesVerb;
  namespaced: boolean;
  /** The single object the rule is limited to, if any. */
  name?: string;
  allowed: boolean;
  /** The authorizer's reason, or why the check itself failed. */
  reason?: string;
  why: string;
}

export interface ClusterAccessReport {
  clusterName: string;
  manager: string;
  namespace: string;
  reachable: boolean;
  serverVersion?: string;
  /** Undefined when it could not be determined (e.g. the namespaces lookup is not allowed). */
  namespaceExists?: boolean;
  checks: AccessCheck[];
  /** Every required permission is allowed and the namespace exists. */
  ready: boolean;
  /** A note when there is nothing to check (the local manager). */
  note?: string;
  /** Each security resource the cluster names (native and local managers): found, well-formed, what it offers. */
  securityResources?: SecurityResourceStatus[];
  error?: KubeErrorInfo;
}

export interface ClusterAccessDeps {
  /** Replaces the KubeConfig built from the cluster's credentials. */
  kubeConfig?: KubeConfig;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export async function clusterAccessReport(
  cluster: Pick<ClusterDefinition, 'clusterName' | 'properties'>,
  managerName: string,
  deps: ClusterAccessDeps = {},
): Promise<ClusterAccessReport> {
  const namespace = cluster.properties.Namespace;
  const base = { clusterName: cluster.clusterName, manager: managerName, namespace, checks: [] as AccessCheck[] };
  if (managerName === 'local') {
    const securityResources = await securityResourceStatuses(cluster, localSecurityResourceReader(deploymentTomlPath()), `next to ${deploymentTomlPath()}`);
    return {
      ...base,
      reachable: true,
      ready: securityResources.every((status) => status.ok),
      note: 'The local manager runs gateways on this machine; there is no API server to check.',
      ...(securityResources.length > 0 ? { securityResources } : {}),
    };
  }

  let config: KubeConfig;
  try {
    config = deps.kubeConfig ?? kubeConfigFor(cluster);
  } catch (error) {
    return { ...base, reachable: false, ready: false, error: kubeErrorFrom(error).toInfo() };
  }
  const options = withTimeout(deps.timeoutMs ?? DEFAULT_TIMEOUT_MS);

  let serverVersion: string;
  try {
    serverVersion = (await config.makeApiClient(VersionApi).getCode(undefined, options)).gitVersion;
  } catch (error) {
    const info = kubeErrorFrom(error).toInfo();
    // 401/403 come from the API server itself: it is reachable, the credentials are the problem.
    const answered = info.status !== undefined;
    return { ...base, reachable: answered, ready: false, error: info };
  }

  let namespaceExists: boolean | undefined;
  try {
    await config.makeApiClient(CoreV1Api).readNamespace({ name: namespace }, options);
    namespaceExists = true;
  } catch (error) {
    const info = kubeErrorFrom(error);
    if (info.kind === 'not-found') namespaceExists = false;
    else if (info.kind !== 'forbidden') return { ...base, reachable: true, serverVersion, ready: false, error: info.toInfo() };
  }

  const permissions = requiredPermissionsFor(managerName) ?? [];
  const authorization = config.makeApiClient(AuthorizationV1Api);
  const checks = await Promise.all(
    permissions.flatMap((permission) => permission.verbs.map((verb) => accessCheck(authorization, permission, verb, namespace, options, cluster.properties))),
  );
  // Only the native manager reads the named objects; the operator resolves its own Security objects.
  const securityResources =
    managerName === 'kubernetes' ? await securityResourceStatuses(cluster, coreSecurityResourceReader(config, namespace, options), `in namespace ${namespace}`) : [];
  const note =
    requiredPermissionsFor(managerName) === undefined
      ? `The "${managerName}" manager declares no permission list; only the connection and the namespace were checked.`
      : undefined;
  return {
    ...base,
    reachable: true,
    serverVersion,
    ...(namespaceExists !== undefined ? { namespaceExists } : {}),
    checks: checks.filter((check): check is AccessCheck => check !== undefined),
    ready: namespaceExists === true && checks.every((check) => check === undefined || check.allowed) && securityResources.every((status) => status.ok),
    ...(note ? { note } : {}),
    ...(securityResources.length > 0 ? { securityResources } : {}),
  };
}

async function accessCheck(
  authorization: AuthorizationV1Api,
  permission: RequiredPermission,
  verb: KubernetesVerb,
  namespace: string,
  options: ReturnType<typeof withTimeout>,
  properties: ClusterDefinition['properties'],
): Promise<AccessCheck | undefined> {
  const [resource, subresource] = permission.resource.split('/') as [string, string | undefined];
  const only = permission.onlyObject;
  let name: string | undefined;
  if (only === undefined) name = undefined;
  else if ('name' in only) name = only.name;
  else if ('theClusterProperty' in only) {
    // A permission on a security resource the cluster does not name is not needed.
    name = properties[only.theClusterProperty]?.trim() || undefined;
    if (name === undefined) return undefined;
  } else name = namespace;
  const result: Omit<AccessCheck, 'allowed'> = {
    apiGroup: permission.apiGroup,
    resource: permission.resource,
    verb,
    namespaced: permission.namespaced,
    ...(name !== undefined ? { name } : {}),
    why: permission.why,
  };
  try {
    const review = await authorization.createSelfSubjectAccessReview(
      {
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: {
            resourceAttributes: {
              group: permission.apiGroup,
              resource,
              verb,
              ...(subresource ? { subresource } : {}),
              ...(permission.namespaced ? { namespace } : {}),
              ...(name !== undefined ? { name } : {}),
            },
          },
        },
      },
      options,
    );
    const status = review.status;
    const reason = status?.evaluationError || status?.reason || undefined;
    return { ...result, allowed: status?.allowed === true, ...(reason ? { reason } : {}) };
  } catch (error) {
    return { ...result, allowed: false, reason: `the access review failed: ${kubeErrorFrom(error).message}` };
  }
}

/** The named Secret/ConfigMap through the core API; a refused `get` names the object and the missing grant. */
function coreSecurityResourceReader(config: KubeConfig, namespace: string, options: ReturnType<typeof withTimeout>): SecurityResourceReader {
  const core = config.makeApiClient(CoreV1Api);
  return async (kind, name) => {
    try {
      if (kind === 'Secret') {
        const secret = await core.readNamespacedSecret({ name, namespace }, options);
        const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
        return { description: `Secret ${namespace}/${name}`, data };
      }
      const configMap = await core.readNamespacedConfigMap({ name, namespace }, options);
      return { description: `ConfigMap ${namespace}/${name}`, data: { ...(configMap.data ?? {}) } };
    } catch (error) {
      const info = kubeErrorFrom(error);
      if (info.kind === 'not-found') return undefined;
      if (info.kind === 'forbidden') throw new SecurityResourceError(`may not get ${kind} ${namespace}/${name}: grant get on it (see the setup guide's Role)`);
      throw error;
    }
  };
}
