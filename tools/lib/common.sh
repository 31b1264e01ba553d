# Shared by tools/run-app.sh and tools/test-all.sh: install what is missing, nothing more.

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages by the file they provide, so a machine that has them installs nothing.
ensure_debian_packages() {
  local missing=()
  while [ $# -gt 0 ]; do
    local file="$1" package="$2"; shift 2
    compgen -G "$file" > /dev/null || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
  fi
}

# What the real single-node test cluster runs on (tools/kube/cluster.ts) and builds its
# images with (tools/kube/images/build.sh): containerd, runc and the CNI plugins from Debian,
# nft for kube-proxy's nftables mode, debootstrap and a static C toolchain for the images.
ensure_cluster_packages() {
  ensure_debian_packages /usr/bin/containerd containerd /usr/sbin/runc runc \
    /usr/lib/cni/bridge containernetworking-plugins /usr/sbin/nft nftables /usr/sbin/iptables iptables \
    /usr/sbin/debootstrap debootstrap /usr/bin/gcc gcc /usr/lib/x86_64-linux-gnu/libc.a libc6-dev \
    /usr/bin/nsenter util-linux /usr/sbin/ip iproute2
}

# npm ci when node_modules is missing or older than the lock file.
ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "Installing npm packages"
    npm ci --no-audit --no-fund
  fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}
