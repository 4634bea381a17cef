package main

import (
	"fmt"
	"io"
)

// runShell is `apiql shell`.
func runShell(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "apiql shell: not yet built")
	return 2
}
