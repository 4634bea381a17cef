package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/apiql/apiql/shell"
)

const shellUsage = `Usage: apiql shell [flags]

An interactive SQL shell. Statements end with ; and may span several lines;
meta-commands such as .help, .output json or .read FILE go on a line of
their own. Tab completes keywords, provider.service.resource names and
columns; Ctrl-C cancels a running statement or clears the line; Ctrl-D on
an empty line leaves. History is kept in $XDG_STATE_HOME/apiql/history
(or ~/.local/state/apiql/history).

When stdin is not a terminal, the shell reads statements and meta-commands
from it without prompts, and exits 1 if any of them failed.

Examples:
  apiql shell --sandbox
  apiql shell -o json --var region=nyc3
  apiql shell --cache-ttl 60s --read-only
  printf '.output csv\nSELECT id, slug FROM digitalocean.images.images;\n' | apiql shell --sandbox

Flags:
`

// runShell is `apiql shell`.
func runShell(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var c config
	fs := newFlags("shell", shellUsage, &c, args, stdout, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "apiql shell: unexpected argument %q\n", fs.Arg(0))
		fmt.Fprintf(stderr, "  hint: to run statements without the shell: apiql exec %q\n", fs.Arg(0))
		return 2
	}
	if err := c.check(); err != nil {
		fmt.Fprintf(stderr, "apiql shell: %v\n", err)
		return 2
	}
	vars, err := shell.ParseVars(c.vars, c.varFiles)
	if err != nil {
		fmt.Fprintf(stderr, "apiql shell: %v\n", err)
		return 2
	}
	format, err := c.format(stdout)
	if err != nil {
		fmt.Fprintf(stderr, "apiql shell: %v\n", err)
		return 2
	}

	// Ctrl-C cancels the running statement, not the shell.
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	defer signal.Stop(interrupts)
	// SIGTERM and SIGHUP end it, the running statement cancelled alike.
	stops := make(chan os.Signal, 1)
	signal.Notify(stops, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(stops)

	var prog *progress
	if format == shell.FormatTable && isTerminal(stderr) {
		prog = newProgress(stderr)
	}
	ctx := context.Background()
	sess, closeSess, err := c.openSession(ctx, stderr, prog)
	if err != nil {
		fmt.Fprintf(stderr, "apiql: %v\n", err)
		return 1
	}
	defer closeSess()

	history, err := shell.HistoryPath(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "apiql shell: %v; history is not saved\n", err)
	}
	banner := fmt.Sprintf("apiql %s — type .help for help, Ctrl-D to exit", version)
	if c.sandbox {
		banner += fmt.Sprintf("\nsandbox: a built-in DigitalOcean emulator with %d sample images; no token needed, nothing leaves this machine", c.sandboxSize)
	}
	repl := &shell.REPL{
		Session:     sess,
		Stdin:       stdin,
		Stdout:      stdout,
		Stderr:      stderr,
		Format:      format,
		Headers:     !c.noHeaders,
		Timing:      c.timing,
		Null:        c.null.ptr(),
		Vars:        vars,
		HistoryFile: history,
		Secrets:     envSecrets(sess),
		MoreSecrets: sess.Connections().CommandTokens,
		Banner:      banner,
		Interrupts:  interrupts,
		Stop:        stops,
		ClearStatus: prog.clear,
	}
	var stopped *shell.StoppedError
	switch err := repl.Run(ctx); {
	case err == nil:
		return 0
	case errors.As(err, &stopped):
		if sig, ok := stopped.Signal.(syscall.Signal); ok {
			return 128 + int(sig)
		}
		return 1
	case errors.Is(err, shell.ErrStatementsFailed):
		return 1
	case errors.Is(err, shell.ErrInterrupted):
		return 130
	default:
		fmt.Fprintf(stderr, "apiql shell: %v\n", err)
		return 1
	}
}
