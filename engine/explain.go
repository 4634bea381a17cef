package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apiql/apiql/engine/sqltext"
	"github.com/apiql/apiql/registry"
)

// explainColumns are EXPLAIN's columns: one row per fetch or write, in the
// order they run, then the total.
var explainColumns = []Column{
	{"step", "string"}, {"reference", "string"}, {"method", "string"},
	{"request", "string"}, {"parameters", "string"}, {"calls", "string"},
}

// explain answers EXPLAIN [QUERY PLAN] <statement> without calling the
// API: each reference's method, where each parameter comes from (a
// literal, a join, a subquery), the order of the fetches and the calls
// each makes.
func (s *Session) explain(ctx context.Context, st sqltext.Statement) (*Result, error) {
	b := sqltext.ExplainBody(st.Tokens)
	pos := st.Tokens[b].Pos
	text := st.Text[pos:]
	toks, err := sqltext.Lex(text)
	if err != nil {
		return nil, err
	}
	body := sqltext.Statement{Text: text, Tokens: toks, Kind: sqltext.Classify(toks)}
	x := &explainer{s: s, ctx: ctx}
	switch body.Kind {
	case sqltext.Select:
		err = x.query(body)
	case sqltext.Delete, sqltext.Update:
		err = x.write(body)
	case sqltext.Insert:
		err = x.insert(body)
	case sqltext.Exec:
		err = x.exec(body)
	default:
		err = errorf(0, "EXPLAIN a SELECT, INSERT, UPDATE, DELETE or EXEC", "EXPLAIN %s is not supported", body.Kind)
	}
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.pos >= 0 {
			e.pos += pos
		}
		return nil, err
	}
	total := strconv.Itoa(x.known)
	if x.known == 0 && len(x.more) > 0 {
		total = strings.Join(x.more, " + ")
	} else if len(x.more) > 0 {
		total += " + " + strings.Join(x.more, " + ")
	}
	x.rows = append(x.rows, []any{"total", "", "", "", fmt.Sprintf("at most %d (--max-calls)", s.opts.MaxCalls), total})
	return &Result{Columns: explainColumns, Rows: x.rows}, nil
}

// explainer collects EXPLAIN's rows.
type explainer struct {
	s     *Session
	ctx   context.Context
	rows  [][]any
	steps int
	// known counts the calls known before any request; more says the
	// others ("1 per distinct w.id").
	known int
	more  []string
}

// query explains a SELECT's fetches, stage by stage.
func (x *explainer) query(st sqltext.Statement) error {
	st, _, err := qualifiedColumns(st)
	if err != nil {
		return err
	}
	a := sqltext.Analyze(st.Tokens)
	resources, err := x.s.resolveRefs(a)
	if err != nil {
		return err
	}
	if err := checkJSONComparisons(a, resources); err != nil {
		return err
	}
	// Filters only the API applies are decided as a query decides them
	// (SQLite evaluates the conditions; no request is made).
	if err := x.s.ready(x.ctx); err != nil {
		return err
	}
	if err := x.s.foldFilters(x.ctx, st, a, resources); err != nil {
		return err
	}
	plans, err := planSelect(st, a, resources)
	if err != nil {
		return err
	}
	if err := checkUnbound(st, plans); err != nil {
		return err
	}
	if err := x.s.bindConnections(st, a, plans); err != nil {
		return err
	}
	stages, err := orderFetches(plans)
	if err != nil {
		return err
	}
	first := x.steps
	seen := map[string]string{}
	for si, stage := range stages {
		step := strconv.Itoa(first + si + 1)
		for _, p := range stage {
			calls := ""
			switch c, ok := x.s.cache[p.key]; {
			case seen[p.key] != "":
				calls = "0 (the same fetch as " + seen[p.key] + ")"
			case ok && x.s.opts.CacheTTL > 0 && time.Since(c.fetched) < x.s.opts.CacheTTL:
				calls = "0 (cached)"
			case len(p.deps) > 0:
				calls = perValue(p)
				x.more = append(x.more, calls)
			default:
				calls = strconv.Itoa(len(p.calls))
				x.known += len(p.calls)
			}
			if p.method.Paginated && !strings.HasPrefix(calls, "0") {
				calls += ", each paginated"
			}
			seen[p.key] = refLabel(p.ref)
			x.rows = append(x.rows, []any{step, refLabel(p.ref), p.method.Name, request(p.method), explainParams(st, p), calls})
		}
		x.steps = first + si + 1
	}
	return nil
}

// request is a method's HTTP method and path: GET /v2/images/{image_id}.
func request(m *registry.Method) string {
	return m.HTTPMethod + " " + m.Path
}

// explainParams says where each of p's parameters comes from.
func explainParams(st sqltext.Statement, p *refPlan) string {
	var out []string
	for _, prm := range p.method.Params {
		var vals []string
		seen := map[string]bool{}
		for _, c := range p.calls {
			if v, ok := c.send[prm.Name]; ok && !seen[v] {
				seen[v] = true
				if prm.Type == registry.TypeString || prm.Type == "" {
					v = sqlQuote(v)
				}
				vals = append(vals, v)
			}
		}
		switch {
		case len(vals) == 1:
			out = append(out, prm.Name+" = "+vals[0])
		case len(vals) > 1:
			out = append(out, prm.Name+" IN ("+strings.Join(vals, ", ")+")")
		}
		for _, d := range p.deps {
			if d.param != prm {
				continue
			}
			switch {
			case d.kind == depJoin && d.cte != "":
				out = append(out, fmt.Sprintf("%s from the join to %s (CTE %s)", prm.Name, d.source, d.cte))
			case d.kind == depJoin:
				out = append(out, fmt.Sprintf("%s from the join to %s", prm.Name, d.source))
			case subByConn(d) && len(p.conns) > 1:
				out = append(out, fmt.Sprintf("%s from the subquery (%s), each value through the connection of the %s rows that hold it", prm.Name, clip(d.source, 60), refLabel(d.subRef)))
			case len(p.conns) > 1:
				out = append(out, fmt.Sprintf("%s from the subquery (%s), each value through every connection", prm.Name, clip(d.source, 60)))
			default:
				out = append(out, fmt.Sprintf("%s from the subquery (%s)", prm.Name, clip(d.source, 60)))
			}
		}
	}
	if len(p.calls) > 0 && len(p.conns) > 1 {
		out = append(out, "connections "+strings.Join(p.conns, ", "))
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, "; ")
}

// sqlQuote writes a value as an SQL string literal.
func sqlQuote(v string) string {
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

// clip shortens s to n characters, marking the cut.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// write explains a DELETE or UPDATE: the subqueries' fetches, then the
// calls of the write method, one per bound value.
func (x *explainer) write(st sqltext.Statement) error {
	verb := registry.VerbDelete
	if st.Kind == sqltext.Update {
		verb = registry.VerbUpdate
	}
	_, m, ref, err := x.s.writeTarget(st, verb)
	if err != nil {
		return err
	}
	a := sqltext.Analyze(st.Tokens)
	n, per := 1, []string{}
	var params []string
	for _, p := range a.Scopes[ref.Scope].Preds {
		prm := m.Param(p.Column)
		if prm == nil {
			for _, q := range m.Params {
				if q.Field != "" && strings.EqualFold(q.Field, p.Column) {
					prm = q
				}
			}
		}
		if prm == nil {
			continue // the write refuses it when it runs
		}
		if p.Subquery != nil {
			sub := st.Text[p.Subquery.Pos:p.Subquery.End]
			toks, err := sqltext.Lex(sub)
			if err != nil {
				return err
			}
			if err := x.query(sqltext.Statement{Text: sub, Tokens: toks, Kind: sqltext.Classify(toks)}); err != nil {
				var e *Error
				if errors.As(err, &e) && e.pos >= 0 {
					e.pos += p.Subquery.Pos
				}
				return err
			}
			params = append(params, fmt.Sprintf("%s from the subquery (%s)", prm.Name, clip(oneLine(sub), 60)))
			per = append(per, "value of the subquery for "+prm.Name)
			continue
		}
		var vals []string
		for _, v := range p.Values {
			vals = append(vals, v.Text)
		}
		if len(vals) == 1 {
			params = append(params, prm.Name+" = "+vals[0])
		} else {
			params = append(params, prm.Name+" IN ("+strings.Join(vals, ", ")+")")
		}
		n *= len(vals)
	}
	calls := strconv.Itoa(n)
	if len(per) > 0 {
		calls = "1 per " + strings.Join(per, " and ")
		if n != 1 {
			calls = fmt.Sprintf("%d × %s", n, calls)
		}
		x.more = append(x.more, calls)
	} else {
		x.known += n
	}
	if len(params) == 0 {
		params = append(params, "none")
	}
	x.steps++
	x.rows = append(x.rows, []any{strconv.Itoa(x.steps), refLabel(ref), m.Name, request(m), strings.Join(params, "; "), calls})
	return nil
}

// insert explains an INSERT: its SELECT's fetches, if any, then one call
// of the insert method per row.
func (x *explainer) insert(st sqltext.Statement) error {
	toks := st.Tokens
	a := sqltext.Analyze(toks)
	if len(a.Refs) == 0 || len(a.Refs[0].Parts) != 3 {
		return errorf(0, "write INSERT INTO <provider>.<service>.<resource> (data__field, ...) VALUES (...)", "expected a resource name after INSERT INTO")
	}
	ref := a.Refs[0]
	res, err := x.s.reg.Resource(ref.Name())
	if err != nil {
		return wrap(ref.Pos, "", err)
	}
	m, err := x.s.writeMethod(res, registry.VerbInsert, ref.Pos)
	if err != nil {
		return err
	}
	for _, i := range sqltext.TopLevel(toks) {
		if toks[i].Is("SELECT") || toks[i].Is("WITH") {
			end, _, err := splitReturning(st, toks, i)
			if err != nil {
				return err
			}
			sub := st.Text[toks[i].Pos:end]
			stoks, err := sqltext.Lex(sub)
			if err != nil {
				return err
			}
			if err := x.query(sqltext.Statement{Text: sub, Tokens: stoks, Kind: sqltext.Classify(stoks)}); err != nil {
				var e *Error
				if errors.As(err, &e) && e.pos >= 0 {
					e.pos += toks[i].Pos
				}
				return err
			}
			break
		}
	}
	x.steps++
	x.more = append(x.more, "1 per row")
	x.rows = append(x.rows, []any{strconv.Itoa(x.steps), ref.Name(), m.Name, request(m), "from the rows inserted", "1 per row"})
	return nil
}

// exec explains an EXEC: one call.
func (x *explainer) exec(st sqltext.Statement) error {
	toks := st.Tokens
	if len(toks) < 2 {
		return errorf(len(st.Text), "write EXEC <provider>.<service>.<resource>.<method> @param = value, ...", "EXEC needs a method name")
	}
	n, parts, ok := dotted(toks[1:])
	if !ok || len(parts) != 4 {
		return errorf(toks[1].Pos, "write EXEC <provider>.<service>.<resource>.<method> @param = value, ...", "expected provider.service.resource.method after EXEC")
	}
	res, err := x.s.reg.Resource(strings.Join(parts[:3], "."))
	if err != nil {
		return wrap(toks[1].Pos, "", err)
	}
	m := res.Method(parts[3])
	if m == nil {
		return errorf(toks[1].Pos, "see SHOW METHODS IN "+res.ID(), "%s has no method %s", res.ID(), parts[3])
	}
	args := strings.TrimSpace(st.Text[toks[n].End:])
	if args == "" {
		args = "none"
	}
	x.steps++
	x.known++
	x.rows = append(x.rows, []any{strconv.Itoa(x.steps), res.ID(), m.Name, request(m), oneLine(args), "1"})
	return nil
}
