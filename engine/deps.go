package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/apiql/apiql/engine/sqltext"
	"github.com/apiql/apiql/registry"
)

// Kinds of dependent binding.
const (
	depJoin     = "join"
	depSubquery = "subquery"
)

// dep is a parameter of a fetch whose values come from other rows of the
// statement: a join to another reference (ON r.domain_name = d.name), an
// uncorrelated subquery (domain_name IN (SELECT ...)), or a common table
// expression joined so. The fetch runs once those rows are in: one call per
// distinct value.
type dep struct {
	param *registry.Param
	// byField is set when the statement names the field the parameter
	// stands for (id), not the parameter (image_id).
	byField bool
	// column is the reference's column the condition names.
	column string
	kind   string
	// source says where the values come from: "d.name", or the subquery's
	// text.
	source string
	// parent is the index of the reference whose rows hold the values (a
	// join to a resource), or -1; parentCol is its column.
	parent    int
	parentCol string
	// cte is the common table expression joined, or "".
	cte string
	// sub spans the subquery of a depSubquery.
	sub *sqltext.Span
	// subParent, for a subquery that selects one column of the rows of one
	// reference of the same provider (SELECT id FROM p.s.r [WHERE ...]), is
	// that reference's index, and subItem spans the column in the select
	// list: each value goes through the connections of the rows that hold
	// it. subParent is -1 for any other subquery (another provider's, a
	// join, a CTE, VALUES, GROUP BY, an expression): each value goes
	// through every connection of the fetch.
	subParent int
	subItem   sqltext.Span
	subRef    sqltext.Ref
	// needs are the references (indexes into the statement's references)
	// whose rows must be in first.
	needs []int
	// filters are the WHERE conjuncts of the block that may narrow the
	// parent's values (the block has no outer join, so a parent row that
	// fails them is in no result row); checkDeps keeps those SQLite can
	// evaluate on the parent's rows alone.
	filters []sqltext.Span
	// pos and end span the condition.
	pos, end int
}

// depCands finds the conditions of reference i's block that could bind a
// parameter of it from other rows: `col IN (SELECT ...)` and `col =
// other.col` where other is another reference or a common table expression.
func depCands(st sqltext.Statement, a *sqltext.Analysis, with *sqltext.With, i int, resources []*registry.Resource) []dep {
	ref := a.Refs[i]
	sc := a.Scopes[ref.Scope]
	var out []dep
	for _, p := range predsFor(a, i, resources) {
		if p.Subquery == nil {
			continue
		}
		k, item := subqueryParent(st, a, resources, *p.Subquery)
		if k >= 0 && resources[k].Service.Provider != resources[i].Service.Provider {
			k = -1 // another provider's rows: no connection of i's
		}
		var subRef sqltext.Ref
		if k >= 0 {
			subRef = a.Refs[k]
		}
		out = append(out, dep{
			column: p.Column, kind: depSubquery, parent: -1, sub: p.Subquery,
			source:    oneLine(st.Text[p.Subquery.Pos:p.Subquery.End]),
			subParent: k, subItem: item, subRef: subRef,
			needs: spanNeeds(st, a, with, *p.Subquery), pos: p.Pos, end: p.End,
		})
	}
	for _, j := range sc.Joins {
		for _, side := range [2][2]sqltext.ColumnRef{{j.Left, j.Right}, {j.Right, j.Left}} {
			mine, other := side[0], side[1]
			if owner(a, ref.Scope, mine, resources) != i {
				continue
			}
			k, filters := owner(a, ref.Scope, other, resources), parentFilters(st, a, sc)
			if _, c := cteEntry(sc, other, with); k < 0 && c == nil {
				// A correlated subquery: the other side is a reference of an
				// enclosing block, all of whose rows are candidates.
				k, filters = outerOwner(a, ref.Scope, other), nil
			}
			if k >= 0 && k != i {
				if f := resources[k].Field(other.Column); f != nil && (f.Type == registry.TypeArray || f.Type == registry.TypeObject) {
					continue // JSON text is no parameter's value
				}
				src := other
				src.Qualifier = refName(a.Refs[k])
				out = append(out, dep{
					column: mine.Column, kind: depJoin, source: src.String(), subParent: -1,
					parent: k, parentCol: other.Column, needs: []int{k}, pos: j.Pos, end: j.End,
					filters: filters,
				})
				continue
			}
			if name, c := cteEntry(sc, other, with); c != nil {
				out = append(out, dep{
					column: mine.Column, kind: depJoin, source: other.String(), parent: -1, subParent: -1,
					parentCol: other.Column, cte: name, needs: spanNeeds(st, a, with, c.Body), pos: j.Pos, end: j.End,
				})
			}
		}
	}
	return out
}

// subqueryParent returns the reference whose rows hold a subquery's values
// when the subquery is SELECT [DISTINCT|ALL] col FROM ref [alias] [WHERE
// ...] [ORDER BY ...] [LIMIT ...], col a column of ref: each value is then
// one of ref's rows' column, and the row's connection says which account
// holds it. item spans col. It returns -1 for any other shape: a join,
// a CTE or VALUES (no row of a resource), GROUP BY (a value of several
// rows), a compound SELECT, an expression, DISTINCT with LIMIT or OFFSET
// (which the connection, selected too, would change).
func subqueryParent(st sqltext.Statement, a *sqltext.Analysis, resources []*registry.Resource, sub sqltext.Span) (int, sqltext.Span) {
	var toks []sqltext.Token
	for _, t := range st.Tokens {
		if t.Pos >= sub.Pos && t.End <= sub.End {
			toks = append(toks, t)
		}
	}
	sa := sqltext.Analyze(toks)
	if len(toks) < 4 || !toks[0].Is("SELECT") || len(sa.Scopes) == 0 {
		return -1, sqltext.Span{}
	}
	sc := sa.Scopes[0]
	if sc.Tables != 1 || len(sc.Refs) != 1 {
		return -1, sqltext.Span{}
	}
	i, distinct := 1, false
	if toks[i].Is("DISTINCT") || toks[i].Is("ALL") {
		distinct = toks[i].Is("DISTINCT")
		i++
	}
	var col sqltext.ColumnRef
	item := sqltext.Span{Pos: toks[i].Pos}
	switch {
	case i+3 < len(toks) && toks[i].IsName() && toks[i+1].IsOp(".") && toks[i+2].IsName():
		col = sqltext.ColumnRef{Qualifier: toks[i].Value, Column: toks[i+2].Value}
		i += 3
	case i+1 < len(toks) && toks[i].IsName():
		col = sqltext.ColumnRef{Column: toks[i].Value}
		i++
	default:
		return -1, sqltext.Span{}
	}
	item.End = toks[i-1].End
	if !toks[i].Is("FROM") {
		return -1, sqltext.Span{}
	}
	for _, j := range sqltext.TopLevel(toks) {
		t := toks[j]
		if j > 0 && toks[j-1].IsOp(".") {
			continue
		}
		for _, kw := range []string{"GROUP", "HAVING", "WINDOW", "UNION", "INTERSECT", "EXCEPT"} {
			if t.Is(kw) {
				return -1, sqltext.Span{}
			}
		}
		if distinct && (t.Is("LIMIT") || t.Is("OFFSET")) {
			return -1, sqltext.Span{}
		}
	}
	ref := sa.Refs[sc.Refs[0]]
	k := -1
	for n, r := range a.Refs {
		if r.Pos == ref.Pos {
			k = n
		}
	}
	if k < 0 {
		return -1, sqltext.Span{}
	}
	if col.Qualifier != "" && !strings.EqualFold(col.Qualifier, refName(a.Refs[k])) || !hasColumn(resources[k], col.Column) {
		return -1, sqltext.Span{}
	}
	return k, item
}

// parentFilters returns the block's WHERE conjuncts that could narrow a
// parent's values: none in a block with an outer join (a parent row that
// fails them may still be in a result row, its columns NULL), and none that
// reads a resource or calls random().
func parentFilters(st sqltext.Statement, a *sqltext.Analysis, sc sqltext.Scope) []sqltext.Span {
	if sc.OuterJoin {
		return nil
	}
	var out []sqltext.Span
next:
	for _, c := range sc.Conjuncts {
		for _, r := range a.Refs {
			if r.Pos >= c.Pos && r.End <= c.End {
				continue next
			}
		}
		for _, t := range st.Tokens {
			if t.Pos >= c.Pos && t.End <= c.End && (t.Is("random") || t.Is("randomblob")) {
				continue next
			}
		}
		out = append(out, c)
	}
	return out
}

// owner returns the index of the reference of block scope that col is
// about: the one it is qualified with, or, unqualified, the one reference
// of the block with such a column; -1 when none.
func owner(a *sqltext.Analysis, scope int, col sqltext.ColumnRef, resources []*registry.Resource) int {
	found := -1
	for _, k := range a.Scopes[scope].Refs {
		switch {
		case col.Qualifier != "":
			if strings.EqualFold(col.Qualifier, refName(a.Refs[k])) {
				return k
			}
		case hasColumn(resources[k], col.Column):
			if found >= 0 {
				return -1
			}
			found = k
		}
	}
	return found
}

// outerOwner returns the reference of another block that col's qualifier
// names, when exactly one does (SQLite checks, before any request, that it
// is an enclosing block's); -1 otherwise.
func outerOwner(a *sqltext.Analysis, scope int, col sqltext.ColumnRef) int {
	if col.Qualifier == "" {
		return -1
	}
	found := -1
	for k, r := range a.Refs {
		if r.Scope == scope || !strings.EqualFold(col.Qualifier, refName(r)) {
			continue
		}
		if found >= 0 {
			return -1
		}
		found = k
	}
	return found
}

// cteEntry returns the common table expression that col's qualifier names
// through the block's FROM list, or nil.
func cteEntry(sc sqltext.Scope, col sqltext.ColumnRef, with *sqltext.With) (string, *sqltext.CTE) {
	if with == nil || col.Qualifier == "" {
		return "", nil
	}
	for _, e := range sc.Entries {
		name := e.Alias
		if name == "" {
			name = e.Name
		}
		if !strings.EqualFold(name, col.Qualifier) {
			continue
		}
		for i := range with.CTEs {
			if strings.EqualFold(with.CTEs[i].Name, e.Name) {
				return with.CTEs[i].Name, &with.CTEs[i]
			}
		}
	}
	return "", nil
}

// spanNeeds returns the references inside sp and inside the common table
// expressions it reads (and they read, in turn).
func spanNeeds(st sqltext.Statement, a *sqltext.Analysis, with *sqltext.With, sp sqltext.Span) []int {
	spans := []sqltext.Span{sp}
	for _, c := range ctesRead(st, with, sp) {
		spans = append(spans, with.CTEs[c].Body)
	}
	var out []int
	for k, r := range a.Refs {
		for _, s := range spans {
			if r.Pos >= s.Pos && r.End <= s.End {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

// ctesRead returns the indexes, in declaration order, of the common table
// expressions that the text in sp names, directly or through others.
func ctesRead(st sqltext.Statement, with *sqltext.With, sp sqltext.Span) []int {
	if with == nil {
		return nil
	}
	read := map[int]bool{}
	var visit func(sp sqltext.Span)
	visit = func(sp sqltext.Span) {
		for i, t := range st.Tokens {
			if t.Pos < sp.Pos || t.End > sp.End || !t.IsName() || i > 0 && st.Tokens[i-1].IsOp(".") {
				continue
			}
			for c, cte := range with.CTEs {
				if !read[c] && strings.EqualFold(cte.Name, t.Value) {
					read[c] = true
					visit(cte.Body)
				}
			}
		}
	}
	visit(sp)
	var out []int
	for c := range with.CTEs {
		if read[c] {
			out = append(out, c)
		}
	}
	return out
}

// bindDeps binds the parameters of m that the literals left unbound from
// the dependent conditions: by the parameter's own name (a parameter
// column), or, when byField, by the field it stands for. It returns the
// bindings and the required parameters still unbound.
func bindDeps(res *registry.Resource, m *registry.Method, binds []binding, missing []string, cands []dep, byField bool) ([]dep, []string) {
	bound := map[string]bool{}
	for _, b := range binds {
		bound[b.param.Name] = true
	}
	var deps []dep
	for _, prm := range m.Params {
		if bound[prm.Name] {
			continue
		}
		for _, c := range cands {
			name := strings.EqualFold(c.column, prm.Name) && res.Field(prm.Name) == nil
			field := byField && prm.Field != "" && strings.EqualFold(c.column, prm.Field)
			if name || field {
				c.param, c.byField = prm, !name
				deps = append(deps, c)
				bound[prm.Name] = true
				break
			}
		}
	}
	var still []string
	for _, r := range missing {
		if !bound[r] {
			still = append(still, r)
		}
	}
	return deps, still
}

// lostDeps counts the dependent conditions on a parameter column of res
// (which only the API can apply) that deps leave unbound.
func lostDeps(res *registry.Resource, cands, deps []dep) int {
	n := 0
	for _, c := range cands {
		if paramColumn(res, c.column) == nil {
			continue
		}
		used := false
		for _, d := range deps {
			used = used || d.pos == c.pos
		}
		if !used {
			n++
		}
	}
	return n
}

// unboundError refuses a reference whose select methods all need a
// parameter nothing in the statement gives.
func unboundError(ref sqltext.Ref, res *registry.Resource, methods []*registry.Method, needs []string) error {
	var req []string
	for _, m := range methods {
		req = append(req, m.RequiredParams()...)
	}
	name := req[0]
	var prm *registry.Param
	for _, m := range methods {
		if p := m.Param(name); p != nil {
			prm = p
			break
		}
	}
	q := refName(ref) + "."
	col := q + name
	parent, pcol := "<parent resource>", "<column>"
	if pr, pf := paramParent(prm); pr != "" {
		parent, pcol = pr, pf
	}
	join := fmt.Sprintf("JOIN %s x ON %s = x.%s", parent, col, pcol)
	sub := fmt.Sprintf("WHERE %s IN (SELECT %s FROM %s ...)", col, pcol, parent)
	msg := fmt.Sprintf("cannot select from %s without %s: %s", res.ID(), strings.Join(dedupe(req), " or "), strings.Join(needs, "; "))
	if pr, pf := paramParent(prm); pr != "" {
		msg += fmt.Sprintf("; %s takes the %s of %s", name, pf, pr)
	}
	return errorf(ref.Pos, fmt.Sprintf("give %s a value: a literal (WHERE %s = <value>, or IN (<values>)), a join to the rows it comes from (%s), or a subquery (%s); see SHOW METHODS IN %s",
		name, col, join, sub, res.ID()), "%s", msg)
}

// paramParent returns the resource and field a parameter's values come
// from, when the registry says; "" when it does not.
func paramParent(prm *registry.Param) (resource, field string) {
	if prm == nil || prm.Parent == nil {
		return "", ""
	}
	return prm.Parent.ID(), prm.Parent.Field
}

// orderFetches returns the plans in stages: each stage's plans need only
// rows of earlier stages. A dependency that cannot be ordered (each side
// needs the other first) is an error.
func orderFetches(plans []*refPlan) ([][]*refPlan, error) {
	done := make([]bool, len(plans))
	var stages [][]*refPlan
	for left := len(plans); left > 0; {
		var stage []int
		for i, p := range plans {
			if done[i] {
				continue
			}
			ready := true
			for _, d := range p.deps {
				for _, k := range d.needs {
					ready = ready && done[k]
				}
			}
			if ready {
				stage = append(stage, i)
			}
		}
		if len(stage) == 0 {
			return nil, cycleError(plans, done)
		}
		var ps []*refPlan
		for _, i := range stage {
			done[i] = true
			ps = append(ps, plans[i])
		}
		stages = append(stages, ps)
		left -= len(stage)
	}
	return stages, nil
}

// cycleError says which fetches wait on each other: of the plans not
// done, one needs another first, which needs it (or a third) in turn.
func cycleError(plans []*refPlan, done []bool) error {
	waits := func(p *refPlan) (dep, *refPlan) {
		for _, d := range p.deps {
			for _, k := range d.needs {
				if !done[k] {
					return d, plans[k]
				}
			}
		}
		return dep{}, nil
	}
	for _, p := range plans {
		d, q := waits(p)
		if q == nil {
			continue
		}
		msg := fmt.Sprintf("cannot order the fetches: %s needs %s first", refLabel(p.ref), d.source)
		if e, r := waits(q); r != nil {
			msg += fmt.Sprintf(", and %s needs %s first", refLabel(q.ref), e.source)
		}
		return errorf(d.pos, "bind one of the parameters from a literal, or from a subquery that reads neither", "%s", msg)
	}
	return errorf(-1, "", "cannot order the fetches")
}

// refLabel names a reference as the statement does: "digitalocean.domains.records r".
func refLabel(ref sqltext.Ref) string {
	if ref.Alias != "" {
		return ref.Name() + " " + ref.Alias
	}
	return ref.Name()
}

// depRows runs q, the query that gives a dependent binding's values, over
// the rows fetched so far, and returns its rows whose first value is not
// NULL.
func (s *Session) depRows(ctx context.Context, q string) ([][]any, error) {
	rows, err := s.conn.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		if vals[0] != nil {
			out = append(out, vals)
		}
	}
	return out, rows.Err()
}

// depQuery is the SQL that gives d's values over the rows fetched so far:
// the parent's column, or the subquery (rewritten as the statement is), with
// the common table expressions it reads.
func depQuery(st sqltext.Statement, a *sqltext.Analysis, plans []*refPlan, tables map[string]string, d dep) string {
	if d.parent >= 0 {
		return parentQuery(st, a, plans, tables, d, quoteIdent(d.parentCol))
	}
	with := sqltext.ParseWith(st.Tokens)
	var (
		ctes []int
		body string
	)
	if d.cte != "" {
		for _, c := range with.CTEs {
			if strings.EqualFold(c.Name, d.cte) {
				ctes = ctesRead(st, with, sqltext.Span{Pos: c.Pos, End: c.End})
			}
		}
		body = "SELECT " + quoteIdent(d.parentCol) + " FROM " + quoteIdent(d.cte)
	} else {
		ctes = ctesRead(st, with, *d.sub)
		body, _ = rewriteRange(st, a, plans, tables, *d.sub)
	}
	return withCTEs(st, a, plans, tables, with, ctes, body)
}

// withCTEs puts the common table expressions ctes (indexes into with)
// before body, a query rewritten as the statement is.
func withCTEs(st sqltext.Statement, a *sqltext.Analysis, plans []*refPlan, tables map[string]string, with *sqltext.With, ctes []int, body string) string {
	if len(ctes) == 0 {
		return body
	}
	var defs []string
	for _, c := range ctes {
		t, _ := rewriteRange(st, a, plans, tables, sqltext.Span{Pos: with.CTEs[c].Pos, End: with.CTEs[c].End})
		defs = append(defs, t)
	}
	head := "WITH "
	if with.Recursive {
		head = "WITH RECURSIVE "
	}
	// A subquery with a WITH clause of its own: the two become one.
	if toks, err := sqltext.Lex(body); err == nil && len(toks) > 1 && toks[0].Is("WITH") {
		i := 1
		if toks[1].Is("RECURSIVE") {
			head, i = "WITH RECURSIVE ", 2
		}
		if i < len(toks) {
			return head + strings.Join(defs, ", ") + ", " + body[toks[i].Pos:]
		}
	}
	return head + strings.Join(defs, ", ") + " " + body
}

// parentQuery selects cols from the parent's rows that pass d's filters.
func parentQuery(st sqltext.Statement, a *sqltext.Analysis, plans []*refPlan, tables map[string]string, d dep, cols string) string {
	q := "SELECT " + cols + " FROM " + quoteIdent(tables[plans[d.parent].key]) + " AS " + quoteIdent(refName(plans[d.parent].ref))
	for i, f := range d.filters {
		text, _ := rewriteRange(st, a, plans, tables, f)
		if i == 0 {
			q += " WHERE "
		} else {
			q += " AND "
		}
		q += "(" + text + ")"
	}
	return q
}

// checkDeps runs every dependent binding's query once over the (still
// empty) tables, so that one that cannot run on its own (a correlated
// subquery, an unknown column) fails before any request.
func (s *Session) checkDeps(ctx context.Context, st sqltext.Statement, a *sqltext.Analysis, plans []*refPlan, tables map[string]string) error {
	for _, p := range plans {
		for i := range p.deps {
			d := &p.deps[i]
			// The filters that SQLite can evaluate on the parent's rows
			// alone (those naming other tables fail to prepare).
			var keep []sqltext.Span
			for _, f := range d.filters {
				one := *d
				one.filters = []sqltext.Span{f}
				if stmt, err := s.conn.PrepareContext(ctx, parentQuery(st, a, plans, tables, one, "1")); err == nil {
					stmt.Close()
					keep = append(keep, f)
				}
			}
			d.filters = keep
			if _, err := s.depRows(ctx, depQuery(st, a, plans, tables, *d)); err != nil {
				msg := err.Error()
				var e *Error
				if errors.As(s.sqliteError(st, err), &e) {
					msg = e.Msg
				}
				what := "the subquery"
				if d.kind == depJoin {
					what = "the join condition " + st.Text[d.pos:d.end]
				}
				return errorf(d.pos, "a subquery that gives a parameter's values runs first, on its own: it cannot use the outer query's columns",
					"%s gives %s of %s, but cannot run on its own: %s", what, d.param.Name, refLabel(p.ref), msg)
			}
		}
	}
	return nil
}

// perValue says how many calls a dependent fetch makes: "1 per distinct
// d.name", "1 per distinct (p.a_id, p.id)" for bindings joined to one
// parent, times the literal values' combinations.
func perValue(p *refPlan) string {
	var srcs []string
	for _, g := range depGroups(p.deps) {
		switch d := g[0]; {
		case len(g) > 1:
			cols := make([]string, len(g))
			for i, x := range g {
				cols[i] = x.source
			}
			srcs = append(srcs, "distinct ("+strings.Join(cols, ", ")+")")
		case d.kind == depJoin:
			srcs = append(srcs, "distinct "+d.source)
		default:
			srcs = append(srcs, "distinct value of the subquery for "+d.param.Name)
		}
	}
	s := "1 per " + strings.Join(srcs, " and ")
	if len(srcs) > 1 {
		s = "1 per combination of " + strings.Join(srcs, " and ")
	}
	if n := p.literals; n != 1 {
		s = fmt.Sprintf("%d × %s", n, s)
	}
	return s
}

// checkCalls refuses, before they are sent, calls beyond MaxCalls: with
// now nil, the calls known before any request (the fetches that need no
// other rows); otherwise the calls of the fetches now, whose parents are in.
func (s *Session) checkCalls(plans, pending, now []*refPlan) error {
	total := s.calls
	var parts []string
	if s.calls > 0 {
		parts = append(parts, fmt.Sprintf("%d made", s.calls))
	}
	pos := -1
	if now == nil {
		for _, p := range pending {
			if len(p.deps) == 0 {
				total += len(p.calls)
				parts = append(parts, fmt.Sprintf("%d to %s %s", len(p.calls), p.method.Name, refLabel(p.ref)))
			}
		}
		for _, p := range pending {
			if len(p.deps) > 0 {
				parts = append(parts, fmt.Sprintf("then %s to %s %s", perValue(p), p.method.Name, refLabel(p.ref)))
			}
		}
	} else {
		for _, p := range now {
			total += len(p.calls)
			parts = append(parts, fmt.Sprintf("%d to %s %s (%s)", len(p.calls), p.method.Name, refLabel(p.ref), perValue(p)))
			if pos < 0 {
				pos = p.ref.Pos
			}
		}
	}
	if total <= s.opts.MaxCalls {
		return nil
	}
	msg := fmt.Sprintf("the statement needs %d API calls, more than --max-calls allows (%d): %s", total, s.opts.MaxCalls, strings.Join(parts, ", "))
	if now != nil {
		msg += "; those were not sent"
	}
	return errorf(pos, fmt.Sprintf("raise --max-calls (to %d or more), or narrow what is fetched with conditions the API can apply; EXPLAIN shows the plan", total), "%s", msg)
}

// loadStages fetches the pending plans stage by stage: a dependent fetch's
// calls are made from its parents' rows once those are in.
func (s *Session) loadStages(ctx context.Context, st sqltext.Statement, a *sqltext.Analysis, plans []*refPlan, stages [][]*refPlan, pending []*refPlan, tables map[string]string, limit int) error {
	isPending := map[*refPlan]bool{}
	for _, p := range pending {
		isPending[p] = true
	}
	for _, stage := range stages {
		var now []*refPlan
		for _, p := range stage {
			if !isPending[p] {
				continue
			}
			if len(p.deps) > 0 {
				if err := s.resolveDeps(ctx, st, a, plans, tables, p); err != nil {
					return err
				}
			}
			now = append(now, p)
		}
		if len(now) == 0 {
			continue
		}
		for _, p := range now {
			if len(p.deps) > 0 {
				// Known only now that the parents are in.
				if err := s.checkCalls(plans, pending, now); err != nil {
					return err
				}
				break
			}
		}
		if err := s.load(ctx, now, tables, limit); err != nil {
			return err
		}
	}
	return nil
}

// resolveDeps turns p's dependent bindings into calls: the distinct values
// of each source, crossed with the literal parameters. Bindings joined to
// the same parent reference (ON c.a_id = p.a_id AND c.b_id = p.id) take
// their values together, row by row: one call per distinct tuple of the
// parent's rows, never the pairs no parent row holds (which no child row
// could join, and which the API may answer 404). A value from a parent of
// the same provider goes through the connection its parent row came from
// (the child lives in that account); other values through each of p's
// connections.
func (s *Session) resolveDeps(ctx context.Context, st sqltext.Statement, a *sqltext.Analysis, plans []*refPlan, tables map[string]string, p *refPlan) error {
	for _, group := range depGroups(p.deps) {
		if len(p.calls) == 0 {
			return nil // the literals already match nothing
		}
		d := group[0]
		q, byConn := depQuery(st, a, plans, tables, d), false
		if d.parent >= 0 {
			cols := make([]string, len(group))
			for i, g := range group {
				cols[i] = quoteIdent(g.parentCol)
			}
			if plans[d.parent].res.Service.Provider == p.res.Service.Provider {
				cols = append(cols, quoteIdent(connColumn(plans[d.parent].res)))
				byConn = true
			}
			q = parentQuery(st, a, plans, tables, d, strings.Join(cols, ", "))
		} else if subByConn(d) {
			q, byConn = subConnQuery(st, a, plans, tables, d), true
		}
		rows, err := s.depRows(ctx, q)
		if err != nil {
			return wrap(d.pos, "", err)
		}
		type value struct {
			send []string
			col  []any
		}
		values := map[string][]value{} // by connection; "" for every one
		seen := map[string]bool{}
	row:
		for _, r := range rows {
			v := value{send: make([]string, len(group)), col: make([]any, len(group))}
			for i, g := range group {
				send, col, ok := depParamValue(g.param, r[i])
				if !ok {
					continue row // a value the parameter cannot take matches no row
				}
				v.send[i], v.col[i] = send, col
			}
			conn := ""
			if byConn {
				conn = fmt.Sprint(r[len(group)])
			}
			k := conn + "\x00" + strings.Join(v.send, "\x00")
			if seen[k] {
				continue
			}
			seen[k] = true
			values[conn] = append(values[conn], v)
		}
		var next []callParams
		for _, c := range p.calls {
			vs := values[""]
			if byConn {
				vs = values[c.conn]
			}
			for _, v := range vs {
				n := callParams{conn: c.conn, send: map[string]string{}, cols: map[string]any{}}
				for k, x := range c.send {
					n.send[k] = x
				}
				for k, x := range c.cols {
					n.cols[k] = x
				}
				for i, g := range group {
					n.send[g.param.Name], n.cols[g.param.Name] = v.send[i], v.col[i]
				}
				next = append(next, n)
			}
		}
		p.calls = next
		if len(next) > 1 {
			// Several calls may find one object (tag_name IN (SELECT ...)
			// and an image with both tags): one row, by identity, except
			// where a join pairs it with each value (identity).
			p.dedupe = true
		}
	}
	return nil
}

// subByConn reports whether d, a subquery, takes its values from one
// reference's rows of its fetch's provider (see subqueryParent): each value then
// goes through the connections of the rows that hold it, as a join's does.
func subByConn(d dep) bool {
	return d.kind == depSubquery && d.subParent >= 0
}

// subConnQuery is d's subquery (rewritten as the statement is) with its
// parent's connection column selected after the value: the parent read
// from its table, which has that column, not from the view of its fields.
func subConnQuery(st sqltext.Statement, a *sqltext.Analysis, plans []*refPlan, tables map[string]string, d dep) string {
	k := plans[d.subParent]
	name := quoteIdent(refName(k.ref))
	table := quoteIdent(tables[k.key])
	if k.ref.Alias == "" {
		table += " AS " + name
	}
	part := func(from, to int) string {
		t, _ := rewriteRange(st, a, plans, tables, sqltext.Span{Pos: from, End: to})
		return t
	}
	body := part(d.sub.Pos, d.subItem.End) + ", " + name + "." + quoteIdent(connColumn(k.res)) +
		part(d.subItem.End, k.ref.Pos) + table + part(k.ref.End, d.sub.End)
	with := sqltext.ParseWith(st.Tokens)
	return withCTEs(st, a, plans, tables, with, ctesRead(st, with, *d.sub), body)
}

// depGroups groups a fetch's dependent bindings by where their values come
// from: the bindings joined to one parent reference, with the same
// conditions on its rows, form one group (their values are read from the
// same rows); every other binding is a group of its own.
func depGroups(deps []dep) [][]dep {
	var out [][]dep
	at := map[string]int{}
	for _, d := range deps {
		if d.parent < 0 {
			out = append(out, []dep{d})
			continue
		}
		k := fmt.Sprint(d.parent, d.filters)
		if i, ok := at[k]; ok {
			out[i] = append(out[i], d)
			continue
		}
		at[k] = len(out)
		out = append(out, []dep{d})
	}
	return out
}

// depParamValue converts an SQL value from other rows to the text sent for
// prm and the value its parameter column holds. Values prm cannot take, and
// values no API takes as a filter or path segment ("", ".", ".."), are
// refused: no row could join them.
func depParamValue(prm *registry.Param, v any) (string, any, bool) {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	send, err := paramText(prm, prm.Name, v)
	if err != nil || send == "" || prm.In == registry.InPath && (send == "." || send == "..") {
		return "", nil, false
	}
	col := v
	switch prm.Type {
	case registry.TypeInteger:
		n, _ := strconv.ParseInt(send, 10, 64)
		col = n
	case registry.TypeNumber:
		f, _ := strconv.ParseFloat(send, 64)
		col = f
	case registry.TypeBoolean:
		col = int64(0)
		if send == "true" {
			col = int64(1)
		}
	}
	return send, col, true
}
