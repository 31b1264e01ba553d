import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  apiserverArgs,
  cniConflist,
  containerdConfigToml,
  ingressControllerArgs,
  kubeletConfigYaml,
  kubeProxyConfigYaml,
  pkiArgs,
  type ClusterLayout,
} from './cluster-config';
import { cidrsOverlap } from './cluster-host';

const layout: ClusterLayout = {
  id: 'a1b2c3',
  name: 'unit',
  nodeName: 'privatejet-node',
  nodeIp: '10.213.7.1',
  podCidr: '10.213.7.0/24',
  serviceCidr: '10.214.7.0/24',
  kubernetesServiceIp: '10.214.7.1',
  bridge: 'pjk-a1b2c3',
  cgroupName: 'privatejet-a1b2c3',
  nftTable: 'privatejet_a1b2c3',
  dataDir: '/tmp/privatejet-cluster-x',
  runDir: '/run/privatejet-a1b2c3',
  ports: {
    etcdClient: 1001,
    etcdPeer: 1002,
    apiserver: 1003,
    kubelet: 1004,
    kubeletHealthz: 1005,
    controllerManager: 1006,
    scheduler: 1007,
    kubeProxyHealthz: 1008,
    kubeProxyMetrics: 1009,
    ingress: 1010,
    ingressSupport: 1011,
    dnsReady: 1012,
  },
  ingressClassName: 'nginx',
  sandboxImage: 'privatejet.test/pause:local',
};

describe('the test cluster configuration', () => {
  it('keeps containerd off the machine-wide paths and sets what this VM requires', () => {
    const toml = containerdConfigToml(layout);
    expect(toml).toContain('restrict_oom_score_adj = true');
    expect(toml).toContain('SystemdCgroup = false');
    expect(toml).toContain('sandbox_image = "privatejet.test/pause:local"');
    expect(toml).toContain('netns_mounts_under_state_dir = true');
    expect(toml).not.toMatch(/"\/var\/lib\/containerd|"\/run\/containerd|"\/etc\/cni/);
  });

  it('gives pods a bridge of their own with no NAT to the outside', () => {
    const bridge = (cniConflist(layout) as { plugins: Record<string, unknown>[] }).plugins[0]!;
    expect(bridge).toMatchObject({ type: 'bridge', bridge: 'pjk-a1b2c3', isGateway: true, ipMasq: false, hairpinMode: true });
    expect(bridge.ipam).toMatchObject({ ranges: [[{ subnet: '10.213.7.0/24', gateway: '10.213.7.1' }]] });
  });

  it('runs the kubelet on cgroup v1 with cgroupfs, no read-only port, health on loopback', () => {
    const config = parseYaml(kubeletConfigYaml(layout));
    expect(config).toMatchObject({
      failCgroupV1: false,
      cgroupDriver: 'cgroupfs',
      cgroupRoot: '/privatejet-a1b2c3',
      failSwapOn: false,
      readOnlyPort: 0,
      healthzBindAddress: '127.0.0.1',
      address: '10.213.7.1',
      authentication: { anonymous: { enabled: false } },
    });
  });

  it('runs kube-proxy in nftables mode without touching conntrack settings', () => {
    const config = parseYaml(kubeProxyConfigYaml(layout));
    expect(config).toMatchObject({
      mode: 'nftables',
      clusterCIDR: '10.213.7.0/24',
      nodePortAddresses: ['10.213.7.1/32'],
      conntrack: { maxPerCore: 0, min: 0 },
    });
  });

  it('serves the API on the bridge address, with ServiceAccount admission left on', () => {
    const args = apiserverArgs(layout);
    expect(args).toEqual(expect.arrayContaining(['--bind-address=10.213.7.1', '--advertise-address=10.213.7.1']));
    expect(args.join(' ')).not.toMatch(/disable-admission-plugins|endpoint-reconciler-type=none|0\.0\.0\.0/);
    expect(pkiArgs(layout)).toEqual(
      expect.arrayContaining(['10.213.7.1', '10.214.7.1', 'kubelet=system:node:privatejet-node/system:nodes']),
    );
  });

  it('matches exactly the cluster ingress class, as a regular expression', () => {
    const args = ingressControllerArgs({ ...layout, ingressClassName: 'team.a' });
    expect(args).toContain('-kubernetes-ingress-class=^team\\.a$');
    expect(args).toContain('-address=127.0.0.1:1010');
  });

  it('tells overlapping networks apart', () => {
    expect(cidrsOverlap('10.213.7.0/24', '10.213.7.128/25')).toBe(true);
    expect(cidrsOverlap('10.213.7.0/24', '10.0.0.0/8')).toBe(true);
    expect(cidrsOverlap('10.213.7.0/24', '10.213.8.0/24')).toBe(false);
    expect(cidrsOverlap('192.0.2.2/24', '10.213.7.0/24')).toBe(false);
  });
});
