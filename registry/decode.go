package registry

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxAliases bounds the alias references one file may follow, so that a
// file of nested aliases cannot make loading explode.
const maxAliases = 1000

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// decoder reads the node tree of one YAML file and collects every problem
// found, each pointing at the node it is about. Mappings whose order matters
// are read as nodes so that declaration order survives.
type decoder struct {
	file    string
	errs    []*LoadError
	seen    map[string]bool
	aliases int
	stopped bool
}

// errorf records a problem at n (nil: the whole file) and returns it so the
// caller can add a hint.
func (d *decoder) errorf(n *yaml.Node, format string, args ...any) *LoadError {
	e := &LoadError{File: d.file, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	key := fmt.Sprint(e.Line, ":", e.Column, ":", e.Msg)
	if d.stopped || d.seen[key] {
		return e // aliased nodes are visited more than once: report once
	}
	if d.seen == nil {
		d.seen = map[string]bool{}
	}
	d.seen[key] = true
	d.errs = append(d.errs, e)
	return e
}

// errors returns the problems found, in file order.
func (d *decoder) errors() []error {
	sort.SliceStable(d.errs, func(i, j int) bool {
		a, b := d.errs[i], d.errs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	errs := make([]error, len(d.errs))
	for i, e := range d.errs {
		errs[i] = e
	}
	return errs
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parse returns the root node of data, or nil (and a recorded problem) when
// data is empty or not YAML.
func (d *decoder) parse(data []byte) (root *yaml.Node) {
	defer func() {
		// A parser bug must not take the program down with it.
		if r := recover(); r != nil {
			d.errorf(nil, "invalid YAML: %v", r)
			root = nil
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		e := d.errorf(nil, "invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		e.Err, e.Line = err, yamlErrorLine(err)
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			e.Msg = "invalid YAML: " + m[2]
		}
		e.Hint = "check the indentation and quoting"
		return nil
	}
	if len(doc.Content) == 0 {
		d.errorf(nil, "file is empty")
		return nil
	}
	return doc.Content[0]
}

// yamlErrorLine returns the 1-based line a yaml.v3 syntax error is about, or
// 0. yaml.v3 reports scanner errors with 1-based lines but parser errors
// ("did not find expected ...") with 0-based ones, and then omits line 0.
func yamlErrorLine(err error) int {
	msg, line := err.Error(), 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	for _, p := range []string{"did not find expected", "found duplicate %", "found incompatible YAML document", "found undefined tag handle"} {
		if strings.HasPrefix(msg, p) {
			return line + 1
		}
	}
	return line
}

// deref follows aliases to the node they stand for.
func (d *decoder) deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		d.aliases++
		if d.aliases > maxAliases || n.Alias == nil {
			if !d.stopped {
				d.errorf(n, "too many alias references (more than %d)", maxAliases).
					withHint("write the repeated parts out instead of through *aliases")
				d.stopped = true
			}
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
		}
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names a value for "got ..." in messages.
func describe(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case isNull(n):
		return "nothing"
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str":
		return strconv.Quote(n.Value)
	case n.Kind == yaml.ScalarNode:
		return n.Value
	}
	return "an unsupported value"
}

func (d *decoder) pos(n *yaml.Node) Pos {
	return Pos{File: d.file, Line: n.Line, Column: n.Column}
}

type pair struct{ key, val *yaml.Node }

// pairs returns the entries of the mapping n in declaration order, reporting
// non-name keys and duplicates (the first one wins). A missing or null n is
// an empty mapping. ok is false when n is not a mapping. what names the
// mapping and item one of its keys in messages.
func (d *decoder) pairs(n *yaml.Node, what, item string) (ps []pair, ok bool) {
	n = d.deref(n)
	if n == nil || isNull(n) {
		return nil, true
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping, got %s", what, describe(n)).
			withHint("write its entries as key: value, one a line below it, or as {key: value, ...}")
		return nil, false
	}
	first := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := d.deref(n.Content[i])
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "%s: keys must be names, got %s", what, describe(k))
			continue
		}
		if f, dup := first[k.Value]; dup {
			d.errorf(k, "duplicate %s %q in %s (first at line %d)", item, k.Value, what, f.Line).
				withHint("remove or rename one of them")
			continue
		}
		first[k.Value] = k
		ps = append(ps, pair{k, n.Content[i+1]})
	}
	return ps, true
}

// object reads a mapping with a fixed set of keys, reporting unknown and
// duplicate keys, and returns the values by key; nil when n is not a
// mapping. what names the mapping in messages, e.g. `method "list"`.
func (d *decoder) object(n *yaml.Node, what string, known ...string) map[string]*yaml.Node {
	ps, ok := d.pairs(n, what, "key")
	if !ok {
		return nil
	}
	m := make(map[string]*yaml.Node, len(ps))
	for _, p := range ps {
		if !slices.Contains(known, p.key.Value) {
			e := d.errorf(p.key, "unknown key %q in %s", p.key.Value, what)
			if s := Nearest(p.key.Value, known); s != "" {
				e.withHint("did you mean %q?", s)
			} else {
				e.withHint("known keys: %s", strings.Join(known, ", "))
			}
			continue
		}
		m[p.key.Value] = p.val
	}
	return m
}

// peek returns the scalar under key in mapping n, or "", reporting nothing.
// It names things in messages before they are decoded.
func (d *decoder) peek(n *yaml.Node, key string) string {
	n = d.deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, v := n.Content[i], n.Content[i+1]; k.Value == key && v.Kind == yaml.ScalarNode {
			return v.Value
		}
	}
	return ""
}

// missing reports that key is absent from the mapping declared at at.
func (d *decoder) missing(at *yaml.Node, key, ctx, hint string) {
	d.errorf(at, "missing key %q in %s", key, ctx).Hint = hint
}

// str returns the text under key; "" when absent or null.
func (d *decoder) str(m map[string]*yaml.Node, key, ctx string) string {
	n := d.deref(m[key])
	if n == nil || isNull(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "%s: %s must be a string, got %s", ctx, key, describe(n)).
			withHint("write a plain value, quoted if it holds a colon")
		return ""
	}
	return n.Value
}

// boolean returns the boolean under key; false when absent or null.
func (d *decoder) boolean(m map[string]*yaml.Node, key, ctx string) bool {
	n := d.deref(m[key])
	if n == nil || isNull(n) {
		return false
	}
	var b bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		d.errorf(n, "%s: %s must be true or false, got %s", ctx, key, describe(n)).
			withHint("write %s: true or %s: false", key, key)
		return false
	}
	return b
}

// integer returns the integer under key; 0 when absent or null.
func (d *decoder) integer(m map[string]*yaml.Node, key, ctx string) int {
	n := d.deref(m[key])
	if n == nil || isNull(n) {
		return 0
	}
	var i int
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&i) != nil {
		d.errorf(n, "%s: %s must be an integer, got %s", ctx, key, describe(n)).
			withHint("write it in digits, e.g. %s: 100", key)
		return 0
	}
	return i
}

// list returns the items of the list under key; nil when absent or null.
func (d *decoder) list(m map[string]*yaml.Node, key, ctx string) []*yaml.Node {
	n := d.deref(m[key])
	if n == nil || isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s: %s must be a list, got %s", ctx, key, describe(n)).
			withHint("write its items as [a, b], or one a line below it, each after \"- \"")
		return nil
	}
	return n.Content
}

// strs returns the list of strings under key.
func (d *decoder) strs(m map[string]*yaml.Node, key, ctx string) []string {
	var out []string
	for _, n := range d.list(m, key, ctx) {
		n = d.deref(n)
		if n.Kind != yaml.ScalarNode || isNull(n) {
			d.errorf(n, "%s: the items of %s must be strings, got %s", ctx, key, describe(n)).
				withHint("write them as [a, b]")
			continue
		}
		out = append(out, n.Value)
	}
	return out
}

// choice returns the value under key, which must be one of allowed; def
// when absent. label names the value in messages, e.g. "verb".
func (d *decoder) choice(m map[string]*yaml.Node, key, label, ctx string, allowed []string, def string) string {
	if m[key] == nil {
		return def
	}
	v := d.str(m, key, ctx)
	if slices.Contains(allowed, v) {
		return v
	}
	e := d.errorf(d.deref(m[key]), "unknown %s %q in %s", label, v, ctx)
	if s := Nearest(v, allowed); s != "" {
		e.withHint("did you mean %q?", s)
	} else {
		e.withHint("%s must be one of: %s", key, strings.Join(allowed, ", "))
	}
	return def
}

// ident reports whether n holds a valid name for a kind of thing, reporting
// it when not.
func (d *decoder) ident(n *yaml.Node, kind string) bool {
	if identRE.MatchString(n.Value) {
		return true
	}
	d.errorf(n, "invalid %s name %q", kind, n.Value).
		withHint("names are letters, digits and underscores, not starting with a digit")
	return false
}
