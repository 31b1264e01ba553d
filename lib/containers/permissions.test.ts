import { describe, expect, it } from 'vitest';
import { KUBERNETES_MANAGERS, REQUIRED_PERMISSIONS, requiredPermissionsFor } from './permissions';

const grants = (manager: (typeof KUBERNETES_MANAGERS)[number]) =>
  REQUIRED_PERMISSIONS[manager].flatMap((p) => p.verbs.map((verb) => `${verb} ${p.apiGroup || 'core'}/${p.resource}${p.namespaced ? '' : ' (cluster)'}`));

describe('REQUIRED_PERMISSIONS', () => {
  it('lets the native manager server-side apply, read back and remove every object it creates', () => {
    const granted = grants('kubernetes');
    for (const resource of ['core/configmaps', 'apps/deployments', 'core/services', 'networking.k8s.io/ingresses', 'autoscaling/horizontalpodautoscalers']) {
      for (const verb of ['get', 'list', 'create', 'patch', 'update', 'delete']) expect(granted).toContain(`${verb} ${resource}`);
    }
    expect(granted).toContain('get apps/deployments/status');
    expect(granted).toContain('get core/namespaces (cluster)');
  });

  it("lets the native manager read its gateway pods' traffic counters through the API server, and nothing more there", () => {
    const granted = grants('kubernetes');
    expect(granted.filter((grant) => grant.includes('/proxy'))).toEqual(['get core/pods/proxy']);
  });

  it('lets the wso2-api-operator manager check its CRD, write APIs and ConfigMaps and read API status', () => {
    const granted = grants('wso2-api-operator');
    expect(granted).toContain('get apiextensions.k8s.io/customresourcedefinitions (cluster)');
    for (const verb of ['get', 'create', 'patch', 'update', 'delete']) {
      expect(granted).toContain(`${verb} wso2.com/apis`);
      expect(granted).toContain(`${verb} core/configmaps`);
    }
    expect(granted).toContain('get wso2.com/apis/status');
  });

  it('keeps cluster-wide rights to single named objects and explains every rule', () => {
    for (const manager of KUBERNETES_MANAGERS) {
      for (const permission of REQUIRED_PERMISSIONS[manager]) {
        expect(permission.why.length).toBeGreaterThan(20);
        if (!permission.namespaced) {
          expect(permission.onlyObject).toBeDefined();
          expect(permission.verbs).toEqual(['get']);
        }
      }
    }
  });

  it('has no list for managers that do not talk to Kubernetes', () => {
    expect(requiredPermissionsFor('local')).toBeUndefined();
    expect(requiredPermissionsFor('./custom.js')).toBeUndefined();
    expect(requiredPermissionsFor('kubernetes')).toBe(REQUIRED_PERMISSIONS.kubernetes);
  });
});
