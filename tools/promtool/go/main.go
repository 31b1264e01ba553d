// Command promtool is `promtool check metrics` alone: Prometheus' exposition linter
// (client_golang's promlint, the library promtool itself runs for this command), with the
// same output and exit codes, without building all of Prometheus (service discovery for every
// cloud) only to lint a few lines of text.
package main

import (
	"fmt"
	"os"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

const (
	failureExitCode = 1
	lintErrExitCode = 3
)

func main() {
	if len(os.Args) != 3 || os.Args[1] != "check" || os.Args[2] != "metrics" {
		fmt.Fprintln(os.Stderr, "usage: promtool check metrics < exposition.txt")
		os.Exit(2)
	}
	problems, err := promlint.New(os.Stdin).Lint()
	if err != nil {
		fmt.Fprintln(os.Stderr, "error while linting:", err)
		os.Exit(failureExitCode)
	}
	for _, problem := range problems {
		fmt.Fprintln(os.Stderr, problem.Metric, problem.Text)
	}
	if len(problems) > 0 {
		os.Exit(lintErrExitCode)
	}
}
