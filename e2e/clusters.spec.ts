import { expect, test } from '@playwright/test';
import { rbacObjectsFor } from '../lib/containers/rbac';
import { startControlPlane, type ControlPlane } from '../tools/kube/control-plane';
import { provisionServiceAccount, type ServiceAccountAccess } from '../tools/kube/service-account';
import { seededAccounts } from './support/accounts';
import { signIn, signOut } from './support/session';

/**
 * A tenant admin configures a real cluster (a kube-apiserver on loopback) the way the seed
 * tells a user to: a ServiceAccount with the RBAC of deploy/rbac, its token, the master URL.
 */
let controlPlane: ControlPlane;
let access: ServiceAccountAccess;

test.beforeAll(async () => {
  test.setTimeout(900_000); // the first run on a new machine builds kube-apiserver
  controlPlane = await startControlPlane();
  const namespace = 'apis';
  access = await provisionServiceAccount(controlPlane, {
    namespace,
    serviceAccountName: 'privatejet',
    rbac: rbacObjectsFor('kubernetes', { namespace, serviceAccount: 'privatejet' }, { includeServiceAccount: false }),
  });
});

test.afterAll(async () => {
  await controlPlane?.stop();
});

test('a tenant admin pastes the seed JSON with a real token, the check is green, and no token ever reaches the browser', async ({ page }) => {
  test.setTimeout(180_000); // four people sign in and out
  const tenantJson = `"ContainerMgt": [
  {
    "Type": "Kubernetes",
    "ContainerMgtInfo": [
      {
        "ClusterName": "e2e-cluster",
        "DisplayName": "Team cluster",
        "Properties": {
          "MasterURL": "${access.masterUrl}",
          "AccessURL": "https://apis.example.com",
          "SAToken": "${access.saToken}",
          "Namespace": "${access.namespace}",
          "Replicas": 1,
          "CACert": "${Buffer.from(access.caCert).toString('base64')}"
        }
      }
    ]
  }
]`;
  const tokenSeen: string[] = [];
  page.on('response', async (response) => {
    const body = await response.text().catch(() => '');
    if (body.includes(access.saToken)) tokenSeen.push(`${response.request().method()} ${response.url()}`);
  });

  // The super tenant's admin creates tenant team.example with its admin and a publisher.
  await signIn(page, seededAccounts.admin.identifier, seededAccounts.admin.password);
  await page.goto('/admin/tenants');
  await page.getByRole('textbox', { name: 'Domain', exact: true }).fill('team.example');
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Team');
  await page.getByRole('textbox', { name: "First admin's username" }).fill('lead');
  await page.getByRole('textbox', { name: "First admin's password" }).fill('lead-password-1');
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await expect(page.getByText('Created team.example.')).toBeVisible();
  await signOut(page);

  await signIn(page, 'lead@team.example', 'lead-password-1');
  await page.goto('/admin/users');
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill('pub');
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Pub');
  await page.getByRole('textbox', { name: 'Initial password' }).fill('pub-password-1');
  await page.getByLabel(/^Publisher —/).check();
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByText('Created pub.')).toBeVisible();

  // Paste the seed-format JSON, save, run the check.
  await page.goto('/admin/clusters');
  await page.getByRole('tab', { name: 'JSON (tenant-conf.json)' }).click();
  await page.getByRole('textbox', { name: 'ContainerMgt' }).fill(tenantJson);
  await page.getByRole('button', { name: 'Save configuration' }).click();
  await expect(page.getByText('Saved the configuration.')).toBeVisible();
  await page.getByRole('tablist', { name: 'Cluster configuration views' }).getByRole('tab', { name: 'Clusters' }).click();
  const cluster = page.getByTestId('cluster-e2e-cluster');
  await cluster.getByText('Team cluster').click();
  await expect(cluster.getByTestId('token-status')).toContainText('token set · expires');
  await cluster.getByRole('button', { name: 'Check connection' }).click();
  await expect(cluster.getByTestId('connection-summary')).toContainText('Ready: API server v1.37', { timeout: 30_000 });
  await expect(cluster.getByTestId('check-missing')).toHaveCount(0);

  // A rejected edit names the path and keeps the saved configuration.
  await page.getByRole('tab', { name: 'JSON (tenant-conf.json)' }).click();
  await page.getByRole('textbox', { name: 'ContainerMgt' }).fill(tenantJson.replace('"Namespace": "apis"', '"Namespace": "Bad_Name"'));
  await page.getByRole('button', { name: 'Save configuration' }).click();
  await expect(page.getByTestId('json-issues')).toContainText('ContainerMgt[0].ContainerMgtInfo[0].Properties.Namespace');
  await page.reload();
  expect(await page.content()).not.toContain(access.saToken);
  await signOut(page);

  // The tenant's publisher sees the cluster by its display name; the super tenant's does not.
  await signIn(page, 'pub@team.example', 'pub-password-1');
  await page.goto('/publisher/apis/new');
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Orders');
  await page.getByRole('textbox', { name: 'Version', exact: true }).fill('v1');
  await page.getByRole('textbox', { name: 'Context', exact: true }).fill('/orders');
  await page.getByRole('textbox', { name: 'Production endpoint URL(s)' }).fill('http://orders.internal:8080');
  await page.getByRole('button', { name: 'Create API' }).click();
  await expect(page.getByRole('checkbox', { name: 'Team cluster' })).toBeVisible();
  await signOut(page);

  await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
  await page.goto('/publisher/apis/new');
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Inventory');
  await page.getByRole('textbox', { name: 'Version', exact: true }).fill('v1');
  await page.getByRole('textbox', { name: 'Context', exact: true }).fill('/inventory');
  await page.getByRole('textbox', { name: 'Production endpoint URL(s)' }).fill('http://inventory.internal:8080');
  await page.getByRole('button', { name: 'Create API' }).click();
  await expect(page.getByRole('checkbox', { name: 'Local' })).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Team cluster' })).toHaveCount(0);

  expect(tokenSeen, 'responses that carried the token').toEqual([]);
});
