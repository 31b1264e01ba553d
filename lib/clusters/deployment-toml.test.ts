import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config-issues';
import { loadDeploymentToml, parseDeploymentToml } from './deployment-toml';

const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
const SEED_TOKEN_START = 'eyJhbGciOiJSUzI1NiIsImtpZCI6Ijg2UlYySEFkaVBOVG4zZ3FhWERXQUxQVUQ0bjlzOXE3dFhpbUZNZlFiRjQifQ.';

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseDeploymentToml: the seed blocks, verbatim', () => {
  it('accepts the step 3 Example', () => {
    const result = parseDeploymentToml(fixture('seed-deployment-example.toml'), 'deployment.toml');
    expect(result.warnings).toEqual([]);
    expect(result.managers).toEqual({ Kubernetes: 'kubernetes', Local: 'local' });
    expect(result.clusters).toHaveLength(1);
    const [cluster] = result.clusters;
    expect(cluster).toMatchObject({
      type: 'Kubernetes',
      clusterName: 'docker-desktop',
      displayName: 'cluster-1',
      properties: { Replicas: 1, AccessURL: 'https://internal.wso2.com', MasterURL: 'https://kubernetes.docker.internal:6443', Namespace: 'default', extra: {} },
    });
    expect(cluster!.properties.SAToken.startsWith(SEED_TOKEN_START)).toBe(true);
  });

  it('accepts the "Securing APIs" Example with its security resource names', () => {
    const result = parseDeploymentToml(fixture('seed-security-deployment-example.toml'), 'deployment.toml');
    expect(result.warnings).toEqual([]);
    expect(result.clusters[0]!.properties).toMatchObject({
      BasicSecurityCustomResourceName: 'securitybasic',
      OauthSecurityCustomResourceName: 'securityoauth',
      JWTSecurityCustomResourceName: 'securityjwt',
    });
  });

  it('accepts the [ContainerMgtConfig] Example with a warning: a Java class cannot be loaded', () => {
    const result = parseDeploymentToml(fixture('seed-container-mgt-config-example.toml'), 'deployment.toml');
    expect(result.managers.Kubernetes).toBe('kubernetes');
    expect(result.warnings).toEqual([
      {
        path: 'deployment.toml: ContainerMgtConfig.Kubernetes',
        message: expect.stringMatching(/^"org\.wso2\.carbon\.apimgt\.impl\.containermgt\.K8sManager_CustomClass" is a Java class name/),
      },
    ]);
  });

  it('answers the Format template with one located error per placeholder, not a crash', () => {
    const error = configErrorOf(() => parseDeploymentToml(fixture('seed-deployment-format.toml'), 'deployment.toml'));
    expect(error.message).toBe(
      'deployment.toml: ContainerMgtClusterConfig[0].type: still holds the template placeholder "<cloud-environment-type>": replace it with "Kubernetes" (and 7 more problems)',
    );
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'deployment.toml: ContainerMgtClusterConfig[0].type',
      'deployment.toml: ContainerMgtClusterConfig[0].clusterName',
      'deployment.toml: ContainerMgtClusterConfig[0].displayName',
      'deployment.toml: ContainerMgtClusterConfig[0].properties.MasterURL',
      'deployment.toml: ContainerMgtClusterConfig[0].properties.AccessURL',
      'deployment.toml: ContainerMgtClusterConfig[0].properties.SAToken',
      'deployment.toml: ContainerMgtClusterConfig[0].properties.Namespace',
      'deployment.toml: ContainerMgtClusterConfig[0].properties.Replicas',
    ]);
    expect(error.issues.find((issue) => issue.path.endsWith('Replicas'))?.message).toBe(
      'still holds the template placeholder "<number-of-replicas>": replace it with 1',
    );
  });

  it('answers the "Securing APIs" Format template with located errors too', () => {
    const error = configErrorOf(() => parseDeploymentToml(fixture('seed-security-deployment-format.toml'), 'deployment.toml'));
    expect(error.issues).toHaveLength(11);
    expect(error.issues.at(-1)?.path).toBe('deployment.toml: ContainerMgtClusterConfig[0].properties.JWTSecurityCustomResourceName');
  });

  it('answers the [ContainerMgtConfig] Format template (not valid TOML) with a syntax error at its line', () => {
    const error = configErrorOf(() => parseDeploymentToml(fixture('seed-container-mgt-config-format.toml'), 'deployment.toml'));
    expect(error.issues).toEqual([
      { path: 'deployment.toml:2:1', message: 'TOML syntax error: illegal character in key; line 2 reads: <Environment-type> = "<class-name>"', line: 2, column: 1 },
    ]);
  });
});

describe('parseDeploymentToml: problems', () => {
  const kubernetesEntry = (extraLines: string) =>
    `[[ContainerMgtClusterConfig]]\ntype = "Kubernetes"\nclusterName = "c1"\ndisplayName = "Cluster 1"\nproperties.AccessURL = "https://apis.example.com"\n${extraLines}\n`;

  it('names the file, the key and the problem in one line', () => {
    const error = configErrorOf(() => parseDeploymentToml(kubernetesEntry('properties.Namespace = "Prod"'), 'deployment.toml'));
    expect(error.message).toBe(
      'deployment.toml: ContainerMgtClusterConfig[0].properties.Namespace: "Prod" is not a valid namespace name: use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit, e.g. "default"',
    );
    expect(error.message).not.toContain('\n');
  });

  it('reports TOML syntax errors with line and column', () => {
    const error = configErrorOf(() => parseDeploymentToml('[[ContainerMgtClusterConfig]]\ntype = "Kubernetes\n', '/etc/privatejet/deployment.toml'));
    // smol-toml points at the end of the line where the string should have closed.
    expect(error.issues[0]).toMatchObject({ path: '/etc/privatejet/deployment.toml:2:19', line: 2, column: 19 });
    expect(error.message).toMatch(/^\/etc\/privatejet\/deployment\.toml:2:19: TOML syntax error: .*; line 2 reads: type = "Kubernetes$/);
    expect(error.message).not.toContain('\n');
  });

  it('wants double brackets for the cluster list', () => {
    const error = configErrorOf(() => parseDeploymentToml('[ContainerMgtClusterConfig]\ntype = "Local"\n', 'deployment.toml'));
    expect(error.message).toContain('deployment.toml: ContainerMgtClusterConfig: must be written as [[ContainerMgtClusterConfig]] blocks (double brackets)');
  });

  it('refuses duplicate cluster names across blocks', () => {
    const error = configErrorOf(() => parseDeploymentToml(kubernetesEntry('properties.MasterURL = ""') + kubernetesEntry(''), 'deployment.toml'));
    expect(error.message).toBe(
      'deployment.toml: ContainerMgtClusterConfig[1].clusterName: "c1" is already used by deployment.toml: ContainerMgtClusterConfig[0]: cluster names must be unique',
    );
  });

  it('warns about unknown entry keys and keeps unknown properties', () => {
    const result = parseDeploymentToml(kubernetesEntry('ClusterRegion = "eu"\nproperties.Zone = "a"'), 'deployment.toml');
    expect(result.warnings).toEqual([
      { path: 'deployment.toml: ContainerMgtClusterConfig[0].ClusterRegion', message: 'is not a known key: it is ignored; cluster settings go under properties.*' },
      { path: 'deployment.toml: ContainerMgtClusterConfig[0].properties.Zone', message: 'is not a known property: it is kept but not used' },
    ]);
    expect(result.clusters[0]!.properties.extra).toEqual({ Zone: 'a' });
  });

  it('knows types mapped in [ContainerMgtConfig]', () => {
    const text = kubernetesEntry('').replace('type = "Kubernetes"', 'type = "OpenShift"') + '[ContainerMgtConfig]\nOpenShift = "wso2-api-operator"\n';
    const result = parseDeploymentToml(text, 'deployment.toml');
    expect(result.clusters[0]!.type).toBe('OpenShift');
    expect(result.managers.OpenShift).toBe('wso2-api-operator');
  });

  it('leaves other top-level tables to the rest of the app', () => {
    expect(parseDeploymentToml('[server]\nport = 3000\n', 'deployment.toml')).toEqual({ clusters: [], managers: { Kubernetes: 'kubernetes', Local: 'local' }, warnings: [] });
  });
});

describe('the shipped deploy/deployment.toml', () => {
  it('defines the embedded Local cluster and the default managers', async () => {
    const result = await loadDeploymentToml(path.join(__dirname, '../../deploy/deployment.toml'));
    expect(result.warnings).toEqual([]);
    expect(result.managers).toEqual({ Local: 'local', Kubernetes: 'kubernetes' });
    expect(result.clusters).toEqual([
      {
        type: 'Local',
        clusterName: 'local',
        displayName: 'Local',
        properties: { MasterURL: '', AccessURL: 'http://localhost:8243', SAToken: '', Namespace: 'default', Replicas: 1, extra: {} },
      },
    ]);
  });

  it('turns a missing file into a ConfigError naming it', async () => {
    await expect(loadDeploymentToml('/nonexistent/deployment.toml')).rejects.toThrow('/nonexistent/deployment.toml: cannot be read: the file does not exist');
  });
});

describe('parseDeploymentToml never crashes', () => {
  const expectLocatedOrValid = (text: string) => {
    try {
      const result = parseDeploymentToml(text, 'deployment.toml');
      expect(Array.isArray(result.clusters)).toBe(true);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const configError = error as ConfigError;
      expect(configError.issues.length).toBeGreaterThan(0);
      expect(configError.message).not.toContain('\n');
      expect(configError.message.startsWith('deployment.toml')).toBe(true);
      for (const issue of configError.issues) expect(issue.path.startsWith('deployment.toml')).toBe(true);
    }
  };

  it('on random text and random edits of the seed example', () => {
    const seed = fixture('seed-security-deployment-example.toml');
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => expectLocatedOrValid(text)),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.nat({ max: seed.length }), fc.nat({ max: 40 }), fc.string({ maxLength: 20 }), (at, cut, insert) =>
        expectLocatedOrValid(seed.slice(0, at) + insert + seed.slice(at + cut)),
      ),
      { numRuns: 300 },
    );
  });

  it('on well-formed TOML with structurally wrong values', () => {
    const anyValue = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }));
    const entry = fc.record(
      {
        type: fc.oneof(fc.constantFrom('Kubernetes', 'Local', 'kubernetes'), anyValue),
        clusterName: fc.oneof(fc.constantFrom('c1', 'c1', 'Bad Name'), anyValue),
        displayName: anyValue,
        properties: fc.oneof(
          fc.record(
            { AccessURL: fc.oneof(fc.constant('https://a.example.com'), anyValue), Replicas: anyValue, Namespace: anyValue, MasterURL: anyValue, SAToken: anyValue, CACert: anyValue, MaxReplicas: anyValue },
            { requiredKeys: [] },
          ),
          anyValue,
        ),
      },
      { requiredKeys: [] },
    );
    const document = fc.record(
      {
        ContainerMgtClusterConfig: fc.oneof(fc.array(entry, { maxLength: 3 }), anyValue),
        ContainerMgtConfig: fc.oneof(fc.dictionary(fc.constantFrom('Kubernetes', 'Local', 'X'), anyValue, { maxKeys: 3 }), anyValue),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(document, (value) => {
        let text: string;
        try {
          text = stringify(value);
        } catch {
          return; // not representable in TOML (e.g. a list of tables mixed with values)
        }
        expectLocatedOrValid(text);
      }),
      { numRuns: 400 },
    );
  });
});
