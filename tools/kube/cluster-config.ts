/**
 * Pure builders of every file and command line of the single-node test cluster: the same
 * layout in, the same text out. Nothing here touches the machine (see cluster.ts, cluster-host.ts).
 */
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { serviceAccountIssuer } from './control-plane';

export interface ClusterPorts {
  etcdClient: number;
  etcdPeer: number;
  /** On nodeIp: pods reach the API server through the `kubernetes` Service's endpoint. */
  apiserver: number;
  /** On nodeIp: the API server calls the kubelet there (logs, exec). */
  kubelet: number;
  kubeletHealthz: number;
  controllerManager: number;
  scheduler: number;
  kubeProxyHealthz: number;
  kubeProxyMetrics: number;
  ingress: number;
  ingressSupport: number;
  /** CoreDNS's readiness endpoint; DNS itself is port 53 on nodeIp. */
  dnsReady: number;
}

/** Everything that names or places one cluster on this machine. */
export interface ClusterLayout {
  /** Short random id in every host-wide name (bridge, cgroup, nft table, run dir). */
  id: string;
  /** Cluster and context name in the kubeconfig. */
  name: string;
  nodeName: string;
  /** The bridge's own address: the node's InternalIP, where the API server and kubelet listen. */
  nodeIp: string;
  /** Pod addresses, one /24 on the bridge. */
  podCidr: string;
  serviceCidr: string;
  /** First address of serviceCidr: the `kubernetes` Service. */
  kubernetesServiceIp: string;
  bridge: string;
  /** Parent cgroup (in every hierarchy) of the pods and of containerd with its shims. */
  cgroupName: string;
  /** Our own nftables table (family inet): keeps pod traffic on the bridge. */
  nftTable: string;
  /** Etcd data, certificates, configs, logs, kubelet and containerd roots. */
  dataDir: string;
  /** Sockets and containerd's state: on /run, so socket paths stay short. */
  runDir: string;
  ports: ClusterPorts;
  /** Ingresses with this spec.ingressClassName are served. */
  ingressClassName: string;
  sandboxImage: string;
}

export function clusterPaths(layout: ClusterLayout) {
  const { dataDir, runDir } = layout;
  const pki = path.join(dataDir, 'pki');
  return {
    pki,
    pkiFile: (name: string) => path.join(pki, name),
    etcdData: path.join(dataDir, 'etcd'),
    adminKubeconfig: path.join(dataDir, 'kubeconfig'),
    componentKubeconfig: (component: ClusterComponent) => path.join(dataDir, `${component}.kubeconfig`),
    log: (process: string) => path.join(dataDir, 'logs', `${process}.log`),
    apiserverCertDir: path.join(dataDir, 'apiserver-certs'),
    containerdConfig: path.join(dataDir, 'containerd.toml'),
    containerdRoot: path.join(dataDir, 'containerd'),
    containerdState: path.join(runDir, 'containerd'),
    containerdSocket: path.join(runDir, 'containerd.sock'),
    runcRoot: path.join(runDir, 'runc'),
    cniConfDir: path.join(dataDir, 'cni', 'net.d'),
    cniIpamDir: path.join(dataDir, 'cni', 'ipam'),
    kubeletRoot: path.join(dataDir, 'kubelet'),
    kubeletConfig: path.join(dataDir, 'kubelet.yaml'),
    podLogs: path.join(dataDir, 'pod-logs'),
    resolvConf: path.join(dataDir, 'resolv.conf'),
    kubeProxyConfig: path.join(dataDir, 'kube-proxy.yaml'),
    ingressToken: path.join(dataDir, 'ingress.token'),
    corefile: path.join(dataDir, 'Corefile'),
  };
}

/** Components that log in with a client certificate of their own (file name = component). */
export type ClusterComponent =
  | 'kubelet'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kube-proxy'
  | 'coredns'
  | 'apiserver-kubelet-client';

/** The Kubernetes user and groups of each component, as a kubeadm cluster names them. */
export function componentIdentities(layout: ClusterLayout): Record<ClusterComponent, { user: string; groups: string[] }> {
  return {
    // The Node authorizer and NodeRestriction admit a kubelet by exactly this name and group.
    kubelet: { user: `system:node:${layout.nodeName}`, groups: ['system:nodes'] },
    'kube-controller-manager': { user: 'system:kube-controller-manager', groups: [] },
    'kube-scheduler': { user: 'system:kube-scheduler', groups: [] },
    // Bound to the system:node-proxier ClusterRole by the API server's bootstrap policy.
    'kube-proxy': { user: 'system:kube-proxy', groups: [] },
    // Bound to the system:coredns ClusterRole below (kubeadm binds it to a ServiceAccount).
    coredns: { user: 'system:coredns', groups: [] },
    // The API server's identity towards the kubelet (logs, exec, port-forward).
    'apiserver-kubelet-client': { user: 'kube-apiserver-kubelet-client', groups: ['system:masters'] },
  };
}

/** kube-pki flags: the node address and Service address in the serving certificate, one client certificate per component. */
export function pkiArgs(layout: ClusterLayout): string[] {
  const clients = Object.entries(componentIdentities(layout)).flatMap(([file, { user, groups }]) => [
    '-client',
    `${file}=${user}${groups.length ? `/${groups.join(',')}` : ''}`,
  ]);
  return ['-ip', layout.nodeIp, '-ip', layout.kubernetesServiceIp, ...clients];
}

export function apiserverUrl(layout: ClusterLayout): string {
  return `https://${layout.nodeIp}:${layout.ports.apiserver}`;
}

export function ingressUrl(layout: ClusterLayout): string {
  return `http://127.0.0.1:${layout.ports.ingress}`;
}

/** A kubeconfig that logs in with certificate files (components read them from disk). */
export function componentKubeconfigYaml(layout: ClusterLayout, component: ClusterComponent): string {
  const paths = clusterPaths(layout);
  const user = componentIdentities(layout)[component].user;
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: layout.name, cluster: { server: apiserverUrl(layout), 'certificate-authority': paths.pkiFile('ca.crt') } }],
    users: [
      {
        name: user,
        user: {
          'client-certificate': paths.pkiFile(`${component}.crt`),
          'client-key': paths.pkiFile(`${component}.key`),
        },
      },
    ],
    contexts: [{ name: layout.name, context: { cluster: layout.name, user } }],
    'current-context': layout.name,
  });
}

export function containerdConfigToml(layout: ClusterLayout): string {
  const paths = clusterPaths(layout);
  const quote = (value: string) => JSON.stringify(value);
  return `# containerd for the PrivateJet test cluster ${layout.id}: every path is its own, none is the machine's.
version = 2
root = ${quote(paths.containerdRoot)}
state = ${quote(paths.containerdState)}
# Snapshotters that are never used here, and "opt", which would create /opt/containerd.
disabled_plugins = [
  "io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
]

[grpc]
  address = ${quote(paths.containerdSocket)}

[ttrpc]
  address = ${quote(`${paths.containerdSocket}.ttrpc`)}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${quote(layout.sandboxImage)}
  # The machine lacks CAP_SYS_RESOURCE: runc may not lower a container's oom_score_adj below its own.
  restrict_oom_score_adj = true
  # Pod network namespaces under the state folder, not the machine's /var/run/netns.
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        # The kubelet runs with cgroupDriver: cgroupfs; both must agree.
        SystemdCgroup = false
        Root = ${quote(paths.runcRoot)}

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = ${quote(paths.cniConfDir)}
    max_conf_num = 1
`;
}

/** CNI: one bridge of our own, addresses from our own host-local store. */
export function cniConflist(layout: ClusterLayout): object {
  return {
    cniVersion: '1.0.0',
    name: `privatejet-${layout.id}`,
    plugins: [
      {
        type: 'bridge',
        bridge: layout.bridge,
        isGateway: true,
        // No NAT to the outside world: pods talk to each other, to Services and to this machine only.
        ipMasq: false,
        // A pod reaching itself through its own Service comes back over the same bridge port.
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: layout.podCidr, gateway: layout.nodeIp }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: clusterPaths(layout).cniIpamDir,
        },
      },
    ],
  };
}

export function kubeletConfigYaml(layout: ClusterLayout): string {
  const paths = clusterPaths(layout);
  return toYaml({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: layout.nodeIp,
    port: layout.ports.kubelet,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: layout.ports.kubeletHealthz,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: paths.pkiFile('ca.crt') },
    },
    authorization: { mode: 'Webhook' },
    containerRuntimeEndpoint: `unix://${paths.containerdSocket}`,
    // This machine mounts cgroup v1 controllers; kubelet 1.35+ refuses v1 unless told.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    // Pods live under our own parent cgroup, never the machine's /kubepods.
    cgroupRoot: `/${layout.cgroupName}`,
    failSwapOn: false,
    podLogsDir: paths.podLogs,
    clusterDomain: 'cluster.local',
    // CoreDNS on the node address answers for cluster.local and refuses everything else.
    clusterDNS: [layout.nodeIp],
    // Pods with dnsPolicy Default get a resolver file with no name server rather than this
    // machine's, so no lookup of theirs ever leaves the machine.
    resolvConf: paths.resolvConf,
    // A host disk filling up must never evict test pods or delete their images.
    evictionHard: {
      'memory.available': '100Mi',
      'nodefs.available': '1%',
      'nodefs.inodesFree': '1%',
      'imagefs.available': '1%',
      'imagefs.inodesFree': '1%',
    },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    // ConfigMap edits reach mounted volumes within seconds rather than a minute.
    syncFrequency: '10s',
    // Kernel settings the kubelet would change are put back by stop() (cluster-host.ts).
    protectKernelDefaults: false,
    rotateCertificates: false,
    serverTLSBootstrap: false,
    shutdownGracePeriod: '0s',
  });
}

export function kubeProxyConfigYaml(layout: ClusterLayout): string {
  return toYaml({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig: clusterPaths(layout).componentKubeconfig('kube-proxy') },
    // This kernel has no IPVS; nftables is the mode upstream recommends from 1.33 on.
    mode: 'nftables',
    hostnameOverride: layout.nodeName,
    bindAddress: layout.nodeIp,
    healthzBindAddress: `127.0.0.1:${layout.ports.kubeProxyHealthz}`,
    metricsBindAddress: `127.0.0.1:${layout.ports.kubeProxyMetrics}`,
    clusterCIDR: layout.podCidr,
    detectLocalMode: 'ClusterCIDR',
    // NodePorts answer on the node's own (bridge) address only, never on the machine's others.
    nodePortAddresses: [`${layout.nodeIp}/32`],
    // Zero leaves the machine's conntrack settings as they are.
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  });
}

export function apiserverArgs(layout: ClusterLayout): string[] {
  const paths = clusterPaths(layout);
  const file = paths.pkiFile;
  return [
    `--etcd-servers=http://127.0.0.1:${layout.ports.etcdClient}`,
    // The bridge address: this machine reaches it like loopback, pods through the `kubernetes`
    // Service, and nothing outside the machine can.
    `--bind-address=${layout.nodeIp}`,
    `--advertise-address=${layout.nodeIp}`,
    `--secure-port=${layout.ports.apiserver}`,
    `--tls-cert-file=${file('apiserver.crt')}`,
    `--tls-private-key-file=${file('apiserver.key')}`,
    `--client-ca-file=${file('ca.crt')}`,
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    `--service-account-issuer=${serviceAccountIssuer}`,
    `--service-account-key-file=${file('sa.pub')}`,
    `--service-account-signing-key-file=${file('sa.key')}`,
    `--service-cluster-ip-range=${layout.serviceCidr}`,
    `--kubelet-client-certificate=${file('apiserver-kubelet-client.crt')}`,
    `--kubelet-client-key=${file('apiserver-kubelet-client.key')}`,
    '--kubelet-preferred-address-types=InternalIP',
    `--cert-dir=${paths.apiserverCertDir}`,
    '--profiling=false',
  ];
}

export function controllerManagerArgs(layout: ClusterLayout): string[] {
  const paths = clusterPaths(layout);
  const kubeconfig = paths.componentKubeconfig('kube-controller-manager');
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${layout.ports.controllerManager}`,
    `--cert-dir=${path.join(layout.dataDir, 'kube-controller-manager-certs')}`,
    // One instance: waiting to acquire a lease would only delay every start.
    '--leader-elect=false',
    // Each controller acts as its own ServiceAccount, as in kubeadm clusters.
    '--use-service-account-credentials=true',
    // Legacy token Secrets (type kubernetes.io/service-account-token) get their token and CA.
    `--service-account-private-key-file=${paths.pkiFile('sa.key')}`,
    `--root-ca-file=${paths.pkiFile('ca.crt')}`,
    `--cluster-name=${layout.name}`,
    '--profiling=false',
  ];
}

export function schedulerArgs(layout: ClusterLayout): string[] {
  const kubeconfig = clusterPaths(layout).componentKubeconfig('kube-scheduler');
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${layout.ports.scheduler}`,
    `--cert-dir=${path.join(layout.dataDir, 'kube-scheduler-certs')}`,
    '--leader-elect=false',
    '--profiling=false',
  ];
}

export function kubeletArgs(layout: ClusterLayout): string[] {
  const paths = clusterPaths(layout);
  return [
    `--config=${paths.kubeletConfig}`,
    `--kubeconfig=${paths.componentKubeconfig('kubelet')}`,
    `--root-dir=${paths.kubeletRoot}`,
    `--cert-dir=${path.join(paths.kubeletRoot, 'pki')}`,
    `--hostname-override=${layout.nodeName}`,
    `--node-ip=${layout.nodeIp}`,
  ];
}

export function kubeProxyArgs(layout: ClusterLayout): string[] {
  return [`--config=${clusterPaths(layout).kubeProxyConfig}`];
}

/** Skipper, out of the cluster: API server URL + bearer token file; the CA comes via SSL_CERT_FILE. */
export function ingressControllerArgs(layout: ClusterLayout): string[] {
  const paths = clusterPaths(layout);
  return [
    '-kubernetes',
    `-kubernetes-url=${apiserverUrl(layout)}`,
    `-kubernetes-token-file=${paths.ingressToken}`,
    // A regular expression in Skipper: match exactly the class this cluster serves.
    `-kubernetes-ingress-class=^${escapeRegExp(layout.ingressClassName)}$`,
    '-enable-kubernetes-endpointslices',
    // Its /kube-system/healthz route is for a load balancer in front of a cluster: none here.
    '-kubernetes-healthcheck=false',
    `-address=127.0.0.1:${layout.ports.ingress}`,
    `-support-listener=127.0.0.1:${layout.ports.ingressSupport}`,
    `-metrics-listener=127.0.0.1:${layout.ports.ingressSupport}`,
    // New Ingresses route within a second (the default polls every 3 s).
    '-source-poll-timeout=1000',
    // Listen only once the first set of routes is loaded, so "port open" means "routing".
    '-wait-first-route-load',
    '-application-log-level=WARN',
    // It would wait 45 s on SIGTERM for a load balancer in front to notice; there is none.
    '-wait-for-healthcheck-interval=0s',
  ];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * CoreDNS on the node's address, outside the cluster like the ingress controller: Service and
 * pod names under cluster.local, and no forwarding, so other names fail at once (REFUSED).
 */
export function corefile(layout: ClusterLayout): string {
  const kubeconfig = clusterPaths(layout).componentKubeconfig('coredns');
  return `# CoreDNS for the PrivateJet test cluster ${layout.id}
cluster.local:53 in-addr.arpa:53 ip6.arpa:53 {
    bind ${layout.nodeIp}
    errors
    ready 127.0.0.1:${layout.ports.dnsReady}
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    cache 5
    loadbalance
}
.:53 {
    bind ${layout.nodeIp}
    errors
}
`;
}

export function dnsArgs(layout: ClusterLayout): string[] {
  return ['-conf', clusterPaths(layout).corefile];
}

/** What CoreDNS reads, as kubeadm's system:coredns ClusterRole grants it. */
export const dnsRbac = {
  user: 'system:coredns',
  clusterRole: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'system:coredns' },
    rules: [
      { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ],
  },
};

/** The ingress controller's ServiceAccount and what it may read, as its own deployment manifests grant. */
export const ingressControllerRbac = {
  serviceAccount: { name: 'privatejet-ingress', namespace: 'kube-system' },
  clusterRole: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'privatejet-ingress' },
    rules: [
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'ingressclasses'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['services', 'endpoints', 'namespaces'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['zalando.org'], resources: ['routegroups'], verbs: ['get', 'list', 'watch'] },
    ],
  },
};

/** Host binaries the cluster needs beyond the Go builds, with the Debian package of each. */
export const requiredHostCommands: Record<string, string> = {
  containerd: 'containerd',
  'containerd-shim-runc-v2': 'containerd',
  ctr: 'containerd',
  runc: 'runc',
  nft: 'nftables',
  iptables: 'iptables',
  ip: 'iproute2',
  nsenter: 'util-linux',
  umount: 'mount',
  setpriv: 'util-linux',
};
