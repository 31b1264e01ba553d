import { z } from 'zod';
import { KNOWN_PROPERTIES } from '../../clusters/cluster-definition';
import { deleteTenantCluster, listClustersForAdmin, saveTenantClusterFromForm } from '../../clusters/clusters.service';
import { checkClusterConnection } from '../../containers/cluster-use.service';
import { defineOperation } from '../operation';
import { asJson, clusterSaved, clusterSummary, connectionReport, pageLinks, pageOf, pageOfList, pageQuery } from '../resources';

const tag = 'Clusters (admin)';
const clusterParams = z.object({ clusterName: z.string().max(253) });

export const listTenantClustersOperation = defineOperation({
  operationId: 'listTenantClusters',
  method: 'get',
  path: '/admin/clusters',
  tag,
  summary: "The tenant's clusters: the platform's it may use, and its own",
  description: 'Service account tokens are never returned: `token` says whether one is set and when it expires.',
  scope: 'clusters:read',
  query: pageQuery,
  responses: { 200: { description: 'A page of clusters.', schema: pageOf(clusterSummary, 'ClusterPage') } },
  async handle({ actor, query, request }) {
    const page = pageOfList(asJson(await listClustersForAdmin(actor)) as unknown[], query);
    return { body: page, headers: pageLinks(request, page) };
  },
});

const propertyValue = z.union([z.string().max(20_000), z.number(), z.boolean()]);
const knownProperties = new Set<string>(KNOWN_PROPERTIES);

export const putTenantClusterOperation = defineOperation({
  operationId: 'putTenantCluster',
  method: 'put',
  path: '/admin/clusters/{clusterName}',
  tag,
  summary: 'Add or replace one of the tenant’s own clusters',
  description:
    'The properties are the seed’s (MasterURL, AccessURL, SAToken, Namespace, Replicas, the security resource names) and the optional ones (CACert, InsecureSkipTLSVerify, IngressClass, GatewayImage, MaxReplicas). ' +
    'SAToken is write-only: leave it out (or empty) to keep the stored token. Checked like the admin page checks it; a rejected cluster changes nothing.',
  scope: 'clusters:admin',
  params: clusterParams,
  body: z
    .strictObject({
      type: z.string().min(1).max(100).meta({ description: 'Kubernetes, or another type of deployment.toml [ContainerMgtConfig].' }),
      displayName: z.string().max(200).default(''),
      properties: z.record(z.string(), propertyValue).default({}),
    })
    .meta({ id: 'ClusterWrite' }),
  fieldPointers: { clusterName: '/clusterName' },
  errors: [415],
  responses: {
    200: { description: 'Replaced.', schema: clusterSaved },
    201: { description: 'Added.', schema: clusterSaved },
  },
  async handle({ actor, params, body }) {
    const existed = (await listClustersForAdmin(actor)).some((c) => c.source === 'tenant' && c.clusterName === params.clusterName);
    const properties: Record<string, string> = {};
    const extra: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(body.properties)) {
      if (knownProperties.has(name)) properties[name] = String(value);
      else extra[name] = value;
    }
    const { warnings } = await saveTenantClusterFromForm(actor, {
      originalName: existed ? params.clusterName : undefined,
      type: body.type,
      clusterName: params.clusterName,
      displayName: body.displayName || params.clusterName,
      properties,
      extra,
    });
    const cluster = (await listClustersForAdmin(actor)).find((c) => c.source === 'tenant' && c.clusterName === params.clusterName)!;
    return { status: existed ? 200 : 201, body: { cluster: asJson(cluster), warnings } };
  },
});

export const deleteTenantClusterOperation = defineOperation({
  operationId: 'deleteTenantCluster',
  method: 'delete',
  path: '/admin/clusters/{clusterName}',
  tag,
  summary: 'Remove one of the tenant’s own clusters',
  scope: 'clusters:admin',
  params: clusterParams,
  responses: { 204: { description: 'Removed.' } },
  async handle({ actor, params }) {
    await deleteTenantCluster(actor, params.clusterName);
    return { status: 204 };
  },
});

export const checkTenantClusterOperation = defineOperation({
  operationId: 'checkTenantCluster',
  method: 'post',
  path: '/admin/clusters/{clusterName}/check',
  tag,
  summary: 'Test the connection: version, namespace, and every permission the manager needs',
  scope: 'clusters:admin',
  params: clusterParams,
  responses: { 200: { description: 'The report.', schema: connectionReport } },
  async handle({ actor, params }) {
    return { body: asJson(await checkClusterConnection(actor, params.clusterName)) };
  },
});

export const adminClusterOperations = [listTenantClustersOperation, putTenantClusterOperation, deleteTenantClusterOperation, checkTenantClusterOperation];
