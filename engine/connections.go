package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/apiql/apiql/engine/sqltext"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/registry"
)

// AllConnections, as a session's connection scope, reads every connection
// of a provider.
const AllConnections = "all"

// connColumn is the name of the column that holds a row's connection: the
// provider's ConnectionColumn, unless the resource has a field of that
// name, which keeps it; the connection is then _connection.
func connColumn(res *registry.Resource) string {
	if res.Field(provider.ConnectionColumn) != nil {
		return "_" + provider.ConnectionColumn
	}
	return provider.ConnectionColumn
}

// SetConnectionScope sets the connections a reference reads when its
// statement names none: nil for each provider's default connection,
// {"all"} for all of them, or connection names. Names are checked when a
// statement uses them.
func (s *Session) SetConnectionScope(names []string) { s.scope = names }

// ConnectionScope returns the session's scope (see SetConnectionScope).
func (s *Session) ConnectionScope() []string { return s.scope }

// Connections returns the session's connections.
func (s *Session) Connections() *provider.Connections { return s.opts.Connections }

// clientFor returns the client that sends requests through the named
// connection of p.
func (s *Session) clientFor(p *registry.Provider, name string) *provider.Client {
	if name == "" {
		name = s.opts.Connections.Default(p.Name)
	}
	c := s.opts.Connections.Lookup(p.Name, name)
	if c == nil || c.Implicit {
		return s.cl
	}
	key := p.Name + "\x00" + name
	if cl, ok := s.clients[key]; ok {
		return cl
	}
	cl := s.cl.WithConnection(c)
	s.clients[key] = cl
	return cl
}

// scopeConnections returns the connections p's provider is read through
// when a statement names none.
func (s *Session) scopeConnections(p *registry.Provider) ([]string, error) {
	cs := s.opts.Connections
	switch {
	case len(s.scope) == 0:
		return []string{cs.Default(p.Name)}, nil
	case len(s.scope) == 1 && s.scope[0] == AllConnections:
		return s.allConnections(p), nil
	}
	for _, n := range s.scope {
		if cs.Lookup(p.Name, n) == nil {
			return nil, unknownConnection(-1, p, n, cs)
		}
	}
	return s.scope, nil
}

// ScopeConnections returns the names of the connections a reference to
// one of p's resources reads when its statement names none: what the
// rows' connection column will hold. (apiql sync replaces exactly these
// connections' rows.)
func (s *Session) ScopeConnections(p *registry.Provider) ([]string, error) {
	return s.scopeConnections(p)
}

// allConnections returns the names of all of p's connections: those of
// the config file, and the environment's implicit default when its token
// is set (or when it is the only one).
func (s *Session) allConnections(p *registry.Provider) []string {
	var out []string
	all := s.opts.Connections.For(p.Name)
	for _, c := range all {
		if c.Implicit && len(all) > 1 {
			if set, _ := s.cl.HasToken(p, c); !set {
				continue
			}
		}
		out = append(out, c.Name)
	}
	return out
}

func unknownConnection(pos int, p *registry.Provider, name string, cs *provider.Connections) *Error {
	hint := "SHOW CONNECTIONS lists them; connections are named in the config file (see the README's \"Several accounts\")"
	return errorf(pos, hint, "%s has no connection %q (it has %s)", p.Name, name, strings.Join(cs.Names(p.Name), ", "))
}

// bindConnections decides which connections each reference is read
// through, and makes one call per connection of each of its parameter
// sets: a conjunct connection = 'x' or connection IN (...) names them; a
// reference whose connection column is compared in any other way (an OR,
// a join's ON) is read through all of its provider's connections, and
// SQLite applies the comparison; else the session's scope. The
// connection conjuncts stay in the SQL: the column holds the name.
func (s *Session) bindConnections(st sqltext.Statement, a *sqltext.Analysis, plans []*refPlan) error {
	cs := s.opts.Connections
	for _, p := range plans {
		col := connColumn(p.res)
		prov := p.res.Service.Provider
		var names []string
		named := false
		sc := a.Scopes[p.ref.Scope]
		var preds []sqltext.Pred
		for _, pr := range sc.Preds {
			if !strings.EqualFold(pr.Column, col) || pr.Subquery != nil {
				continue
			}
			if pr.Qualifier != "" && !strings.EqualFold(pr.Qualifier, refName(p.ref)) {
				continue
			}
			if pr.Qualifier == "" && len(sc.Refs) > 1 {
				continue // ambiguous: SQLite says so
			}
			preds = append(preds, pr)
		}
		if err := checkConnLiterals(st, p, col, cs); err != nil {
			return err
		}
		for _, pr := range preds {
			var these []string
			for _, v := range pr.Values {
				if v.Kind != sqltext.String {
					return errorf(v.Pos, fmt.Sprintf("write the connection's name as a string: %s = '%s'", col, v.Text),
						"%s is a connection's name, not %s", col, v.Text)
				}
				if cs.Lookup(prov.Name, v.Value) == nil {
					return unknownConnection(v.Pos, prov, v.Value, cs)
				}
				these = append(these, v.Value)
			}
			if !named {
				names, named = these, true
				continue
			}
			// Several conjuncts: the connections they have in common.
			var common []string
			for _, n := range names {
				if contains(these, n) {
					common = append(common, n)
				}
			}
			names = common
		}
		if !named {
			var err error
			if where, ok := s.connectionsWhere(st, a, p, col, s.allConnections(prov)); ok {
				names = where
			} else if mentionsConnection(st, p, col, preds, a.Scopes[p.ref.Scope].Where) {
				names = s.allConnections(prov)
			} else if names, err = s.scopeConnections(prov); err != nil {
				return wrap(p.ref.Pos, "", err)
			}
		}
		names = dedupe(names)
		p.conns = names
		if s.readConns != nil {
			s.readConns[prov.Name] = dedupe(append(s.readConns[prov.Name], names...))
		}
		var calls []callParams
		for _, n := range names {
			for _, c := range p.calls {
				nc := callParams{conn: n, send: c.send, cols: map[string]any{}}
				for k, v := range c.cols {
					nc.cols[k] = v
				}
				nc.cols[col] = n
				calls = append(calls, nc)
			}
		}
		p.calls = calls
		p.key += "@" + strings.Join(names, ",")
	}
	return nil
}

// connectionsWhere decides the connections a reference reads when its
// connection column is compared otherwise than = or IN (an OR, <>, LIKE,
// upper(connection) = 'LAB'): each top-level WHERE condition of its block
// about that column alone is evaluated by SQLite for each of all's names,
// and only the names it holds for are read (a connection the user left out
// is not called, nor needs a token). SQLite still applies the condition to
// the rows. ok is false when no condition is about the column alone (one
// that names anything else, or a block with an outer join, decides
// nothing).
func (s *Session) connectionsWhere(st sqltext.Statement, a *sqltext.Analysis, p *refPlan, col string, all []string) (names []string, ok bool) {
	sc := a.Scopes[p.ref.Scope]
	if sc.OuterJoin || len(sc.Where) == 0 {
		return nil, false
	}
	names = all
	for _, c := range sqltext.SplitAnd(sc.Where) {
		var b strings.Builder
		at, about := c[0].Pos, false
		for i, t := range c {
			if !t.IsName() || !strings.EqualFold(t.Value, col) || i+1 < len(c) && (c[i+1].IsOp(".") || c[i+1].IsOp("(")) {
				continue
			}
			start := t.Pos
			if i >= 2 && c[i-1].IsOp(".") {
				if !strings.EqualFold(c[i-2].Value, refName(p.ref)) {
					continue
				}
				start = c[i-2].Pos
			} else if len(sc.Refs) > 1 {
				continue // unqualified among several references
			}
			b.WriteString(st.Text[at:start])
			b.WriteString("?1")
			at, about = t.End, true
		}
		if !about {
			continue
		}
		b.WriteString(st.Text[at:c[len(c)-1].End])
		q := "SELECT CASE WHEN (" + b.String() + ") THEN 1 ELSE 0 END"
		var keep []string
		valid := true
		for _, n := range all {
			var v int64
			if err := s.conn.QueryRowContext(context.Background(), q, n).Scan(&v); err != nil {
				valid = false // about other columns too: it decides nothing
				break
			}
			if v == 1 && contains(names, n) {
				keep = append(keep, n)
			}
		}
		if valid {
			names, ok = keep, true
		}
	}
	return names, ok
}

// mentionsConnection reports whether the statement compares p's
// connection column outside the conjuncts bound to it: next to an
// operator, IN, LIKE, IS, BETWEEN and the like, or anywhere in where (the
// WHERE clause of its block: lower(connection) = 'lab' OR id < 0).
func mentionsConnection(st sqltext.Statement, p *refPlan, col string, bound []sqltext.Pred, where []sqltext.Token) bool {
	toks := st.Tokens
	cmp := func(t sqltext.Token) bool {
		switch {
		case t.Kind == sqltext.Op:
			return t.Value != "," && t.Value != "(" && t.Value != ")" && t.Value != "." && t.Value != ";"
		case t.Is("IN"), t.Is("LIKE"), t.Is("GLOB"), t.Is("IS"), t.Is("NOT"), t.Is("BETWEEN"), t.Is("REGEXP"), t.Is("MATCH"):
			return true
		}
		return false
	}
	for i, t := range toks {
		if !t.IsName() || !strings.EqualFold(t.Value, col) {
			continue
		}
		if i+1 < len(toks) && toks[i+1].IsOp(".") {
			continue
		}
		inBound := false
		for _, b := range bound {
			if t.Pos >= b.Pos && t.End <= b.End {
				inBound = true
			}
		}
		if inBound || t.Pos >= p.ref.Pos && t.End <= p.ref.End {
			continue
		}
		if i >= 2 && toks[i-1].IsOp(".") && !strings.EqualFold(toks[i-2].Value, refName(p.ref)) {
			continue
		}
		if i > 0 && cmp(toks[i-1]) && !toks[i-1].IsOp(".") || i+1 < len(toks) && cmp(toks[i+1]) {
			return true
		}
		if len(where) > 0 && t.Pos >= where[0].Pos && t.End <= where[len(where)-1].End {
			return true
		}
		if clauseOf(toks, i) == "HAVING" {
			return true // HAVING upper(connection) = 'LAB'
		}
		if i >= 2 && toks[i-1].IsOp(".") && i >= 3 && cmp(toks[i-3]) {
			return true
		}
	}
	return false
}

// checkConnLiterals refuses a name compared with p's connection column
// anywhere in the statement (connection = 'x', 'x' = connection,
// connection IN ('x', ...), in an OR or a HAVING as well) that is no
// connection of its provider: such a comparison could only ever be false,
// and a typo would silently answer nothing.
func checkConnLiterals(st sqltext.Statement, p *refPlan, col string, cs *provider.Connections) error {
	toks := st.Tokens
	prov := p.res.Service.Provider
	check := func(t sqltext.Token) error {
		if t.Kind == sqltext.String && cs.Lookup(prov.Name, t.Value) == nil {
			return unknownConnection(t.Pos, prov, t.Value, cs)
		}
		return nil
	}
	eq := func(t sqltext.Token) bool { return t.IsOp("=") || t.IsOp("==") || t.IsOp("!=") || t.IsOp("<>") }
	for i, t := range toks {
		if !t.IsName() || !strings.EqualFold(t.Value, col) || i+1 < len(toks) && (toks[i+1].IsOp(".") || toks[i+1].IsOp("(")) {
			continue
		}
		if t.Pos >= p.ref.Pos && t.End <= p.ref.End {
			continue
		}
		first := i
		if i >= 2 && toks[i-1].IsOp(".") {
			if !strings.EqualFold(toks[i-2].Value, refName(p.ref)) {
				continue
			}
			first = i - 2
		}
		if i+2 < len(toks) && eq(toks[i+1]) {
			if err := check(toks[i+2]); err != nil {
				return err
			}
		}
		if first >= 2 && eq(toks[first-1]) {
			if err := check(toks[first-2]); err != nil {
				return err
			}
		}
		j := i + 1
		if j < len(toks) && toks[j].Is("NOT") {
			j++
		}
		if j+1 < len(toks) && toks[j].Is("IN") && toks[j+1].IsOp("(") {
			for k := j + 2; k < len(toks) && !toks[k].IsOp(")"); k++ {
				if err := check(toks[k]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// writeConnection returns the one connection a write goes to: the one its
// statement names (names lists them, empty for none), else the session's
// scope when that is one connection, else the provider's default. A write
// never goes to several connections: naming several, or none while the
// session reads several, is refused before any call.
func (s *Session) writeConnection(p *registry.Provider, names []string, pos int) (string, error) {
	cs := s.opts.Connections
	names = dedupe(names)
	for _, n := range names {
		if cs.Lookup(p.Name, n) == nil {
			return "", unknownConnection(pos, p, n, cs)
		}
	}
	switch {
	case len(names) == 1:
		return names[0], nil
	case len(names) > 1:
		return "", errorf(pos, "run one statement per connection",
			"a write goes to exactly one connection; this one names %s", strings.Join(names, ", "))
	}
	scope, err := s.scopeConnections(p)
	if err != nil {
		return "", err
	}
	if len(scope) != 1 {
		sort.Strings(scope)
		return "", errorf(pos, fmt.Sprintf("name it: WHERE connection = '%s' (UPDATE, DELETE), a connection column (INSERT), or @connection = '%s' (EXEC)", scope[0], scope[0]),
			"this session reads several connections (%s); a write goes to exactly one, named in the statement", strings.Join(scope, ", "))
	}
	return scope[0], nil
}

// checkSubqueryConns refuses a write that names no connection when the
// subqueries that gave its values read the provider through another
// connection than the write's (conn): the ids of one account would be
// changed in another. Naming the write's connection says it is meant.
func (s *Session) checkSubqueryConns(p *registry.Provider, conn string, read []string, pos int) error {
	var other []string
	for _, n := range read {
		if n != conn {
			other = append(other, n)
		}
	}
	if len(other) == 0 {
		return nil
	}
	sort.Strings(other)
	return errorf(pos, fmt.Sprintf("name the write's connection: ... AND connection = '%s' (or = '%s' if you mean it)", other[0], conn),
		"the subquery reads connection %s, but the write names none and would go to %s", strings.Join(other, ", "), conn)
}

// connectionLabel prefixes an error of a call made through a named
// connection with the connection's name, when the provider has several.
func (s *Session) connectionLabel(p *registry.Provider, name string) string {
	if len(s.opts.Connections.For(p.Name)) > 1 {
		return "connection " + name + ": "
	}
	return ""
}

// namedClients returns the clients of the named connections used so far,
// in a stable order.
func (s *Session) namedClients() []*provider.Client {
	keys := make([]string, 0, len(s.clients))
	for k := range s.clients {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*provider.Client, len(keys))
	for i, k := range keys {
		out[i] = s.clients[k]
	}
	return out
}

// connConjuncts are a write's WHERE conjuncts on the connection column and
// the names they give.
type connConjuncts struct {
	preds []sqltext.Pred
	names []string
}

// connPreds takes the conjuncts on res's connection column out of a
// write's WHERE conjuncts: they choose the connection, not the objects.
func connPreds(preds []sqltext.Pred, ref sqltext.Ref, res *registry.Resource) ([]sqltext.Pred, connConjuncts, error) {
	col := connColumn(res)
	var rest []sqltext.Pred
	var cc connConjuncts
	for _, p := range preds {
		if !strings.EqualFold(p.Column, col) || p.Qualifier != "" && !strings.EqualFold(p.Qualifier, refName(ref)) {
			rest = append(rest, p)
			continue
		}
		if p.Subquery != nil {
			return nil, cc, errorf(p.Pos, fmt.Sprintf("name it: %s = 'prod'", col), "a write's connection is named with a literal, not a subquery")
		}
		cc.preds = append(cc.preds, p)
		for _, v := range p.Values {
			if v.Kind != sqltext.String {
				return nil, cc, errorf(v.Pos, fmt.Sprintf("write the connection's name as a string: %s = '%s'", col, v.Text), "%s is a connection's name, not %s", col, v.Text)
			}
			cc.names = append(cc.names, v.Value)
		}
	}
	return rest, cc, nil
}

// showConnections answers SHOW CONNECTIONS: every provider's connections,
// where each token comes from and whether it is set; never a token.
func (s *Session) showConnections(keep func(string) bool) *Result {
	res := &Result{Columns: []Column{
		{"provider", registry.TypeString}, {"name", registry.TypeString}, {"token_from", registry.TypeString},
		{"token_set", registry.TypeBoolean}, {"api_url", registry.TypeString}, {"is_default", registry.TypeBoolean},
	}, Rows: [][]any{}}
	cs := s.opts.Connections
	for _, p := range s.reg.Providers {
		if p.Auth.Type != "bearer" {
			continue
		}
		for _, c := range cs.For(p.Name) {
			if !keep(c.Name) {
				continue
			}
			var set any
			if ok, known := s.cl.HasToken(p, c); known {
				set = ok
			}
			url := s.cl.BaseURL(p)
			if c.APIURL != "" {
				url = c.APIURL
			}
			url = provider.RedactURL(url) // a password in it is a secret
			from := c.Source(p.Auth.TokenEnv)
			if f, ok := s.opts.TokenFrom[p.Name]; ok {
				from = f
			}
			res.Rows = append(res.Rows, []any{p.Name, c.Name, from, set, url, c.Name == cs.Default(p.Name)})
		}
	}
	return res
}
