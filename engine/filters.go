package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/apiql/apiql/engine/sqltext"
	"github.com/apiql/apiql/registry"
)

// Filters only the API can apply (a parameter column with no field behind
// it, as tag_name and private, or a parameter that shares its name with a
// field but filters something else, as the images list's type) are decided
// here from what a WHERE condition means, whatever its spelling: each
// top-level condition about one such column alone is evaluated by SQLite
// for the values the parameter can take. A condition that selects some of
// them becomes the conjunct `col IN (those values)`, which the planner
// then sends (and checkUnbound refuses where it cannot); one whose value
// the parameter cannot take is refused, naming the value.

// apiFilter is a column of a reference that only the API can apply.
type apiFilter struct {
	param *registry.Param
	// shadow is set for a parameter that shares its name with a field.
	shadow bool
}

// filterColumn returns the API-only filter named col of res, if any.
func filterColumn(res *registry.Resource, col string) (apiFilter, bool) {
	for _, m := range res.MethodsFor(registry.VerbSelect) {
		for _, p := range m.Params {
			if !strings.EqualFold(p.Name, col) || p.Field != "" {
				continue
			}
			switch {
			case res.Field(p.Name) == nil:
				return apiFilter{param: p}, true
			case len(p.Enum) > 0:
				return apiFilter{param: p, shadow: true}, true
			}
		}
	}
	return apiFilter{}, false
}

// sentinel is a value no field holds: a condition true for it is not about
// the API's values alone.
const sentinel = "\x01apiql\x01"

// foldFilters rewrites, in every query block, the top-level WHERE conditions about one API-only filter into pushable
// conjuncts (or refuses them), and checks the values of those already
// pushable.
func (s *Session) foldFilters(ctx context.Context, st sqltext.Statement, a *sqltext.Analysis, resources []*registry.Resource) error {
	for si := range a.Scopes {
		sc := &a.Scopes[si]
		if len(sc.Where) == 0 {
			continue
		}
		for _, c := range sqltext.SplitAnd(sc.Where) {
			if err := s.foldCondition(ctx, st, a, sc, resources, c); err != nil {
				return err
			}
		}
	}
	return nil
}

// foldCondition is foldFilters for one top-level condition c of scope sc.
func (s *Session) foldCondition(ctx context.Context, st sqltext.Statement, a *sqltext.Analysis, sc *sqltext.Scope, resources []*registry.Resource, c []sqltext.Token) error {
	pos, end := c[0].Pos, c[len(c)-1].End
	existing := -1
	for i, p := range sc.Preds {
		if p.Pos == pos && p.End == end {
			existing = i
		}
	}
	// The API-only columns the condition names, and where.
	var (
		filter apiFilter
		ref    sqltext.Ref
		col    string
		qual   string
		spans  []sqltext.Span
		found  bool
	)
	for i, t := range c {
		if !t.IsName() || i+1 < len(c) && (c[i+1].IsOp("(") || c[i+1].IsOp(".")) {
			continue
		}
		q, start := "", t.Pos
		if i >= 2 && c[i-1].IsOp(".") && c[i-2].IsName() {
			q, start = c[i-2].Value, c[i-2].Pos
		}
		var (
			hit     apiFilter
			hitRef  sqltext.Ref
			matches int
		)
		for _, ri := range sc.Refs {
			r := a.Refs[ri]
			if q != "" && !strings.EqualFold(q, refName(r)) {
				continue
			}
			if f, ok := filterColumn(resources[ri], t.Value); ok {
				hit, hitRef = f, r
				matches++
			} else if q == "" && hasColumn(resources[ri], t.Value) {
				matches++ // another reference's column of that name
			}
		}
		if matches != 1 || hit.param == nil {
			if matches > 1 {
				return nil // ambiguous: SQLite says so
			}
			continue
		}
		if found && (!strings.EqualFold(col, t.Value) || hitRef.Pos != ref.Pos) {
			return nil // about two filters: left to the other checks
		}
		filter, ref, col, qual, found = hit, hitRef, hit.param.Name, q, true
		spans = append(spans, sqltext.Span{Pos: start, End: t.End})
	}
	if !found {
		return nil
	}
	if existing >= 0 {
		p := sc.Preds[existing]
		if p.Subquery != nil {
			return nil
		}
		if filter.shadow && allInEnum(p.Values, filter.param.Enum) && !sc.OuterJoin {
			return nil // sent as written
		}
		if !filter.shadow {
			return checkValues(filter.param, p.Values)
		}
	}
	prm := filter.param
	// The condition with the column as a parameter.
	var b strings.Builder
	at := pos
	// The parameter has the column's type (and so its affinity).
	param := "?1"
	switch {
	case filter.shadow && resources[refIndex(a, ref)].Field(prm.Name) != nil:
		param = "CAST(?1 AS " + declType(resources[refIndex(a, ref)].Field(prm.Name).Type) + ")"
	case prm.Type == registry.TypeBoolean || prm.Type == registry.TypeInteger || prm.Type == registry.TypeNumber:
		param = "CAST(?1 AS " + declType(prm.Type) + ")"
	}
	for _, sp := range spans {
		b.WriteString(st.Text[at:sp.Pos])
		b.WriteString(param)
		at = sp.End
	}
	b.WriteString(st.Text[at:end])
	expr := b.String()
	cond := st.Text[pos:end]
	truth := func(v any) (bool, bool) {
		var n int64
		q := "SELECT CASE WHEN (" + expr + ") THEN 1 ELSE 0 END"
		if err := s.conn.QueryRowContext(ctx, q, v).Scan(&n); err != nil {
			return false, false // not a condition on the column alone
		}
		return n == 1, true
	}
	pred := sqltext.Pred{Qualifier: qual, Column: col, Pos: pos, End: end}
	switch {
	case filter.shadow:
		if err := s.checkShadowValues(ctx, c, spans, ref, prm, resources[refIndex(a, ref)].Field(prm.Name)); err != nil {
			return err
		}
		var (
			chosen []string
			others []string // non-API values the condition also holds for
		)
		seen := map[bool]bool{}
		for _, e := range prm.Enum {
			ok, valid := truth(e)
			if !valid {
				return nil
			}
			seen[ok] = true
			if ok {
				chosen = append(chosen, e)
			}
		}
		ok, _ := truth(sentinel)
		seen[ok] = true
		if len(seen) < 2 {
			return nil // the same for every value: about the field only
		}
		anyOther := ok
		for _, t := range c {
			if t.Kind == sqltext.String && !contains(prm.Enum, t.Value) && !contains(others, t.Value) {
				if ok, _ := truth(t.Value); ok {
					others = append(others, t.Value)
				}
			}
		}
		if len(chosen) == 0 || anyOther || len(others) > 0 {
			what := "other values of the " + prm.Name + " field"
			if len(others) > 0 {
				what = "values of the " + prm.Name + " field such as " + quotedList(others)
			}
			ask := fmt.Sprintf("%s = %s", prm.Name, quotedList(chosen))
			if len(chosen) > 1 {
				ask = fmt.Sprintf("%s IN (%s)", prm.Name, quotedList(chosen))
			}
			return errorf(pos, fmt.Sprintf("write the API's filter as a condition of its own, joined with AND (WHERE %s), and compare the %s field's own values in another condition or query", ask, prm.Name),
				"%s holds both for %s, a value of %s's %s filter (%s), which only the API applies, and for %s: one condition cannot be sent to the API and compared by SQL at once",
				cond, quotedList(chosen), ref.Name(), prm.Name, quotedList(prm.Enum), what)
		}
		if sc.OuterJoin {
			// The planner sends no such filter in a block with an outer
			// join (it would change which rows the join pads).
			return errorf(pos, "put the outer join in an outer query over a subquery that filters: SELECT ... FROM (SELECT * FROM <resource> WHERE ...) x LEFT JOIN ...",
				"%s is %s's %s filter, which only the API applies, and in a query block with an outer join it is not sent: it would match nothing", cond, ref.Name(), prm.Name)
		}
		for _, e := range chosen {
			pred.Values = append(pred.Values, sqltext.Token{Kind: sqltext.String, Text: quoteString(e), Value: e, Pos: pos, End: end})
		}
	case prm.Type == registry.TypeBoolean || len(prm.Enum) > 0:
		type val struct {
			sql  any
			tok  sqltext.Token
			name string
		}
		var dom []val
		if prm.Type == registry.TypeBoolean {
			dom = []val{{int64(1), sqltext.Token{Kind: sqltext.Number, Text: "1", Value: "1"}, "true"}, {int64(0), sqltext.Token{Kind: sqltext.Number, Text: "0", Value: "0"}, "false"}}
		} else {
			for _, e := range prm.Enum {
				dom = append(dom, val{e, sqltext.Token{Kind: sqltext.String, Text: quoteString(e), Value: e}, e})
			}
		}
		var names []string
		for _, d := range dom {
			names = append(names, prm.Name+" = "+d.name)
			ok, valid := truth(d.sql)
			if !valid {
				return nil
			}
			if ok {
				d.tok.Pos, d.tok.End = pos, end
				pred.Values = append(pred.Values, d.tok)
			}
		}
		if len(pred.Values) == 0 {
			return errorf(pos, fmt.Sprintf("write %s", strings.Join(names, " or ")),
				"%s is false for every value %s takes (%s): the value is wrong; %s takes %s", cond, prm.Name, strings.Join(names, ", "), prm.Name, allowed(prm))
		}
	default:
		vals, ok := s.constantValues(ctx, c, spans)
		if !ok {
			vals, ok = s.orConstantValues(ctx, c, spans)
		}
		if !ok {
			return nil // refused later unless sent: checkUnbound
		}
		if err := checkValues(prm, vals); err != nil {
			return err
		}
		pred.Values = vals
	}
	pred.In = len(pred.Values) > 1
	if existing >= 0 {
		sc.Preds = append(sc.Preds[:existing], sc.Preds[existing+1:]...)
	}
	sc.Preds = append(sc.Preds, pred)
	return nil
}

// constantValues reads `col = expr`, `col IS expr`, `expr = col` and
// `col IN (expr, ...)`, where col is the one span, and evaluates the
// constant expressions in SQLite. ok is false for any other form, or when
// an expression is not constant.
func (s *Session) constantValues(ctx context.Context, c []sqltext.Token, spans []sqltext.Span) ([]sqltext.Token, bool) {
	if len(spans) != 1 {
		return nil, false
	}
	first, last := -1, -1
	for i, t := range c {
		if t.Pos >= spans[0].Pos && t.End <= spans[0].End {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	var rest []sqltext.Token
	in := false
	switch {
	case first == 0 && last+2 < len(c) && (c[last+1].IsOp("=") || c[last+1].IsOp("==") || c[last+1].Is("IS") && !c[last+2].Is("NOT")):
		rest = c[last+2:]
	case first == 0 && last+2 < len(c) && c[last+1].Is("IN") && c[last+2].IsOp("(") && c[len(c)-1].IsOp(")"):
		rest, in = c[last+2:], true
	case last == len(c)-1 && first >= 2 && (c[first-1].IsOp("=") || c[first-1].IsOp("==")):
		rest = c[:first-1]
	default:
		return nil, false
	}
	src := joinText(rest)
	q := "SELECT json_array(" + src + ")"
	if in {
		q = "SELECT json_array" + src
	}
	var out string
	if err := s.conn.QueryRowContext(ctx, q).Scan(&out); err != nil {
		return nil, false
	}
	var vals []any
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&vals); err != nil {
		return nil, false
	}
	pos, end := c[0].Pos, c[len(c)-1].End
	var toks []sqltext.Token
	for _, v := range vals {
		switch x := v.(type) {
		case string:
			toks = append(toks, sqltext.Token{Kind: sqltext.String, Text: quoteString(x), Value: x, Pos: pos, End: end})
		case json.Number:
			toks = append(toks, sqltext.Token{Kind: sqltext.Number, Text: x.String(), Value: x.String(), Pos: pos, End: end})
		default:
			return nil, false // NULL, or a JSON value: no filter value
		}
	}
	return toks, len(toks) > 0
}

// orConstantValues reads a disjunction of the forms constantValues reads
// (tag_name = 'db' OR tag_name IN ('prod', 'web')), each about the one
// column: the values of every part, once each. ok is false for anything
// else (a part in another form, or no OR at all).
func (s *Session) orConstantValues(ctx context.Context, c []sqltext.Token, spans []sqltext.Span) ([]sqltext.Token, bool) {
	c = sqltext.Unwrap(c)
	var parts [][]sqltext.Token
	from := 0
	for _, i := range sqltext.TopLevel(c) {
		if c[i].Is("OR") {
			parts = append(parts, c[from:i])
			from = i + 1
		}
	}
	if len(parts) == 0 {
		return nil, false
	}
	parts = append(parts, c[from:])
	var out []sqltext.Token
	seen := map[string]bool{}
	for _, part := range parts {
		part = sqltext.Unwrap(part)
		if len(part) == 0 {
			return nil, false
		}
		var in []sqltext.Span
		for _, sp := range spans {
			if sp.Pos >= part[0].Pos && sp.End <= part[len(part)-1].End {
				in = append(in, sp)
			}
		}
		vals, ok := s.constantValues(ctx, part, in)
		if !ok {
			vals, ok = s.orConstantValues(ctx, part, in)
		}
		if !ok {
			return nil, false
		}
		for _, v := range vals {
			if k := v.Text; !seen[k] {
				seen[k] = true
				v.Pos, v.End = c[0].Pos, c[len(c)-1].End
				out = append(out, v)
			}
		}
	}
	return out, len(out) > 0
}

// checkShadowValues refuses a value compared (=, IN, or an OR of them)
// with a filter that shares its name with a field when it is a value of
// neither: not one the filter takes (the images list's type:
// distribution, application) nor, when the registry lists them, one the
// field holds (base, snapshot, ...). Such a condition would match nothing;
// a value that differs from one of them in case only ('Distribution') is
// named with the value to write. The value is not corrected and sent:
// SQL compares strings case-sensitively, and a typo should not pass.
func (s *Session) checkShadowValues(ctx context.Context, c []sqltext.Token, spans []sqltext.Span, ref sqltext.Ref, prm *registry.Param, field *registry.Field) error {
	if field == nil || describing(ctx) {
		return nil // a described statement's values may be samples: checked when it runs
	}
	vals, ok := s.constantValues(ctx, c, spans)
	if !ok {
		vals, ok = s.orConstantValues(ctx, c, spans)
	}
	if !ok {
		return nil
	}
	for _, v := range vals {
		if v.Kind != sqltext.String || contains(prm.Enum, v.Value) || contains(field.Enum, v.Value) {
			continue
		}
		fieldVals := "any value"
		if len(field.Enum) > 0 {
			fieldVals = quotedList(field.Enum)
		}
		what := fmt.Sprintf("%s's %s filter (%s), which only the API applies", ref.Name(), prm.Name, quotedList(prm.Enum))
		if e := foldMatch(prm.Enum, v.Value); e != "" {
			return errorf(v.Pos, fmt.Sprintf("write %s = %s for the API's filter", prm.Name, quoteString(e)),
				"%s is not a value of %s: its value is %s (strings compare case-sensitively); as a value of the %s field (%s) it would match nothing",
				quoteString(v.Value), what, quoteString(e), prm.Name, fieldVals)
		}
		if e := foldMatch(field.Enum, v.Value); e != "" {
			return errorf(v.Pos, fmt.Sprintf("write %s = %s to compare the field", prm.Name, quoteString(e)),
				"%s is not a value of the %s field, which holds %s (strings compare case-sensitively), nor of %s",
				quoteString(v.Value), prm.Name, quoteString(e), what)
		}
		if len(field.Enum) > 0 {
			return errorf(v.Pos, fmt.Sprintf("write %s = <value>: one of %s for the API's filter, or one of %s to compare the field", prm.Name, quotedList(prm.Enum), fieldVals),
				"%s is a value neither of %s, nor of the %s field (%s): the condition would match nothing",
				quoteString(v.Value), what, prm.Name, fieldVals)
		}
	}
	return nil
}

// foldMatch returns the value of vals that v equals but for case, or "".
func foldMatch(vals []string, v string) string {
	for _, e := range vals {
		if e != v && strings.EqualFold(e, v) {
			return e
		}
	}
	return ""
}

// refIndex returns the index of ref in a.Refs.
func refIndex(a *sqltext.Analysis, ref sqltext.Ref) int {
	for i, r := range a.Refs {
		if r.Pos == ref.Pos {
			return i
		}
	}
	return -1
}

// joinText is the source text the tokens span, rebuilt from the tokens
// with single spaces (their own text, so strings keep their quotes).
func joinText(toks []sqltext.Token) string {
	var parts []string
	for _, t := range toks {
		parts = append(parts, t.Text)
	}
	return strings.Join(parts, " ")
}

// checkValues refuses a value an API-only parameter cannot take or the API
// cannot be sent, naming the value and what the parameter takes.
func checkValues(prm *registry.Param, vals []sqltext.Token) error {
	for _, v := range vals {
		send, _, err := paramValueText(prm, v)
		if err != nil {
			hint := fmt.Sprintf("write %s = <value>, where the value is %s", prm.Name, allowed(prm))
			if prm.Type == registry.TypeBoolean {
				hint = fmt.Sprintf("write %s = true or %s = false", prm.Name, prm.Name)
			}
			if e := foldMatch(prm.Enum, v.Value); e != "" {
				hint = fmt.Sprintf("write %s = %s: the values compare case-sensitively", prm.Name, quotedList([]string{e}))
			}
			return errorf(v.Pos, hint, "%v", err)
		}
		if send == "" {
			return errorf(v.Pos, fmt.Sprintf("give %s a value, e.g. %s = 'x'; the API has no filter for an empty one", prm.Name, prm.Name),
				"%s = '' cannot be sent: an empty value is no filter to the API, and %s is applied by the API only", prm.Name, prm.Name)
		}
	}
	return nil
}

// allowed says what values a parameter takes.
func allowed(prm *registry.Param) string {
	switch {
	case len(prm.Enum) > 0:
		return "one of " + quotedList(prm.Enum)
	case prm.Type == registry.TypeBoolean:
		return "true or false"
	case prm.Type == registry.TypeInteger:
		return "an integer"
	case prm.Type == registry.TypeNumber:
		return "a number"
	}
	return "a non-empty " + prm.Type
}

// quotedList renders values as SQL strings: 'a', 'b'.
func quotedList(vals []string) string {
	var q []string
	for _, v := range vals {
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			q = append(q, v)
			continue
		}
		q = append(q, quoteString(v))
	}
	return strings.Join(q, ", ")
}
