// Command etcd is the upstream etcd server, built from the go.etcd.io/etcd/server/v3 module.
// It mirrors the main.go of etcd's own repository, which only hands over to etcdmain.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
