// Command kubectl is the upstream command-line client, built from the k8s.io/kubectl module
// at the version k8s.io/kubernetes v1.37.2 requires. It mirrors cmd/kubectl/kubectl.go of the
// release. Tests run the setup guide's kubectl commands with it, and people use it against
// the cluster of `npm run kube:up`.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/component-base/logs"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"

	// Import to initialize client auth plugins.
	_ "k8s.io/client-go/plugin/pkg/client/auth"
)

func main() {
	// The verbosity flag is read before the command is built, as upstream does, so klog
	// output during construction (plugins, .kuberc) honours it.
	logs.GlogSetter(cmd.GetLogVerbosity(os.Args)) // nolint:errcheck
	command := cmd.NewDefaultKubectlCommand()
	if err := cli.RunNoErrOutput(command); err != nil {
		util.CheckErr(err)
	}
}
