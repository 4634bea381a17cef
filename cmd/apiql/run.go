package main

import (
	"fmt"
	"github.com/chzyer/readline"
	"io"
	"os"
	"strings"
)

// Run is the whole command line: it runs the subcommand named by args[0]
// with the given streams and returns the process exit code (0 success,
// 1 a statement or command failed, 2 bad usage).
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	if len(args) == 0 {
		if isTerminal(stdin) {
			return runShell(nil, stdin, stdout, stderr)
		}
		// Statements piped in: run them.
		return runExec([]string{"-i", "-"}, stdin, stdout, stderr)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "exec":
		return runExec(rest, stdin, stdout, stderr)
	case "shell":
		return runShell(rest, stdin, stdout, stderr)
	case "emulator":
		return runEmulator(rest, stdin, stdout, stderr)
	case "serve":
		return runServe(rest, stdin, stdout, stderr)
	case "export":
		return runExport(rest, stdin, stdout, stderr)
	case "sync":
		return runSync(rest, stdin, stdout, stderr)
	case "registry":
		return runRegistry(rest, stdout, stderr)
	case "version", "--version":
		fmt.Fprintf(stdout, "apiql %s\n", version)
		return 0
	case "help", "-h", "--help":
		return runHelp(rest, stdout, stderr)
	}
	fmt.Fprintf(stderr, "apiql: unknown command %q\n", cmd)
	if strings.HasPrefix(cmd, "-") || strings.ContainsAny(cmd, " ;") {
		fmt.Fprintf(stderr, "  hint: statements go after a command: apiql exec %s\n", shellWords(args))
	} else {
		fmt.Fprintln(stderr, "  hint: apiql help lists the commands")
	}
	return 2
}

// isTerminal reports whether r is a terminal (not merely a character
// device such as /dev/null).
func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	return ok && readline.IsTerminal(int(f.Fd()))
}

// shellWords joins args into a command line a POSIX shell reads back as
// the same words: words with anything but letters, digits and -_./=:,@%+
// are double-quoted, with \ " $ and ` escaped.
func shellWords(args []string) string {
	words := make([]string, len(args))
	for i, a := range args {
		plain := a != ""
		for _, r := range a {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,@%+", r)) {
				plain = false
				break
			}
		}
		if plain {
			words[i] = a
			continue
		}
		var b strings.Builder
		b.WriteByte('"')
		for _, r := range a {
			if strings.ContainsRune("\\\"$`", r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
		words[i] = b.String()
	}
	return strings.Join(words, " ")
}
