package engine

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/apiql/apiql/engine/sqltext"
	"github.com/apiql/apiql/registry"
)

// refPlan is how one resource reference of a statement is fetched.
type refPlan struct {
	ref    sqltext.Ref
	res    *registry.Resource
	method *registry.Method
	// calls holds one parameter set per call (an IN list fans out).
	calls []callParams
	// neutral are the conjuncts the API has applied and that SQLite must
	// not apply again; they are replaced by TRUE.
	neutral []sqltext.Span
	// key identifies the fetch: the same key is fetched once per statement.
	key string
	// dedupe is set when several calls may answer with the same object
	// (an IN list): an object already inserted (by the resource's
	// identity) is skipped, as SQL's IN would return it once.
	dedupe bool
	// intersect, when set, keeps only the objects that the calls of
	// every condition on one parameter found (tag_name = 'a' AND
	// tag_name = 'b').
	intersect *intersection
	// conns are the connections the reference is read through.
	conns []string
	// deps are the parameters bound from other rows of the statement
	// (deps.go); calls then holds the literal parameters only, and the
	// fetch's calls are known once those rows are in.
	deps []dep
	// literals counts the literal parameters' calls of a fetch with deps.
	literals int
}

// callParams is one call's parameters: as sent (text) and as the param
// columns of its rows hold them (SQL values).
type callParams struct {
	send map[string]string
	cols map[string]any
	// conn is the connection the call goes through.
	conn string
}

// binding is a method parameter bound from a WHERE conjunct.
type binding struct {
	// byField is set when the conjunct names the field the parameter
	// stands for (id), not the parameter (image_id).
	byField bool
	// extra are further conjuncts the binding applies (a shadowing
	// parameter named twice); they are neutralized with pred.
	extra []sqltext.Pred
	// sets, when the parameter column is named in several conditions
	// with different values, holds each condition's values: an object is
	// a row when every condition's calls find it (send holds them all).
	sets    [][]string
	param   *registry.Param
	pred    sqltext.Pred
	send    []string
	cols    []any
	neutral bool
}

// paramColumns are the resource's select-method parameters that are not
// fields: they become extra columns of its rows, holding the value sent.
func paramColumns(res *registry.Resource) []*registry.Param {
	var cols []*registry.Param
	seen := map[string]bool{}
	for _, m := range res.MethodsFor(registry.VerbSelect) {
		for _, p := range m.Params {
			if res.Field(p.Name) != nil || seen[p.Name] {
				continue
			}
			seen[p.Name] = true
			cols = append(cols, p)
		}
	}
	return cols
}

// resolveRefs looks every reference up in the registry.
func (s *Session) resolveRefs(a *sqltext.Analysis) ([]*registry.Resource, error) {
	out := make([]*registry.Resource, len(a.Refs))
	for i, ref := range a.Refs {
		if len(ref.Parts) != 3 {
			return nil, errorf(ref.Pos, "a resource is named provider.service.resource; methods are called with EXEC provider.service.resource.method",
				"%q is not a resource name", ref.Name())
		}
		res, err := s.reg.Resource(ref.Name())
		if err != nil {
			return nil, wrap(ref.Pos, "", err)
		}
		out[i] = res
	}
	return out, nil
}

// planSelect chooses a select method and its parameters for every
// reference of a statement.
func planSelect(st sqltext.Statement, a *sqltext.Analysis, resources []*registry.Resource) ([]*refPlan, error) {
	plans := make([]*refPlan, len(a.Refs))
	with := sqltext.ParseWith(st.Tokens)
	for i, ref := range a.Refs {
		preds := predsFor(a, i, resources)
		cands := depCands(st, a, with, i, resources)
		p, err := chooseMethod(ref, resources[i], preds, cands, a.Scopes[ref.Scope].OuterJoin)
		if err != nil {
			return nil, err
		}
		plans[i] = p
	}
	return plans, nil
}

// checkUnbound refuses a statement that names a parameter column with no
// field behind it (tag_name, private) of a reference whose fetch does not
// send that parameter: the column would be NULL in every row, and a
// filter on it would silently match nothing.
func checkUnbound(st sqltext.Statement, plans []*refPlan) error {
	toks := st.Tokens
	inside := func(t sqltext.Token) bool {
		for _, p := range plans {
			if t.Pos >= p.ref.Pos && t.End <= p.ref.End {
				return true
			}
			for _, sp := range p.neutral {
				if t.Pos >= sp.Pos && t.End <= sp.End {
					return true
				}
			}
		}
		return false
	}
	for i, t := range toks {
		if !t.IsName() || inside(t) || i+1 < len(toks) && toks[i+1].IsOp(".") || i > 0 && toks[i-1].Is("AS") {
			continue // not a column: a qualifier, or a name being given
		}
		qual := ""
		if i >= 2 && toks[i-1].IsOp(".") && toks[i-2].IsName() {
			qual = toks[i-2].Value
		}
		var name, owner string
		seen, bound := false, false
		for _, p := range plans {
			pc := paramColumn(p.res, t.Value)
			if pc == nil || pc.Field != "" || qual != "" && !strings.EqualFold(qual, refName(p.ref)) {
				continue
			}
			seen, name, owner = true, pc.Name, p.res.ID()
			for _, d := range p.deps {
				bound = bound || d.param.Name == pc.Name
			}
			if len(p.calls) > 0 {
				if _, ok := p.calls[0].send[pc.Name]; ok {
					bound = true
				}
			} else {
				bound = true // no call at all: no rows, nothing to mislead
			}
		}
		if seen && !bound {
			hint := fmt.Sprintf("filter with WHERE %s = <value>, %s IN (<values>) or an OR of those, joined to the rest with AND, so that it is sent to the API", name, name)
			if c := clauseOf(toks, i); c != "WHERE" && c != "ON" && c != "HAVING" {
				// Read, not compared: it has a value only when sent.
				return errorf(t.Pos, hint,
					"%s is a filter only the API applies, not a field of %s: a row holds the value the WHERE clause sent for it (%s = <value>, %s IN (<values>), or an OR of those, joined with AND), and this statement sends none, so there is nothing to read", name, owner, name, name)
			}
			return errorf(t.Pos, hint,
				"%s is a filter only the API applies, not a field of %s: it is sent when a condition of the WHERE clause joined with AND gives it exact values (%s = <value>, %s IN (<values>), or an OR of those), and this one does not (a pattern, NULL, or an OR with other columns), so SQL cannot apply it either", name, owner, name, name)
		}
		if err := checkShadow(toks, i, qual, plans); err != nil {
			return err
		}
	}
	return nil
}

// checkShadow refuses a comparison of a field with a value that, for the
// same-named list parameter, means something else (type = 'distribution'
// is an image family to the API, never a value of the type field) where
// the comparison is not sent to the API: SQL would compare the field and
// silently match nothing.
func checkShadow(toks []sqltext.Token, i int, qual string, plans []*refPlan) error {
	t := toks[i]
	for _, p := range plans {
		if qual != "" && !strings.EqualFold(qual, refName(p.ref)) {
			continue
		}
		prm := shadowParam(p.res, t.Value)
		if prm == nil {
			continue
		}
		// The literals compared with the column: col = 'x', col IN ('x', ...).
		var lits []sqltext.Token
		j := i + 1
		if j < len(toks) && (toks[j].IsOp("=") || toks[j].IsOp("==") || toks[j].IsOp("!=") || toks[j].IsOp("<>")) && j+1 < len(toks) {
			lits = append(lits, toks[j+1])
		}
		if j+1 < len(toks) && toks[j].Is("NOT") && toks[j+1].Is("IN") {
			j++
		}
		if j+1 < len(toks) && toks[j].Is("IN") && toks[j+1].IsOp("(") {
			for k := j + 2; k < len(toks) && !toks[k].IsOp(")"); k++ {
				lits = append(lits, toks[k])
			}
		}
		if i >= 2 && (toks[i-1].IsOp("=") || toks[i-1].IsOp("==")) {
			lits = append(lits, toks[i-2])
		}
		for _, l := range lits {
			if l.Kind == sqltext.String && contains(prm.Enum, l.Value) {
				if clauseOf(toks, i) == "ON" {
					return errorf(l.Pos, fmt.Sprintf("move it to the WHERE clause, joined to the rest with AND: WHERE %s%s = '%s'", qualPrefix(qual), prm.Name, l.Value),
						"%s = '%s' in a JOIN's ON condition is not sent to the API: it is %s's %s filter, never a value of the %s field, so here it would match nothing", prm.Name, l.Value, p.res.ID(), prm.Name, prm.Name)
				}
				return errorf(l.Pos, fmt.Sprintf("write it in the WHERE clause as a condition of its own, joined to the rest with AND: WHERE %s%s = '%s'", qualPrefix(qual), prm.Name, l.Value),
					"%s = '%s' is %s's %s filter, which only the API applies, never a value of the %s field; here (not a condition of the WHERE clause joined with AND) it is not sent, so it would match nothing", prm.Name, l.Value, p.res.ID(), prm.Name, prm.Name)
			}
		}
	}
	return nil
}

// clauseOf returns the keyword of the clause toks[i] is in, at its own
// level of parentheses and through any CASE expression: ON, WHERE,
// SELECT, HAVING, ORDER, GROUP, USING, SET, or "".
func clauseOf(toks []sqltext.Token, i int) string {
	depth := 0
	for j := i - 1; j >= 0; j-- {
		t := toks[j]
		switch {
		case t.IsOp(")"):
			depth++
		case t.IsOp("("):
			if depth == 0 {
				continue // inside a group of the same clause
			}
			depth--
		case depth > 0 || j > 0 && toks[j-1].IsOp("."):
		case t.Is("ON") || t.Is("WHERE") || t.Is("SELECT") || t.Is("HAVING") || t.Is("ORDER") || t.Is("GROUP") ||
			t.Is("USING") || t.Is("SET"):
			return strings.ToUpper(t.Text)
		}
	}
	return ""
}

// qualPrefix is "q." for a qualifier q, or "".
func qualPrefix(qual string) string {
	if qual == "" {
		return ""
	}
	return qual + "."
}

// shadowParam returns the select-method parameter named name that shares
// its name with a field of res but filters something else (no Field, an
// enum), or nil.
func shadowParam(res *registry.Resource, name string) *registry.Param {
	if res.Field(name) == nil {
		return nil
	}
	for _, m := range res.MethodsFor(registry.VerbSelect) {
		for _, prm := range m.Params {
			if strings.EqualFold(prm.Name, name) && prm.Field == "" && len(prm.Enum) > 0 {
				return prm
			}
		}
	}
	return nil
}

// paramColumn returns the resource's parameter column named name, or nil.
func paramColumn(res *registry.Resource, name string) *registry.Param {
	for _, pc := range paramColumns(res) {
		if strings.EqualFold(pc.Name, name) {
			return pc
		}
	}
	return nil
}

// predsFor returns the pushable conjuncts of reference i's block that are
// about reference i.
func predsFor(a *sqltext.Analysis, i int, resources []*registry.Resource) []sqltext.Pred {
	ref := a.Refs[i]
	sc := a.Scopes[ref.Scope]
	var out []sqltext.Pred
	for _, p := range sc.Preds {
		if p.Qualifier != "" {
			if strings.EqualFold(p.Qualifier, refName(ref)) {
				out = append(out, p)
			}
			continue
		}
		// Unqualified: it is about ref when ref is the one resource of the
		// block that has such a column.
		owners := 0
		mine := false
		for _, j := range sc.Refs {
			if hasColumn(resources[j], p.Column) {
				owners++
				mine = mine || j == i
			}
		}
		if owners == 1 && mine {
			out = append(out, p)
		}
	}
	return out
}

// refName is the name a reference is known by in its block: its alias, or
// the resource's own name.
func refName(ref sqltext.Ref) string {
	if ref.Alias != "" {
		return ref.Alias
	}
	return ref.Parts[len(ref.Parts)-1]
}

func hasColumn(res *registry.Resource, col string) bool {
	for _, f := range res.Fields {
		if strings.EqualFold(f.Name, col) {
			return true
		}
	}
	for _, p := range paramColumns(res) {
		if strings.EqualFold(p.Name, col) {
			return true
		}
	}
	return false
}

// chooseMethod picks the most specific select method whose required
// parameters the conjuncts bind.
//
// cands are the conditions that could bind a parameter from other rows of
// the statement: a method uses those that name a parameter column (which
// only the API can apply) where it takes that parameter; those that name the
// field a parameter stands for only when no method runs without them.
func chooseMethod(ref sqltext.Ref, res *registry.Resource, preds []sqltext.Pred, cands []dep, outer bool) (*refPlan, error) {
	methods := res.MethodsFor(registry.VerbSelect)
	if len(methods) == 0 {
		return nil, errorf(ref.Pos, "see SHOW METHODS IN "+res.ID(), "%s has no SELECT method", res.ID())
	}
	var (
		best      *registry.Method
		bestBinds []binding
		bestDeps  []dep
		needs     []string
	)
	// A conjunct only the API can apply (a parameter column, or a
	// parameter that shadows a field) is lost when the chosen method does
	// not take it: choose first the method that leaves fewest such
	// conjuncts unbound, then the most specific one (get over list).
	lost := func(binds []binding) int {
		n := 0
		for _, pr := range preds {
			if !apiOnly(res, pr) {
				continue
			}
			bound := false
			for _, b := range binds {
				if b.pred.Pos == pr.Pos {
					bound = true
				}
				for _, x := range b.extra {
					if x.Pos == pr.Pos {
						bound = true
					}
				}
			}
			if !bound {
				n++
			}
		}
		return n
	}
	bestLost := 0
	for pass := 0; pass < 2 && best == nil; pass++ {
		for _, m := range methods {
			binds, missing := bindMethod(res, m, preds, outer)
			deps, missing := bindDeps(res, m, binds, missing, cands, pass == 1)
			if len(missing) > 0 {
				if pass == 1 {
					needs = append(needs, fmt.Sprintf("%s needs %s", m.Name, strings.Join(missing, ", ")))
				}
				continue
			}
			l := lost(binds) + lostDeps(res, cands, deps)
			switch {
			case best == nil, l < bestLost,
				l == bestLost && len(m.RequiredParams()) > len(best.RequiredParams()),
				l == bestLost && len(m.RequiredParams()) == len(best.RequiredParams()) && len(binds)+len(deps) > len(bestBinds)+len(bestDeps):
				best, bestBinds, bestDeps, bestLost = m, binds, deps, l
			}
		}
	}
	if best == nil {
		return nil, unboundError(ref, res, methods, needs)
	}
	bestBinds, err := exclusive(res, best, bestBinds)
	if err != nil {
		return nil, err
	}
	p := &refPlan{ref: ref, res: res, method: best, deps: bestDeps}
	p.calls = fanOut(bestBinds)
	if len(p.calls) > 1 {
		// Several calls may find one object (tag_name IN ('a', 'b') and an
		// image with both tags): a WHERE clause never adds rows, so it is
		// one row, by the resource's identity.
		p.dedupe = true
	}
	for _, b := range bestBinds {
		if b.sets == nil {
			continue
		}
		if err := intersectable(res, b, bestBinds, bestDeps); err != nil {
			return nil, err
		}
		p.intersect = &intersection{param: b.param.Name, sets: b.sets}
	}
	for _, b := range bestBinds {
		if b.neutral {
			for _, pr := range b.extra {
				p.neutral = append(p.neutral, sqltext.Span{Pos: pr.Pos, End: pr.End})
			}
			p.neutral = append(p.neutral, sqltext.Span{Pos: b.pred.Pos, End: b.pred.End})
		}
	}
	p.key = fetchKey(res, best, p.calls)
	if len(p.deps) > 0 {
		p.literals = len(p.calls)
		// Fetched for this reference alone, once its parents are in.
		p.key += fmt.Sprintf("#dep@%d", ref.Pos)
		for _, d := range p.deps {
			p.dedupe = p.dedupe || d.byField
		}
	}
	return p, nil
}

// intersection is a parameter named in several conditions: each set holds
// one condition's values.
type intersection struct {
	param string
	sets  [][]string
}

// keeps reports whether an object that the calls with the values found
// (the parameter's values) satisfies every condition.
func (x *intersection) keeps(found map[string]bool) bool {
	for _, set := range x.sets {
		ok := false
		for _, v := range set {
			ok = ok || found[v]
		}
		if !ok {
			return false
		}
	}
	return true
}

// intersectable refuses an intersection of conditions that apiql cannot
// compute: it needs the resource's identity, and no other parameter with
// several values or from other rows.
func intersectable(res *registry.Resource, b binding, binds []binding, deps []dep) error {
	what := fmt.Sprintf("%s is named in several conditions with different values", b.param.Name)
	if res.IdentityField() == "" {
		return errorf(b.extra[0].Pos, fmt.Sprintf("give %s one condition, and filter further in an outer query", b.param.Name),
			"%s, and %s declares no identity to match the objects each finds", what, res.ID())
	}
	for _, o := range binds {
		if o.param != b.param && len(dedupe(o.send)) > 1 {
			return errorf(b.extra[0].Pos, fmt.Sprintf("give %s or %s one value, and filter further in an outer query", b.param.Name, o.param.Name),
				"%s, and %s has several values too: apiql intersects the calls of one parameter only", what, o.param.Name)
		}
	}
	if len(deps) > 0 {
		return errorf(b.extra[0].Pos, fmt.Sprintf("give %s one condition, and filter further in an outer query", b.param.Name),
			"%s, and the same fetch takes parameters from other rows", what)
	}
	return nil
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// bindMethod binds m's parameters from the conjuncts. It returns the
// bindings and the required parameters left unbound.
func bindMethod(res *registry.Resource, m *registry.Method, preds []sqltext.Pred, outer bool) ([]binding, []string) {
	var (
		binds   []binding
		missing []string
	)
	for _, prm := range m.Params {
		if b, ok := bindShadow(res, prm, preds, outer); ok {
			binds = append(binds, b)
			continue
		}
		var found *binding
		for _, pr := range preds {
			if pr.Subquery != nil {
				continue
			}
			byName := strings.EqualFold(pr.Column, prm.Name)
			byField := prm.Field != "" && strings.EqualFold(pr.Column, prm.Field)
			if !byName && !byField {
				continue
			}
			b := binding{param: prm, pred: pr}
			shadow := byName && res.Field(prm.Name) != nil && prm.Field == ""
			switch {
			case shadow:
				// The parameter shares its name with a field but means
				// something else: only its enum values are pushed, and the
				// API's filtering then replaces the SQL predicate.
				if outer || len(prm.Enum) == 0 || !allInEnum(pr.Values, prm.Enum) {
					continue
				}
				b.neutral = true
			case byName && res.Field(prm.Name) == nil:
				// A parameter column holds exactly the value sent, so the
				// predicate holds for every row fetched.
				b.neutral = !outer
			}
			b.byField = byField && !byName
			ok := true
			for _, v := range pr.Values {
				if f := res.Field(prm.Field); f != nil && f.Type == registry.TypeInteger && (b.byField || v.Kind == sqltext.Number) {
					// The value must mean to the API what it means to
					// SQL: an integer field's value in canonical form
					// (100051, not 100051.0, or through the field '0100051').
					if v, ok = canonicalInt(v); !ok {
						break
					}
				}
				send, col, err := paramValue(prm, v)
				if err != nil {
					ok = false
					break
				}
				b.send = append(b.send, send)
				b.cols = append(b.cols, col)
			}
			if !ok {
				continue
			}
			if found == nil {
				found = &b
				continue
			}
			if found.neutral && b.neutral && !found.byField && !b.byField {
				// The parameter column named again (tag_name = 'a' AND
				// tag_name = 'b'): the API applies every condition, the
				// rows being the objects that each of them finds.
				found.extra = append(found.extra, pr)
				if found.sets == nil {
					found.sets = [][]string{found.send}
				}
				found.sets = append(found.sets, b.send)
				for i, v := range b.send {
					if !contains(found.send, v) {
						found.send = append(found.send, v)
						found.cols = append(found.cols, b.cols[i])
					}
				}
			}
		}
		if found != nil && found.sets != nil && allSame(found.sets) {
			found.sets = nil // the same values each time: one condition
		}
		if found == nil {
			if prm.Required {
				missing = append(missing, prm.Name)
			}
			continue
		}
		binds = append(binds, *found)
	}
	return binds, missing
}

// allSame reports whether every set holds the same values.
func allSame(sets [][]string) bool {
	for _, s := range sets[1:] {
		if len(dedupe(s)) != len(dedupe(sets[0])) {
			return false
		}
		for _, v := range s {
			if !contains(sets[0], v) {
				return false
			}
		}
	}
	return true
}

// exclusive keeps the bindings the API takes together: of two parameters
// the registry says exclude each other, the one SQLite can apply itself
// (it filters on a field, and the predicate stays in the SQL) is not sent.
// Two that only the API can apply are an error.
func exclusive(res *registry.Resource, m *registry.Method, binds []binding) ([]binding, error) {
	drop := map[int]bool{}
	for i, a := range binds {
		for j, b := range binds {
			if i >= j || drop[i] || drop[j] || !(contains(a.param.Excludes, b.param.Name) || contains(b.param.Excludes, a.param.Name)) {
				continue
			}
			aLocal, bLocal := !a.neutral, !b.neutral
			switch {
			case bLocal:
				drop[j] = true
			case aLocal:
				drop[i] = true
			default:
				return nil, errorf(b.pred.Pos, "filter on one of them here, and on the other in an outer query over the result",
					"%s cannot send %s and %s together", m.Name, a.param.Name, b.param.Name)
			}
		}
	}
	var out []binding
	for i, b := range binds {
		if !drop[i] {
			out = append(out, b)
		}
	}
	return out, nil
}

// apiOnly reports whether a conjunct means something only the API can
// apply: a parameter column with no field behind it (tag_name, private), or
// a parameter that shares its name with a field but filters something else,
// with values from its enum (type = 'distribution').
func apiOnly(res *registry.Resource, pr sqltext.Pred) bool {
	for _, pc := range paramColumns(res) {
		if strings.EqualFold(pc.Name, pr.Column) {
			return pc.Field == ""
		}
	}
	if res.Field(pr.Column) == nil {
		return false
	}
	for _, m := range res.MethodsFor(registry.VerbSelect) {
		for _, prm := range m.Params {
			if strings.EqualFold(prm.Name, pr.Column) && prm.Field == "" && len(prm.Enum) > 0 && allInEnum(pr.Values, prm.Enum) {
				return true
			}
		}
	}
	return false
}

// bindShadow binds a parameter that shares its name with a field but
// filters something else (the images list's type): every conjunct on that
// column whose values are all enum values is applied by the API, so all of
// them are neutralized and the parameter takes the values they have in
// common (none: no call, no rows, as the conjuncts together demand).
func bindShadow(res *registry.Resource, prm *registry.Param, preds []sqltext.Pred, outer bool) (binding, bool) {
	if outer || prm.Field != "" || len(prm.Enum) == 0 || res.Field(prm.Name) == nil {
		return binding{}, false
	}
	var (
		b     binding
		found bool
		vals  []string
	)
	for _, pr := range preds {
		if pr.Subquery != nil || !strings.EqualFold(pr.Column, prm.Name) || !allInEnum(pr.Values, prm.Enum) {
			continue
		}
		var these []string
		for _, v := range pr.Values {
			these = append(these, v.Value)
		}
		if !found {
			b, found, vals = binding{param: prm, pred: pr, neutral: true}, true, these
			continue
		}
		b.extra = append(b.extra, pr)
		var common []string
		for _, v := range vals {
			if contains(these, v) {
				common = append(common, v)
			}
		}
		vals = common
	}
	for _, v := range vals {
		b.send = append(b.send, v)
		b.cols = append(b.cols, v)
	}
	return b, found
}

// canonicalInt returns the literal as a canonical integer number token, or
// false when SQL would not see it as exactly that integer.
func canonicalInt(v sqltext.Token) (sqltext.Token, bool) {
	switch x := literalValue(v).(type) {
	case int64:
		if v.Kind == sqltext.String && strconv.FormatInt(x, 10) != v.Value {
			return v, false
		}
		t := strconv.FormatInt(x, 10)
		return sqltext.Token{Kind: sqltext.Number, Text: t, Value: t, Pos: v.Pos, End: v.End}, true
	case float64:
		if n := int64(x); float64(n) == x && x >= -1<<53 && x <= 1<<53 {
			t := strconv.FormatInt(n, 10)
			return sqltext.Token{Kind: sqltext.Number, Text: t, Value: t, Pos: v.Pos, End: v.End}, true
		}
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil && strconv.FormatInt(n, 10) == x {
			return sqltext.Token{Kind: sqltext.Number, Text: x, Value: x, Pos: v.Pos, End: v.End}, true
		}
	}
	return v, false
}

func allInEnum(vals []sqltext.Token, enum []string) bool {
	for _, v := range vals {
		if v.Kind != sqltext.String {
			return false
		}
		in := false
		for _, e := range enum {
			if v.Value == e {
				in = true
			}
		}
		if !in {
			return false
		}
	}
	return true
}

// paramValue converts a literal to the text sent for prm and the SQL value
// its parameter column holds.
func paramValue(prm *registry.Param, v sqltext.Token) (string, any, error) {
	send, col, err := paramValueText(prm, v)
	if err != nil {
		return "", nil, err
	}
	// An empty value is no filter to an API, and "", "." and ".." are no
	// path segment: such a value is not sent (SQLite compares it instead).
	if send == "" || prm.In == registry.InPath && (send == "." || send == "..") {
		return "", nil, fmt.Errorf("%s: %q cannot be sent", prm.Name, send)
	}
	return send, col, nil
}

// paramValueText is paramValue without the check for unsendable values.
func paramValueText(prm *registry.Param, v sqltext.Token) (string, any, error) {
	lit := literalValue(v)
	switch prm.Type {
	case registry.TypeBoolean:
		switch strings.ToLower(fmt.Sprint(lit)) {
		case "true", "1":
			return "true", int64(1), nil
		case "false", "0":
			return "false", int64(0), nil
		}
		return "", nil, fmt.Errorf("%s takes true or false, not %s", prm.Name, v.Text)
	case registry.TypeInteger:
		switch x := lit.(type) {
		case int64:
			return strconv.FormatInt(x, 10), x, nil
		case string:
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				return x, n, nil
			}
		}
		return "", nil, fmt.Errorf("%s takes an integer, not %s", prm.Name, v.Text)
	case registry.TypeNumber:
		switch x := lit.(type) {
		case int64, float64:
			return v.Value, x, nil
		}
		return "", nil, fmt.Errorf("%s takes a number, not %s", prm.Name, v.Text)
	}
	if len(prm.Enum) > 0 {
		s := fmt.Sprint(lit)
		for _, e := range prm.Enum {
			if s == e {
				return s, lit, nil
			}
		}
		return "", nil, fmt.Errorf("%s takes one of %s, not %s", prm.Name, strings.Join(prm.Enum, ", "), v.Text)
	}
	switch x := lit.(type) {
	case string:
		return x, x, nil
	case int64:
		return strconv.FormatInt(x, 10), x, nil
	case float64:
		return v.Value, x, nil
	}
	return v.Value, v.Value, nil
}

// literalValue is the SQL value of a literal token: string, int64, float64,
// or for TRUE and FALSE the int64 SQLite gives them.
func literalValue(v sqltext.Token) any {
	switch {
	case v.Kind == sqltext.String:
		return v.Value
	case v.Kind == sqltext.Number:
		// As SQLite reads them: decimal (010 is ten), or hexadecimal with 0x.
		text := strings.ReplaceAll(v.Value, "_", "")
		neg := strings.HasPrefix(text, "-")
		digits := strings.TrimPrefix(text, "-")
		if h, ok := strings.CutPrefix(strings.ToLower(digits), "0x"); ok {
			if n, err := strconv.ParseUint(h, 16, 64); err == nil {
				if neg {
					return -int64(n)
				}
				return int64(n)
			}
		}
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n
		}
		if f, err := strconv.ParseFloat(text, 64); err == nil {
			return f
		}
	case v.Is("TRUE"):
		return "true"
	case v.Is("FALSE"):
		return "false"
	}
	return v.Value
}

// fanOut turns bindings into one parameter set per call: the cartesian
// product of the IN lists.
func fanOut(binds []binding) []callParams {
	calls := []callParams{{send: map[string]string{}, cols: map[string]any{}}}
	for _, b := range binds {
		var next []callParams
		for _, c := range calls {
			seen := map[string]bool{}
			for i, v := range b.send {
				if seen[v] {
					continue // a value listed twice is fetched once
				}
				seen[v] = true
				n := callParams{send: map[string]string{}, cols: map[string]any{}}
				for k, x := range c.send {
					n.send[k] = x
				}
				for k, x := range c.cols {
					n.cols[k] = x
				}
				n.send[b.param.Name] = v
				n.cols[b.param.Name] = b.cols[i]
				next = append(next, n)
			}
		}
		calls = next
	}
	return calls
}

// fetchKey identifies a fetch by resource, method and parameter sets.
func fetchKey(res *registry.Resource, m *registry.Method, calls []callParams) string {
	var parts []string
	for _, c := range calls {
		keys := make([]string, 0, len(c.send))
		for k := range c.send {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var kv []string
		for _, k := range keys {
			kv = append(kv, k+"="+c.send[k])
		}
		parts = append(parts, strings.Join(kv, "&"))
	}
	sort.Strings(parts)
	return res.ID() + "." + m.Name + "?" + strings.Join(parts, "|")
}
