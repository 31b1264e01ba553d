import { Document, isScalar, visit } from 'yaml';
import {
  KUBERNETES_MANAGERS,
  REQUIRED_PERMISSIONS,
  type KubernetesManagerName,
  type RequiredPermission,
} from './permissions';
import type { SecurityResourceProperty } from './security-resources';

/**
 * Pure builders from a manager's permission list (lib/containers/permissions.ts) to the
 * Kubernetes RBAC objects and the setup guide's shell commands. Namespaced rules go into a Role
 * in the cluster's namespace; only cluster-scoped rules get a ClusterRole.
 */

export interface ServiceAccountRef {
  namespace: string;
  serviceAccount: string;
}

/** What deploy/rbac/ is generated for. */
export const DEFAULT_SERVICE_ACCOUNT: ServiceAccountRef = { namespace: 'privatejet', serviceAccount: 'privatejet' };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'privatejet' };

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}

/** Names are checked because they end up in shell commands the admin pastes. */
function assertServiceAccountRef({ namespace, serviceAccount }: ServiceAccountRef): void {
  for (const [what, value] of [['namespace', namespace], ['service account', serviceAccount]] as const) {
    if (value.length > 63 || !DNS_LABEL.test(value)) {
      throw new Error(`"${value}" is not a valid ${what} name: use at most 63 lowercase letters, digits and "-"`);
    }
  }
}

/** The names a cluster gives its security resources (the seed's *SecurityCustomResourceName properties). */
export type SecurityResourceNames = Partial<Record<SecurityResourceProperty, string>>;

/** Undefined for a rule about a security resource the cluster does not name: it is left out. */
function ruleFor(permission: RequiredPermission, namespace: string, names: SecurityResourceNames = {}): PolicyRule | undefined {
  const only = permission.onlyObject;
  let resourceNames: string[] | undefined;
  if (only === undefined) resourceNames = undefined;
  else if ('name' in only) resourceNames = [only.name];
  else if ('theClusterProperty' in only) {
    const name = names[only.theClusterProperty];
    if (!name) return undefined;
    resourceNames = [name];
  } else resourceNames = [namespace];
  return {
    apiGroups: [permission.apiGroup],
    resources: [permission.resource],
    ...(resourceNames ? { resourceNames } : {}),
    verbs: [...permission.verbs],
  };
}

export function roleNameFor(manager: KubernetesManagerName, ref: ServiceAccountRef): string {
  return `${ref.serviceAccount}-${manager}`;
}

/** Cluster-wide names must not collide between service accounts of different namespaces. */
export function clusterRoleNameFor(manager: KubernetesManagerName, ref: ServiceAccountRef): string {
  return `${ref.namespace}-${ref.serviceAccount}-${manager}`;
}

export interface RbacObjectOptions {
  /** The setup guide creates the service account with kubectl first; the committed files include it. */
  includeServiceAccount?: boolean;
  /** `get` on exactly these objects; without a name, no rule for that kind of resource. */
  securityResourceNames?: SecurityResourceNames;
}

export function rbacObjectsFor(manager: KubernetesManagerName, ref: ServiceAccountRef, options: RbacObjectOptions = {}): KubernetesObject[] {
  assertServiceAccountRef(ref);
  const permissions = REQUIRED_PERMISSIONS[manager];
  const rulesOf = (list: readonly RequiredPermission[]) =>
    list.map((p) => ruleFor(p, ref.namespace, options.securityResourceNames)).filter((rule): rule is PolicyRule => rule !== undefined);
  const namespacedRules = rulesOf(permissions.filter((p) => p.namespaced));
  const clusterRules = rulesOf(permissions.filter((p) => !p.namespaced));
  const subject = { kind: 'ServiceAccount', name: ref.serviceAccount, namespace: ref.namespace };
  const objects: KubernetesObject[] = [];
  if (options.includeServiceAccount ?? true) {
    objects.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: ref.serviceAccount, namespace: ref.namespace, labels: MANAGED_BY } });
  }
  if (namespacedRules.length > 0) {
    const name = roleNameFor(manager, ref);
    objects.push(
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: ref.namespace, labels: MANAGED_BY }, rules: namespacedRules },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name, namespace: ref.namespace, labels: MANAGED_BY },
        subjects: [subject],
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      },
    );
  }
  if (clusterRules.length > 0) {
    const name = clusterRoleNameFor(manager, ref);
    objects.push(
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels: MANAGED_BY }, rules: clusterRules },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name, labels: MANAGED_BY },
        subjects: [subject],
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      },
    );
  }
  return objects;
}

/** Multi-document YAML of the given objects. */
export function toYamlDocuments(objects: readonly KubernetesObject[]): string {
  return objects
    .map((object) => {
      const document = new Document(object);
      // Lists of plain values (apiGroups, verbs, ...) read best on one line, as kubectl docs write them.
      visit(document, {
        Seq(_, node) {
          if (node.items.every((item) => isScalar(item))) node.flow = true;
        },
      });
      return document.toString({ lineWidth: 0, flowCollectionPadding: false });
    })
    .join('---\n');
}

export function rbacManifestFor(manager: KubernetesManagerName, ref: ServiceAccountRef = DEFAULT_SERVICE_ACCOUNT): string {
  const header = [
    `# RBAC for the "${manager}" container manager: service account "${ref.serviceAccount}" in namespace "${ref.namespace}".`,
    '# Generated from lib/containers/permissions.ts by: npx tsx lib/containers/write-rbac-manifests.ts',
    '# Do not edit: change the permission list and run the script again.',
    `# Apply with: kubectl create namespace ${ref.namespace} && kubectl apply -f deploy/rbac/${manager}.yaml`,
    '',
  ].join('\n');
  return `${header}${toYamlDocuments(rbacObjectsFor(manager, ref))}`;
}

/** Where the Helm chart reads its RBAC rules from (templates/rbac.yaml). */
export const HELM_RBAC_RULES_PATH = 'deploy/helm/privatejet/files/rbac-rules.yaml';

/**
 * A rule as the Helm chart's template takes it: what a Role or ClusterRole rule needs, plus a
 * marker for the parts only known at install time (the namespaces gateways go to, the names a
 * cluster gives its security resources), which templates/rbac.yaml fills in from the values.
 */
interface HelmRbacRule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  /** resourceNames = the gateway namespaces (rbac.gatewayNamespaces). */
  onlyTheGatewayNamespaces?: true;
  /** resourceNames = [rbac.securityResourceNames.<property>]; the rule is left out when that is unset. */
  onlyTheObjectNamedBy?: SecurityResourceProperty;
  verbs: string[];
}

function helmRuleFor(permission: RequiredPermission): HelmRbacRule {
  const only = permission.onlyObject;
  const base = { apiGroups: [permission.apiGroup], resources: [permission.resource] };
  const verbs = [...permission.verbs];
  if (only === undefined) return { ...base, verbs };
  if ('name' in only) return { ...base, resourceNames: [only.name], verbs };
  if ('theClusterProperty' in only) return { ...base, onlyTheObjectNamedBy: only.theClusterProperty, verbs };
  return { ...base, onlyTheGatewayNamespaces: true, verbs };
}

/**
 * deploy/helm/privatejet/files/rbac-rules.yaml: every manager's permission list split as
 * rbacObjectsFor splits it (namespaced rules → a Role in each gateway namespace, the rest → a
 * ClusterRole), so the chart grants exactly what deploy/rbac/ grants.
 */
export function helmRbacRules(): string {
  const header = [
    '# RBAC rules of each container manager, for templates/rbac.yaml.',
    '# Generated from lib/containers/permissions.ts by: npx tsx lib/containers/write-rbac-manifests.ts',
    '# Do not edit: change the permission list and run the script again (lib/containers/rbac.test.ts',
    '# and tools/helm/chart.test.ts fail when this file or the rendered chart drift from it).',
    '',
  ].join('\n');
  const managers = Object.fromEntries(
    KUBERNETES_MANAGERS.map((manager) => {
      const permissions = REQUIRED_PERMISSIONS[manager];
      return [
        manager,
        {
          namespaced: permissions.filter((p) => p.namespaced).map(helmRuleFor),
          clusterScoped: permissions.filter((p) => !p.namespaced).map(helmRuleFor),
        },
      ];
    }),
  );
  return `${header}${toYamlDocuments([managers as unknown as KubernetesObject])}`;
}

/** Repository path → content of every committed RBAC file. */
export function committedRbacManifests(): Record<string, string> {
  return {
    ...Object.fromEntries(KUBERNETES_MANAGERS.map((manager) => [`deploy/rbac/${manager}.yaml`, rbacManifestFor(manager)])),
    [HELM_RBAC_RULES_PATH]: helmRbacRules(),
  };
}

// ---------------------------------------------------------------------------------------------
// Setup guide

export interface SetupStep {
  title: string;
  /** One or two sentences: why this step, what to copy where. */
  explanation: string;
  /** Shell commands to paste, exactly. */
  commands: string;
}

export interface SetupGuideOptions {
  /** The cluster's security resource names: the Role then grants `get` on exactly those objects. */
  securityResourceNames?: SecurityResourceNames;
  /** For `kubectl create token --duration`; the API server may cap it. */
  tokenDuration?: string;
}

export function setupGuideFor(manager: KubernetesManagerName, ref: ServiceAccountRef, options: SetupGuideOptions = {}): SetupStep[] {
  // The operator reads its own security objects; the native manager reads the named ones itself.
  const securityResourceNames = manager === 'kubernetes' ? options.securityResourceNames : undefined;
  assertServiceAccountRef(ref);
  const { namespace, serviceAccount } = ref;
  const duration = options.tokenDuration ?? '8760h';
  if (!/^\d+(h|m|s)$/.test(duration)) throw new Error(`"${duration}" is not a kubectl duration such as 8760h`);
  const secretName = `${serviceAccount}-token`;
  const roles = toYamlDocuments(rbacObjectsFor(manager, ref, { includeServiceAccount: false, ...(securityResourceNames ? { securityResourceNames } : {}) }));
  const tokenSecret = toYamlDocuments([
    {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: { name: secretName, namespace, annotations: { 'kubernetes.io/service-account.name': serviceAccount } },
    },
  ]);
  const clusterScoped = REQUIRED_PERMISSIONS[manager].filter((p) => !p.namespaced);

  return [
    {
      title: 'Create the namespace',
      explanation: `Gateways of this cluster run in namespace "${namespace}" (the cluster's Namespace property). Skip this if it exists.`,
      commands: `kubectl create namespace ${namespace}`,
    },
    {
      title: 'Create the service account',
      explanation: 'The app talks to the API server as this service account.',
      commands: `kubectl create serviceaccount ${serviceAccount} -n ${namespace}`,
    },
    {
      title: 'Grant the permissions',
      explanation:
        `A Role in "${namespace}" for the objects the ${manager} manager creates` +
        (clusterScoped.length > 0 ? `, and a ClusterRole limited to ${clusterScoped.map(describeClusterRule).join(' and ')}` : '') +
        `. The same objects are in deploy/rbac/${manager}.yaml.`,
      commands: `kubectl apply -f - <<'EOF'\n${roles}EOF`,
    },
    {
      title: 'Get a token (Kubernetes 1.24 and later)',
      explanation:
        `Kubernetes 1.24+ no longer creates token Secrets. Either create a token that expires (the API server may shorten --duration; the admin page shows the expiry) ...`,
      commands: `kubectl create token ${serviceAccount} -n ${namespace} --duration=${duration}`,
    },
    {
      title: '... or a long-lived token Secret',
      explanation: 'A kubernetes.io/service-account-token Secret holds a token that does not expire until the Secret is deleted. Paste the printed token into SAToken.',
      commands: `kubectl apply -f - <<'EOF'\n${tokenSecret}EOF\nkubectl get secret ${secretName} -n ${namespace} -o jsonpath='{.data.token}' | base64 -d`,
    },
    {
      title: 'Find the MasterURL',
      explanation: 'The URL on the "Kubernetes control plane is running at" line is the MasterURL. It must be reachable from the machine that runs this app.',
      commands: `kubectl cluster-info\nkubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}'`,
    },
    {
      title: "Get the API server's CA certificate",
      explanation:
        'Paste the output into CACert (base64 PEM is accepted as is) so the app verifies the API server. The first command reads your kubeconfig; the second reads the CA every namespace receives.',
      commands:
        `kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}'\n` +
        `kubectl get configmap kube-root-ca.crt -n ${namespace} -o jsonpath='{.data.ca\\.crt}'`,
    },
  ];
}

function describeClusterRule(permission: RequiredPermission): string {
  const only = permission.onlyObject;
  const target = only === undefined ? 'all' : 'name' in only ? `"${only.name}"` : 'theClusterProperty' in only ? `the object ${only.theClusterProperty} names` : 'its own namespace';
  return `${permission.verbs.join('/')} on ${target} ${permission.resource}`;
}
