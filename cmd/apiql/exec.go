package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/engine/sqltext"
	"github.com/apiql/apiql/shell"
)

const execUsage = `Usage: apiql exec [flags] "SQL; SQL ..."
       apiql exec [flags] -i FILE      (a query file; - reads stdin)

Runs statements in order and prints each result. The first failing statement
stops the run (--continue-on-error runs the rest); the exit code is 1 when any
statement failed. Ctrl-C, SIGTERM and SIGHUP stop the running statement (its
calls cancelled, a write's report printed) and exit 130, 143 and 129.

Examples:
  apiql exec --sandbox "SELECT name, slug FROM digitalocean.images.images WHERE type = 'distribution'"
  apiql exec --sandbox -o json "SELECT id, name, regions FROM digitalocean.images.images WHERE image_id = 100065"
  apiql exec -i audit.iql --var region=nyc3 -o csv -f report.csv
  echo "SHOW PROVIDERS" | apiql exec -i -

Flags:
`

// runExec is `apiql exec`.
func runExec(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var (
		c             config
		file          string
		outfile       string
		continueOnErr bool
	)
	fs := newFlags("exec", execUsage, &c, args, stdout, stderr)
	fs.StringVar(&file, "i", "", "read statements from `FILE` (- for stdin)")
	fs.StringVar(&file, "infile", "", "same as -i")
	fs.StringVar(&outfile, "f", "", "write results to `FILE` instead of stdout (through a file beside it, put in place only when the run succeeds; never an input file)")
	fs.StringVar(&outfile, "outfile", "", "same as -f")
	fs.BoolVar(&continueOnErr, "continue-on-error", false, "run the remaining statements after one fails (the exit code is still 1)")
	if code := parseFlags(fs, &c, args, stderr); code >= 0 {
		return code
	}
	// The statements: arguments (several are several statements: apiql
	// exec "SQL" "SQL"), a file, or stdin. srcName says where they came
	// from in messages; tmplName names a query file in template errors.
	src, srcName, tmplName, code := readStatements(fs, file, stdin, stderr, "exec", `apiql exec --sandbox "SHOW PROVIDERS"`)
	if code >= 0 {
		return code
	}
	vars, err := shell.ParseVars(c.vars, c.varFiles)
	if err != nil {
		fmt.Fprintf(stderr, "apiql exec: %v\n", err)
		return 2
	}
	if strings.Contains(src, "{{") || len(c.vars) > 0 || len(c.varFiles) > 0 {
		src, err = shell.Render(tmplName, src, vars)
		if err != nil {
			fmt.Fprintf(stderr, "apiql exec: %v\n", err)
			return 1
		}
	}
	stmts, splitErr := sqltext.Split(src)
	if splitErr == nil && len(stmts) == 0 {
		// Nothing but space and comments: say so rather than succeed silently.
		// (A split error is reported with its position by the session.)
		fmt.Fprintf(stderr, "apiql exec: no statements in %s\n", srcName)
		fmt.Fprintln(stderr, `  hint: apiql exec --sandbox "SHOW PROVIDERS"`)
		return 2
	}
	format, err := c.format(stdout)
	if err != nil {
		fmt.Fprintf(stderr, "apiql exec: %v\n", err)
		return 2
	}
	// Everything is checked: the results may go to a file now (a
	// temporary one, put in place when the run succeeds).
	out := stdout
	var of *outFile
	if outfile != "" {
		of, err = createOutFile(outfile, append([]string{file}, c.varFiles...))
		if err != nil {
			fmt.Fprintf(stderr, "apiql exec: %v\n", err)
			if errors.As(err, new(errNamesInput)) {
				return 2
			}
			return 1
		}
		out = of.f
	}
	code = runStatements(&c, src, stmts, format, out, stderr, continueOnErr)
	if of != nil {
		if code != 0 && !(continueOnErr && code == 1) {
			of.abort()
			if of.direct {
				fmt.Fprintf(stderr, "apiql: what went to %s is incomplete: the run did not succeed\n", outfile)
				return code
			}
			fmt.Fprintf(stderr, "apiql: %s is left as it was: the run did not succeed\n", outfile)
			return code
		}
		if err := of.commit(); err != nil {
			fmt.Fprintf(stderr, "apiql exec: writing %s: %v\n", outfile, err)
			return 1
		}
	}
	return code
}

// runStatements runs the statements of src and prints their results on
// out; it returns the exit code: 0, 1 when a statement failed, or 128 +
// the number of a signal that stopped the run.
func runStatements(c *config, src string, stmts []sqltext.Statement, format shell.Format, out, stderr io.Writer, continueOnErr bool) int {
	ctx, gotSignal, stop := stoppable(context.Background())
	defer stop()

	var prog *progress
	if format == shell.FormatTable && isTerminal(stderr) {
		prog = newProgress(stderr)
	}
	sess, closeSess, err := c.openSession(ctx, stderr, prog)
	if err != nil {
		fmt.Fprintf(stderr, "apiql: %v\n", err)
		return 1
	}
	defer closeSess()
	secrets := messageSecrets(sess)
	stopped := func(o engine.Outcome) bool {
		sig := gotSignal()
		if sig == 0 {
			return false
		}
		// What was stopped, and for a write what it had done.
		msg := "cancelled by " + signalName(sig)
		if more := len(stmts) - o.N; more > 0 {
			msg += fmt.Sprintf("; %d more statement(s) not run", more)
		}
		fmt.Fprintf(stderr, "apiql: statement %d %s\n", o.N, msg)
		if isWrite(o.Statement.Kind) && !errors.Is(o.Err, context.Canceled) {
			fmt.Fprintf(stderr, "apiql: %s\n", shell.TerminalText(shell.MaskSecrets(o.Err.Error(), secrets())))
		}
		return true
	}
	printer := &shell.Printer{Out: out, Info: stderr, Format: format, Headers: !c.noHeaders, Null: c.null.ptr(), Several: len(stmts) > 1}
	failed := false
	var outErr error
	err = sess.RunStream(ctx, src, func(o engine.Outcome, rows *engine.Rows) error {
		prog.clear()
		if err := printer.PrintStatement(o.N, rows); err != nil {
			outErr = err
			return err
		}
		return nil
	}, func(o engine.Outcome) bool {
		prog.clear()
		if o.Err != nil && stopped(o) {
			failed = true
			return false
		}
		if o.Err != nil {
			failed = true
			// The statement's text and values may hold a token the user
			// typed: errors print it masked.
			masks := secrets()
			fmt.Fprintf(stderr, "apiql: %s\n", shell.TerminalText(shell.MaskSecrets(o.Err.Error(), masks)))
			masked := o.Statement
			masked.Text = shell.MaskSecrets(masked.Text, masks) // before it is cut
			if first := masked.FirstLine(60); first != "" {
				fmt.Fprintf(stderr, "  in: %s\n", first)
			}
			printTiming(stderr, c.timing, o)
			return continueOnErr && ctx.Err() == nil
		}
		printTiming(stderr, c.timing, o)
		return true
	})
	if outErr != nil {
		fmt.Fprintf(stderr, "apiql: writing output: %v\n", outErr)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "apiql: %s\n", shell.MaskSecrets(err.Error(), secrets()))
		return 1
	}
	if err := printer.Close(); err != nil {
		fmt.Fprintf(stderr, "apiql: writing output: %v\n", err)
		return 1
	}
	if sig := gotSignal(); sig != 0 {
		return 128 + int(sig)
	}
	if failed {
		return 1
	}
	return 0
}

// printTiming writes a statement's rows (or "failed"), elapsed time and
// HTTP traffic on w, when --timing is on.
func printTiming(w io.Writer, on bool, o engine.Outcome) {
	if on {
		fmt.Fprintln(w, shell.TimingLine(o))
	}
}

// interleaved moves flags after positional arguments to the front, so
// `apiql exec "SQL" -o json` works as well as `apiql exec -o json "SQL"`.
func interleaved(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		// A flag name holds no space: "-- images\nSELECT ..." is a statement
		// that starts with a comment.
		if !strings.HasPrefix(a, "-") || a == "-" || strings.ContainsAny(name, " \t\r\n") {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		if hasValue {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
			continue
		}
		if i+1 == len(args) {
			// The value is missing: leave the flag last, for the parser to
			// say so.
			return flags
		}
		flags = append(flags, args[i+1])
		i++
	}
	// "--" ends the flags, so that a positional argument that starts with
	// "-" is not read as one.
	return append(append(flags, "--"), pos...)
}

// isWrite reports whether a statement kind may change resources.
func isWrite(k sqltext.StmtKind) bool {
	return k == sqltext.Insert || k == sqltext.Update || k == sqltext.Delete || k == sqltext.Exec
}
