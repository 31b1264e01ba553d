import { execFileSync } from 'node:child_process';
import { AppsV1Api, CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import { ensureClusterBinaries } from '../tools/kube/binaries';
import { startCluster, type Cluster } from '../tools/kube/cluster';
import { seededAccounts } from './support/accounts';
import { createApplicationWithKeys, executeListPets, generateTokenOnApplicationPage, liveResponse, subscribeOnOverview } from './support/portal';
import { publishApiFromDefinition, SAMPLE_DEFINITION } from './support/publisher';
import { signIn, signOut } from './support/session';

/**
 * The seed's whole flow on a real single-node cluster: real pods, Service, Ingress (Skipper),
 * the gateway as HAProxy from the (locally built) image laid out like the official one, the
 * sample backend as a pod behind a Service. The cluster is set up with the admin setup
 * guide's own commands, run with kubectl; readiness comes from the kubelet, and calls go
 * through the cluster's ingress. It runs once per test command (tag @real-cluster).
 */

const NAMESPACE = 'privatejet';
const CLUSTER = { name: 'node-1', display: 'Test node' };
const API = { name: 'ClusterPets', version: '1.0.0', context: '/clusterpets' };

let cluster: Cluster;
let kubectl: string;

function run(command: string): string {
  return execFileSync('bash', ['-c', command], {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath, PATH: `${kubectl}:${process.env.PATH}` },
    timeout: 60_000,
  }).trim();
}

function clients() {
  const config = cluster.adminKubeConfig;
  return { core: config.makeApiClient(CoreV1Api), apps: config.makeApiClient(AppsV1Api), networking: config.makeApiClient(NetworkingV1Api) };
}

async function gatewayPods() {
  return (await clients().core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'app.kubernetes.io/managed-by=privatejet' })).items;
}

/** The sample pet store as the publisher's backend: a Deployment and a Service in the cluster. */
async function deploySampleBackend(): Promise<void> {
  run('kubectl create namespace petstore');
  run(`kubectl apply -f - <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: { name: petstore, namespace: petstore }
spec:
  replicas: 1
  selector: { matchLabels: { app: petstore } }
  template:
    metadata: { labels: { app: petstore } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: petstore
          image: ${cluster.images.sampleBackend}
          imagePullPolicy: IfNotPresent
          ports: [{ containerPort: 8090 }]
          readinessProbe: { httpGet: { path: /pets, port: 8090 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: petstore, namespace: petstore }
spec:
  selector: { app: petstore }
  ports: [{ port: 8090, targetPort: 8090 }]
EOF`);
  run('kubectl -n petstore rollout status deployment/petstore --timeout=120s');
}

async function deploymentStatusAfterReload(page: Page): Promise<string> {
  await page.reload();
  return (await page.getByTestId(`deployment-row-${CLUSTER.name}`).getByTestId('deployment-status').textContent()) ?? '';
}

test.beforeAll(async () => {
  test.setTimeout(20 * 60_000); // the first run on a machine builds the node binaries and images
  kubectl = path.dirname((await ensureClusterBinaries()).kubectl);
  cluster = await startCluster();
});

test.afterAll(async () => {
  await cluster?.stop();
});

test('@real-cluster the seed flow on a real node: setup guide, connection check, publish, ready from the kubelet, Try Out through the Ingress, recovery, a rolling config change, block', async ({
  page,
  request,
}) => {
  test.setTimeout(12 * 60_000);
  await deploySampleBackend();

  // 1–2. The tenant admin pastes the seed's JSON; without a token yet the check says so.
  const containerMgt = (token: string, caCert: string) =>
    `"ContainerMgt": ${JSON.stringify(
      [
        {
          Type: 'Kubernetes',
          ContainerMgtInfo: [
            {
              ClusterName: CLUSTER.name,
              DisplayName: CLUSTER.display,
              Properties: {
                MasterURL: cluster.masterUrl,
                AccessURL: cluster.ingressUrl,
                SAToken: token,
                Namespace: NAMESPACE,
                Replicas: 2,
                ...(caCert ? { CACert: caCert } : {}),
                IngressClass: cluster.ingressClassName,
                GatewayImage: cluster.images.gateway,
              },
            },
          ],
        },
      ],
      null,
      2,
    )}`;
  await signIn(page, seededAccounts.admin.identifier, seededAccounts.admin.password);
  await page.goto('/admin/clusters');
  const saveJson = async (json: string) => {
    await page.getByRole('tab', { name: 'JSON (tenant-conf.json)' }).click();
    await page.getByRole('textbox', { name: 'ContainerMgt' }).fill(json);
    await page.getByRole('button', { name: 'Save configuration' }).click();
    await expect(page.getByText('Saved the configuration.')).toBeVisible();
    await page.getByRole('tablist', { name: 'Cluster configuration views' }).getByRole('tab', { name: 'Clusters' }).click();
  };
  await saveJson(containerMgt('token-to-come', ''));
  const card = page.getByTestId(`cluster-${CLUSTER.name}`);
  await card.getByText(CLUSTER.display).click();
  await card.getByRole('button', { name: 'Check connection' }).click();
  await expect(card.getByTestId('connection-error')).toBeVisible({ timeout: 30_000 });

  // The setup guide's commands, exactly as the page shows them, run against the cluster.
  await card.getByRole('button', { name: 'Show setup guide' }).click();
  const steps = await card.locator('pre').allTextContents();
  expect(steps.length).toBeGreaterThanOrEqual(7);
  run(steps[0]!); // namespace
  run(steps[1]!); // service account
  run(steps[2]!); // Role (+ ClusterRole for the namespace lookup) and bindings
  const token = run(steps[3]!); // kubectl create token
  expect(token).toMatch(/^eyJ/);
  expect(run(steps[5]!.split('\n')[1]!)).toBe(cluster.masterUrl); // the MasterURL the guide finds
  const caCert = run(steps[6]!.split('\n')[0]!);
  expect(Buffer.from(caCert, 'base64').toString()).toContain('BEGIN CERTIFICATE');

  await saveJson(containerMgt(token, caCert));
  await card.getByText(CLUSTER.display).click();
  await card.getByRole('button', { name: 'Check connection' }).click();
  await expect(card.getByTestId('connection-summary')).toContainText('Ready: API server v1.37', { timeout: 30_000 });
  await expect(card.getByTestId('check-missing')).toHaveCount(0);
  await signOut(page);

  // 3. The publisher publishes with the backend's in-cluster Service as endpoint; ready is the kubelet's word.
  await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
  const apiId = await publishApiFromDefinition(page, {
    ...API,
    endpoint: 'http://petstore.petstore.svc.cluster.local:8090',
    definitionPath: SAMPLE_DEFINITION,
    clusters: [CLUSTER.display],
  });
  const lifecycleUrl = page.url();
  const pods = await gatewayPods();
  expect(pods).toHaveLength(2);
  for (const pod of pods) {
    expect(pod.spec?.containers[0]?.image).toBe(cluster.images.gateway);
    expect(pod.status?.conditions?.find((condition) => condition.type === 'Ready')?.status).toBe('True');
  }
  const accessUrl = `${cluster.ingressUrl}${API.context}/${API.version}`;
  expect((await request.get(`${accessUrl}/pets`)).status()).toBe(401); // the gateway itself, through the Ingress
  await signOut(page);

  // 4. A developer sees the access URL ready, subscribes, and calls the API from Try Out through that gateway.
  await signIn(page, seededAccounts.developer.identifier, seededAccounts.developer.password);
  await createApplicationWithKeys(page, 'Cluster App');
  await page.goto(`/portal/apis/${apiId}`);
  const environment = page.getByTestId(`environment-${CLUSTER.name}`);
  await expect(environment.getByTestId('access-url')).toHaveText(accessUrl);
  await expect(environment.getByTestId('environment-status')).toHaveText('ready');
  await subscribeOnOverview(page, 'Cluster App');
  await createApplicationWithKeys(page, 'Cluster Stranger');
  const unsubscribedToken = await generateTokenOnApplicationPage(page);

  await page.goto(`/portal/apis/${apiId}`);
  await page.getByRole('link', { name: 'Try Out' }).click();
  await page.getByRole('combobox', { name: 'Gateway' }).click();
  await page.getByRole('option', { name: new RegExp(`${CLUSTER.display} — ${accessUrl.replace(/[.]/g, '\\.')}`) }).click();
  await expect(page.getByRole('combobox', { name: 'Subscribed application' })).toHaveText('Cluster App');
  await page.getByRole('button', { name: 'Generate token' }).click();
  await expect(page.getByRole('textbox', { name: 'Access token' })).not.toHaveValue('');
  const subscribedToken = await page.getByRole('textbox', { name: 'Access token' }).inputValue();
  await executeListPets(page);
  const response = liveResponse(page);
  await expect(response.status).toHaveText(/^200\b/, { timeout: 20_000 });
  await expect(response.body).toContainText('Rex');
  await page.getByRole('textbox', { name: 'Access token' }).fill(unsubscribedToken);
  await executeListPets(page);
  await expect(response.status).toHaveText(/^403\b/, { timeout: 20_000 });
  await expect(response.body).toContainText('not_subscribed');
  const developerTryOut = page.url();
  await signOut(page);

  // 4b. Those calls reach the publisher's Traffic tab, read from both gateway pods through the API
  // server's pod proxy with the cluster's own credentials (every 2 s here, playwright.config.ts).
  await signIn(page, seededAccounts.publisher.identifier, seededAccounts.publisher.password);
  await page.goto(`/publisher/apis/${apiId}/traffic`);
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('gateway-reads')).toContainText('2 gateway replicas read', { timeout: 1_000 });
    expect(Number(await page.getByTestId('total-Requests').textContent())).toBeGreaterThanOrEqual(2);
    expect(Number(await page.getByTestId('total-403').textContent())).toBeGreaterThanOrEqual(1);
  }).toPass({ timeout: 60_000, intervals: [2_000] });

  // 5a. Gateway pods that cannot come back show as not ready; once they can, ready again.
  await page.goto(lifecycleUrl);
  run(`kubectl cordon ${cluster.nodeName}`);
  run(`kubectl -n ${NAMESPACE} delete pod -l app.kubernetes.io/managed-by=privatejet --wait=false`);
  await expect.poll(() => deploymentStatusAfterReload(page), { timeout: 60_000, intervals: [1_000] }).toBe('waiting for ready');
  await expect(page.getByTestId(`deployment-row-${CLUSTER.name}`)).toContainText(/0 of 2|unschedulable|Pending/i);
  run(`kubectl uncordon ${cluster.nodeName}`);
  await expect.poll(() => deploymentStatusAfterReload(page), { timeout: 90_000, intervals: [1_000] }).toBe('ready');

  // 5b. A config change rolls the pods one by one while calls keep coming: none fails.
  const before = new Set((await gatewayPods()).map((pod) => pod.metadata?.name));
  const statuses: Array<number | string> = [];
  let calling = true;
  const traffic = (async () => {
    while (calling) {
      statuses.push(await fetch(`${accessUrl}/pets`, { headers: { authorization: `Bearer ${subscribedToken}` } }).then((r) => r.status, (e: Error) => e.message));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  await page.goto(`/publisher/apis/${apiId}`);
  // A click before the form is hydrated is lost: try again until the box stays ticked.
  await expect(async () => {
    await page.getByLabel(/Allow browser calls from other origins/).check({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await page.getByRole('textbox', { name: 'Allowed origins' }).fill('https://shop.example.com');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved. Deployed gateways are updated with the new configuration.')).toBeVisible();
  await expect
    .poll(
      async () => {
        const current = await gatewayPods();
        const ready = current.filter((pod) => pod.metadata?.deletionTimestamp === undefined && pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        return ready.length === 2 && ready.every((pod) => !before.has(pod.metadata?.name)) && current.length === 2;
      },
      { timeout: 180_000, intervals: [1_000] },
    )
    .toBe(true);
  calling = false;
  await traffic;
  expect(statuses.length).toBeGreaterThan(20);
  expect(statuses.filter((status) => status !== 200)).toEqual([]);

  // 5c. Block removes the pods, the Service and the Ingress; Try Out no longer offers the cluster.
  await page.goto(lifecycleUrl);
  await page.getByRole('button', { name: 'Block' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Block' }).click();
  await expect(page.getByTestId(`deployment-row-${CLUSTER.name}`).getByTestId('deployment-status')).toHaveText('not deployed', { timeout: 60_000 });
  const { core, networking } = clients();
  const selector = 'app.kubernetes.io/managed-by=privatejet';
  await expect.poll(async () => (await gatewayPods()).length, { timeout: 60_000 }).toBe(0);
  expect((await core.listNamespacedService({ namespace: NAMESPACE, labelSelector: selector })).items).toEqual([]);
  expect((await networking.listNamespacedIngress({ namespace: NAMESPACE, labelSelector: selector })).items).toEqual([]);
  expect((await core.listNamespacedConfigMap({ namespace: NAMESPACE, labelSelector: selector })).items).toEqual([]);
  await signOut(page);
  await signIn(page, seededAccounts.developer.identifier, seededAccounts.developer.password);
  await page.goto(developerTryOut);
  await expect(page.getByRole('option', { name: new RegExp(CLUSTER.display) })).toHaveCount(0);
});
