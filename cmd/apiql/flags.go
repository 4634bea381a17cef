package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
)

// newFlags makes the flag set of `apiql name` with the flags shared by
// the commands that run statements (see config.register); the caller adds
// its own. -h prints usage, then the flags but those named in hide (shared
// flags the command refuses), to stdout; a bad flag prints them to stderr.
func newFlags(name, usage string, c *config, args []string, stdout, stderr io.Writer, hide ...string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(helpOutput(args, stdout, stderr))
	c.register(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		if len(hide) == 0 {
			fs.PrintDefaults()
			return
		}
		shown := flag.NewFlagSet(name, flag.ContinueOnError)
		shown.SetOutput(fs.Output())
		fs.VisitAll(func(f *flag.Flag) {
			if !slices.Contains(hide, f.Name) {
				shown.Var(f.Value, f.Name, f.Usage)
				shown.Lookup(f.Name).DefValue = f.DefValue
			}
		})
		shown.PrintDefaults()
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
