import { KubeConfig, Observable, type ConfigurationOptions, type ObservableMiddleware } from '@kubernetes/client-node';
import type { ClusterDefinition } from '../clusters/cluster-definition';
import { KubeError } from './kube-errors';

/**
 * The one Kubernetes client factory: a cluster definition's credentials → a KubeConfig.
 * MasterURL + SAToken (+ CACert or InsecureSkipTLSVerify) reach a cluster from anywhere;
 * both empty means "this app runs inside the cluster": the pod's service account is used.
 */

export type ClusterCredentials = Pick<ClusterDefinition['properties'], 'MasterURL' | 'SAToken' | 'CACert' | 'InsecureSkipTLSVerify'>;

export function usesInClusterCredentials(credentials: ClusterCredentials): boolean {
  return credentials.MasterURL.trim() === '' && credentials.SAToken.trim() === '';
}

export function kubeConfigFor(cluster: Pick<ClusterDefinition, 'clusterName' | 'properties'>): KubeConfig {
  const credentials = cluster.properties;
  const config = new KubeConfig();
  if (usesInClusterCredentials(credentials)) {
    if (!process.env.KUBERNETES_SERVICE_HOST || !process.env.KUBERNETES_SERVICE_PORT) {
      throw new KubeError({
        kind: 'unreachable',
        message: 'MasterURL and SAToken are empty, so in-cluster credentials are used, but this app is not running inside a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set)',
        hint: 'Set MasterURL and SAToken for this cluster, or run the app in the cluster with a service account bound to the role in deploy/rbac/.',
      });
    }
    config.loadFromCluster();
    return config;
  }
  const server = credentials.MasterURL.trim();
  config.loadFromClusterAndUser(
    {
      name: cluster.clusterName,
      server,
      ...(credentials.CACert ? { caData: caDataOf(credentials.CACert) } : {}),
      // Plain http has no certificate to verify; the client refuses http unless this is set.
      skipTLSVerify: credentials.InsecureSkipTLSVerify === true || server.startsWith('http:'),
    },
    { name: `${cluster.clusterName}-service-account`, token: credentials.SAToken.trim() },
  );
  return config;
}

/** kubeconfig's certificate-authority-data is base64 PEM: accept the PEM text or that. */
export function caDataOf(caCert: string): string {
  const text = caCert.trim();
  return text.startsWith('-----BEGIN') ? Buffer.from(`${text}\n`).toString('base64') : text.replace(/\s+/g, '');
}

/**
 * Per-call options that abort a request after `ms` (the client has no timeout of its own,
 * and an unreachable MasterURL would otherwise hang the connection test for minutes).
 */
export function withTimeout(ms: number): ConfigurationOptions {
  // The object-parameter APIs run options through the observable layer, so this middleware
  // returns the client's own Observable.
  const abortAfterTimeout: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(AbortSignal.timeout(ms));
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  return { middleware: [abortAfterTimeout], middlewareMergeStrategy: 'append' };
}
