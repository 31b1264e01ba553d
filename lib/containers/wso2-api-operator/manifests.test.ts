import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { gatewayObjectName } from '../kubernetes/object-names';
import { sampleApi, sampleCluster } from '../../test-support/kubernetes/sample-api';
import {
  DEFAULT_JWT_SECURITY_NAME,
  definitionConfigMapFor,
  OPERATOR_API_KIND,
  OPERATOR_API_VERSION,
  operatorApiFor,
  operatorDefinitionHash,
  operatorObjectReferences,
  operatorOpenApiFor,
  securityRequirementsFor,
  SWAGGER_KEY,
} from './manifests';
import { observedStatusOfOperatorApi } from './operator-status';

const api = sampleApi();
const cluster = sampleCluster({ JWTSecurityCustomResourceName: 'securityjwt' });
const appliedAt = new Date('2025-01-02T03:04:05.678Z');

describe('definition ConfigMap', () => {
  it("names the sandbox endpoint for the operator's gateway when the API has one, and changes the hash with it", () => {
    const withSandbox = { ...api, sandboxEndpoints: ['http://petstore-sandbox.backend.svc:8091'] };
    expect(operatorOpenApiFor(withSandbox, cluster)['x-wso2-sandbox-endpoints']).toEqual({ urls: ['http://petstore-sandbox.backend.svc:8091'] });
    expect(operatorOpenApiFor({ ...api, sandboxEndpoints: [] }, cluster)).not.toHaveProperty('x-wso2-sandbox-endpoints');
    expect(operatorDefinitionHash(withSandbox, cluster)).not.toBe(operatorDefinitionHash(api, cluster));
  });

  it('holds the OpenAPI document with the operator\'s base path, endpoints and security', () => {
    const configMap = definitionConfigMapFor(api, cluster);
    const definition = JSON.parse(configMap.data![SWAGGER_KEY]!) as Record<string, unknown>;
    expect(definition).toEqual({
      ...api.openapi,
      'x-wso2-basePath': '/petstore/1.0.0',
      'x-wso2-production-endpoints': { urls: ['http://petstore.backend.svc:8090'] },
      security: [{ securityjwt: [] }],
    });
    expect({ ...configMap, data: Object.keys(configMap.data!) }).toMatchInlineSnapshot(`
      {
        "apiVersion": "v1",
        "data": [
          "swagger.json",
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

  it('does not change the API\'s own document', () => {
    const before = structuredClone(api.openapi);
    operatorOpenApiFor(api, cluster);
    expect(api.openapi).toEqual(before);
  });

  it('keys the root security by the cluster\'s security resource names, only those set', () => {
    expect(securityRequirementsFor(sampleCluster())).toEqual([{ [DEFAULT_JWT_SECURITY_NAME]: [] }]);
    expect(securityRequirementsFor(sampleCluster({ OauthSecurityCustomResourceName: 'securityoauth' }))).toEqual([{ securityoauth: [] }]);
    expect(
      securityRequirementsFor(
        sampleCluster({ JWTSecurityCustomResourceName: 'securityjwt', OauthSecurityCustomResourceName: 'securityoauth', BasicSecurityCustomResourceName: 'securitybasic' }),
      ),
    ).toEqual([{ securityjwt: [] }, { securityoauth: [] }, { securitybasic: [] }]);
  });

  it('has a hash that follows the definition, not the time of the deploy', () => {
    expect(operatorDefinitionHash(sampleApi(), cluster)).toBe(operatorDefinitionHash(api, cluster));
    expect(operatorDefinitionHash(sampleApi({ productionEndpoints: ['http://other:1'] }), cluster)).not.toBe(operatorDefinitionHash(api, cluster));
    expect(operatorDefinitionHash(api, sampleCluster({ BasicSecurityCustomResourceName: 'b' }))).not.toBe(operatorDefinitionHash(api, cluster));
  });
});

describe('API object', () => {
  it('points the operator at the definition in privateJet mode', () => {
    expect(operatorApiFor(api, cluster, appliedAt)).toMatchInlineSnapshot(`
      {
        "apiVersion": "wso2.com/v1alpha1",
        "kind": "API",
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
          "definition": {
            "swaggerConfigmapNames": [
              "pj-petstore-1-0-0-9f51f6a59b",
            ],
            "type": "swagger",
          },
          "mode": "privateJet",
          "override": true,
          "replicas": 2,
          "updateTimeStamp": "1735787045678",
        },
      }
    `);
  });

  it('gets a new updateTimeStamp on every deploy, so the operator rolls the gateway', () => {
    const later = new Date(appliedAt.getTime() + 1);
    expect(operatorApiFor(api, cluster, later).spec.updateTimeStamp).not.toBe(operatorApiFor(api, cluster, appliedAt).spec.updateTimeStamp);
  });

  it('carries the version in its name, so two versions never collide', () => {
    const v2 = sampleApi({ version: '2.0.0' });
    expect(operatorApiFor(v2, cluster, appliedAt).metadata.name).not.toBe(operatorApiFor(api, cluster, appliedAt).metadata.name);
    expect(operatorApiFor(v2, cluster, appliedAt).spec.definition.swaggerConfigmapNames).toEqual([definitionConfigMapFor(v2, cluster).metadata.name]);
    expect(operatorObjectReferences(v2, cluster)).toEqual({
      definition: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: gatewayObjectName(v2), namespace: 'privatejet' } },
      operatorApi: { apiVersion: OPERATOR_API_VERSION, kind: OPERATOR_API_KIND, metadata: { name: gatewayObjectName(v2), namespace: 'privatejet' } },
    });
  });
});

describe('the committed CRD', () => {
  const crd = parse(readFileSync(path.resolve(__dirname, '../../../deploy/crds/apis.wso2.com_v1alpha1_api.yaml'), 'utf8')) as {
    metadata: { name: string };
    spec: { group: string; names: { kind: string; plural: string }; versions: { name: string; schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, unknown> } } } } }[] };
  };

  it('defines the kind the manager applies', () => {
    expect(crd.metadata.name).toBe('apis.wso2.com');
    expect(`${crd.spec.group}/${crd.spec.versions[0]?.name}`).toBe(OPERATOR_API_VERSION);
    expect(crd.spec.names).toMatchObject({ kind: OPERATOR_API_KIND, plural: 'apis' });
  });

  it('declares every spec field the manager sets', () => {
    const declared = Object.keys(crd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties);
    expect(declared).toEqual(expect.arrayContaining(Object.keys(operatorApiFor(api, cluster, appliedAt).spec)));
  });
});

describe('observedStatusOfOperatorApi', () => {
  const applied = operatorApiFor(api, cluster, appliedAt);

  it('is absent without an API object and progressing until the operator reports', () => {
    expect(observedStatusOfOperatorApi(undefined).phase).toBe('absent');
    expect(observedStatusOfOperatorApi(applied)).toEqual({ phase: 'progressing', desiredReplicas: 2, message: 'applied; waiting for the operator' });
  });

  it('is ready once the operator 1.2 writes its replica count', () => {
    expect(observedStatusOfOperatorApi({ ...applied, status: { replicas: 2 } })).toEqual({
      phase: 'ready',
      desiredReplicas: 2,
      message: 'the operator deployed the gateway with 2 replicas',
    });
  });

  it('follows a Ready condition when the operator writes one', () => {
    const withCondition = (status: string, reason: string, message: string) => ({ ...applied, status: { conditions: [{ type: 'Ready', status, reason, message }] } });
    expect(observedStatusOfOperatorApi(withCondition('True', 'Deployed', 'all good'))).toMatchObject({ phase: 'ready', message: 'all good' });
    expect(observedStatusOfOperatorApi(withCondition('False', 'BuildFailed', 'kaniko: no such image'))).toMatchObject({ phase: 'failed', message: 'kaniko: no such image' });
    expect(observedStatusOfOperatorApi(withCondition('False', 'Building', 'building the image'))).toMatchObject({ phase: 'progressing', message: 'building the image' });
  });
});
