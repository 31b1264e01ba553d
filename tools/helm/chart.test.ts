import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { beforeAll, describe, expect, it } from 'vitest';
import { rbacObjectsFor } from '../../lib/containers/rbac';
import { chartDir, helmBinary, HELM_FIRST_BUILD_TIMEOUT_MS, renderChart, runHelm, type RenderedObject } from './helm';

/**
 * deploy/helm/privatejet through the real Helm 3 (tools/helm/build.sh): `helm lint --strict`
 * and `helm template` with several value sets, checking the rendered objects. Installing the
 * chart into a real cluster is tools/kube/cluster.int.test.ts.
 */

const required = {
  database: { url: 'postgres://privatejet:secret@db.example.com:5432/privatejet?sslmode=require' },
  secrets: { masterKey: 'bWFzdGVyLWtleS1tYXN0ZXIta2V5LW1hc3Rlci1rZXkhIQ==', authSecret: 'c2Vzc2lvbi1zZWNyZXQtc2Vzc2lvbi1zZWNyZXQtc2Vzcw==' },
};

type Container = {
  image: string;
  env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }>;
  envFrom?: unknown[];
  securityContext: Record<string, unknown>;
  volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  startupProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
};
type PodSpec = {
  serviceAccountName: string;
  automountServiceAccountToken: boolean;
  securityContext: Record<string, unknown>;
  containers: Container[];
  volumes: Array<{ name: string; emptyDir?: object; configMap?: { name: string } }>;
};
type Rule = { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] };

function only(objects: RenderedObject[], kind: string, name?: string): RenderedObject {
  const found = objects.filter((object) => object.kind === kind && (name === undefined || object.metadata.name === name));
  expect(found, `one ${kind}${name ? ` ${name}` : ''}`).toHaveLength(1);
  return found[0]!;
}

function podSpecOf(objects: RenderedObject[]): PodSpec {
  return (only(objects, 'Deployment').spec as { template: { spec: PodSpec } }).template.spec;
}

function envOf(container: Container): Record<string, unknown> {
  return Object.fromEntries(container.env.map(({ name, value, valueFrom }) => [name, value ?? valueFrom?.secretKeyRef]));
}

beforeAll(() => {
  helmBinary();
}, HELM_FIRST_BUILD_TIMEOUT_MS);

describe('helm lint', () => {
  it('passes --strict with only the required values', () => {
    const result = runHelm(['lint', chartDir, '--strict'], required);
    expect(result.stdout + result.stderr).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.status).toBe(0);
  });

  it('passes --strict with every optional part turned on', () => {
    const result = runHelm(['lint', chartDir, '--strict'], {
      ...required,
      ingress: { enabled: true, className: 'nginx', hosts: [{ host: 'portal.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }], tls: [{ secretName: 'portal-tls', hosts: ['portal.example.com'] }] },
      autoscaling: { enabled: true },
      serviceMonitor: { enabled: true },
    });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it('names what to set when the external database is missing (lint only reports a template\'s fail; template refuses)', () => {
    const lint = runHelm(['lint', chartDir, '--strict'], { secrets: required.secrets });
    expect(lint.stdout + lint.stderr).toContain('Fail: database: set url (postgres://…) or existingSecret');
    const template = runHelm(['template', 'portal', chartDir], { secrets: required.secrets });
    expect(template.status).not.toBe(0);
    expect(template.stderr).toContain('database: set url (postgres://…) or existingSecret');
  });
});

describe('helm template', () => {
  it('renders a 2-replica portal on an external PostgreSQL, hardened, with probes on /api/health', () => {
    const objects = renderChart(required);
    expect(objects.map((object) => object.kind).sort()).toEqual(
      ['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Secret', 'Secret', 'Service', 'ServiceAccount'].sort(),
    );
    const deployment = only(objects, 'Deployment');
    expect((deployment.spec as { replicas: number }).replicas).toBe(2);
    const pod = podSpecOf(objects);
    const [container] = pod.containers;
    expect(pod.serviceAccountName).toBe('portal-privatejet');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container!.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container!.image).toBe('privatejet:0.1.0');
    for (const probe of [container!.startupProbe, container!.readinessProbe, container!.livenessProbe]) {
      expect(probe.httpGet).toEqual({ path: '/api/health', port: 'http' });
    }
    // Every place the app writes is a volume; the config is read-only.
    const mounts = Object.fromEntries(container!.volumeMounts.map((mount) => [mount.mountPath, mount]));
    expect(Object.keys(mounts).sort()).toEqual(['/app/.next/cache', '/data', '/etc/privatejet', '/tmp']);
    expect(mounts['/etc/privatejet']!.readOnly).toBe(true);
    const volumes = Object.fromEntries(pod.volumes.map((volume) => [volume.name, volume]));
    for (const writable of ['/app/.next/cache', '/data', '/tmp']) expect(volumes[mounts[writable]!.name]!.emptyDir).toBeDefined();

    // Database URL, master key and session secret come from Secrets, never as plain values.
    expect(envOf(container!)).toMatchObject({
      DATABASE_URL: { name: 'portal-privatejet-database', key: 'DATABASE_URL' },
      PRIVATEJET_SECRET_KEY: { name: 'portal-privatejet-secrets', key: 'PRIVATEJET_SECRET_KEY' },
      AUTH_SECRET: { name: 'portal-privatejet-secrets', key: 'AUTH_SECRET' },
      PRIVATEJET_DEPLOYMENT_TOML: '/etc/privatejet/deployment.toml',
      HOSTNAME: '0.0.0.0',
      PRIVATEJET_GATEWAY_PORTAL_URL: 'http://portal-privatejet.privatejet.svc:80',
    });
    expect(only(objects, 'Secret', 'portal-privatejet-database').stringData).toEqual({ DATABASE_URL: required.database.url });
    expect(only(objects, 'Secret', 'portal-privatejet-secrets').stringData).toEqual({
      PRIVATEJET_SECRET_KEY: required.secrets.masterKey,
      AUTH_SECRET: required.secrets.authSecret,
    });

    // deployment.toml: the default is one in-cluster entry (no MasterURL/SAToken) in the release's namespace.
    const toml = parseToml((only(objects, 'ConfigMap').data as Record<string, string>)['deployment.toml']!) as {
      ContainerMgtClusterConfig: Array<{ type: string; properties: Record<string, unknown> }>;
    };
    expect(toml.ContainerMgtClusterConfig).toHaveLength(1);
    expect(toml.ContainerMgtClusterConfig[0]!.properties).toMatchObject({ Namespace: 'privatejet' });
    expect(toml.ContainerMgtClusterConfig[0]!.properties).not.toHaveProperty('MasterURL');
    expect(toml.ContainerMgtClusterConfig[0]!.properties).not.toHaveProperty('SAToken');

    expect(only(objects, 'PodDisruptionBudget').spec).toMatchObject({ maxUnavailable: 1 });
    expect(only(objects, 'Service').spec).toMatchObject({ type: 'ClusterIP', ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
  });

  it('rolls the pods when deployment.toml or a secret changes', () => {
    const checksums = (values: object) => (only(renderChart(values), 'Deployment').spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations;
    const before = checksums(required);
    const otherToml = checksums({ ...required, config: { deploymentToml: '[ContainerMgtConfig]\nKubernetes = "kubernetes"\n' } });
    const otherKey = checksums({ ...required, secrets: { ...required.secrets, masterKey: 'b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktb3RoZXI=' } });
    expect(otherToml['checksum/config']).not.toBe(before['checksum/config']);
    expect(otherToml['checksum/secrets']).toBe(before['checksum/secrets']);
    expect(otherKey['checksum/secrets']).not.toBe(before['checksum/secrets']);
  });

  it('uses existing Secrets and ConfigMap without making its own', () => {
    const objects = renderChart({
      database: { existingSecret: 'managed-postgres', existingSecretKey: 'uri' },
      secrets: { existingSecret: 'privatejet-keys', masterKeyKey: 'master', authSecretKey: 'session' },
      config: { existingConfigMap: 'platform-clusters' },
      initialAccounts: { existingSecret: 'first-passwords' },
    });
    expect(objects.filter((object) => object.kind === 'Secret' || object.kind === 'ConfigMap')).toEqual([]);
    const pod = podSpecOf(objects);
    expect(envOf(pod.containers[0]!)).toMatchObject({
      DATABASE_URL: { name: 'managed-postgres', key: 'uri' },
      PRIVATEJET_SECRET_KEY: { name: 'privatejet-keys', key: 'master' },
      AUTH_SECRET: { name: 'privatejet-keys', key: 'session' },
    });
    expect(pod.containers[0]!.envFrom).toEqual([{ secretRef: { name: 'first-passwords' } }]);
    expect(pod.volumes.find((volume) => volume.name === 'config')!.configMap!.name).toBe('platform-clusters');
  });

  it('turns on the Ingress, the autoscaler and the gateways\' ServiceMonitor, and leaves out the budget of a single replica', () => {
    const objects = renderChart({
      ...required,
      ingress: { enabled: true, className: 'nginx', hosts: [{ host: 'portal.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }], tls: [{ secretName: 'portal-tls', hosts: ['portal.example.com'] }] },
      autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 9 },
      serviceMonitor: { enabled: true },
      rbac: { gatewayNamespaces: ['gateways-a', 'gateways-b'] },
    });
    expect(only(objects, 'Ingress').spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ secretName: 'portal-tls', hosts: ['portal.example.com'] }],
      rules: [{ host: 'portal.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'portal-privatejet', port: { name: 'http' } } } }] } }],
    });
    // The autoscaler owns the replica count.
    expect(only(objects, 'Deployment').spec).not.toHaveProperty('replicas');
    expect(only(objects, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 3, maxReplicas: 9, scaleTargetRef: { kind: 'Deployment', name: 'portal-privatejet' } });
    expect(only(objects, 'ServiceMonitor').spec).toMatchObject({
      namespaceSelector: { matchNames: ['gateways-a', 'gateways-b'] },
      selector: { matchLabels: { 'app.kubernetes.io/name': 'privatejet-gateway', 'app.kubernetes.io/managed-by': 'privatejet' } },
      endpoints: [{ port: 'http', path: '/metrics' }],
    });

    const single = renderChart({ ...required, replicaCount: 1 });
    expect(single.some((object) => object.kind === 'PodDisruptionBudget')).toBe(false);
  });

  it('refuses a misspelt or mistyped value through values.schema.json', () => {
    expect(() => renderChart({ ...required, replicas: 3 })).toThrow(/additional properties 'replicas' not allowed/i);
    expect(() => renderChart({ ...required, rbac: { manager: 'operator' } })).toThrow("at '/rbac/manager': value must be one of 'kubernetes', 'wso2-api-operator'");
    expect(() => renderChart({ ...required, publicUrl: 'portal.example.com' })).toThrow("at '/publicUrl'");
  });

  it('refuses a Local cluster with more than one replica, and missing secrets', () => {
    const local = '[[ContainerMgtClusterConfig]]\ntype = "Local"\nclusterName = "local"\nproperties.AccessURL = "http://localhost:8243"\n';
    expect(() => renderChart({ ...required, config: { deploymentToml: local } })).toThrow('names a Local cluster');
    expect(() => renderChart({ ...required, replicaCount: 1, config: { deploymentToml: local } })).not.toThrow();
    expect(() => renderChart({ database: required.database })).toThrow('secrets: set existingSecret, or both masterKey and authSecret');
    expect(() => renderChart({ ...required, database: { url: 'mysql://x' } })).toThrow('must start with postgres://');
  });
});

describe('the chart\'s RBAC is deploy/rbac\'s, from the same permission list', () => {
  const rulesOf = (object: RenderedObject) => object.rules as Rule[];

  it.each([
    ['no security resources', {}],
    ['the cluster\'s JWT issuer and Basic users', { JWTSecurityCustomResourceName: 'securityjwt', BasicSecurityCustomResourceName: 'securitybasic' }],
  ])('kubernetes manager, %s: the Role and ClusterRole are what rbacObjectsFor builds', (_, securityResourceNames) => {
    const objects = renderChart({ ...required, rbac: { securityResourceNames } }, { namespace: 'team-a' });
    const expected = rbacObjectsFor('kubernetes', { namespace: 'team-a', serviceAccount: 'portal-privatejet' }, { securityResourceNames });
    expect(rulesOf(only(objects, 'Role'))).toEqual(rulesOf(expected.find((object) => object.kind === 'Role') as RenderedObject));
    expect(rulesOf(only(objects, 'ClusterRole'))).toEqual(rulesOf(expected.find((object) => object.kind === 'ClusterRole') as RenderedObject));
    for (const binding of [only(objects, 'RoleBinding'), only(objects, 'ClusterRoleBinding')]) {
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'portal-privatejet', namespace: 'team-a' }]);
    }
  });

  it('the wso2-api-operator manager gets its own rules, a Role per gateway namespace, and one ClusterRole naming them', () => {
    const objects = renderChart({ ...required, rbac: { manager: 'wso2-api-operator', gatewayNamespaces: ['gw-a', 'gw-b'] } }, { namespace: 'portal' });
    const roles = objects.filter((object) => object.kind === 'Role');
    expect(roles.map((role) => role.metadata.namespace)).toEqual(['gw-a', 'gw-b']);
    const expectedA = rbacObjectsFor('wso2-api-operator', { namespace: 'gw-a', serviceAccount: 'portal-privatejet' });
    for (const role of roles) expect(rulesOf(role)).toEqual(rulesOf(expectedA.find((object) => object.kind === 'Role') as RenderedObject));
    // The binding's subject is the app's account in the release's namespace.
    for (const binding of objects.filter((object) => object.kind === 'RoleBinding')) {
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'portal-privatejet', namespace: 'portal' }]);
    }
    const clusterRules = rulesOf(only(objects, 'ClusterRole'));
    expect(clusterRules).toContainEqual({ apiGroups: [''], resources: ['namespaces'], resourceNames: ['gw-a', 'gw-b'], verbs: ['get'] });
    expect(clusterRules).toContainEqual({ apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], resourceNames: ['apis.wso2.com'], verbs: ['get'] });
  });

  it('reads its rules from the generated file (lib/containers/rbac.test.ts checks that file against the list)', () => {
    const template = readFileSync(path.join(chartDir, 'templates/rbac.yaml'), 'utf8');
    expect(template).toContain('.Files.Get "files/rbac-rules.yaml"');
    expect(template).not.toMatch(/verbs:\s*\[/);
  });
});
