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

# The Debian mirror this machine already uses, read from its apt sources at run time, so no
# mirror is ever written into the repository. PRIVATEJET_DEBIAN_MIRROR overrides it.
debian_mirror() {
  if [[ -n "${PRIVATEJET_DEBIAN_MIRROR:-}" ]]; then
    echo "$PRIVATEJET_DEBIAN_MIRROR"
    return
  fi
  local codename
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  local mirror="" one_line=() deb822=() file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do [[ -f "$file" ]] && one_line+=("$file"); done
  for file in /etc/apt/sources.list.d/*.sources; do [[ -f "$file" ]] && deb822+=("$file"); done
  if [[ ${#one_line[@]} -gt 0 ]]; then
    # One-line style: deb [options] URI SUITE COMPONENTS...
    mirror="$(awk -v suite="$codename" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; exit }
      }' "${one_line[@]}")"
  fi
  if [[ -z "$mirror" && ${#deb822[@]} -gt 0 ]]; then
    # deb822 style: paragraphs with Types:, URIs:, Suites: (each file ends a paragraph).
    mirror="$(awk -v suite="$codename" '
      function flush() { if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && uris != "") { split(uris, u, " "); print u[1]; found = 1 } types = uris = suites = "" }
      FNR == 1 { flush(); if (found) exit }
      /^[[:space:]]*#/ { next }
      /^[[:space:]]*$/ { flush(); if (found) exit; next }
      /^Types:/ { sub(/^Types:[[:space:]]*/, ""); types = $0 }
      /^URIs:/ { sub(/^URIs:[[:space:]]*/, ""); uris = $0 }
      /^Suites:/ { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
      END { if (!found) flush() }' "${deb822[@]}")"
  fi
  if [[ -z "$mirror" ]]; then
    echo "no Debian mirror for suite '$codename' in /etc/apt/sources.list*; set PRIVATEJET_DEBIAN_MIRROR" >&2
    return 1
  fi
  echo "$mirror"
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
