package shell

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/apiql/apiql/registry"
)

// metaCommand describes one meta-command for .help and completion.
type metaCommand struct {
	name  string // with its dot
	args  string // how its arguments read in .help
	help  string
	alias bool // listed in .help under the command it stands for
}

// metaCommands are the shell's meta-commands, in the order .help lists them.
var metaCommands = []metaCommand{
	{name: ".help", help: "show this help"},
	{name: ".output", args: "[FORMAT]", help: "set the output format: " + formatList() + " (no argument: show it)"},
	{name: ".mode", args: "[FORMAT]", help: "same as .output", alias: true},
	{name: ".headers", args: "[on|off]", help: "print header rows or not (no argument: show the setting)"},
	{name: ".null", args: "[STRING|default]", help: "print NULL as STRING in table, markdown, csv and text ('' for empty; default: each format's own; no argument: show it)"},
	{name: ".timing", args: "[on|off]", help: "print rows, time, requests, pages and bytes after each statement"},
	{name: ".read", args: "FILE", help: "run the statements of a query file, rendered with the variables"},
	{name: ".vars", help: "list the variables that {{ .name }} in statements refers to"},
	{name: ".set", args: "KEY VALUE", help: "set a variable (a string); .set alone lists them"},
	{name: ".unset", args: "KEY", help: "remove a variable"},
	{name: ".cache", args: "clear", help: "forget the rows cached by --cache-ttl"},
	{name: ".connections", help: "list the connections (accounts) of each provider, as SHOW CONNECTIONS"},
	{name: ".connection", args: "[NAME,...|all|default]", help: "read these connections when a statement names none (no argument: show the setting)"},
	{name: ".quit", help: "leave the shell (also .exit, or Ctrl-D)"},
	{name: ".exit", help: "leave the shell", alias: true},
}

func formatList() string {
	names := make([]string, 0, len(Formats()))
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return strings.Join(names, "|")
}

// quitWords end the shell when typed alone, as in psql.
var quitWords = map[string]bool{`\q`: true, "quit": true, "exit": true, "quit;": true, "exit;": true}

// isMeta reports whether a trimmed line, typed when no statement is pending,
// is a meta-command rather than SQL.
func isMeta(line string) bool {
	return strings.HasPrefix(line, ".") || strings.HasPrefix(line, `\`) || quitWords[strings.ToLower(line)] ||
		strings.EqualFold(line, "help")
}

// parseMeta splits a meta-command line into its name (with the dot) and
// arguments. Arguments are separated by spaces; '...' and "..." quote an
// argument that holds spaces (a doubled quote inside stands for one).
func parseMeta(line string) (name string, args []string, err error) {
	line = strings.TrimSpace(line)
	var (
		cur    strings.Builder
		inArg  bool
		quote  byte
		fields []string
	)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				if i+1 < len(line) && line[i+1] == quote {
					cur.WriteByte(c)
					i++
					continue
				}
				quote = 0
				continue
			}
			cur.WriteByte(c)
		case c == '\'' || c == '"':
			quote, inArg = c, true
		case c == ' ' || c == '\t':
			if inArg {
				fields = append(fields, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	if quote != 0 {
		return "", nil, fmt.Errorf("unterminated %c quote in %s", quote, line)
	}
	if inArg {
		fields = append(fields, cur.String())
	}
	if len(fields) == 0 {
		return "", nil, fmt.Errorf("empty command")
	}
	if len(fields) == 1 {
		return strings.ToLower(fields[0]), nil, nil
	}
	return strings.ToLower(fields[0]), fields[1:], nil
}

// varName is what a variable name must look like to be usable as {{ .name }}.
var varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// meta runs a meta-command line. It reports whether the shell should end,
// and whether a statement (of .read) was cancelled.
func (r *REPL) meta(ctx context.Context, line string) (quit, cancelled bool) {
	low := strings.ToLower(line)
	switch {
	case quitWords[low]:
		return true, false
	case low == "help" || low == `\?` || low == `\h`:
		r.printHelp()
		return false, false
	}
	name, args, err := parseMeta(line)
	if err != nil {
		r.fail(err)
		return false, false
	}
	usage := func() {
		for _, c := range metaCommands {
			if c.name == name {
				r.fail(fmt.Errorf("usage: %s %s", c.name, c.args))
				return
			}
		}
	}
	switch name {
	case ".quit", ".exit", ".q":
		return true, false
	case ".help", ".h", ".?":
		r.printHelp()
	case ".output", ".mode", ".o":
		switch len(args) {
		case 0:
			fmt.Fprintf(r.Stdout, "output format: %s\n", r.format())
		case 1:
			f, err := ParseFormat(args[0])
			if err != nil {
				r.fail(err)
				break
			}
			r.Format = f
		default:
			usage()
		}
	case ".headers":
		r.toggle(name, &r.Headers, args, usage)
	case ".timing":
		r.toggle(name, &r.Timing, args, usage)
	case ".null":
		switch {
		case len(args) == 0 && r.Null == nil:
			fmt.Fprintln(r.Stdout, "null: each format's own (table and markdown: null; csv: an empty field; text: \\N)")
		case len(args) == 0:
			fmt.Fprintf(r.Stdout, "null: %q\n", *r.Null)
		case len(args) > 1:
			usage()
		case strings.EqualFold(args[0], "default"):
			r.Null = nil
		default:
			s := args[0]
			r.Null = &s
		}
	case ".read":
		if len(args) != 1 {
			usage()
			break
		}
		path := expandHome(args[0])
		data, err := os.ReadFile(path)
		if err != nil {
			r.fail(err)
			break
		}
		return false, r.runText(ctx, path, string(data), 0)
	case ".vars":
		if len(args) != 0 {
			usage()
			break
		}
		r.printVars()
	case ".set":
		switch {
		case len(args) == 0:
			r.printVars()
		case !varName.MatchString(args[0]):
			r.fail(fmt.Errorf(".set %s: a variable name is letters, digits and _, not starting with a digit", args[0]))
		default:
			r.Vars[args[0]] = strings.Join(args[1:], " ")
		}
	case ".unset":
		if len(args) != 1 {
			usage()
			break
		}
		if _, ok := r.Vars[args[0]]; !ok {
			r.fail(fmt.Errorf(".unset: no variable %q", args[0]))
			break
		}
		delete(r.Vars, args[0])
	case ".cache":
		if len(args) != 1 || !strings.EqualFold(args[0], "clear") {
			usage()
			break
		}
		r.Session.ClearCache()
		fmt.Fprintln(r.Stderr, "cache cleared")
	case ".connections":
		if len(args) != 0 {
			usage()
			break
		}
		return false, r.runText(ctx, "", "SHOW CONNECTIONS", 0)
	case ".connection":
		switch {
		case len(args) == 0:
			scope := r.Session.ConnectionScope()
			if len(scope) == 0 {
				fmt.Fprintln(r.Stderr, "connection: default (each provider's default connection)")
			} else {
				fmt.Fprintln(r.Stderr, "connection: "+strings.Join(scope, ","))
			}
		case len(args) == 1:
			scope, err := ParseConnectionScope(args[0])
			if err == nil {
				err = CheckConnectionScope(scope, r.Session.Connections())
			}
			if err != nil {
				r.fail(err)
				break
			}
			r.Session.SetConnectionScope(scope)
		default:
			usage()
		}
	default:
		var names []string
		for _, c := range metaCommands {
			names = append(names, c.name)
		}
		msg := fmt.Sprintf("unknown command %s", name)
		if s := registry.Nearest(name, names); s != "" {
			msg += fmt.Sprintf("; did you mean %s?", s)
		}
		r.fail(fmt.Errorf("%s (the commands are %s)", msg, strings.Join(names, " ")))
	}
	return false, false
}

// toggle runs a meta-command that sets a boolean: on, off, or no argument to
// show the setting.
func (r *REPL) toggle(name string, setting *bool, args []string, usage func()) {
	if len(args) == 0 {
		state := "off"
		if *setting {
			state = "on"
		}
		fmt.Fprintf(r.Stdout, "%s: %s\n", strings.TrimPrefix(name, "."), state)
		return
	}
	if len(args) != 1 {
		usage()
		return
	}
	switch strings.ToLower(args[0]) {
	case "on", "true", "yes", "1":
		*setting = true
	case "off", "false", "no", "0":
		*setting = false
	default:
		usage()
	}
}

func (r *REPL) format() Format {
	if r.Format == "" {
		return FormatTable
	}
	return r.Format
}

// printVars lists the variables, sorted, values as JSON.
func (r *REPL) printVars() {
	if len(r.Vars) == 0 {
		fmt.Fprintln(r.Stdout, "no variables: set one with .set KEY VALUE, or start the shell with --var KEY=VALUE or --vars FILE")
		return
	}
	for _, k := range r.varNames() {
		v, err := json.Marshal(r.Vars[k])
		if err != nil {
			v = []byte(fmt.Sprint(r.Vars[k]))
		}
		fmt.Fprintf(r.Stdout, "%s = %s\n", k, v)
	}
}

// varNames returns the variables' names, sorted.
func (r *REPL) varNames() []string {
	names := make([]string, 0, len(r.Vars))
	for k := range r.Vars {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func (r *REPL) printHelp() {
	var b strings.Builder
	b.WriteString(`Statements end with ; and may span lines. For example:
  SHOW PROVIDERS;
  SHOW RESOURCES IN digitalocean.images;
  DESCRIBE digitalocean.images.images;
  SELECT name, slug FROM digitalocean.images.images WHERE type = 'distribution';
  EXEC digitalocean.images.images._get @image_id = 'ubuntu-24-04-x64';
  EXPLAIN SELECT ...;   -- the plan: methods, parameters, calls; calls nothing
Statements may use variables as {{ .name }} (see .set).

Meta-commands (on their own line):
`)
	width := 0
	for _, c := range metaCommands {
		width = max(width, len(c.name)+1+len(c.args))
	}
	for _, c := range metaCommands {
		if c.alias {
			continue
		}
		usage := strings.TrimSpace(c.name + " " + c.args)
		fmt.Fprintf(&b, "  %-*s  %s\n", width, usage, c.help)
	}
	b.WriteString(`
Keys: Tab completes keywords, names and columns; Up and Down recall history;
Ctrl-R searches it; Ctrl-C clears the line or cancels a running statement;
Ctrl-D on an empty line leaves.
`)
	fmt.Fprint(r.Stdout, b.String())
}

// expandHome replaces a leading ~/ with the home folder.
func expandHome(path string) string {
	if path == "~" || strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, path[1:])
		}
	}
	return path
}

// metaLine finds a line of a query file that is a shell meta-command
// (".output csv", "\\q"): its 1-based number and the command.
func metaLine(src string) (int, string, bool) {
	for i, line := range strings.Split(src, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		word := strings.ToLower(fields[0])
		if word == `\q` || word == `\?` || word == `\h` {
			return i + 1, fields[0], true
		}
		for _, c := range metaCommands {
			if word == c.name {
				return i + 1, fields[0], true
			}
		}
	}
	return 0, "", false
}

// metaInFileError says that a query file holds a meta-command.
func metaInFileError(name string, line int, cmd string) error {
	return &TemplateError{File: name, Line: line,
		Message: fmt.Sprintf("%s is a shell meta-command: meta-commands are for the shell (type them at its prompt); a query file holds statements only (use flags such as -o instead)", cmd)}
}

// CheckQueryFile returns an error when a query file holds a shell
// meta-command, naming its line; name names the file.
func CheckQueryFile(name, src string) error {
	if line, cmd, ok := metaLine(src); ok {
		return metaInFileError(name, line, cmd)
	}
	return nil
}
