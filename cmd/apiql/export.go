package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/engine/sqltext"
	"github.com/apiql/apiql/shell"
	"github.com/apiql/apiql/shell/export"
)

const exportUsage = `Usage: apiql export --format parquet|csv|jsonl --out DIR [flags] "SQL; SQL ..."
       apiql export --format parquet|csv|jsonl --out DIR [flags] -i FILE

Runs read statements and writes each one's result to its own file in DIR:
DIR/1.parquet, DIR/2.parquet ... (--name NAME, repeatable, names them in
order). Rows are written as they arrive; a file is written under a
temporary name and renamed when complete, so an interrupted export leaves
no file that looks whole. An existing file of the same name is replaced.
Parquet columns are int64, double, boolean and string (arrays and objects:
string with the JSON logical type). CSV and JSON Lines files hold what
apiql exec -o csv and -o jsonl print (--null sets CSV's NULL marker).
Writes are refused: export only reads.

Examples:
  apiql export --sandbox --format parquet --out inventory "SELECT * FROM digitalocean.images.images"
  apiql export --format csv --out reports --name images --name regions \
    "SELECT * FROM digitalocean.images.images; SELECT * FROM digitalocean.regions.regions"
  duckdb -c "SELECT type, count(*) FROM 'inventory/1.parquet' GROUP BY type"

Flags:
`

// runExport is `apiql export`.
func runExport(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var (
		c            config
		file, format string
		dir          string
		names        listFlag
	)
	// exec's output flags are refused (export writes files in --format):
	// help does not list them.
	fs := newFlags("export", exportUsage, &c, args, stdout, stderr, "o", "output", "H", "dry-run")
	fs.StringVar(&format, "format", "", "file `format`: parquet, csv or jsonl (required)")
	fs.StringVar(&dir, "out", "", "write the files into `DIR` (created if missing; required)")
	fs.Var(&names, "name", "name the next statement's file `NAME` (NAME.parquet; repeatable, in statement order)")
	fs.StringVar(&file, "i", "", "read statements from `FILE` (- for stdin)")
	fs.StringVar(&file, "infile", "", "same as -i")
	if code := parseFlags(fs, &c, args, stderr); code >= 0 {
		return code
	}
	usage := func(msg, hint string) int { return usageError(stderr, "export", msg, hint) }
	if c.output != "" || c.noHeaders || c.dryRun {
		return usage("-o, -H and --dry-run are exec's: export writes files in --format", "apiql export --format parquet --out DIR \"SQL\"")
	}
	f, err := export.ParseFormat(format)
	if err != nil {
		return usage(err.Error(), "apiql export --format parquet --out DIR \"SQL\"")
	}
	if dir == "" {
		return usage("no output folder: give --out DIR", "")
	}
	opts := export.Options{Dir: dir, Format: f, Names: names, Null: c.null.ptr()}
	if err := opts.Check(); err != nil {
		if e := (*engine.Error)(nil); errors.As(err, &e) {
			return usage(e.Msg, e.Hint)
		}
		return usage(err.Error(), "--name takes a plain file name, without folder or extension")
	}
	src, srcName, tmplName, code := readStatements(fs, file, stdin, stderr, "export", "")
	if code >= 0 {
		return code
	}
	vars, err := shell.ParseVars(c.vars, c.varFiles)
	if err != nil {
		return usage(err.Error(), "")
	}
	if strings.Contains(src, "{{") || len(c.vars) > 0 || len(c.varFiles) > 0 {
		src, err = shell.Render(tmplName, src, vars)
		if err != nil {
			fmt.Fprintf(stderr, "apiql export: %v\n", err)
			return 1
		}
	}
	stmts, err := sqltext.Split(src)
	if err == nil && len(stmts) == 0 {
		return usage("no statements in "+srcName, `apiql export --sandbox --format csv --out DIR "SHOW PROVIDERS"`)
	}
	if err == nil {
		var e *engine.Error
		if errors.As(opts.CheckStatements(len(stmts)), &e) {
			return usage(e.Msg, e.Hint)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "apiql export: %v\n", err)
		return 1
	}
	c.readOnly = true
	c.readOnlyHint = "apiql export only reads; run INSERT, UPDATE, DELETE and EXEC of writes with apiql exec"
	c.stream = true // a failure removes the file / rolls the table back
	// Ctrl-C, SIGTERM and SIGHUP stop the export as they stop exec: the
	// file being written is removed, and the exit code is 128 + the
	// signal's number.
	ctx, gotSignal, stop := stoppable(context.Background())
	defer stop()
	sess, closeSess, err := c.openSession(ctx, stderr, nil)
	if err != nil {
		fmt.Fprintf(stderr, "apiql: %v\n", err)
		return 1
	}
	defer closeSess()
	// A statement's text and values may hold a token the user typed:
	// every message from here on prints it masked.
	secrets := messageSecrets(sess)
	stderr = maskSecrets(stderr, secrets)
	failed := false
	err = export.Run(ctx, sess, src, opts, func(w export.Written) bool {
		if w.Err != nil && gotSignal() != 0 {
			// Stopped: say by what, as exec does; the file was removed.
			failed = true
			fmt.Fprintf(stderr, "apiql: statement %d cancelled by %s; its file was not written\n", w.N, signalName(gotSignal()))
			return false
		}
		if w.Err != nil {
			failed = true
			fmt.Fprintf(stderr, "apiql: %s\n", shell.TerminalText(w.Err.Error()))
			masked := w.Outcome.Statement
			masked.Text = shell.MaskSecrets(masked.Text, secrets()) // before it is cut
			if first := masked.FirstLine(60); first != "" && w.Outcome.N > 0 {
				fmt.Fprintf(stderr, "  in: %s\n", first)
			}
			printTiming(stderr, c.timing, w.Outcome)
			return false
		}
		if w.Path == "" {
			fmt.Fprintf(stdout, "statement %d: no rows, no file\n", w.N)
		} else {
			fmt.Fprintf(stdout, "%s: %d %s\n", w.Path, w.Rows, plural(w.Rows, "row", "rows"))
		}
		printTiming(stderr, c.timing, w.Outcome)
		return true
	})
	if err != nil && gotSignal() == 0 {
		fmt.Fprintf(stderr, "apiql: %v\n", err)
	}
	if sig := gotSignal(); sig != 0 {
		return 128 + int(sig)
	}
	if err != nil || failed {
		return 1
	}
	return 0
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// readStatements returns the statements of a command that takes them as
// arguments, in a file (-i FILE, - for stdin) or on stdin, with the name
// of their source for messages and of the file for template errors. code
// is -1 when there are statements, else the exit code to return; hint, if
// any, follows the message that there are none.
func readStatements(fs *flag.FlagSet, file string, stdin io.Reader, stderr io.Writer, cmd, hint string) (src, srcName, tmplName string, code int) {
	src, srcName, tmplName, code = readSource(fs, file, stdin, stderr, cmd, hint)
	if code < 0 && (tmplName != "" || srcName == "stdin") {
		// A query file holds SQL only: a shell meta-command (.headers) in
		// it is an error that says so, not a syntax error.
		if err := shell.CheckQueryFile(srcName, src); err != nil {
			fmt.Fprintf(stderr, "apiql %s: %v\n", cmd, err)
			return "", "", "", 1
		}
	}
	return src, srcName, tmplName, code
}

func readSource(fs *flag.FlagSet, file string, stdin io.Reader, stderr io.Writer, cmd, hint string) (src, srcName, tmplName string, code int) {
	read := func(r io.Reader, name string) (string, string, string, int) {
		b, err := io.ReadAll(r)
		if err != nil {
			fmt.Fprintf(stderr, "apiql %s: reading %s: %v\n", cmd, name, err)
			return "", "", "", 1
		}
		return string(b), name, "", -1
	}
	switch {
	case file != "" && fs.NArg() > 0:
		fmt.Fprintf(stderr, "apiql %s: give statements as an argument or with -i FILE, not both\n", cmd)
		return "", "", "", 2
	case file == "-":
		return read(stdin, "stdin")
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(stderr, "apiql %s: %v\n", cmd, err)
			return "", "", "", 1
		}
		return string(b), file, file, -1
	case fs.NArg() > 0:
		return strings.Join(fs.Args(), ";\n"), "the command line", "", -1
	case !isTerminal(stdin):
		return read(stdin, "stdin")
	}
	return "", "", "", usageError(stderr, cmd, "no statements: give them as an argument, with -i FILE, or on stdin", hint)
}
