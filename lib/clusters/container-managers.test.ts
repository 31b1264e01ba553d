import { describe, expect, it } from 'vitest';
import { checkManagerMap } from './container-managers';

describe('checkManagerMap', () => {
  const locate = (type?: string) => (type === undefined ? '[ContainerMgtConfig]' : `ContainerMgtConfig.${type}`);

  it('keeps the defaults and accepts built-in names and module paths', () => {
    expect(checkManagerMap(undefined, locate).managers).toEqual({ Kubernetes: 'kubernetes', Local: 'local' });
    const result = checkManagerMap({ Kubernetes: 'wso2-api-operator', OpenShift: './managers/openshift.js', Edge: '/opt/edge.mjs' }, locate);
    expect(result.errors).toEqual([]);
    expect(result.managers).toEqual({ Kubernetes: 'wso2-api-operator', Local: 'local', OpenShift: './managers/openshift.js', Edge: '/opt/edge.mjs' });
  });

  it("falls back to the built-in manager for the seed's Java class name, with a warning", () => {
    const result = checkManagerMap({ Kubernetes: 'org.wso2.carbon.apimgt.impl.containermgt.K8sManager_CustomClass' }, locate);
    expect(result.errors).toEqual([]);
    expect(result.managers.Kubernetes).toBe('kubernetes');
    expect(result.warnings).toEqual([{ path: 'ContainerMgtConfig.Kubernetes', message: expect.stringContaining('is a Java class name, which this server cannot load') }]);
    expect(checkManagerMap({ OpenShift: 'com.example.Manager' }, locate).errors).toHaveLength(1);
  });

  it('refuses unknown managers with a suggestion', () => {
    expect(checkManagerMap({ Kubernetes: 'kubernets' }, locate).errors).toEqual([
      { path: 'ContainerMgtConfig.Kubernetes', message: expect.stringContaining('"kubernets" is not a known container manager (did you mean "kubernetes"?)') },
    ]);
    expect(checkManagerMap({ Kubernetes: 3 }, locate).errors[0]?.message).toContain('not number 3');
    expect(checkManagerMap('kubernetes', locate).errors[0]?.path).toBe('[ContainerMgtConfig]');
  });
});
