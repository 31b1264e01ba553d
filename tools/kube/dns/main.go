// Command coredns is upstream CoreDNS with only the plugins a cluster DNS server uses, the way
// CoreDNS documents custom builds: coremain plus the plugin packages, each registering itself.
// Leaving out the cloud and storage back ends (Route 53, Azure, etcd, ...) keeps the build short.
package main

import (
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

func main() {
	coremain.Run()
}
