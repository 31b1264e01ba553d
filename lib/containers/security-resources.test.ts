import { describe, expect, it } from 'vitest';
import { sampleApi, sampleCluster } from '../test-support/kubernetes/sample-api';
import { clusterSecurityFor, clusterSecurityOffer, howToCallOnCluster, type SecurityResourceReader } from './security-resources';

// What the named resources mean for one API on one cluster, decided before anything is applied.

const nothing: SecurityResourceReader = async () => undefined;

describe('clusterSecurityFor', () => {
  it('never leaves an API that allows only Basic open on a cluster without Basic users', async () => {
    const api = sampleApi({ basic: true });
    const basicOnly = { ...api.gateway, security: { ...api.gateway.security, jwt: false, opaqueTokens: false } };
    await expect(clusterSecurityFor(basicOnly, sampleCluster(), nothing, 'in namespace x')).rejects.toThrow('accepts only Basic credentials');
  });

  it('reads nothing the API cannot use', async () => {
    const read: SecurityResourceReader = async (kind, name) => {
      throw new Error(`read ${kind} ${name}`);
    };
    const cluster = sampleCluster({ BasicSecurityCustomResourceName: 'securitybasic' });
    await expect(clusterSecurityFor(sampleApi().gateway, cluster, read, 'here')).resolves.toEqual({ security: { basicUsers: false } });
  });

  it('names the property, the object and the keys when the named object is missing', async () => {
    const cluster = sampleCluster({ JWTSecurityCustomResourceName: 'securityjwt' });
    await expect(clusterSecurityFor(sampleApi().gateway, cluster, nothing, 'in namespace team-a')).rejects.toThrow(
      'JWTSecurityCustomResourceName names "securityjwt", but there is no ConfigMap or Secret "securityjwt" in namespace team-a (keys: issuer, audience, public-key.pem)',
    );
  });
});

describe('what the pages say', () => {
  const cluster = sampleCluster({ BasicSecurityCustomResourceName: 'securitybasic', JWTSecurityCustomResourceName: 'securityjwt' });

  it("lists a cluster's mechanisms for the Environments tab, the operator's own for wso2-api-operator", () => {
    expect(clusterSecurityOffer(cluster, 'kubernetes')).toHaveLength(3);
    expect(clusterSecurityOffer(cluster, 'kubernetes')[2]).toContain('Basic credentials');
    expect(clusterSecurityOffer(cluster, 'wso2-api-operator')).toEqual(['The WSO2 API Operator\'s security resources "securityjwt", "securitybasic"']);
  });

  it('tells a developer how to call an API on a cluster', () => {
    expect(howToCallOnCluster({ security: { oauth2: false, basic: true } }, cluster, 'kubernetes')).toEqual(["Basic credentials issued by the cluster's admin"]);
    expect(howToCallOnCluster({ security: { oauth2: true, basic: false } }, sampleCluster(), 'local')).toEqual(['Authorization: Bearer <access token> of an application subscribed to this API']);
    expect(howToCallOnCluster({ security: { oauth2: false } }, cluster, 'kubernetes')).toEqual(['No credentials needed']);
  });
});
