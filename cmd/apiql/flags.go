package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// newFlags makes the flag set of `apiql name` with the flags shared by
// the commands that run statements (see config.register); the caller adds
// its own. -h prints usage, then the flags, to stdout; a bad flag prints
// them to stderr.
func newFlags(name, usage string, c *config, args []string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(helpOutput(args, stdout, stderr))
	c.register(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, flags before or after the arguments (see
// interleaved), and checks the shared flags' values. It returns -1 when
// the command goes on, else its exit code: 0 after -h, 2 after a bad flag
// (with the flag package's message or check's).
func parseFlags(fs *flag.FlagSet, c *config, args []string, stderr io.Writer) int {
	if err := fs.Parse(interleaved(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if err := c.check(); err != nil {
		return usageError(stderr, fs.Name(), err.Error(), "")
	}
	return -1
}

// usageError prints `apiql cmd: msg` and the hint, if any, and returns
// the exit code of a command used wrongly, 2.
func usageError(stderr io.Writer, cmd, msg, hint string) int {
	fmt.Fprintf(stderr, "apiql %s: %s\n", cmd, msg)
	if hint != "" {
		fmt.Fprintf(stderr, "  hint: %s\n", hint)
	}
	return 2
}
