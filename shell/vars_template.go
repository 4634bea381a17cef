package shell

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
)

// TemplateError is a query file that could not be rendered: a template syntax
// error, an undefined or null variable, or a failing template function.
type TemplateError struct {
	File string // the name given to Render; "" for text without a file
	Line int    // 1-based line in the text; 0 when unknown
	// Variable is the undefined or null variable ("region", "tags.env"),
	// when that is the problem.
	Variable string
	Message  string // what went wrong and, when known, what to do
}

// Error says where and what, e.g. `query file audit.iql line 3: undefined
// variable "region"; set it with --var region=VALUE or in a --vars file`.
func (e *TemplateError) Error() string {
	place := "query"
	if e.File != "" {
		place = "query file " + e.File
	}
	if e.Line > 0 {
		place += fmt.Sprintf(" line %d", e.Line)
	}
	return place + ": " + e.Message
}

// Render expands the Go text/template variables in a query file's text, as
// StackQL does: SELECT * FROM x WHERE region = '{{ .region }}'. name names the
// file in errors. Text without "{{" is returned as it is.
//
// Every variable the text uses must be defined: an undefined one is a
// *TemplateError naming it and saying how to set it, never an empty string.
// A variable that is defined but null (JSON null in a --vars file) is an
// error too where it would be printed.
//
// Functions, besides text/template's own:
//
//   - default: {{ .price_per_gb | default 0.06 }}, or {{ default 0.06 .price_per_gb }},
//     gives the fallback when the variable is undefined or null. An empty
//     string, 0 and false count as values (unlike Helm's default). It works on
//     field chains (.a.b: a missing a or b falls back) and variables ($x.a),
//     when they are the direct argument of default or the value piped into it.
//   - json: {{ .tags | json }} prints a value as JSON, e.g. for a data__tags column.
//
// Values are printed as text/template prints them: strings as they are, int64
// exactly, float64 in Go's shortest form (0.06; very large or small ones with
// an exponent, which SQL accepts). Nothing is quoted or escaped for SQL: the
// query file decides where the quotes go.
//
// The rendered text is bounded by MaxRenderedBytes: a template that would
// write more (a runaway {{ range }}) fails with a *TemplateError as soon as
// it passes the bound, having used no more memory than that.
func Render(name, text string, vars map[string]any) (string, error) {
	return render(name, text, vars, MaxRenderedBytes)
}

// MaxRenderedBytes bounds the text a query file's template may render: 16
// MiB, far more than any query file needs.
const MaxRenderedBytes = 16 << 20

// limitedBuilder is a strings.Builder that refuses to grow past max bytes.
type limitedBuilder struct {
	strings.Builder
	max int
}

// errTooLong is what limitedBuilder's Write returns past its bound.
type errTooLong struct{ max int }

func (e *errTooLong) Error() string {
	return fmt.Sprintf("the rendered query text passed %s, the most a query file may render: a {{ range }} or a variable makes it too long", sizeText(e.max))
}

func (b *limitedBuilder) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, &errTooLong{max: b.max}
	}
	return b.Builder.Write(p)
}

// sizeText renders a byte count in the largest whole unit.
func sizeText(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// render is Render with the bound on the rendered text given.
func render(name, text string, vars map[string]any, max int) (string, error) {
	if !strings.Contains(text, "{{") {
		return text, nil
	}
	t, err := template.New(name).Option("missingkey=error").Funcs(templateFuncs()).Parse(text)
	if err != nil {
		return "", parseError(name, err)
	}
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Tree.Root != nil {
			if n, at := loopCount(tt.Tree.Root, 1); n > MaxRangeIterations {
				line := 0
				if at != nil {
					loc, _ := tt.Tree.ErrorContext(at)
					if parts := strings.Split(loc, ":"); len(parts) >= 2 {
						line, _ = strconv.Atoi(parts[len(parts)-2])
					}
				}
				return "", &TemplateError{File: name, Line: line, Message: fmt.Sprintf(
					"{{ range }} over numbers would run %d times (nested ranges multiply), more than the %d a query file may run", n, MaxRangeIterations)}
			}
			rewriteNode(tt.Tree, tt.Tree.Root)
		}
	}
	if vars == nil {
		vars = map[string]any{}
	}
	out := &limitedBuilder{max: max}
	if err := t.Execute(out, vars); err != nil {
		var long *errTooLong
		if errors.As(err, &long) {
			line, _ := splitLocation(name, err.Error())
			return "", &TemplateError{File: name, Line: line, Message: long.Error()}
		}
		return "", execError(name, err)
	}
	return out.String(), nil
}

// Names of the functions the rewrite inserts; users are not meant to call them.
const (
	lookupFunc = "_apiql_lookup"
	printFunc  = "_apiql_print"
)

func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"default": func(fallback, given any) any {
			if given == nil {
				return fallback
			}
			return given
		},
		"json": func(v any) (string, error) {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(v); err != nil {
				return "", err
			}
			return strings.TrimSuffix(buf.String(), "\n"), nil
		},
		lookupFunc: lookup,
		printFunc: func(expr string, v any) (any, error) {
			if v == nil {
				return nil, &nullValueError{expr: expr}
			}
			return v, nil
		},
	}
}

// lookup follows keys from v through nested maps, returning nil when a key is
// missing: what .a.b evaluates to under default.
func lookup(v any, keys ...string) (any, error) {
	for i, k := range keys {
		switch m := v.(type) {
		case nil:
			return nil, nil
		case map[string]any:
			v = m[k]
		default:
			return nil, &notObjectError{path: "." + strings.Join(keys[:i], "."), key: k, kind: jsonTypeName(v)}
		}
	}
	return v, nil
}

// notObjectError is a field read from a value that is not an object.
type notObjectError struct{ path, key, kind string }

func (e *notObjectError) Error() string {
	return fmt.Sprintf("%s is %s, not an object, so it has no field %q", e.path, e.kind, e.key)
}

// nullValueError is a printed action whose value is nil.
type nullValueError struct{ expr string }

func (e *nullValueError) Error() string { return e.expr + " is null" }

// MaxRangeIterations bounds the iterations of {{ range N }} loops over
// numbers written in a query file (nested loops multiply): a loop that
// prints nothing would otherwise spin without limit.
const MaxRangeIterations = 1_000_000

// loopCount returns the largest product of the counts of nested
// {{ range N }} loops over number literals under n (outer being the
// product of the loops around n), and the loop that reaches it.
func loopCount(n parse.Node, outer int64) (int64, parse.Node) {
	var (
		best = outer
		line parse.Node
	)
	visit := func(c parse.Node, mult int64) {
		if c == nil {
			return
		}
		if got, l := loopCount(c, mult); got > best {
			best, line = got, l
		}
	}
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return best, line
		}
		for _, c := range n.Nodes {
			visit(c, outer)
		}
	case *parse.RangeNode:
		mult := outer
		if cmds := n.Pipe.Cmds; len(cmds) == 1 && len(cmds[0].Args) == 1 {
			if num, ok := cmds[0].Args[0].(*parse.NumberNode); ok && num.IsInt && num.Int64 > 0 {
				mult = outer * num.Int64
				if mult/num.Int64 != outer || mult > 1<<50 {
					mult = 1 << 50 // overflow: far too many anyway
				}
				if mult > best {
					best, line = mult, n
				}
			}
		}
		visit(n.List, mult)
		visit(n.ElseList, outer)
	case *parse.IfNode:
		visit(n.List, outer)
		visit(n.ElseList, outer)
	case *parse.WithNode:
		visit(n.List, outer)
		visit(n.ElseList, outer)
	}
	return best, line
}

// rewriteNode prepares a parsed template for execution under missingkey=error:
//   - the field or variable chain given to default (as an argument or piped
//     into it) becomes a call to lookup, so that a missing key yields nil
//     for default to replace rather than an error;
//   - every printing action gets a last command that refuses nil, which
//     text/template would print as "<no value>".
func rewriteNode(t *parse.Tree, n parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			rewriteNode(t, c)
		}
	case *parse.ActionNode:
		expr := n.Pipe.String()
		rewritePipe(t, n.Pipe)
		if len(n.Pipe.Decl) == 0 {
			n.Pipe.Cmds = append(n.Pipe.Cmds, &parse.CommandNode{
				NodeType: parse.NodeCommand,
				Pos:      n.Pos,
				Args:     []parse.Node{funcIdent(t, printFunc, n.Pos), stringNode(expr, n.Pos)},
			})
		}
	case *parse.IfNode:
		rewriteBranch(t, &n.BranchNode)
	case *parse.RangeNode:
		rewriteBranch(t, &n.BranchNode)
	case *parse.WithNode:
		rewriteBranch(t, &n.BranchNode)
	case *parse.TemplateNode:
		rewritePipe(t, n.Pipe)
	}
}

func rewriteBranch(t *parse.Tree, b *parse.BranchNode) {
	rewritePipe(t, b.Pipe)
	rewriteNode(t, b.List)
	rewriteNode(t, b.ElseList)
}

func rewritePipe(t *parse.Tree, p *parse.PipeNode) {
	if p == nil {
		return
	}
	for i, cmd := range p.Cmds {
		for _, arg := range cmd.Args {
			switch a := arg.(type) {
			case *parse.PipeNode:
				rewritePipe(t, a)
			case *parse.ChainNode:
				if inner, ok := a.Node.(*parse.PipeNode); ok {
					rewritePipe(t, inner)
				}
			}
		}
		if id, ok := cmd.Args[0].(*parse.IdentifierNode); !ok || id.Ident != "default" {
			continue
		}
		for j := 1; j < len(cmd.Args); j++ {
			if call := lookupCommand(t, cmd.Args[j]); call != nil {
				cmd.Args[j] = &parse.PipeNode{NodeType: parse.NodePipe, Pos: call.Pos, Cmds: []*parse.CommandNode{call}}
			}
		}
		if i > 0 && len(p.Cmds[i-1].Args) == 1 {
			if call := lookupCommand(t, p.Cmds[i-1].Args[0]); call != nil {
				p.Cmds[i-1] = call
			}
		}
	}
}

// lookupCommand returns the lookup call that replaces a field chain (.a.b)
// or a variable chain ($x.a), or nil for any other node.
func lookupCommand(t *parse.Tree, n parse.Node) *parse.CommandNode {
	var from parse.Node
	var keys []string
	switch a := n.(type) {
	case *parse.FieldNode:
		from = &parse.DotNode{NodeType: parse.NodeDot, Pos: a.Pos}
		keys = a.Ident
	case *parse.VariableNode:
		if len(a.Ident) < 2 {
			return nil
		}
		from = &parse.VariableNode{NodeType: parse.NodeVariable, Pos: a.Pos, Ident: a.Ident[:1]}
		keys = a.Ident[1:]
	default:
		return nil
	}
	args := []parse.Node{funcIdent(t, lookupFunc, n.Position()), from}
	for _, k := range keys {
		args = append(args, stringNode(k, n.Position()))
	}
	return &parse.CommandNode{NodeType: parse.NodeCommand, Pos: n.Position(), Args: args}
}

func funcIdent(t *parse.Tree, name string, pos parse.Pos) *parse.IdentifierNode {
	return parse.NewIdentifier(name).SetTree(t).SetPos(pos)
}

func stringNode(s string, pos parse.Pos) *parse.StringNode {
	return &parse.StringNode{NodeType: parse.NodeString, Pos: pos, Quoted: strconv.Quote(s), Text: s}
}

// parseError turns text/template's "template: NAME:LINE: MSG" into a TemplateError.
func parseError(name string, err error) error {
	line, msg := splitLocation(name, err.Error())
	return &TemplateError{File: name, Line: line, Message: "template syntax: " + msg}
}

var (
	execContext = regexp.MustCompile(`(?s)^executing "(?:[^"\\]|\\.)*" at <(.*?)>: (.*)$`)
	missingKey  = regexp.MustCompile(`^map has no entry for key ("(?:[^"\\]|\\.)*")$`)
	notField    = regexp.MustCompile(`^can't evaluate field ([\pL_][\pL\pN_]*) in type `)
	fieldChain  = regexp.MustCompile(`^(\.[\pL_][\pL\pN_]*)+$`)
)

// execError turns text/template's "template: NAME:LINE:COL: executing "NAME"
// at <CONTEXT>: MSG" into a TemplateError that names the variable at fault.
func execError(name string, err error) error {
	line, msg := splitLocation(name, err.Error())
	context := ""
	if m := execContext.FindStringSubmatch(msg); m != nil {
		context, msg = m[1], m[2]
	}
	var null *nullValueError
	if errors.As(err, &null) {
		if !fieldChain.MatchString(null.expr) {
			return &TemplateError{File: name, Line: line, Message: fmt.Sprintf("{{ %s }} is null", null.expr)}
		}
		return &TemplateError{File: name, Line: line, Variable: null.expr[1:], Message: fmt.Sprintf(
			"{{ %s }} is null; give it a value with --var or in a --vars file, or a fallback: {{ %s | default VALUE }}",
			null.expr, null.expr)}
	}
	var notObject *notObjectError
	if errors.As(err, &notObject) {
		return &TemplateError{File: name, Line: line, Message: notObject.Error()}
	}
	if m := notField.FindStringSubmatch(msg); m != nil && fieldChain.MatchString(context) {
		// .m.k.z where .m.k is a string: text/template says "can't evaluate
		// field z in type interface {}".
		parts := strings.Split(context[1:], ".")
		for i := 1; i < len(parts); i++ {
			if parts[i] == m[1] {
				path := "." + strings.Join(parts[:i], ".")
				return &TemplateError{File: name, Line: line,
					Message: fmt.Sprintf("%s is not an object, so it has no field %q", path, m[1])}
			}
		}
	}
	if m := missingKey.FindStringSubmatch(msg); m != nil {
		key, uerr := strconv.Unquote(m[1])
		if uerr != nil {
			key = m[1]
		}
		variable := key
		if fieldChain.MatchString(context) {
			// .a.b with a missing: "a"; with b missing: "a.b".
			parts := strings.Split(context[1:], ".")
			for i, p := range parts {
				if p == key {
					variable = strings.Join(parts[:i+1], ".")
					break
				}
			}
		}
		hint := fmt.Sprintf("set it with --var %s=VALUE or in a --vars file", variable)
		if strings.Contains(variable, ".") {
			hint = "set it in a --vars file"
		}
		return &TemplateError{File: name, Line: line, Variable: variable,
			Message: fmt.Sprintf("undefined variable %q; %s", variable, hint)}
	}
	if context != "" {
		msg = fmt.Sprintf("%s (in {{ %s }})", msg, context)
	}
	return &TemplateError{File: name, Line: line, Message: msg}
}

// splitLocation strips "template: NAME:LINE:" or "template: NAME:LINE:COL:"
// from a text/template error message, returning the line and the rest.
func splitLocation(name, msg string) (int, string) {
	rest, ok := strings.CutPrefix(msg, "template: "+name+":")
	if !ok {
		return 0, strings.TrimPrefix(msg, "template: ")
	}
	line := 0
	for n := 0; n < 2; n++ { // LINE, then COL when present
		digits := 0
		for digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' {
			digits++
		}
		if digits == 0 || digits == len(rest) || rest[digits] != ':' {
			break
		}
		if n == 0 {
			line, _ = strconv.Atoi(rest[:digits])
		}
		rest = rest[digits+1:]
	}
	return line, strings.TrimPrefix(rest, " ")
}
