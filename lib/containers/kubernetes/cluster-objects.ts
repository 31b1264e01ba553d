import {
  ApiException,
  createConfiguration,
  KubernetesObjectApi,
  PatchStrategy,
  ServerConfiguration,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { TargetCluster } from '../container-manager';
import { kubeConfigFor, withTimeout } from '../kube-client';
import { KubeError, kubeErrorFrom } from '../kube-errors';
import type { ObjectReference } from './manifests';

/**
 * The thin adapter between the managers' pure manifests and one cluster: server-side apply,
 * delete (absent counts as done), read and list. Every failure is a KubeError that names the
 * object it concerns.
 */

/** Who owns the fields PrivateJet applies (server-side apply's field manager). */
export const FIELD_MANAGER = 'privatejet';
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export interface ClusterObjects {
  /** Creates or updates the object; the fields it sets become PrivateJet's, others' stay. */
  apply<T extends KubernetesObject>(object: T & ObjectReference): Promise<T>;
  /** True when something was deleted, false when it was already gone (or its kind is not served). */
  remove(reference: ObjectReference): Promise<boolean>;
  read<T extends KubernetesObject>(reference: ObjectReference): Promise<T | undefined>;
  /** The objects of one kind in a namespace whose labels match the selector ("k=v,k2=v2"). */
  list<T extends KubernetesObject>(apiVersion: string, kind: string, namespace: string, labelSelector: string): Promise<T[]>;
}

export interface ClusterObjectsOptions {
  /** Per request; an unreachable API server would otherwise hold a deploy for minutes. */
  timeoutMs?: number;
}

export function clusterObjectsFor(cluster: Pick<TargetCluster, 'clusterName' | 'properties'>, options: ClusterObjectsOptions = {}): ClusterObjects {
  const kubeConfig = kubeConfigFor(cluster);
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new KubeError({ kind: 'unreachable', message: `cluster "${cluster.clusterName}" has no API server URL`, hint: 'Set MasterURL.' });
  // KubernetesObjectApi takes no per-call middleware, so the timeout goes into its configuration.
  const client = new KubernetesObjectApi(
    createConfiguration({
      baseServer: new ServerConfiguration(server, {}),
      authMethods: { default: kubeConfig },
      middleware: withTimeout(options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS).middleware ?? [],
    }),
  );

  return {
    async apply<T extends KubernetesObject>(object: T & ObjectReference): Promise<T> {
      try {
        return await client.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
      } catch (error) {
        throw failure(`applying ${describe(object)}`, error);
      }
    },
    async remove(reference: ObjectReference): Promise<boolean> {
      try {
        // Background: the Deployment goes at once and the garbage collector takes its pods.
        await client.delete(reference, undefined, undefined, undefined, undefined, 'Background');
        return true;
      } catch (error) {
        // A kind the cluster does not serve (its CRD removed) has no objects left to delete.
        if (isObjectAbsent(error) || servedKindMissing(error) !== undefined) return false;
        throw failure(`deleting ${describe(reference)}`, error);
      }
    },
    async read<T extends KubernetesObject>(reference: ObjectReference): Promise<T | undefined> {
      try {
        return await client.read<T>(reference);
      } catch (error) {
        if (isObjectAbsent(error)) return undefined;
        throw failure(`reading ${describe(reference)}`, error);
      }
    },
    async list<T extends KubernetesObject>(apiVersion: string, kind: string, namespace: string, labelSelector: string): Promise<T[]> {
      try {
        const list = await client.list<T>(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector);
        return list.items;
      } catch (error) {
        throw failure(`listing ${kind} in ${namespace} (${labelSelector})`, error);
      }
    },
  };
}

function describe(reference: ObjectReference): string {
  return `${reference.kind} ${reference.metadata.namespace}/${reference.metadata.name}`;
}

/**
 * The kind itself is not served (a CRD not installed): the client's discovery fails with a
 * plain Error, or with a 404 whose message it prefixes.
 */
function servedKindMissing(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const unrecognized = /^Unrecognized API version and kind: (.+)$/.exec(error.message);
  if (unrecognized) return unrecognized[1];
  const discovery = /^Failed to fetch resource metadata for (\S+):/.exec(error.message);
  return discovery && error instanceof ApiException && error.code === 404 ? discovery[1] : undefined;
}

/** A 404 for the object, as opposed to one for its kind. */
function isObjectAbsent(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404 && servedKindMissing(error) === undefined;
}

function failure(action: string, error: unknown): KubeError {
  const missingKind = servedKindMissing(error);
  if (missingKind !== undefined) {
    return new KubeError(
      {
        kind: 'not-found',
        status: 404,
        message: `${action}: the cluster does not serve ${missingKind}`,
        hint: 'That kind is not installed in this cluster: for the wso2-api-operator manager, install the WSO2 API Operator (the apis.wso2.com custom resource definition).',
      },
      { cause: error },
    );
  }
  const kubeError = kubeErrorFrom(error);
  return new KubeError({ ...kubeError.toInfo(), message: `${action}: ${kubeError.message}` }, { cause: error });
}
