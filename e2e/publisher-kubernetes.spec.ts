import { expect, test } from '@playwright/test';
import { playDeploymentController, startRealCluster, type RealCluster } from '../lib/test-support/kubernetes/real-clusters';
import { AppsV1Api } from '@kubernetes/client-node';
import { seededAccounts } from './support/accounts';
import { publishApiFromDefinition, SAMPLE_BACKEND_URL, SAMPLE_DEFINITION } from './support/publisher';
import { signIn, signOut } from './support/session';

/**
 * The seed's steps 3–6 against two real API servers: the admin configures both clusters, the
 * publisher imports an OpenAPI file, picks both, publishes, watches both turn ready, blocks it
 * and sees both removed. No controllers run here, so the test plays the kubelet: it reports
 * each gateway Deployment's replicas as available through the status subresource.
 */
let clusters: RealCluster[] = [];
let stopController: () => void = () => undefined;

async function gatewayDeployments(cluster: RealCluster) {
  const apps = cluster.controlPlane.adminKubeConfig.makeApiClient(AppsV1Api);
  return (await apps.listNamespacedDeployment({ namespace: 'privatejet', labelSelector: 'app.kubernetes.io/managed-by=privatejet' })).items;
}

test.beforeAll(async () => {
  test.setTimeout(900_000);
  clusters = await Promise.all([startRealCluster('east', 'kubernetes'), startRealCluster('west', 'kubernetes')]);
  stopController = playDeploymentController(clusters, { labelSelector: 'app.kubernetes.io/managed-by=privatejet', everyMs: 300 });
});

test.afterAll(async () => {
  stopController();
  await Promise.all(clusters.map((c) => c.controlPlane.stop()));
});

test('publish to two Kubernetes clusters, both turn ready; block removes both', async ({ page }) => {
  // Three roles sign in and out and two clusters settle twice: longer than one page's worth.
  test.setTimeout(180_000);
  const containerMgt = `"ContainerMgt": ${JSON.stringify(
    [
      {
        Type: 'Kubernetes',
        ContainerMgtInfo: clusters.map(({ cluster }) => ({
          ClusterName: cluster.clusterName,
          DisplayName: `${cluster.clusterName} cluster`,
          Properties: {
            MasterURL: cluster.properties.MasterURL,
            AccessURL: cluster.properties.AccessURL,
            SAToken: cluster.properties.SAToken,
            Namespace: 'privatejet',
            Replicas: 2,
            CACert: Buffer.from(cluster.properties.CACert!).toString('base64'),
          },
        })),
      },
    ],
    null,
    2,
  )}`;
  await signIn(page, seededAccounts.admin.identifier, seededAccounts.admin.password);
  await page.goto('/admin/clusters');
  await page.getByRole('tab', { name: 'JSON (tenant-conf.json)' }).click();
  await page.getByRole('textbox', { name: 'ContainerMgt' }).fill(containerMgt);
  await page.getByRole('button', { name: 'Save configuration' }).click();
  await expect(page.getByText('Saved the configuration.')).toBeVisible();
  await signOut(page);

  await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
  const apiId = await publishApiFromDefinition(page, {
    name: 'Catalog',
    version: '2.0.0',
    context: '/catalog',
    endpoint: SAMPLE_BACKEND_URL,
    definitionPath: SAMPLE_DEFINITION,
    clusters: ['east cluster', 'west cluster'],
  });
  for (const name of ['east', 'west']) {
    const row = page.getByTestId(`deployment-row-${name}`);
    await expect(row.getByTestId('deployment-status')).toHaveText('ready');
    await expect(row).toContainText(`https://${name}.apis.example.com/catalog/2.0.0`);
  }
  for (const cluster of clusters) expect(await gatewayDeployments(cluster)).toHaveLength(1);

  // A developer sees each cluster's access URL and the status read back from its API server.
  const lifecycleUrl = page.url();
  await signOut(page);
  await signIn(page, seededAccounts.developer.identifier, seededAccounts.developer.password);
  await page.goto(`/portal/apis/${apiId}`);
  for (const name of ['east', 'west']) {
    const environment = page.getByTestId(`environment-${name}`);
    await expect(environment.getByTestId('access-url')).toHaveText(`https://${name}.apis.example.com/catalog/2.0.0`);
    await expect(environment.getByTestId('environment-status')).toHaveText('ready');
  }
  await signOut(page);
  await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
  await page.goto(lifecycleUrl);

  await page.getByRole('button', { name: 'Block' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Block' }).click();
  for (const name of ['east', 'west']) {
    await expect(page.getByTestId(`deployment-row-${name}`).getByTestId('deployment-status')).toHaveText('not deployed', { timeout: 30_000 });
  }
  for (const cluster of clusters) expect(await gatewayDeployments(cluster)).toHaveLength(0);
});
