import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REQUIRED_PERMISSIONS } from './permissions';
import { committedRbacManifests, rbacObjectsFor, setupGuideFor } from './rbac';

const repositoryRoot = path.resolve(__dirname, '..', '..');
const ref = { namespace: 'team-a', serviceAccount: 'gateway-deployer' };

describe('committed deploy/rbac manifests', () => {
  it.each(Object.entries(committedRbacManifests()))('%s is what the builder produces (run: npx tsx lib/containers/write-rbac-manifests.ts)', (relativePath, expected) => {
    expect(readFileSync(path.join(repositoryRoot, relativePath), 'utf8')).toBe(expected);
  });

  it('are valid YAML documents for namespace privatejet and service account privatejet', () => {
    const text = readFileSync(path.join(repositoryRoot, 'deploy/rbac/kubernetes.yaml'), 'utf8');
    const objects = parseAllDocuments(text).map((document) => document.toJS() as { kind: string; metadata: { name: string; namespace?: string } });
    expect(objects.map((object) => object.kind)).toEqual(['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);
    expect(objects[0]!.metadata).toMatchObject({ name: 'privatejet', namespace: 'privatejet' });
  });
});

describe('rbacObjectsFor', () => {
  it('puts namespaced rules in a Role of the namespace and cluster-scoped ones in a ClusterRole limited by name', () => {
    const objects = rbacObjectsFor('kubernetes', ref);
    const role = objects.find((object) => object.kind === 'Role')!;
    const clusterRole = objects.find((object) => object.kind === 'ClusterRole')!;
    expect(role.metadata).toMatchObject({ name: 'gateway-deployer-kubernetes', namespace: 'team-a' });
    // Rules on the cluster's security resources appear only when the cluster names them.
    expect((role.rules as unknown[]).length).toBe(REQUIRED_PERMISSIONS.kubernetes.filter((p) => p.namespaced && !(p.onlyObject && 'theClusterProperty' in p.onlyObject)).length);
    expect(clusterRole.metadata.name).toBe('team-a-gateway-deployer-kubernetes');
    expect(clusterRole.rules).toEqual([{ apiGroups: [''], resources: ['namespaces'], resourceNames: ['team-a'], verbs: ['get'] }]);
    for (const binding of objects.filter((object) => object.kind.endsWith('Binding'))) {
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'gateway-deployer', namespace: 'team-a' }]);
      expect((binding.roleRef as { name: string }).name).toBe(binding.metadata.name);
    }
  });

  it('grants exactly get on the security resources the cluster names, and nothing on other Secrets', () => {
    const names = { BasicSecurityCustomResourceName: 'securitybasic', JWTSecurityCustomResourceName: 'securityjwt' };
    const role = rbacObjectsFor('kubernetes', ref, { securityResourceNames: names }).find((object) => object.kind === 'Role')!;
    const named = (role.rules as Array<{ resources: string[]; resourceNames?: string[]; verbs: string[] }>).filter((rule) => rule.resourceNames);
    expect(named).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['securitybasic'], verbs: ['get'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['securityjwt'], verbs: ['get'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['securityjwt'], verbs: ['get'] },
    ]);
    const unnamedSecrets = (role.rules as Array<{ resources: string[]; resourceNames?: string[]; verbs: string[] }>).filter((rule) => rule.resources.includes('secrets') && !rule.resourceNames);
    expect(unnamedSecrets.flatMap((rule) => rule.verbs)).not.toContain('get');
    const guide = setupGuideFor('kubernetes', ref, { securityResourceNames: names }).map((step) => step.commands).join('\n');
    expect(guide).toContain('resourceNames: [securitybasic]');
    // The operator reads its own Security objects: its Role gets nothing for them.
    expect(setupGuideFor('wso2-api-operator', ref, { securityResourceNames: names }).map((step) => step.commands).join('\n')).not.toContain('securitybasic');
  });

  it('matches the example Role in deploy/security-resources/', () => {
    const text = readFileSync(path.resolve(__dirname, '../../deploy/security-resources/rbac-role.yaml'), 'utf8');
    const example = parseAllDocuments(text).map((document) => document.toJS() as { kind: string; rules?: unknown[] }).find((object) => object.kind === 'Role')!;
    const names = { BasicSecurityCustomResourceName: 'securitybasic', JWTSecurityCustomResourceName: 'securityjwt', OauthSecurityCustomResourceName: 'securityoauth' };
    const role = rbacObjectsFor('kubernetes', { namespace: 'privatejet', serviceAccount: 'privatejet' }, { securityResourceNames: names }).find((object) => object.kind === 'Role')!;
    expect(example.rules).toEqual((role.rules as Array<{ resourceNames?: string[] }>).filter((rule) => rule.resourceNames));
  });

  it('limits the CRD check of wso2-api-operator to apis.wso2.com', () => {
    const clusterRole = rbacObjectsFor('wso2-api-operator', ref).find((object) => object.kind === 'ClusterRole')!;
    expect(clusterRole.rules).toContainEqual({ apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], resourceNames: ['apis.wso2.com'], verbs: ['get'] });
  });

  it('refuses names that would break the shell commands', () => {
    expect(() => rbacObjectsFor('kubernetes', { namespace: 'x; rm -rf /', serviceAccount: 'a' })).toThrow('is not a valid namespace name');
  });
});

describe('setupGuideFor', () => {
  const guide = setupGuideFor('kubernetes', ref);
  const commands = guide.map((step) => step.commands).join('\n');

  it('prints the commands a Kubernetes 1.24+ user needs, for the given names', () => {
    expect(commands).toContain('kubectl create serviceaccount gateway-deployer -n team-a');
    expect(commands).toContain("kubectl apply -f - <<'EOF'\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n");
    expect(commands).toContain('kubectl create token gateway-deployer -n team-a --duration=8760h');
    expect(commands).toContain('type: kubernetes.io/service-account-token');
    expect(commands).toContain('kubernetes.io/service-account.name: gateway-deployer');
    expect(commands).toContain("kubectl get secret gateway-deployer-token -n team-a -o jsonpath='{.data.token}' | base64 -d");
    expect(commands).toContain('kubectl cluster-info');
    expect(commands).toContain("kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}'");
  });

  it('applies the same roles as the committed files, without a second ServiceAccount', () => {
    const applied = guide.find((step) => step.title === 'Grant the permissions')!.commands;
    const yamlText = applied.slice(applied.indexOf('\n') + 1, applied.lastIndexOf('EOF'));
    const objects = parseAllDocuments(yamlText).map((document) => document.toJS());
    expect(objects).toEqual(rbacObjectsFor('kubernetes', ref, { includeServiceAccount: false }));
  });

  it('closes every heredoc it opens', () => {
    for (const step of guide) expect(step.commands.split("<<'EOF'").length).toBe(step.commands.split(/^EOF$/m).length);
  });

  it('takes a token duration', () => {
    expect(setupGuideFor('kubernetes', ref, { tokenDuration: '720h' }).map((s) => s.commands).join('\n')).toContain('--duration=720h');
    expect(() => setupGuideFor('kubernetes', ref, { tokenDuration: '1 year' })).toThrow('is not a kubectl duration');
  });
});
