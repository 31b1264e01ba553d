import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  apiPathPrefix,
  CONFIG_HASH_ANNOTATION,
  configHashOf,
  configMapFor,
  DEFAULT_GATEWAY_IMAGE,
  deploymentFor,
  gatewayObjectsFor,
  horizontalPodAutoscalerFor,
  ingressFor,
  ingressHostOf,
  secretFor,
  serviceFor,
} from './manifests';
import { haproxyGatewayFiles } from '@/lib/gateway/haproxy-config';
import { gatewaySpecInCluster } from '@/lib/gateway/gateway-spec-for';
import { gatewayLabels, gatewayObjectName, isDns1123Label, isValidLabelValue, safeLabelValue } from './object-names';
import { sampleApi, sampleCluster } from '../../test-support/kubernetes/sample-api';

const api = sampleApi();
const cluster = sampleCluster();

describe('object names', () => {
  it('reads as the API name and version, with a hash of tenant + API + version', () => {
    expect(gatewayObjectName(api)).toMatchInlineSnapshot(`"pj-petstore-1-0-0-9f51f6a59b"`);
  });

  const identity = fc.record({ tenantId: fc.string(), apiId: fc.string(), name: fc.string({ maxLength: 300 }), version: fc.string({ maxLength: 100 }) });

  it('is always a DNS-1123 label of at most 63 characters that starts with a letter', () => {
    fc.assert(
      fc.property(identity, (candidate) => {
        const name = gatewayObjectName(candidate);
        expect(isDns1123Label(name)).toBe(true);
        expect(name.length).toBeLessThanOrEqual(63);
        // Service names must also be DNS-1035 labels.
        expect(name).toMatch(/^[a-z]/);
      }),
    );
  });

  it('keeps long and odd names readable and within the limit', () => {
    const named = (name: string, version: string) => gatewayObjectName({ tenantId: '1', apiId: api.apiId, name, version });
    expect(named('The Very Long Name Of A Pet Store API That Goes On And On Forever', 'v2.0.0-beta.1')).toMatch(/^pj-the-very-long-name-of-a-pet-store-a-v2-0-0-beta-1-[0-9a-f]{10}$/);
    expect(named('Café API!', '1.0')).toMatch(/^pj-cafe-api-1-0-[0-9a-f]{10}$/);
    expect(named('宠物商店', '~~')).toMatch(/^pj-[0-9a-f]{10}$/);
  });

  it('never gives two versions of one API the same name', () => {
    fc.assert(
      fc.property(identity, fc.string(), (candidate, otherVersion) => {
        fc.pre(otherVersion !== candidate.version);
        expect(gatewayObjectName({ ...candidate, version: otherVersion })).not.toBe(gatewayObjectName(candidate));
      }),
    );
    // Versions that slug alike still differ.
    expect(gatewayObjectName(sampleApi({ version: '1.0' }))).not.toBe(gatewayObjectName(sampleApi({ version: '1-0' })));
  });

  it('never gives the same API name and version of two tenants the same name', () => {
    fc.assert(
      fc.property(identity, fc.string(), (candidate, otherTenant) => {
        fc.pre(otherTenant !== candidate.tenantId);
        expect(gatewayObjectName({ ...candidate, tenantId: otherTenant })).not.toBe(gatewayObjectName(candidate));
      }),
    );
  });

  it('makes any text a valid label value, keeping valid ones and never merging two', () => {
    expect(safeLabelValue('carbon.super')).toBe('carbon.super');
    expect(safeLabelValue('example.com')).toBe('example.com');
    expect(safeLabelValue('1.0.0')).toBe('1.0.0');
    expect(safeLabelValue('-tenant of ü-')).toMatch(/^tenant-of-[0-9a-f]{8}$/);
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), (a, b) => {
        expect(isValidLabelValue(safeLabelValue(a))).toBe(true);
        if (a !== b) expect(safeLabelValue(a)).not.toBe(safeLabelValue(b));
      }),
    );
  });

  it('labels every object with who manages it, the API, the tenant and the version', () => {
    expect(gatewayLabels(api)).toEqual({
      'app.kubernetes.io/managed-by': 'privatejet',
      'app.kubernetes.io/name': 'privatejet-gateway',
      'app.kubernetes.io/instance': gatewayObjectName(api),
      'privatejet.io/api-id': api.apiId,
      'privatejet.io/tenant': 'carbon.super',
      'privatejet.io/api-version': '1.0.0',
    });
  });
});

describe('config hash', () => {
  it('changes when the gateway config changes', () => {
    const changed = sampleApi({ allowedOrigins: ['https://other.example.com'] });
    expect(configHashOf(changed)).not.toBe(configHashOf(api));
    expect(configHashOf(sampleApi({ productionEndpoints: ['http://other:8090'] }))).not.toBe(configHashOf(api));
  });

  it('changes when only the client secret changes, and never shows the secret', () => {
    const rotated = sampleApi({ gatewayClientSecret: 'a-new-secret' });
    expect(configHashOf(rotated)).not.toBe(configHashOf(api));
    expect(JSON.stringify(deploymentFor(rotated, cluster))).not.toContain('a-new-secret');
  });

  it('does not change otherwise: same config, other cluster', () => {
    expect(configHashOf(sampleApi())).toBe(configHashOf(api));
    const onOtherCluster = deploymentFor(api, sampleCluster({ Replicas: 5, Namespace: 'other' }));
    expect(onOtherCluster.spec?.template.metadata?.annotations).toEqual(deploymentFor(api, cluster).spec?.template.metadata?.annotations);
  });
});

describe('manifests for the sample API', () => {
  it('ConfigMap: the generated HAProxy files, and nothing secret', () => {
    const configMap = configMapFor(api, cluster);
    expect(configMap.data).toEqual(haproxyGatewayFiles(api.gateway));
    expect(JSON.stringify(configMap)).not.toContain(api.gatewayClientSecret);
    expect({ ...configMap, data: Object.keys(configMap.data!) }).toMatchInlineSnapshot(`
      {
        "apiVersion": "v1",
        "data": [
          "haproxy.cfg",
          "operations.map",
          "paths.map",
          "revoked-tokens.map",
          "revoked-applications.map",
          "privatejet.lua",
          "key-sample-key-1.pem",
        ],
        "kind": "ConfigMap",
        "metadata": {
          "labels": {
            "app.kubernetes.io/instance": "pj-petstore-1-0-0-9f51f6a59b",
            "app.kubernetes.io/managed-by": "privatejet",
            "app.kubernetes.io/name": "privatejet-gateway",
            "privatejet.io/api-id": "7f3c2a9e-5b1d-4c8e-9a6f-2d4b8e1c3a5f",
            "privatejet.io/api-version": "1.0.0",
            "privatejet.io/tenant": "carbon.super",
          },
          "name": "pj-petstore-1-0-0-9f51f6a59b",
          "namespace": "privatejet",
        },
      }
    `);
  });

  it('Secret: the gateway client secret, mounted as a file', () => {
    expect(secretFor(api, cluster)).toMatchObject({ kind: 'Secret', type: 'Opaque', stringData: { 'client-secret': 'sample-gateway-secret' } });
  });

  it('Deployment: hardened gateway pods with probes, resources and the mounted config', () => {
    const deployment = deploymentFor(api, cluster);
    // The hash is pinned by the golden files of the config it hashes; here it only has to be that hash.
    expect(deployment.spec!.template.metadata!.annotations![CONFIG_HASH_ANNOTATION]).toBe(configHashOf(api));
    deployment.spec!.template.metadata!.annotations![CONFIG_HASH_ANNOTATION] = '<config hash>';
    expect(deployment).toMatchInlineSnapshot(`
      {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
          "labels": {
            "app.kubernetes.io/instance": "pj-petstore-1-0-0-9f51f6a59b",
            "app.kubernetes.io/managed-by": "privatejet",
            "app.kubernetes.io/name": "privatejet-gateway",
            "privatejet.io/api-id": "7f3c2a9e-5b1d-4c8e-9a6f-2d4b8e1c3a5f",
            "privatejet.io/api-version": "1.0.0",
            "privatejet.io/tenant": "carbon.super",
          },
          "name": "pj-petstore-1-0-0-9f51f6a59b",
          "namespace": "privatejet",
        },
        "spec": {
          "progressDeadlineSeconds": 300,
          "replicas": 2,
          "revisionHistoryLimit": 3,
          "selector": {
            "matchLabels": {
              "app.kubernetes.io/instance": "pj-petstore-1-0-0-9f51f6a59b",
              "app.kubernetes.io/name": "privatejet-gateway",
            },
          },
          "strategy": {
            "rollingUpdate": {
              "maxSurge": 1,
              "maxUnavailable": 0,
            },
            "type": "RollingUpdate",
          },
          "template": {
            "metadata": {
              "annotations": {
                "privatejet.io/config-hash": "<config hash>",
              },
              "labels": {
                "app.kubernetes.io/instance": "pj-petstore-1-0-0-9f51f6a59b",
                "app.kubernetes.io/managed-by": "privatejet",
                "app.kubernetes.io/name": "privatejet-gateway",
                "privatejet.io/api-id": "7f3c2a9e-5b1d-4c8e-9a6f-2d4b8e1c3a5f",
                "privatejet.io/api-version": "1.0.0",
                "privatejet.io/tenant": "carbon.super",
              },
            },
            "spec": {
              "automountServiceAccountToken": false,
              "containers": [
                {
                  "env": [
                    {
                      "name": "PRIVATEJET_GATEWAY_BIND",
                      "value": ":8080",
                    },
                    {
                      "name": "PRIVATEJET_GATEWAY_SECRET_FILE",
                      "value": "/etc/privatejet/gateway-secret/client-secret",
                    },
                  ],
                  "image": "haproxy:3.0",
                  "lifecycle": {
                    "preStop": {
                      "exec": {
                        "command": [
                          "sleep",
                          "5",
                        ],
                      },
                    },
                  },
                  "livenessProbe": {
                    "failureThreshold": 3,
                    "httpGet": {
                      "path": "/health/live",
                      "port": "http",
                    },
                    "initialDelaySeconds": 5,
                    "periodSeconds": 10,
                  },
                  "name": "gateway",
                  "ports": [
                    {
                      "containerPort": 8080,
                      "name": "http",
                      "protocol": "TCP",
                    },
                  ],
                  "readinessProbe": {
                    "failureThreshold": 2,
                    "httpGet": {
                      "path": "/health/ready",
                      "port": "http",
                    },
                    "periodSeconds": 2,
                  },
                  "resources": {
                    "limits": {
                      "cpu": "1",
                      "memory": "128Mi",
                    },
                    "requests": {
                      "cpu": "50m",
                      "memory": "32Mi",
                    },
                  },
                  "securityContext": {
                    "allowPrivilegeEscalation": false,
                    "capabilities": {
                      "drop": [
                        "ALL",
                      ],
                    },
                    "readOnlyRootFilesystem": true,
                  },
                  "volumeMounts": [
                    {
                      "mountPath": "/usr/local/etc/haproxy",
                      "name": "config",
                      "readOnly": true,
                    },
                    {
                      "mountPath": "/etc/privatejet/gateway-secret",
                      "name": "secret",
                      "readOnly": true,
                    },
                    {
                      "mountPath": "/tmp",
                      "name": "tmp",
                    },
                  ],
                },
              ],
              "enableServiceLinks": false,
              "securityContext": {
                "fsGroup": 99,
                "runAsGroup": 99,
                "runAsNonRoot": true,
                "runAsUser": 99,
                "seccompProfile": {
                  "type": "RuntimeDefault",
                },
              },
              "terminationGracePeriodSeconds": 30,
              "volumes": [
                {
                  "configMap": {
                    "name": "pj-petstore-1-0-0-9f51f6a59b",
                  },
                  "name": "config",
                },
                {
                  "name": "secret",
                  "secret": {
                    "defaultMode": 288,
                    "secretName": "pj-petstore-1-0-0-9f51f6a59b",
                  },
                },
                {
                  "emptyDir": {
                    "sizeLimit": "16Mi",
                  },
                  "name": "tmp",
                },
              ],
            },
          },
        },
      }
    `);
  });

  it('Service: ClusterIP, port 80 to the gateway', () => {
    expect(serviceFor(api, cluster)).toMatchInlineSnapshot(`
      {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
          "labels": {
            "app.kubernetes.io/instance": "pj-petstore-1-0-0-9f51f6a59b",
            "app.kubernetes.io/managed-by": "privatejet",
            "app.kubernetes.io/name": "privatejet-gateway",
            "privatejet.io/api-id": "7f3c2a9e-5b1d-4c8e-9a6f-2d4b8e1c3a5f",
            "privatejet.io/api-version": "1.0.0",
            "privatejet.io/tenant": "carbon.super",
          },
          "name": "pj-petstore-1-0-0-9f51f6a59b",
          "namespace": "privatejet",
        },
        "spec": {
          "ports": [
            {
              "name": "http",
              "port": 80,
              "protocol": "TCP",
              "targetPort": "http",
            },
          ],
          "selector": {
            "app.kubernetes.io/instance": "pj-petstore-1-0-0-9f51f6a59b",
            "app.kubernetes.io/name": "privatejet-gateway",
          },
          "type": "ClusterIP",
        },
      }
    `);
  });

  it('Ingress: the AccessURL host and /<context>/<version>', () => {
    expect(ingressFor(api, cluster)).toMatchInlineSnapshot(`
      {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
          "labels": {
            "app.kubernetes.io/instance": "pj-petstore-1-0-0-9f51f6a59b",
            "app.kubernetes.io/managed-by": "privatejet",
            "app.kubernetes.io/name": "privatejet-gateway",
            "privatejet.io/api-id": "7f3c2a9e-5b1d-4c8e-9a6f-2d4b8e1c3a5f",
            "privatejet.io/api-version": "1.0.0",
            "privatejet.io/tenant": "carbon.super",
          },
          "name": "pj-petstore-1-0-0-9f51f6a59b",
          "namespace": "privatejet",
        },
        "spec": {
          "ingressClassName": "nginx",
          "rules": [
            {
              "host": "apis.example.com",
              "http": {
                "paths": [
                  {
                    "backend": {
                      "service": {
                        "name": "pj-petstore-1-0-0-9f51f6a59b",
                        "port": {
                          "name": "http",
                        },
                      },
                    },
                    "path": "/petstore/1.0.0",
                    "pathType": "Prefix",
                  },
                ],
              },
            },
          ],
        },
      }
    `);
  });

  it('HorizontalPodAutoscaler: only with MaxReplicas, from Replicas to MaxReplicas at 70% CPU', () => {
    expect(horizontalPodAutoscalerFor(api, cluster)).toBeUndefined();
    expect(horizontalPodAutoscalerFor(api, sampleCluster({ MaxReplicas: 6 }))).toMatchInlineSnapshot(`
      {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {
          "labels": {
            "app.kubernetes.io/instance": "pj-petstore-1-0-0-9f51f6a59b",
            "app.kubernetes.io/managed-by": "privatejet",
            "app.kubernetes.io/name": "privatejet-gateway",
            "privatejet.io/api-id": "7f3c2a9e-5b1d-4c8e-9a6f-2d4b8e1c3a5f",
            "privatejet.io/api-version": "1.0.0",
            "privatejet.io/tenant": "carbon.super",
          },
          "name": "pj-petstore-1-0-0-9f51f6a59b",
          "namespace": "privatejet",
        },
        "spec": {
          "maxReplicas": 6,
          "metrics": [
            {
              "resource": {
                "name": "cpu",
                "target": {
                  "averageUtilization": 70,
                  "type": "Utilization",
                },
              },
              "type": "Resource",
            },
          ],
          "minReplicas": 2,
          "scaleTargetRef": {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": "pj-petstore-1-0-0-9f51f6a59b",
          },
        },
      }
    `);
  });
});

describe('cluster properties in the manifests', () => {
  it('uses GatewayImage and IngressClass when set', () => {
    const custom = sampleCluster({ GatewayImage: 'registry.example.com/gw:2', IngressClass: 'traefik' });
    expect(deploymentFor(api, custom).spec?.template.spec?.containers[0]?.image).toBe('registry.example.com/gw:2');
    expect(deploymentFor(api, cluster).spec?.template.spec?.containers[0]?.image).toBe(DEFAULT_GATEWAY_IMAGE);
    expect(ingressFor(api, custom).spec?.ingressClassName).toBe('traefik');
  });

  it('names only the stock official HAProxy image of the tested version line by default', () => {
    expect(DEFAULT_GATEWAY_IMAGE).toBe('haproxy:3.0');
    const pod = deploymentFor(api, cluster).spec!.template.spec!;
    // The image's own entrypoint and command run the mounted config: nothing of ours to build.
    expect(pod.containers[0]!.command).toBeUndefined();
    expect(pod.containers[0]!.args).toBeUndefined();
    expect(pod.containers[0]!.volumeMounts).toContainEqual({ name: 'config', mountPath: '/usr/local/etc/haproxy', readOnly: true });
  });

  it('leaves the replica count to the autoscaler when there is one', () => {
    const scaled = sampleCluster({ MaxReplicas: 4 });
    expect(deploymentFor(api, scaled).spec?.replicas).toBeUndefined();
    expect(deploymentFor(api, cluster).spec?.replicas).toBe(2);
    expect(gatewayObjectsFor(api, scaled).others.map((object) => object.kind)).toEqual(['Deployment', 'Service', 'Ingress', 'HorizontalPodAutoscaler']);
    expect(gatewayObjectsFor(api, scaled).stale).toEqual([]);
  });

  it('plans to delete a stale autoscaler when MaxReplicas is not set', () => {
    const plan = gatewayObjectsFor(api, cluster);
    expect(plan.configMap.kind).toBe('ConfigMap');
    expect(plan.others.map((object) => object.kind)).toEqual(['Deployment', 'Service', 'Ingress']);
    expect(plan.stale).toEqual([
      { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: gatewayObjectName(api), namespace: 'privatejet' } },
    ]);
    expect(plan.configHash).toBe(configHashOf(api));
  });

  it('takes the Ingress host from AccessURL, without port, and none for an IP address', () => {
    expect(ingressHostOf('https://Apis.Example.com:8443/base')).toBe('apis.example.com');
    expect(ingressHostOf('http://10.1.2.3:8080')).toBeUndefined();
    expect(ingressHostOf('http://[::1]:8080')).toBeUndefined();
    expect(ingressFor(api, sampleCluster({ AccessURL: 'http://192.168.1.10' })).spec?.rules?.[0]).not.toHaveProperty('host');
  });

  it('serves /<context>/<version> whatever slashes the context has', () => {
    expect(apiPathPrefix({ context: '/petstore', version: '1.0.0' })).toBe('/petstore/1.0.0');
    expect(apiPathPrefix({ context: 'petstore/', version: 'v2' })).toBe('/petstore/v2');
    expect(apiPathPrefix({ context: '/shop/pets', version: '1' })).toBe('/shop/pets/1');
  });
});

describe("the cluster's Basic users in the pod", () => {
  const cluster = sampleCluster({ BasicSecurityCustomResourceName: 'securitybasic' });
  const api = { ...sampleApi({ basic: true }) };
  api.gateway = gatewaySpecInCluster(api.gateway, { basicUsers: true });

  it('mounts only the users key of the named Secret into an init container that renders the userlist', () => {
    const pod = deploymentFor(api, cluster, { basicUsersVersion: '4711' }).spec!.template;
    const init = pod.spec!.initContainers!;
    expect(init).toHaveLength(1);
    expect(init[0]!.command).toEqual(['sh', '/usr/local/etc/haproxy/basic-users.sh', '/etc/privatejet/basic-users-secret/users', '/etc/privatejet/basic-users/basic-users.cfg']);
    expect(pod.spec!.volumes).toContainEqual({ name: 'basic-users-secret', secret: { secretName: 'securitybasic', items: [{ key: 'users', path: 'users' }], defaultMode: 0o440 } });
    const gateway = pod.spec!.containers[0]!;
    expect(gateway.args).toEqual(['-f', '/usr/local/etc/haproxy/haproxy.cfg', '-f', '/etc/privatejet/basic-users/basic-users.cfg']);
    // The proxy sees the rendered list, never the Secret itself.
    expect(gateway.volumeMounts!.map((mount) => mount.name)).not.toContain('basic-users-secret');
    expect(pod.metadata!.annotations).toMatchObject({ 'privatejet.io/basic-users-version': '4711' });
  });

  it('keeps the hashes out of the ConfigMap and leaves a pod without Basic as it was', () => {
    const configMap = configMapFor(api, cluster);
    expect(Object.keys(configMap.data!)).toContain('basic-users.sh');
    expect(JSON.stringify(configMap.data)).not.toMatch(/\$6\$/);
    const plain = deploymentFor(sampleApi(), cluster).spec!.template.spec!;
    expect(plain.initContainers).toBeUndefined();
    expect(plain.containers[0]!.args).toBeUndefined();
  });
});
