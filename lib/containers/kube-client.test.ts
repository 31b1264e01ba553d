import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClusterDefinition } from '../clusters/cluster-definition';
import { caDataOf, kubeConfigFor } from './kube-client';

const pem = readFileSync(path.join(__dirname, '../clusters/fixtures/tls/localhost-cert.pem'), 'utf8');

const cluster = (properties: Partial<ClusterDefinition['properties']>): Pick<ClusterDefinition, 'clusterName' | 'properties'> => ({
  clusterName: 'docker-desktop',
  properties: { MasterURL: 'https://k8s.example.com:6443', AccessURL: 'https://a.example.com', SAToken: 'the-token', Namespace: 'default', Replicas: 1, extra: {}, ...properties },
});

afterEach(() => vi.unstubAllEnvs());

describe('kubeConfigFor', () => {
  it('uses MasterURL and SAToken, verifying TLS by default', () => {
    const config = kubeConfigFor(cluster({}));
    expect(config.getCurrentCluster()).toMatchObject({ server: 'https://k8s.example.com:6443', skipTLSVerify: false });
    expect(config.getCurrentCluster()?.caData).toBeUndefined();
    expect(config.getCurrentUser()?.token).toBe('the-token');
  });

  it('takes CACert as PEM or as base64 PEM', () => {
    const base64 = Buffer.from(`${pem.trim()}\n`).toString('base64');
    expect(caDataOf(pem)).toBe(base64);
    expect(caDataOf(base64)).toBe(base64);
    expect(kubeConfigFor(cluster({ CACert: pem })).getCurrentCluster()?.caData).toBe(base64);
    expect(kubeConfigFor(cluster({ CACert: base64.replace(/(.{64})/g, '$1\n') })).getCurrentCluster()?.caData).toBe(base64);
  });

  it('skips TLS verification only when asked, or for plain http', () => {
    expect(kubeConfigFor(cluster({ InsecureSkipTLSVerify: true })).getCurrentCluster()?.skipTLSVerify).toBe(true);
    expect(kubeConfigFor(cluster({ MasterURL: 'http://127.0.0.1:8080' })).getCurrentCluster()?.skipTLSVerify).toBe(true);
  });

  it('uses in-cluster credentials when MasterURL and SAToken are both empty', () => {
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '10.96.0.1');
    vi.stubEnv('KUBERNETES_SERVICE_PORT', '443');
    const config = kubeConfigFor(cluster({ MasterURL: '', SAToken: '' }));
    expect(config.getCurrentCluster()).toMatchObject({ server: 'https://10.96.0.1:443', caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' });
  });

  it('explains in-cluster credentials outside a cluster', () => {
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '');
    expect(() => kubeConfigFor(cluster({ MasterURL: '', SAToken: '' }))).toThrow(/not running inside a Kubernetes pod/);
  });
});
