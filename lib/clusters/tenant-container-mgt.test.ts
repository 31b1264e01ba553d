import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClusterDefinition } from './cluster-definition';
import { exportTenantContainerMgt, mergeWithStoredSecrets, parseTenantContainerMgt } from './tenant-container-mgt';

const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
const withoutWhitespace = (text: string) => text.replace(/\s+/g, '');

function clustersOf(text: string, options?: Parameters<typeof parseTenantContainerMgt>[1]): ClusterDefinition[] {
  const result = parseTenantContainerMgt(text, options);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.clusters;
}

describe('parseTenantContainerMgt: the seed blocks, verbatim', () => {
  it.each(['seed-tenant-example.json', 'seed-security-tenant-example.json'])('accepts %s without warnings', (name) => {
    const result = parseTenantContainerMgt(fixture(name));
    expect(result).toMatchObject({ ok: true, warnings: [] });
    expect(result.ok && result.clusters).toEqual([
      expect.objectContaining({ type: 'Kubernetes', clusterName: 'docker-desktop', displayName: 'cluster-1', properties: expect.objectContaining({ Replicas: 1, Namespace: 'default' }) }),
    ]);
  });

  it.each(['seed-tenant-format.json', 'seed-security-tenant-format.json'])('answers the Format template %s with located errors', (name) => {
    expect(parseTenantContainerMgt(fixture(name))).toEqual({
      ok: false,
      warnings: [],
      errors: [
        { path: 'ContainerMgt[0].ContainerMgtInfo[0].ClusterName', message: 'is empty: a unique name of lowercase letters, digits and "-", e.g. "docker-desktop"' },
        { path: 'ContainerMgt[0].ContainerMgtInfo[0].DisplayName', message: 'is empty: the name users see for this cluster, e.g. "cluster-1"' },
        { path: 'ContainerMgt[0].ContainerMgtInfo[0].Properties.AccessURL', message: 'is empty: the URL where this cluster\'s gateways are reached, e.g. "https://apis.example.com"' },
      ],
    });
  });

  it.each(['seed-tenant-example.json', 'seed-security-tenant-example.json'])('round-trips %s: export gives the seed text (up to indentation) and is stable', (name) => {
    const seed = fixture(name);
    const exported = exportTenantContainerMgt(clustersOf(seed), { secrets: 'include' });
    expect(withoutWhitespace(exported)).toBe(withoutWhitespace(seed));
    expect(exportTenantContainerMgt(clustersOf(exported), { secrets: 'include' })).toBe(exported);
  });
});

describe('parseTenantContainerMgt: accepted shapes', () => {
  const seed = fixture('seed-tenant-example.json');
  const expected = clustersOf(seed);

  it('accepts the fragment, a whole object and a bare array alike', () => {
    expect(clustersOf(`{${seed}}`)).toEqual(expected);
    expect(clustersOf(seed.slice(seed.indexOf('[')))).toEqual(expected);
    expect(clustersOf(`${seed.trimEnd()},\n`)).toEqual(expected);
  });

  it('reads a whole tenant-conf.json and says the other keys are ignored', () => {
    const result = parseTenantContainerMgt(`{"NotificationsEnabled": "false", ${seed}}`);
    expect(result).toMatchObject({ ok: true, warnings: [{ path: '"NotificationsEnabled"', message: 'only "ContainerMgt" is read here; the other keys are ignored' }] });
  });
});

describe('parseTenantContainerMgt: problems', () => {
  it('reports JSON syntax errors at the line and column of the pasted text', () => {
    const text = '"ContainerMgt": [\n  {\n    "Type": "Kubernetes",\n    "ContainerMgtInfo": [,]\n  }\n]';
    expect(parseTenantContainerMgt(text)).toEqual({
      ok: false,
      warnings: [],
      errors: [
        {
          path: 'line 4, column 26',
          line: 4,
          column: 26,
          message: 'JSON syntax error: expected a value (text in "double quotes", a number, true, false, null, {…} or […]) but found ","',
        },
      ],
    });
    expect(parseTenantContainerMgt('{"ContainerMgt": [\n  {"Type": "Kubernetes",}\n]}')).toMatchObject({
      ok: false,
      errors: [{ line: 2, column: 25, message: 'JSON syntax error: a trailing comma before "}" is not allowed in JSON' }],
    });
  });

  it('says which key is misspelled', () => {
    expect(parseTenantContainerMgt('{"containerMgt": []}')).toMatchObject({ ok: false, errors: [{ path: 'ContainerMgt', message: expect.stringContaining('found "containerMgt"') }] });
    expect(parseTenantContainerMgt('"ContainerMgmt": []')).toMatchObject({ ok: false, errors: [{ path: '"ContainerMgmt"' }] });
    const result = parseTenantContainerMgt('[{"Type": "Local", "ContainerMgtInfo": [{"ClusterName": "local", "DisplayName": "Local", "properties": {}}]}]');
    expect(result).toMatchObject({
      ok: false,
      warnings: [{ path: 'ContainerMgt[0].ContainerMgtInfo[0].properties', message: 'is not a known key (did you mean "Properties"?): it is ignored' }],
      errors: [{ path: 'ContainerMgt[0].ContainerMgtInfo[0].Properties.AccessURL' }],
    });
  });

  it('reports a bad Type once for its whole group', () => {
    const info = (name: string) => ({ ClusterName: name, DisplayName: name, Properties: { AccessURL: 'https://a.example.com' } });
    const result = parseTenantContainerMgt(JSON.stringify([{ Type: 'Kubernets', ContainerMgtInfo: [info('a'), info('b')] }]));
    expect(result).toMatchObject({ ok: false, errors: [{ path: 'ContainerMgt[0].Type', message: expect.stringContaining('did you mean "Kubernetes"?') }] });
    expect(!result.ok && result.errors).toHaveLength(1);
  });

  it('refuses duplicate cluster names across groups', () => {
    const info = { ClusterName: 'edge', DisplayName: 'Edge', Properties: { AccessURL: 'https://a.example.com' } };
    const result = parseTenantContainerMgt(JSON.stringify([{ Type: 'Kubernetes', ContainerMgtInfo: [info] }, { Type: 'Local', ContainerMgtInfo: [info] }]));
    expect(result).toMatchObject({
      ok: false,
      errors: [{ path: 'ContainerMgt[1].ContainerMgtInfo[0].ClusterName', message: '"edge" is already used by ContainerMgt[0].ContainerMgtInfo[0]: cluster names must be unique' }],
    });
  });
});

describe('exportTenantContainerMgt', () => {
  const cluster = (name: string, type: string, properties: Partial<ClusterDefinition['properties']> = {}): ClusterDefinition => ({
    type,
    clusterName: name,
    displayName: name.toUpperCase(),
    properties: { MasterURL: 'https://k.example.com:6443', AccessURL: 'https://a.example.com', SAToken: 'secret-token', Namespace: 'default', Replicas: 1, extra: {}, ...properties },
  });

  it("writes the seed's fragment with the seed's key order, optional properties, then unknown ones", () => {
    const text = exportTenantContainerMgt(
      [cluster('one', 'Kubernetes', { extra: { Zone: 'eu' }, MaxReplicas: 3, JWTSecurityCustomResourceName: 'securityjwt', IngressClass: 'nginx' })],
      { secrets: 'include' },
    );
    expect(text.startsWith('"ContainerMgt": [\n  {\n    "Type": "Kubernetes",')).toBe(true);
    const properties = (JSON.parse(`{${text}}`) as { ContainerMgt: [{ ContainerMgtInfo: [{ Properties: object }] }] }).ContainerMgt[0].ContainerMgtInfo[0].Properties;
    expect(Object.keys(properties)).toEqual(['MasterURL', 'AccessURL', 'SAToken', 'Namespace', 'Replicas', 'JWTSecurityCustomResourceName', 'IngressClass', 'MaxReplicas', 'Zone']);
  });

  it('groups clusters by type', () => {
    const text = exportTenantContainerMgt([cluster('a', 'Kubernetes'), cluster('b', 'Local', { MasterURL: '', SAToken: '' }), cluster('c', 'Kubernetes')], { secrets: 'include' });
    const document = JSON.parse(`{${text}}`) as { ContainerMgt: { Type: string; ContainerMgtInfo: { ClusterName: string }[] }[] };
    expect(document.ContainerMgt.map((group) => [group.Type, group.ContainerMgtInfo.map((info) => info.ClusterName)])).toEqual([
      ['Kubernetes', ['a', 'c']],
      ['Local', ['b']],
    ]);
  });

  it('redacts tokens, and importing the redacted text keeps the stored ones', () => {
    const stored = [cluster('one', 'Kubernetes'), cluster('two', 'Kubernetes', { SAToken: 'other-token' })];
    const redacted = exportTenantContainerMgt(stored, { secrets: 'redact' });
    expect(redacted).not.toContain('secret-token');
    expect(redacted).toContain('"SAToken": ""');
    expect(parseTenantContainerMgt(redacted).ok).toBe(false);
    expect(clustersOf(redacted, { storedClusters: stored })).toEqual(stored);
    // The admin changes the replicas without retyping any token.
    expect(clustersOf(redacted.replace('"Replicas": 1', '"Replicas": 4'), { storedClusters: stored })[0]!.properties).toMatchObject({ Replicas: 4, SAToken: 'secret-token' });
  });

  it('does not send a stored token to a changed MasterURL', () => {
    const stored = [cluster('one', 'Kubernetes')];
    const moved = exportTenantContainerMgt(stored, { secrets: 'redact' }).replace('https://k.example.com:6443', 'https://elsewhere.example.com');
    expect(parseTenantContainerMgt(moved, { storedClusters: stored })).toMatchObject({
      ok: false,
      errors: [
        {
          path: 'ContainerMgt[0].ContainerMgtInfo[0].Properties.SAToken',
          message:
            'is empty while MasterURL is set: paste the service account token, or leave both empty to use in-cluster credentials (the stored token is kept only while MasterURL stays "https://k.example.com:6443")',
        },
      ],
    });
  });
});

describe('mergeWithStoredSecrets', () => {
  const stored: ClusterDefinition[] = [
    { type: 'Kubernetes', clusterName: 'one', displayName: 'One', properties: { MasterURL: 'https://k:6443', AccessURL: 'https://a', SAToken: 'kept', Namespace: 'default', Replicas: 1, extra: {} } },
  ];

  it('fills only an empty token of a known cluster with an unchanged MasterURL', () => {
    const drafts = [
      { type: 'Kubernetes', clusterName: 'one', properties: { MasterURL: 'https://k:6443', SAToken: '' } },
      { type: 'Kubernetes', clusterName: 'one', properties: { MasterURL: 'https://k:6443', SAToken: 'new' } },
      { type: 'Kubernetes', clusterName: 'one', properties: { MasterURL: '', SAToken: '' } },
      { type: 'Kubernetes', clusterName: 'two', properties: { MasterURL: 'https://k:6443' } },
      { type: 'Kubernetes', clusterName: 'one', properties: 'nonsense' },
    ];
    expect(mergeWithStoredSecrets(drafts, stored).map((draft) => (draft.properties as { SAToken?: string }).SAToken)).toEqual(['kept', 'new', '', undefined, undefined]);
  });
});

describe('parseTenantContainerMgt never crashes', () => {
  const expectLocatedOrValid = (text: string) => {
    const result = parseTenantContainerMgt(text);
    if (result.ok) return;
    expect(result.errors.length).toBeGreaterThan(0);
    for (const error of result.errors) {
      expect(error.path).toMatch(/^(line \d+, column \d+|ContainerMgt|")/);
      expect(error.message.length).toBeGreaterThan(0);
      if (error.line !== undefined) {
        expect(error.line).toBeGreaterThanOrEqual(1);
        expect(error.line).toBeLessThanOrEqual(text.split('\n').length);
      }
    }
  };

  it('on random text and random edits of the seed example', () => {
    const seed = fixture('seed-security-tenant-example.json');
    fc.assert(fc.property(fc.string({ maxLength: 200 }), expectLocatedOrValid), { numRuns: 300 });
    fc.assert(
      fc.property(fc.nat({ max: seed.length }), fc.nat({ max: 40 }), fc.string({ maxLength: 20 }), (at, cut, insert) =>
        expectLocatedOrValid(seed.slice(0, at) + insert + seed.slice(at + cut)),
      ),
      { numRuns: 300 },
    );
  });

  it('on random JSON values in every accepted shape', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const json = JSON.stringify(value);
        expectLocatedOrValid(json);
        expectLocatedOrValid(`{"ContainerMgt": ${json}}`);
        expectLocatedOrValid(`"ContainerMgt": ${json}`);
      }),
      { numRuns: 300 },
    );
  });

  it('on structurally wrong cluster entries', () => {
    const anyValue = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }));
    const info = fc.record(
      {
        ClusterName: fc.oneof(fc.constantFrom('a', 'a', 'B'), anyValue),
        DisplayName: anyValue,
        Properties: fc.oneof(
          fc.record({ AccessURL: fc.oneof(fc.constant('https://a.example.com'), anyValue), MasterURL: anyValue, SAToken: anyValue, Replicas: anyValue, InsecureSkipTLSVerify: anyValue }, { requiredKeys: [] }),
          anyValue,
        ),
      },
      { requiredKeys: [] },
    );
    const group = fc.oneof(fc.record({ Type: fc.oneof(fc.constantFrom('Kubernetes', 'Local'), anyValue), ContainerMgtInfo: fc.oneof(fc.array(fc.oneof(info, anyValue), { maxLength: 3 }), anyValue) }, { requiredKeys: [] }), anyValue);
    fc.assert(fc.property(fc.array(group, { maxLength: 3 }), (groups) => expectLocatedOrValid(JSON.stringify(groups))), { numRuns: 400 });
  });
});

describe('generated clusters round-trip through export and import', () => {
  const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
  const cluster = fc.record({
    type: fc.constantFrom('Kubernetes', 'Local'),
    displayName: fc.string({ minLength: 1, maxLength: 30 }).filter((name) => name.trim() === name && name.trim() !== '' && !/^<.*>$/.test(name)),
    // Only scheme, host and port: gateways serve /<context>/<version> at the root of AccessURL.
    AccessURL: fc.tuple(fc.constantFrom('http', 'https'), fc.webAuthority({ withPort: true })).map(([scheme, authority]) => `${scheme}://${authority}`),
    Namespace: label,
    Replicas: fc.integer({ min: 1, max: 100 }),
    token: fc.stringMatching(/^[A-Za-z0-9._-]{1,40}$/),
    JWT: fc.option(label, { nil: undefined }),
    extra: fc.dictionary(fc.stringMatching(/^x[A-Za-z]{0,8}$/), fc.jsonValue(), { maxKeys: 2 }),
  });

  it('gives the same definitions back', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(label, cluster), { selector: ([name]) => name, maxLength: 4 }), (entries) => {
        const text = JSON.stringify(
          entries.map(([name, c]) => ({
            Type: c.type,
            ContainerMgtInfo: [
              {
                ClusterName: name,
                DisplayName: c.displayName,
                Properties: {
                  AccessURL: c.AccessURL,
                  Namespace: c.Namespace,
                  Replicas: c.Replicas,
                  ...(c.type === 'Kubernetes' ? { MasterURL: 'https://k.example.com:6443', SAToken: c.token } : {}),
                  ...(c.JWT ? { JWTSecurityCustomResourceName: c.JWT } : {}),
                  ...c.extra,
                },
              },
            ],
          })),
        );
        const imported = clustersOf(text);
        const exported = exportTenantContainerMgt(imported, { secrets: 'include' });
        const reimported = clustersOf(exported);
        const byName = (list: ClusterDefinition[]) => Object.fromEntries(list.map((c) => [c.clusterName, c]));
        expect(byName(reimported)).toEqual(byName(imported));
        expect(exportTenantContainerMgt(reimported, { secrets: 'include' })).toBe(exported);
      }),
      { numRuns: 200 },
    );
  });
});
