import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkClusterDraft, checkClusterDrafts, clusterDraftSchema, type ClusterField } from './cluster.schema';
import { isPemOrBase64Pem } from './cluster-field-checks';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const pem = readFileSync(path.join(__dirname, 'fixtures/tls/localhost-cert.pem'), 'utf8');

const kubernetesDraft = (properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  type: 'Kubernetes',
  clusterName: 'docker-desktop',
  displayName: 'cluster-1',
  properties: { AccessURL: 'https://apis.example.com', MasterURL: 'https://k8s.example.com:6443', SAToken: 'token', ...properties },
  ...extra,
});

const errorsOf = (draft: unknown, managers?: Record<string, string>) =>
  checkClusterDraft(draft, managers).errors.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

describe('checkClusterDraft', () => {
  it('accepts a Kubernetes cluster and fills the seed defaults', () => {
    const { definition, errors, warnings } = checkClusterDraft(kubernetesDraft());
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(definition).toEqual({
      type: 'Kubernetes',
      clusterName: 'docker-desktop',
      displayName: 'cluster-1',
      properties: {
        MasterURL: 'https://k8s.example.com:6443',
        AccessURL: 'https://apis.example.com',
        SAToken: 'token',
        Namespace: 'default',
        Replicas: 1,
        extra: {},
      },
    });
  });

  it('accepts Replicas as a number or a numeric string, as the seed writes both', () => {
    expect(checkClusterDraft(kubernetesDraft({ Replicas: 3 })).definition?.properties.Replicas).toBe(3);
    expect(checkClusterDraft(kubernetesDraft({ Replicas: ' 2 ' })).definition?.properties.Replicas).toBe(2);
  });

  it.each([
    [0, 'must be at least 1'],
    [101, 'more than 100'],
    [1.5, 'not a whole number'],
    ['two', 'is not a number'],
    ['<number-of-replicas>', 'template placeholder'],
    [true, 'must be a whole number'],
  ])('rejects Replicas %j', (replicas, message) => {
    const errors = errorsOf(kubernetesDraft({ Replicas: replicas }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^properties\.Replicas: /);
    expect(errors[0]).toContain(message);
  });

  it('treats empty MasterURL and SAToken as in-cluster credentials', () => {
    const { definition, errors } = checkClusterDraft(kubernetesDraft({ MasterURL: '', SAToken: '' }));
    expect(errors).toEqual([]);
    expect(definition?.properties).toMatchObject({ MasterURL: '', SAToken: '' });
  });

  it('wants MasterURL and SAToken together', () => {
    expect(errorsOf(kubernetesDraft({ SAToken: '' }))).toEqual([
      expect.stringMatching(/^properties\.SAToken: is empty while MasterURL is set: paste the service account token, or leave both empty/),
    ]);
    expect(errorsOf(kubernetesDraft({ MasterURL: '' }))).toEqual([
      expect.stringMatching(/^properties\.MasterURL: is empty while SAToken is set: give the API server URL \("kubectl cluster-info" prints it\)/),
    ]);
  });

  it('accepts a Local cluster with only an AccessURL and refuses credentials on it', () => {
    const local = { type: 'Local', clusterName: 'local', displayName: 'Local', properties: { AccessURL: 'http://localhost:8243' } };
    expect(checkClusterDraft(local).errors).toEqual([]);
    expect(errorsOf({ ...local, properties: { ...local.properties, MasterURL: 'https://k:6443', SAToken: 't' } })).toEqual([
      expect.stringMatching(/^properties\.MasterURL: must be empty for a Local cluster/),
      expect.stringMatching(/^properties\.SAToken: must be empty for a Local cluster/),
    ]);
  });

  it('requires the keys and explains each', () => {
    expect(errorsOf({ properties: {} })).toEqual([
      expect.stringMatching(/^type: is required: the environment type \("Kubernetes" or "Local"\)/),
      expect.stringMatching(/^clusterName: is required/),
      expect.stringMatching(/^displayName: is required/),
      expect.stringMatching(/^properties\.AccessURL: is required: the URL where this cluster's gateways are reached/),
    ]);
  });

  it('checks URLs, names and namespaces', () => {
    expect(errorsOf(kubernetesDraft({ AccessURL: 'internal.example.com' }))).toEqual([
      'properties.AccessURL: "internal.example.com" is not a URL: write it with its scheme, e.g. "https://apis.example.com"',
    ]);
    expect(errorsOf(kubernetesDraft({ MasterURL: 'ftp://k8s' }))).toEqual([expect.stringContaining('must start with https:// or http://')]);
    expect(errorsOf(kubernetesDraft({ AccessURL: 'https://apis.example.com/team-a' }))).toEqual([
      'properties.AccessURL: must be only scheme, host and port, e.g. "https://apis.example.com": gateways serve /<context>/<version> at its root, so "/team-a" would be part of no API\'s address',
    ]);
    expect(errorsOf(kubernetesDraft({ AccessURL: 'https://user:secret@apis.example.com' }))).toEqual([
      'properties.AccessURL: must not contain a user name or password, e.g. "https://apis.example.com"',
    ]);
    // A trailing slash is the root; a MasterURL may have a path (API servers behind a proxy do).
    expect(errorsOf(kubernetesDraft({ AccessURL: 'https://apis.example.com:8443/', MasterURL: 'https://rancher.example.com/k8s/clusters/c-1' }))).toEqual([]);
    expect(errorsOf(kubernetesDraft({ Namespace: 'My_Namespace' }))).toEqual([
      'properties.Namespace: "My_Namespace" is not a valid namespace name: use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit, e.g. "default"',
    ]);
    expect(errorsOf(kubernetesDraft({}, { clusterName: 'Docker Desktop' }))).toEqual([expect.stringMatching(/^clusterName: "Docker Desktop" is not a valid cluster name/)]);
    expect(errorsOf(kubernetesDraft({ Namespace: 7 }))).toEqual(['properties.Namespace: must be text in quotes, e.g. "default", not number 7']);
  });

  it('suggests the type the user probably meant, and knows types mapped to a manager', () => {
    expect(errorsOf(kubernetesDraft({}, { type: 'kubernetes' }))).toEqual([expect.stringContaining('(did you mean "Kubernetes"?)')]);
    expect(errorsOf(kubernetesDraft({}, { type: 'OpenShift' }))).toEqual([
      expect.stringContaining('map it to a container manager in [ContainerMgtConfig] of deployment.toml'),
    ]);
    expect(errorsOf(kubernetesDraft({}, { type: 'OpenShift' }), { OpenShift: 'kubernetes' })).toEqual([]);
  });

  it('keeps unknown properties and warns about them', () => {
    const { definition, warnings } = checkClusterDraft(kubernetesDraft({ namespace: 'wso2', Team: { owner: 'ops' } }));
    expect(definition?.properties.extra).toEqual({ namespace: 'wso2', Team: { owner: 'ops' } });
    expect(definition?.properties.Namespace).toBe('default');
    expect(warnings).toEqual([
      { path: ['properties', 'namespace'], message: 'is not a known property (did you mean "Namespace"?): it is kept but not used' },
      { path: ['properties', 'Team'], message: 'is not a known property: it is kept but not used' },
    ]);
  });

  it('keeps a "__proto__" property as data', () => {
    const properties = JSON.parse('{"AccessURL": "https://a.example.com", "__proto__": {"polluted": true}}');
    const { definition } = checkClusterDraft({ type: 'Local', clusterName: 'local', displayName: 'Local', properties });
    expect(Object.keys(definition!.properties.extra)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((definition!.properties.extra as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('reads the optional properties beyond the seed', () => {
    const { definition, errors, warnings } = checkClusterDraft(
      kubernetesDraft({ CACert: pem, IngressClass: 'traefik', GatewayImage: 'ghcr.io/x/gateway:1', Replicas: 2, MaxReplicas: '5', JWTSecurityCustomResourceName: 'securityjwt' }),
    );
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(definition?.properties).toMatchObject({ CACert: pem.trim(), IngressClass: 'traefik', GatewayImage: 'ghcr.io/x/gateway:1', MaxReplicas: 5, JWTSecurityCustomResourceName: 'securityjwt' });
  });

  it('accepts CACert as PEM or base64 PEM only', () => {
    expect(isPemOrBase64Pem(pem)).toBe(true);
    expect(isPemOrBase64Pem(Buffer.from(pem).toString('base64'))).toBe(true);
    expect(isPemOrBase64Pem('aGVsbG8=')).toBe(false);
    expect(errorsOf(kubernetesDraft({ CACert: 'not a cert' }))).toEqual([expect.stringMatching(/^properties\.CACert: is neither a PEM certificate/)]);
  });

  it('takes InsecureSkipTLSVerify as a boolean or "true"/"false", warns when on, refuses it with CACert', () => {
    const on = checkClusterDraft(kubernetesDraft({ InsecureSkipTLSVerify: 'TRUE' }));
    expect(on.definition?.properties.InsecureSkipTLSVerify).toBe(true);
    expect(on.warnings).toEqual([{ path: ['properties', 'InsecureSkipTLSVerify'], message: expect.stringContaining('TLS verification of the API server is off') }]);
    expect(checkClusterDraft(kubernetesDraft({ InsecureSkipTLSVerify: false })).warnings).toEqual([]);
    expect(errorsOf(kubernetesDraft({ InsecureSkipTLSVerify: 'yes' }))).toEqual(['properties.InsecureSkipTLSVerify: must be true or false, not the text "yes"']);
    expect(errorsOf(kubernetesDraft({ InsecureSkipTLSVerify: true, CACert: pem }))).toEqual([expect.stringMatching(/^properties\.InsecureSkipTLSVerify: is true while CACert is set/)]);
  });

  it('wants MaxReplicas at least Replicas', () => {
    expect(errorsOf(kubernetesDraft({ Replicas: 3, MaxReplicas: 2 }))).toEqual([
      'properties.MaxReplicas: 2 is less than Replicas (3): the autoscaler scales between Replicas and MaxReplicas',
    ]);
  });

  it('warns when the token would travel over plain http', () => {
    expect(checkClusterDraft(kubernetesDraft({ MasterURL: 'http://k8s.example.com:8080' })).warnings).toEqual([
      { path: ['properties', 'MasterURL'], message: expect.stringContaining('travels unencrypted') },
    ]);
  });

  it('refuses a token pasted with line breaks', () => {
    expect(errorsOf(kubernetesDraft({ SAToken: 'abc\ndef' }))).toEqual([expect.stringMatching(/^properties\.SAToken: contains spaces or line breaks/)]);
  });
});

describe('clusterDraftSchema', () => {
  it('gives the form zod issues with canonical field paths and the same sentences', () => {
    const result = clusterDraftSchema().safeParse(kubernetesDraft({ Namespace: 'Bad Name' }, { displayName: '' }));
    expect(result.success).toBe(false);
    const flat = z.flattenError(result.error!);
    expect(Object.keys(flat.fieldErrors).sort()).toEqual(['displayName', 'properties']);
    expect(result.error!.issues.map((issue) => issue.path)).toEqual([['displayName'], ['properties', 'Namespace']]);
  });

  it('returns the normalized definition on success', () => {
    expect(clusterDraftSchema().parse(kubernetesDraft({ Replicas: '4' })).properties.Replicas).toBe(4);
  });
});

describe('checkClusterDrafts', () => {
  const locateAt = (index: number) => (field: ClusterField, property?: string) =>
    field === 'entry' ? `cluster[${index}]` : property ? `cluster[${index}].properties.${property}` : `cluster[${index}].${field}`;

  it('refuses duplicate cluster names, naming the first use', () => {
    const result = checkClusterDrafts([
      { draft: kubernetesDraft(), locate: locateAt(0) },
      { draft: kubernetesDraft(), locate: locateAt(1) },
    ]);
    expect(result.clusters).toEqual([]);
    expect(result.errors).toEqual([{ path: 'cluster[1].clusterName', message: '"docker-desktop" is already used by cluster[0]: cluster names must be unique' }]);
  });

  it('spells every problem with the source locator', () => {
    const result = checkClusterDrafts([{ draft: kubernetesDraft({ Namespace: 'X' }), locate: locateAt(3) }]);
    expect(result.errors.map((issue) => issue.path)).toEqual(['cluster[3].properties.Namespace']);
  });
});
