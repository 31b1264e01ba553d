/**
 * Prepares a cluster the way the seed's step 2 tells a user to (namespace, ServiceAccount,
 * ClusterRole/Role, binding, token, master URL), so integration tests configure PrivateJet
 * with exactly what a user would paste in: never with the admin certificate.
 */
import {
  ApiException,
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  type KubernetesObject,
  type RbacV1Subject,
  type V1PolicyRule,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { ControlPlane } from './control-plane';

/** The seed's ClusterRole, verbatim (privatejet-mode.md, step 2.ii). */
export const seedClusterRole = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: 'clusterrole-privatejet' },
  rules: [
    {
      apiGroups: ['', 'apiextensions.k8s.io', 'wso2.com'],
      resources: ['configmaps', 'customresourcedefinitions', 'apis'],
      verbs: ['get', 'post', 'create', 'delete', 'put', 'list', 'update'],
    },
  ],
} as const satisfies KubernetesObject & { rules: readonly V1PolicyRule[] };

/** The seed's ClusterRoleBinding (step 2.iii), with the subject set to the given ServiceAccount. */
export function seedClusterRoleBinding(serviceAccount: { name: string; namespace: string }): KubernetesObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'clusterrolebinding-privatejet' },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount.name, apiGroup: '', namespace: serviceAccount.namespace }],
    roleRef: { kind: 'ClusterRole', name: seedClusterRole.metadata.name, apiGroup: 'rbac.authorization.k8s.io' },
  } as KubernetesObject;
}

export interface ServiceAccountRequest {
  namespace: string;
  serviceAccountName: string;
  /** Roles and bindings, as objects or as (multi-document) YAML text; every binding must name the ServiceAccount. */
  rbac: string | KubernetesObject | readonly KubernetesObject[];
  tokenExpirationSeconds?: number;
}

/** What a user copies into the cluster configuration (MasterURL, SAToken, CACert, Namespace). */
export interface ServiceAccountAccess {
  masterUrl: string;
  saToken: string;
  caCert: string;
  namespace: string;
  serviceAccountName: string;
}

type RbacObject = KubernetesObject & {
  rules?: V1PolicyRule[];
  subjects?: RbacV1Subject[];
  roleRef?: { kind: string; name: string };
};

const fieldManager = 'privatejet-test-setup';
const roleKinds = new Set(['Role', 'ClusterRole']);
const bindingKinds = new Set(['RoleBinding', 'ClusterRoleBinding']);

export async function provisionServiceAccount(
  // A control plane or a full cluster (startCluster()): only its address, CA and admin are used.
  controlPlane: Pick<ControlPlane, 'masterUrl' | 'caCertPem' | 'adminKubeConfig'>,
  request: ServiceAccountRequest,
): Promise<ServiceAccountAccess> {
  const { namespace, serviceAccountName } = request;
  const admin = controlPlane.adminKubeConfig;
  const core = admin.makeApiClient(CoreV1Api);
  const rbacObjects = parseRbacObjects(request.rbac).map((object) => withNamespaceDefault(object, namespace));
  rbacObjects.forEach((object) => assertBindsServiceAccount(object, request));

  await ignoreAlreadyExists(core.createNamespace({ body: { metadata: { name: namespace } } }));
  await ignoreAlreadyExists(
    core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: serviceAccountName, namespace } } }),
  );
  const objects = KubernetesObjectApi.makeApiClient(admin);
  for (const object of rbacObjects) {
    await objects.patch(object, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
  }
  await waitUntilBindingsAuthorize(admin, rbacObjects, request);

  const tokenRequest = await core.createNamespacedServiceAccountToken({
    name: serviceAccountName,
    namespace,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      // No audiences: the API server fills in its own, as `kubectl create token` does.
      spec: { audiences: [], expirationSeconds: request.tokenExpirationSeconds ?? 3600 },
    },
  });
  const saToken = tokenRequest.status?.token;
  if (!saToken) throw new Error(`TokenRequest for ${namespace}/${serviceAccountName} returned no token`);
  return { masterUrl: controlPlane.masterUrl, saToken, caCert: controlPlane.caCertPem, namespace, serviceAccountName };
}

/** A client configured from the ServiceAccount's token, as the application configures one. */
export function kubeConfigForServiceAccount(access: ServiceAccountAccess): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'cluster', server: access.masterUrl, caData: Buffer.from(access.caCert).toString('base64') }],
    users: [{ name: access.serviceAccountName, token: access.saToken }],
    contexts: [{ name: 'cluster', cluster: 'cluster', user: access.serviceAccountName, namespace: access.namespace }],
    currentContext: 'cluster',
  });
  return kubeConfig;
}

function parseRbacObjects(rbac: ServiceAccountRequest['rbac']): RbacObject[] {
  if (typeof rbac !== 'string') return (Array.isArray(rbac) ? [...rbac] : [rbac]) as RbacObject[];
  return parseAllDocuments(rbac)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`RBAC YAML: ${document.errors[0]!.message}`);
      return document.toJS() as RbacObject | null;
    })
    .filter((object): object is RbacObject => object !== null);
}

function withNamespaceDefault(object: RbacObject, namespace: string): RbacObject {
  const namespaced = object.kind === 'Role' || object.kind === 'RoleBinding';
  if (!namespaced || object.metadata?.namespace) return object;
  return { ...object, metadata: { ...object.metadata, namespace } };
}

function assertBindsServiceAccount(object: RbacObject, request: ServiceAccountRequest): void {
  const name = `${object.kind ?? '(no kind)'} ${object.metadata?.name ?? '(no name)'}`;
  if (!roleKinds.has(object.kind ?? '') && !bindingKinds.has(object.kind ?? '')) {
    throw new Error(`${name}: only Role, ClusterRole, RoleBinding and ClusterRoleBinding are accepted`);
  }
  if (bindingKinds.has(object.kind ?? '') && !bindsServiceAccount(object, request)) {
    throw new Error(
      `${name}: its subjects must include ServiceAccount ${request.namespace}/${request.serviceAccountName}`,
    );
  }
}

function bindsServiceAccount(binding: RbacObject, request: ServiceAccountRequest): boolean {
  return (binding.subjects ?? []).some(
    (subject) =>
      subject.kind === 'ServiceAccount' &&
      subject.name === request.serviceAccountName &&
      (subject.namespace ?? binding.metadata?.namespace) === request.namespace,
  );
}

// The RBAC authorizer reads bindings from a watch cache, a moment behind the write; without
// this wait the first request made with the new token can be refused.
async function waitUntilBindingsAuthorize(
  admin: KubeConfig,
  rbacObjects: RbacObject[],
  request: ServiceAccountRequest,
): Promise<void> {
  const authorization = admin.makeApiClient(AuthorizationV1Api);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  const user = `system:serviceaccount:${request.namespace}:${request.serviceAccountName}`;
  for (const binding of rbacObjects.filter((object) => bindingKinds.has(object.kind ?? ''))) {
    const rule = await firstResourceRuleOf(binding, rbacObjects, rbac);
    if (!rule) continue;
    const resourceAttributes = {
      namespace: binding.kind === 'RoleBinding' ? binding.metadata?.namespace : undefined,
      group: rule.apiGroups?.[0] ?? '',
      resource: rule.resources?.[0],
      verb: rule.verbs[0],
      // A rule limited by resourceNames allows nothing when asked without a name.
      name: rule.resourceNames?.[0],
    };
    await pollUntil(`${binding.kind} ${binding.metadata?.name} to take effect`, async () => {
      const review = await authorization.createSubjectAccessReview({
        body: { spec: { user, resourceAttributes } },
      });
      return review.status?.allowed === true;
    });
  }
}

async function firstResourceRuleOf(
  binding: RbacObject,
  rbacObjects: RbacObject[],
  rbac: RbacAuthorizationV1Api,
): Promise<V1PolicyRule | undefined> {
  const roleRef = binding.roleRef;
  if (!roleRef) return undefined;
  const given = rbacObjects.find(
    (object) =>
      object.kind === roleRef.kind &&
      object.metadata?.name === roleRef.name &&
      (roleRef.kind === 'ClusterRole' || object.metadata?.namespace === binding.metadata?.namespace),
  );
  // A binding to a built-in role (view, edit, …) is checked against that role's rules.
  const rules =
    given?.rules ??
    (roleRef.kind === 'ClusterRole'
      ? (await rbac.readClusterRole({ name: roleRef.name })).rules
      : (await rbac.readNamespacedRole({ name: roleRef.name, namespace: binding.metadata?.namespace ?? '' })).rules);
  return rules?.find((rule) => (rule.resources?.length ?? 0) > 0 && rule.verbs.length > 0);
}

async function pollUntil(what: string, condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function ignoreAlreadyExists(creation: Promise<unknown>): Promise<void> {
  try {
    await creation;
  } catch (error) {
    if (!(error instanceof ApiException && error.code === 409)) throw error;
  }
}
