package engine

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/apiql/apiql/engine/sqltext"
	"github.com/apiql/apiql/registry"
)

const showUsage = "SHOW PROVIDERS | SHOW CONNECTIONS | SHOW SERVICES IN <provider> | SHOW RESOURCES IN <provider>.<service> | " +
	"SHOW [EXTENDED] METHODS IN <provider>.<service>.<resource> | SHOW INSERT INTO <provider>.<service>.<resource>; each may end with LIKE 'pattern'"

// show answers SHOW statements from the registry, in StackQL's forms.
func (s *Session) show(st sqltext.Statement) (*Result, error) {
	toks := st.Tokens[1:]
	extended := false
	if len(toks) > 0 && toks[0].Is("EXTENDED") {
		extended, toks = true, toks[1:]
	}
	if len(toks) == 0 {
		return nil, errorf(len(st.Text), showUsage, "SHOW what?")
	}
	what := strings.ToUpper(toks[0].Text)
	rest := toks[1:]
	// SHOW INSERT [/*+ ... */] INTO name
	if what == "INSERT" {
		if len(rest) == 0 || !rest[0].Is("INTO") {
			return nil, errorf(toks[0].End, "write SHOW INSERT INTO <provider>.<service>.<resource>", "SHOW INSERT needs INTO and a resource name")
		}
		res, _, err := s.nameArg(st, rest[1:], 3)
		if err != nil {
			return nil, err
		}
		return insertTemplate(res)
	}
	var (
		name    string
		namePos = toks[0].End
		like    *regexp.Regexp
	)
	if len(rest) > 0 && (rest[0].Is("IN") || rest[0].Is("FROM")) {
		n, parts, ok := dotted(rest[1:])
		if !ok {
			return nil, errorf(rest[0].End, showUsage, "expected a name after %s", strings.ToUpper(rest[0].Text))
		}
		name, namePos = strings.Join(parts, "."), rest[1].Pos
		rest = rest[1+n:]
	}
	if len(rest) > 0 && rest[0].Is("LIKE") {
		if len(rest) != 2 || rest[1].Kind != sqltext.String {
			return nil, errorf(rest[0].Pos, "write LIKE 'pattern', with % and _ as in SQL", "LIKE needs one quoted pattern")
		}
		like = likePattern(rest[1].Value)
		rest = rest[2:]
	}
	if len(rest) > 0 {
		return nil, errorf(rest[0].Pos, showUsage, "unexpected %q in SHOW", rest[0].Text)
	}
	keep := func(n string) bool { return like == nil || like.MatchString(n) }
	switch what {
	case "CONNECTIONS":
		return s.showConnections(keep), nil
	case "PROVIDERS":
		res := &Result{Columns: []Column{{"name", "string"}, {"description", "string"}}, Rows: [][]any{}}
		if extended {
			res.Columns = append(res.Columns, Column{"source", "string"})
		}
		for _, p := range s.reg.Providers {
			if keep(p.Name) {
				desc := firstLine(p.Description)
				if p.Replaces != "" {
					// A registry folder's provider in place of a built-in one.
					desc = strings.TrimSpace("(replaces the built-in " + p.Name + ", from " + p.Source + ") " + desc)
				}
				row := []any{p.Name, desc}
				if extended {
					row = append(row, p.Source)
				}
				res.Rows = append(res.Rows, row)
			}
		}
		return res, nil
	case "SERVICES":
		p, err := s.provider(name, namePos, "SERVICES")
		if err != nil {
			return nil, err
		}
		res := &Result{Columns: []Column{{"id", "string"}, {"name", "string"}, {"title", "string"}}, Rows: [][]any{}}
		if extended {
			res.Columns = append(res.Columns, Column{"description", "string"})
		}
		for _, sv := range p.Services {
			if keep(sv.Name) {
				row := []any{p.Name + "." + sv.Name, sv.Name, sv.Title}
				if extended {
					row = append(row, firstLine(sv.Description))
				}
				res.Rows = append(res.Rows, row)
			}
		}
		return res, nil
	case "RESOURCES":
		sv, err := s.service(name, namePos)
		if err != nil {
			return nil, err
		}
		res := &Result{Columns: []Column{{"name", "string"}, {"id", "string"}}, Rows: [][]any{}}
		if extended {
			res.Columns = append(res.Columns, Column{"description", "string"})
		}
		for _, r := range sv.Resources() {
			if keep(r.Name) {
				row := []any{r.Name, r.ID()}
				if extended {
					row = append(row, firstLine(r.Description))
				}
				res.Rows = append(res.Rows, row)
			}
		}
		return res, nil
	case "METHODS":
		if name == "" {
			return nil, errorf(namePos, "write SHOW METHODS IN <provider>.<service>.<resource>", "SHOW METHODS needs IN and a resource name")
		}
		r, err := s.reg.Resource(name)
		if err != nil {
			return nil, wrap(namePos, "", err)
		}
		res := &Result{Columns: []Column{{"MethodName", "string"}, {"RequiredParams", "string"}, {"OptionalParams", "string"}, {"SQLVerb", "string"}}, Rows: [][]any{}}
		if extended {
			res.Columns = append(res.Columns, Column{"description", "string"})
		}
		for _, m := range r.Methods {
			if !keep(m.Name) {
				continue
			}
			req := m.RequiredParams()
			for _, b := range m.RequiredBody() {
				req = append(req, "data__"+b)
			}
			var opt []string
			for _, p := range m.Params {
				if !p.Required {
					opt = append(opt, p.Name+paramValues(p, true)+excludes(p))
				}
			}
			for _, b := range m.Body {
				if !b.Required {
					opt = append(opt, "data__"+b.Name+paramValues(b, true))
				}
			}
			row := []any{m.Name, strings.Join(req, ", "), strings.Join(opt, ", "), strings.ToUpper(m.Verb)}
			if extended {
				row = append(row, firstLine(m.Description))
			}
			res.Rows = append(res.Rows, row)
		}
		return res, nil
	}
	return nil, errorf(toks[0].Pos, showUsage, "unknown SHOW %s", toks[0].Text)
}

// describe answers DESCRIBE [EXTENDED] <resource>: its fields.
func (s *Session) describe(st sqltext.Statement) (*Result, error) {
	toks := st.Tokens[1:]
	extended := false
	if len(toks) > 0 && toks[0].Is("EXTENDED") {
		extended, toks = true, toks[1:]
	}
	r, n, err := s.nameArg(st, toks, 3)
	if err != nil {
		return nil, err
	}
	if n < len(toks) {
		return nil, errorf(toks[n].Pos, "write DESCRIBE [EXTENDED] <provider>.<service>.<resource>", "unexpected %q after the resource name", toks[n].Text)
	}
	res := &Result{Columns: []Column{{"name", "string"}, {"type", "string"}, {"filter", "string"}}, Rows: [][]any{}}
	if extended {
		res.Columns = append(res.Columns, Column{"description", "string"})
	}
	for _, f := range r.Fields {
		row := []any{f.Name, f.Type, columnFilters(r, f.Name)}
		if extended {
			row = append(row, oneLine(f.Description))
		}
		res.Rows = append(res.Rows, row)
	}
	// The parameter columns: filters that are not fields (tag_name), and
	// parameters that stand for a field (image_id).
	for _, p := range paramColumns(r) {
		row := []any{p.Name, p.Type, columnFilters(r, p.Name)}
		if extended {
			row = append(row, oneLine(p.Description))
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// columnFilters says how a WHERE condition on the column reaches the
// select methods: which method takes it, with which values, and whether
// only the API can apply it; "" when no method does.
func columnFilters(r *registry.Resource, col string) string {
	var out []string
	for _, m := range r.MethodsFor(registry.VerbSelect) {
		for _, p := range m.Params {
			switch {
			case strings.EqualFold(p.Name, col) && r.Field(p.Name) != nil && p.Field == "":
				// A parameter that shares its name with a field but
				// filters something else (the images list's type).
				out = append(out, fmt.Sprintf("%s: %s%s is the API's filter of that name (other values compare this field)", m.Name, p.Name, paramValues(p, false)))
			case strings.EqualFold(p.Name, col) && r.Field(p.Name) == nil && p.Field == "":
				out = append(out, fmt.Sprintf("%s: %s%s%s, applied by the API only (the column holds the value sent)", m.Name, p.Name, paramValues(p, false), excludes(p)))
			case strings.EqualFold(p.Name, col):
				out = append(out, fmt.Sprintf("%s: %s%s%s", m.Name, p.Name, paramValues(p, false), excludes(p)))
			case strings.EqualFold(p.Field, col):
				out = append(out, fmt.Sprintf("%s: %s = <value> is sent as %s%s", m.Name, col, p.Name, excludes(p)))
			}
		}
	}
	return strings.Join(out, "; ")
}

// paramValues renders the values a parameter takes: " = a | b" (or, in a
// list of params, " (a | b)"); "" for any value.
func paramValues(p *registry.Param, list bool) string {
	var vals []string
	switch {
	case len(p.Enum) > 0:
		vals = p.Enum
	case p.Type == registry.TypeBoolean:
		vals = []string{"true", "false"}
	}
	if len(vals) == 0 {
		if !list && p.Type == registry.TypeInteger {
			return " = <integer>"
		}
		if !list {
			return " = <value>"
		}
		return ""
	}
	if list {
		return " (" + strings.Join(vals, " | ") + ")"
	}
	return " = " + strings.Join(vals, " | ")
}

// excludes names the params the API refuses with p, as " (not with x)".
func excludes(p *registry.Param) string {
	if len(p.Excludes) == 0 {
		return ""
	}
	return " (not with " + strings.Join(p.Excludes, ", ") + ")"
}

// nameArg reads a resource name from toks. It returns the resource and the
// number of tokens read.
func (s *Session) nameArg(st sqltext.Statement, toks []sqltext.Token, parts int) (*registry.Resource, int, error) {
	n, ps, ok := dotted(toks)
	if !ok || len(ps) != parts {
		pos := len(st.Text)
		if len(toks) > 0 {
			pos = toks[0].Pos
		}
		return nil, 0, errorf(pos, "a resource is named provider.service.resource, e.g. "+s.reg.ExampleResource()+"; SHOW PROVIDERS lists providers", "expected a resource name")
	}
	r, err := s.reg.Resource(strings.Join(ps, "."))
	if err != nil {
		return nil, 0, wrap(toks[0].Pos, "", err)
	}
	return r, n, nil
}

func (s *Session) provider(name string, pos int, what string) (*registry.Provider, error) {
	if name == "" {
		return nil, errorf(pos, "write SHOW "+what+" IN <provider>; SHOW PROVIDERS lists them", "SHOW %s needs IN and a provider name", what)
	}
	p := s.reg.Provider(name)
	if p == nil {
		var names []string
		for _, p := range s.reg.Providers {
			names = append(names, p.Name)
		}
		return nil, wrap(pos, "", &registry.NotFoundError{Kind: "provider", Name: name, Suggestion: registry.Nearest(name, names), Hint: "see SHOW PROVIDERS"})
	}
	return p, nil
}

func (s *Session) service(name string, pos int) (*registry.Service, error) {
	parts := strings.Split(name, ".")
	if name == "" || len(parts) != 2 {
		return nil, errorf(pos, "write SHOW RESOURCES IN <provider>.<service>; SHOW SERVICES IN <provider> lists them", "SHOW RESOURCES needs IN and a service name like %s", s.reg.ExampleService())
	}
	p, err := s.provider(parts[0], pos, "SERVICES")
	if err != nil {
		return nil, err
	}
	sv := p.Service(parts[1])
	if sv == nil {
		var names []string
		for _, sv := range p.Services {
			names = append(names, sv.Name)
		}
		e := &registry.NotFoundError{Kind: "service", Name: name, Hint: "see SHOW SERVICES IN " + p.Name}
		if near := registry.Nearest(parts[1], names); near != "" {
			e.Suggestion = p.Name + "." + near
		}
		return nil, wrap(pos, "", e)
	}
	return sv, nil
}

// dotted reads name(.name)* from toks; it returns the tokens read and the parts.
func dotted(toks []sqltext.Token) (int, []string, bool) {
	var parts []string
	i := 0
	for {
		if i >= len(toks) || !toks[i].IsName() {
			return 0, nil, false
		}
		parts = append(parts, toks[i].Value)
		if i+2 < len(toks) && toks[i+1].IsOp(".") {
			i += 2
			continue
		}
		return i + 1, parts, true
	}
}

// likePattern compiles an SQL LIKE pattern (case-insensitive, % and _).
func likePattern(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?is)^")
	for _, r := range p {
		switch r {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// firstLine is a description's first paragraph on one line.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "\n\n"); i >= 0 {
		s = s[:i]
	}
	return oneLine(s)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// insertTemplate is SHOW INSERT INTO's answer: an INSERT to fill in, with
// the create method's required body fields, and the optional ones
// commented out.
func insertTemplate(r *registry.Resource) (*Result, error) {
	ms := r.MethodsFor(registry.VerbInsert)
	if len(ms) == 0 {
		return nil, errorf(-1, "see SHOW METHODS IN "+r.ID(), "%s has no INSERT method", r.ID())
	}
	m := ms[0]
	var cols, vals []string
	var optCols, optVals []string
	add := func(name, typ string, required bool, desc string) {
		v := "'<" + name + ">'"
		switch typ {
		case registry.TypeInteger, registry.TypeNumber:
			v = "0"
		case registry.TypeBoolean:
			v = "false"
		case registry.TypeArray:
			v = `'["<` + name + `>"]'`
		case registry.TypeObject:
			v = `'{}'`
		}
		if required {
			cols = append(cols, name)
			vals = append(vals, v)
		} else {
			optCols = append(optCols, name)
			optVals = append(optVals, v)
		}
	}
	for _, p := range m.Params {
		add(p.Name, p.Type, p.Required, p.Description)
	}
	for _, p := range m.Body {
		add("data__"+p.Name, p.Type, p.Required, p.Description)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "-- %s: required columns first; uncomment optional ones as needed\n", m.Name)
	fmt.Fprintf(&b, "INSERT INTO %s (\n", r.ID())
	list := func(req, opt []string) {
		for i, c := range req {
			sep := ","
			if i == len(req)-1 {
				sep = ""
			}
			fmt.Fprintf(&b, "  %s%s\n", c, sep)
		}
		for _, c := range opt {
			fmt.Fprintf(&b, "  -- , %s\n", c)
		}
	}
	list(cols, optCols)
	b.WriteString(")\nVALUES (\n")
	list(vals, optVals)
	b.WriteString(");")
	return &Result{Message: b.String()}, nil
}
