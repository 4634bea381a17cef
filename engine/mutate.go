package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/apiql/apiql/engine/sqltext"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/registry"
)

// delete runs DELETE FROM resource WHERE param = v | param IN (...) |
// param IN (SELECT ...): one call of the delete method per bound value.
func (s *Session) delete(ctx context.Context, st sqltext.Statement) (*Result, error) {
	toks := st.Tokens
	if len(toks) < 3 || !toks[1].Is("FROM") {
		return nil, errorf(0, "write DELETE FROM <provider>.<service>.<resource> WHERE <param> = <value>", "expected DELETE FROM")
	}
	res, m, ref, err := s.writeTarget(st, registry.VerbDelete)
	if err != nil {
		return nil, err
	}
	if _, list, _ := splitReturning(st, toks, 0); list != "" {
		key := "<param>"
		if req := m.RequiredParams(); len(req) > 0 {
			key = req[0]
		}
		return nil, errorf(findToken(st, "RETURNING"), fmt.Sprintf("select the rows first, then delete them: SELECT ... WHERE %s IN (...); DELETE ... WHERE %s IN (...)", key, key),
			"DELETE ... RETURNING is not supported: the API answers a delete with no object")
	}
	calls, err := s.bindWhere(ctx, st, m, ref, nil)
	if err != nil {
		return nil, err
	}
	return s.send(ctx, st, res, m, calls, "", "deleted")
}

// update runs UPDATE resource SET data__field = expr, ... WHERE param = v
// (or IN): one call of the update method per bound value.
func (s *Session) update(ctx context.Context, st sqltext.Statement) (*Result, error) {
	res, m, ref, err := s.writeTarget(st, registry.VerbUpdate)
	if err != nil {
		return nil, err
	}
	toks := st.Tokens
	// The SET list, up to WHERE or RETURNING at depth 0.
	i := 0
	for i < len(toks) && !toks[i].Is("SET") {
		i++
	}
	if i == len(toks) {
		return nil, errorf(ref.End, fmt.Sprintf("%s takes %s", m.Name, inputList(m)), "UPDATE needs SET data__field = value")
	}
	type assign struct {
		col  sqltext.Token
		expr string
	}
	var sets []assign
	depth, start := 0, i+1
	flush := func(end int) error {
		part := toks[start:end]
		if len(part) < 3 || !part[0].IsName() || !part[1].IsOp("=") {
			pos := len(st.Text)
			if len(part) > 0 {
				pos = part[0].Pos
			}
			return errorf(pos, "write SET data__name = 'value', data__description = 'value'", "expected column = value in SET")
		}
		if !strings.HasPrefix(part[0].Value, bodyPrefix) {
			return errorf(part[0].Pos, fmt.Sprintf("%s takes %s", m.Name, inputList(m)), "SET can change body fields only (data__...), not %q; bind parameters in WHERE", part[0].Value)
		}
		if err := checkColumn(m, part[0]); err != nil {
			return err
		}
		for _, a := range sets {
			if strings.EqualFold(a.col.Value, part[0].Value) {
				return errorf(part[0].Pos, "set each field once", "%s is set twice", part[0].Value)
			}
		}
		sets = append(sets, assign{col: part[0], expr: st.Text[part[2].Pos:part[len(part)-1].End]})
		start = end + 1
		return nil
	}
	j := i + 1
	for ; j < len(toks); j++ {
		t := toks[j]
		if t.IsOp("(") {
			depth++
		} else if t.IsOp(")") {
			depth--
		} else if depth == 0 && (t.Is("WHERE") || t.Is("RETURNING")) {
			break
		} else if depth == 0 && t.IsOp(",") {
			if err := flush(j); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(j); err != nil {
		return nil, err
	}
	// SQLite evaluates the new values.
	exprs := make([]string, len(sets))
	for k, a := range sets {
		exprs[k] = a.expr
	}
	text := "SELECT " + strings.Join(exprs, ", ")
	vt, err := sqltext.Lex(text)
	if err != nil {
		return nil, err
	}
	vals, err := s.queryAll(ctx, sqltext.Statement{Text: text, Tokens: vt, Kind: sqltext.Select})
	if err != nil {
		e := wrap(-1, "", err)
		return nil, errorf(sets[0].col.Pos, "SET values are computed once, before the calls, without the resource's rows: use literals (or expressions of them, or a scalar subquery)",
			"SET: %s", e.Msg)
	}
	body := map[string]any{}
	for k, a := range sets {
		if vals.Rows[0][k] == nil {
			return nil, errorf(a.col.Pos, "give it a value, or leave the field out of SET", "SET %s = NULL: there is no value to send", a.col.Value)
		}
		body[a.col.Value] = vals.Rows[0][k]
	}
	_, returning, err := splitReturning(st, toks, j)
	if err != nil {
		return nil, err
	}
	calls, err := s.bindWhere(ctx, st, m, ref, body)
	if err != nil {
		return nil, err
	}
	return s.send(ctx, st, res, m, calls, returning, "updated")
}

// writeTarget resolves the target of UPDATE or DELETE and its method.
func (s *Session) writeTarget(st sqltext.Statement, verb string) (*registry.Resource, *registry.Method, sqltext.Ref, error) {
	a := sqltext.Analyze(st.Tokens)
	if len(a.Refs) == 0 || a.Refs[0].Scope != 0 {
		return nil, nil, sqltext.Ref{}, errorf(0, "name the resource as provider.service.resource", "expected a resource name after %s", strings.ToUpper(st.Tokens[0].Text))
	}
	ref := a.Refs[0]
	if len(ref.Parts) != 3 {
		return nil, nil, ref, errorf(ref.Pos, "name the resource as provider.service.resource", "%q is not a resource name", ref.Name())
	}
	res, err := s.reg.Resource(ref.Name())
	if err != nil {
		return nil, nil, ref, wrap(ref.Pos, "", err)
	}
	m, err := s.writeMethod(res, verb, ref.Pos)
	return res, m, ref, err
}

// bindWhere binds the method's parameters from the statement's WHERE, which
// must consist of nothing but binding conjuncts: a write is never widened
// beyond the values named. body holds SET values for every call.
func (s *Session) bindWhere(ctx context.Context, st sqltext.Statement, m *registry.Method, ref sqltext.Ref, body map[string]any) ([]writeCall, error) {
	toks := st.Tokens
	verb := strings.ToUpper(toks[0].Text)
	required := m.RequiredParams()
	hint := fmt.Sprintf("write %s ... WHERE %s = <value>, IN (<values>) or IN (SELECT ...); %s takes %s",
		verb, firstOr(required, "<param>"), m.Name, inputList(m))
	where, end := -1, len(toks)
	for _, i := range sqltext.TopLevel(toks) {
		switch t := toks[i]; {
		case t.Is("WHERE") && where < 0:
			where = i
		case t.Is("RETURNING"):
			end = i
		}
	}
	if where < 0 {
		if len(required) > 0 {
			return nil, errorf(len(st.Text), hint, "%s without WHERE %s is refused: it would not say which %s to change", verb, required[0], ref.Parts[2])
		}
		return nil, errorf(len(st.Text), hint, "%s needs a WHERE clause", verb)
	}
	a := sqltext.Analyze(toks)
	preds, connNames, err := connPreds(a.Scopes[ref.Scope].Preds, ref, m.Resource)
	if err != nil {
		return nil, err
	}
	conj := 1 - len(connNames.preds)
	cond := sqltext.Unwrap(toks[where+1 : end])
	for _, i := range sqltext.TopLevel(cond) {
		switch t := cond[i]; {
		case t.Is("AND"):
			conj++
		case t.Is("OR") || t.Is("BETWEEN"):
			return nil, errorf(t.Pos, hint, "%s ... WHERE may only bind %s's parameters with =, IN (...) or IN (SELECT ...) joined by AND, and name one connection with %s = '<name>'; put other conditions in a subquery", verb, m.Name, connColumn(m.Resource))
		}
	}
	if len(preds) != conj {
		return nil, errorf(toks[where].Pos, hint+"; put other conditions in a subquery: WHERE "+firstOr(required, "id")+" IN (SELECT id FROM "+ref.Name()+" WHERE ...)",
			"%s ... WHERE may only bind %s's parameters (%s) and name one connection (%s = '<name>')", verb, m.Name, strings.Join(paramNames(m), ", "), connColumn(m.Resource))
	}
	// Each conjunct names a parameter: all are checked before any
	// subquery runs.
	params := make([]*registry.Param, len(preds))
	named := map[string]bool{}
	for i, p := range preds {
		prm := m.Param(p.Column)
		if prm == nil {
			for _, q := range m.Params {
				if q.Field != "" && strings.EqualFold(q.Field, p.Column) {
					prm = q
				}
			}
		}
		if prm == nil || (p.Qualifier != "" && !strings.EqualFold(p.Qualifier, refName(ref))) {
			return nil, errorf(p.Pos, hint, "%q is not a parameter of %s; %s ... WHERE binds only %s", p.Column, m.Name, verb, strings.Join(paramNames(m), ", "))
		}
		if named[prm.Name] {
			return nil, errorf(p.Pos, hint, "%s is bound twice", prm.Name)
		}
		named[prm.Name] = true
		params[i] = prm
	}
	for _, r := range required {
		if !named[r] {
			return nil, errorf(toks[where].Pos, hint, "%s without %s is refused: bind it in WHERE", verb, r)
		}
	}
	conn, err := s.writeConnection(m.Resource.Service.Provider, connNames.names, toks[where].Pos)
	if err != nil {
		return nil, err
	}
	// Bind each conjunct to its parameter.
	values := map[string][]any{}
	var order []string
	for i, p := range preds {
		prm := params[i]
		var vs []any
		if p.Subquery != nil {
			if len(connNames.names) == 0 {
				s.readConns = map[string][]string{}
			}
			rows, err := s.subquery(ctx, st, p.Subquery.Pos, p.Subquery.End)
			read := s.readConns[m.Resource.Service.Provider.Name]
			s.readConns = nil
			if err != nil {
				return nil, err
			}
			if len(connNames.names) == 0 {
				if err := s.checkSubqueryConns(m.Resource.Service.Provider, conn, read, p.Subquery.Pos); err != nil {
					return nil, err
				}
			}
			if len(rows.Columns) != 1 {
				return nil, errorf(p.Subquery.Pos, "select one column, e.g. SELECT id FROM ...", "the subquery returns %d columns; %s IN (SELECT ...) needs one", len(rows.Columns), prm.Name)
			}
			seen := map[string]bool{}
			for _, r := range rows.Rows {
				if r[0] == nil {
					continue
				}
				k := fmt.Sprint(r[0])
				if !seen[k] {
					seen[k] = true
					vs = append(vs, r[0])
				}
			}
		} else {
			seen := map[string]bool{}
			for _, v := range p.Values {
				x := literalValue(v)
				if v.Is("TRUE") || v.Is("FALSE") {
					x = v.Is("TRUE")
				}
				k := fmt.Sprint(x)
				if !seen[k] {
					seen[k] = true
					vs = append(vs, x)
				}
			}
		}
		values[prm.Name] = vs
		order = append(order, prm.Name)
	}
	// One call per combination of values, each validated before any is sent.
	combos := []map[string]any{{}}
	for _, name := range order {
		var next []map[string]any
		for _, c := range combos {
			for _, v := range values[name] {
				n := map[string]any{}
				for k, x := range c {
					n[k] = x
				}
				n[name] = v
				next = append(next, n)
			}
		}
		combos = next
	}
	var calls []writeCall
	for _, c := range combos {
		vals := map[string]any{}
		for k, v := range body {
			vals[k] = v
		}
		var label []string
		for _, name := range order {
			vals[name] = c[name]
			label = append(label, fmt.Sprintf("%s %v", name, c[name]))
		}
		call, err := buildCall(m, vals, nil)
		if err != nil {
			return nil, errorf(toks[where].Pos, hint, "%s: %v", strings.Join(label, ", "), err)
		}
		calls = append(calls, writeCall{call: call, label: strings.Join(label, ", "), conn: conn})
	}
	return calls, nil
}

func firstOr(ss []string, def string) string {
	if len(ss) > 0 {
		return ss[0]
	}
	return def
}

func paramNames(m *registry.Method) []string {
	var names []string
	for _, p := range m.Params {
		names = append(names, p.Name)
	}
	return names
}

// exec runs EXEC provider.service.resource.method @param = value ...
// [@@json = '{...}']: one call, whose raw response is the result.
func (s *Session) exec(ctx context.Context, st sqltext.Statement) (*Result, error) {
	toks := st.Tokens
	usage := "write EXEC <provider>.<service>.<resource>.<method> @param = value, ... [@@json = '{...}']"
	if len(toks) < 2 {
		return nil, errorf(len(st.Text), usage, "EXEC needs a method name")
	}
	n, parts, ok := dotted(toks[1:])
	if !ok || len(parts) != 4 {
		return nil, errorf(toks[1].Pos, usage, "expected provider.service.resource.method after EXEC")
	}
	res, err := s.reg.Resource(strings.Join(parts[:3], "."))
	if err != nil {
		return nil, wrap(toks[1].Pos, "", err)
	}
	m := res.Method(parts[3])
	if m == nil {
		var names []string
		for _, x := range res.Methods {
			names = append(names, x.Name)
		}
		return nil, wrap(toks[1].Pos, "", &registry.NotFoundError{Kind: "method", Name: strings.Join(parts, "."),
			Suggestion: nearestPrefixed(res.ID()+".", parts[3], names), Hint: "see SHOW METHODS IN " + res.ID()})
	}
	if s.opts.ReadOnly && m.HTTPMethod != http.MethodGet && m.HTTPMethod != http.MethodHead {
		return nil, errorf(toks[1].Pos, s.readOnlyHint(), "EXEC %s (%s) is refused in read-only mode", m.Name, m.HTTPMethod)
	}
	hint := fmt.Sprintf("%s takes %s", m.Name, execInputs(m))
	vals := map[string]any{}
	var paging map[string]string
	var connNames []string
	seenArg := map[string]bool{}
	var body map[string]json.RawMessage
	for i := 1 + n; i < len(toks); {
		t := toks[i]
		if t.IsOp(",") {
			i++
			continue
		}
		if t.Kind != sqltext.Param || !strings.HasPrefix(t.Text, "@") || i+1 >= len(toks) {
			return nil, errorf(t.Pos, usage, "expected @param = value, got %q", t.Text)
		}
		if !toks[i+1].IsOp("=") {
			return nil, errorf(t.Pos, usage, "expected = after %s", t.Text)
		}
		v, next, ok := literalArg(toks, i+2)
		if !ok {
			return nil, errorf(posAt(st, toks, i+2), usage, "expected a literal value for %s", t.Text)
		}
		i = next
		if seenArg[strings.ToLower(t.Text)] {
			return nil, errorf(t.Pos, hint, "%s is given twice", t.Text)
		}
		seenArg[strings.ToLower(t.Text)] = true
		if strings.HasPrefix(t.Text, "@@") {
			if !strings.EqualFold(t.Value, "json") {
				return nil, errorf(t.Pos, usage, "unknown %s; the body is given with @@json", t.Text)
			}
			sv, ok := v.(string)
			if err := json.Unmarshal([]byte(sv), &body); !ok || err != nil {
				return nil, errorf(t.Pos, `write @@json = '{"name": "value"}'`, "@@json must be a JSON object in a string")
			}
			continue
		}
		name := execArgName(m, t.Value)
		switch {
		case strings.EqualFold(name, provider.ConnectionColumn) && m.Param(name) == nil && m.BodyField(name) == nil:
			cn, ok := v.(string)
			if !ok {
				return nil, errorf(t.Pos, "write @connection = 'name'", "@connection takes a connection's name, not %v", v)
			}
			connNames = append(connNames, cn)
		case m.Param(name) != nil:
			vals[name] = v
		case m.BodyField(name) != nil:
			vals[bodyPrefix+name] = v
		case strings.HasPrefix(name, bodyPrefix) && m.BodyField(strings.TrimPrefix(name, bodyPrefix)) != nil:
			vals[name] = v
		case pagingParam(m, name):
			// A raw list asks for one page: which, and how large.
			n, ok := v.(int64)
			if !ok || n < 1 {
				return nil, errorf(t.Pos, hint, "@%s takes a whole number from 1 up", name)
			}
			if paging == nil {
				paging = map[string]string{}
			}
			paging[name] = strconv.FormatInt(n, 10)
		default:
			return nil, errorf(t.Pos, hint, "unknown parameter @%s for %s", name, m.Name)
		}
	}
	call, err := buildCallNamed(m, vals, body, "@", "@")
	if err != nil {
		return nil, errorf(toks[1].Pos, hint, "%s: %v", m.Name, err)
	}
	call.Paging = paging
	conn, err := s.writeConnection(res.Service.Provider, connNames, toks[1].Pos)
	if err != nil {
		return nil, err
	}
	cl := s.clientFor(res.Service.Provider, conn)
	if s.opts.DryRun != nil && m.HTTPMethod != http.MethodGet {
		req, err := cl.Build(call)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(s.opts.DryRun, "-- dry run\n%s\n", req)
		return &Result{Message: "dry run: 1 " + m.HTTPMethod + " request not sent"}, nil
	}
	if m.HTTPMethod != http.MethodGet && m.HTTPMethod != http.MethodHead {
		// A write, whatever its answer: the provider's cached rows may
		// no longer be true.
		defer s.forget(res.Service.Provider)
	}
	s.calls++
	s.callsBy[m.Resource.ID()]++
	resp, err := cl.Do(ctx, call)
	write := m.HTTPMethod != http.MethodGet && m.HTTPMethod != http.MethodHead
	if err != nil {
		if write && provider.WriteEffect(err) == provider.MayHaveActed {
			s.writesMaybe++
			e := errorf(toks[1].Pos, "check the resource before running it again: sent twice, it may act twice",
				"%s: the API may or may not have acted on it: %v", m.Name, err)
			if l := s.connectionLabel(res.Service.Provider, conn); l != "" {
				e.Msg = l + e.Msg
			}
			return nil, e
		}
		e := wrap(toks[1].Pos, s.connHintFor(err, res.Service.Provider, conn), err)
		if l := s.connectionLabel(res.Service.Provider, conn); l != "" {
			e.Msg = l + e.Msg
		}
		return nil, e
	}
	if write {
		s.writesDone++
	}
	if resp.BodyErr != nil {
		return &Result{Message: fmt.Sprintf("%s: %d %s (done; its answer could not be read: %v)", m.Name, resp.Status, http.StatusText(resp.Status), resp.BodyErr)}, nil
	}
	if m.Raw != "" {
		// A body that is not JSON (a CSV, a PDF, a kubeconfig): the row
		// a SELECT of the method answers.
		content, contentType, err := provider.RawContent(m, resp)
		if err != nil {
			return nil, errorf(toks[1].Pos, "", "%s: %v", m.Name, err)
		}
		return &Result{Columns: []Column{{Name: "content", Type: registry.TypeString}, {Name: "content_type", Type: registry.TypeString}},
			Rows: [][]any{{content, contentType}}}, nil
	}
	body2 := bytes.TrimSpace(resp.Body)
	if len(body2) == 0 {
		return &Result{Message: fmt.Sprintf("%s: %d %s", m.Name, resp.Status, http.StatusText(resp.Status))}, nil
	}
	var compacted bytes.Buffer
	if err := json.Compact(&compacted, body2); err != nil {
		return nil, errorf(-1, "", "%s answered with a body that is not JSON", m.Name)
	}
	return &Result{Columns: []Column{{Name: "response", Type: registry.TypeObject}}, Rows: [][]any{{compacted.String()}}}, nil
}

// pagingParam reports whether name is the page or page-size parameter of
// a paginated method's provider.
// execArgName returns the name of m's input (a parameter, a body field,
// data__ and a body field, or a paging parameter) that name spells in
// any case, as WHERE matches column names; name itself when none does
// or it names one exactly.
func execArgName(m *registry.Method, name string) string {
	if m.Param(name) != nil || m.BodyField(name) != nil || pagingParam(m, name) {
		return name
	}
	for _, p := range m.Params {
		if strings.EqualFold(p.Name, name) {
			return p.Name
		}
	}
	field, prefixed := name, false
	if len(name) > len(bodyPrefix) && strings.EqualFold(name[:len(bodyPrefix)], bodyPrefix) {
		field, prefixed = name[len(bodyPrefix):], true
	}
	for _, p := range m.Body {
		if strings.EqualFold(p.Name, field) {
			if prefixed {
				return bodyPrefix + p.Name
			}
			return p.Name
		}
	}
	if pg := m.Resource.Service.Provider.Pagination; m.Paginated && pg != nil {
		for _, x := range []string{pg.PageParam, pg.SizeParam} {
			if x != "" && strings.EqualFold(x, name) {
				return x
			}
		}
	}
	return name
}

func pagingParam(m *registry.Method, name string) bool {
	pg := m.Resource.Service.Provider.Pagination
	return m.Paginated && pg != nil && (name == pg.PageParam || name == pg.SizeParam) && name != ""
}

// execInputs names a method's inputs as EXEC writes them.
func execInputs(m *registry.Method) string {
	s := inputs(m, "@", "@")
	if pg := m.Resource.Service.Provider.Pagination; m.Paginated && pg != nil && pg.PageParam != "" && pg.SizeParam != "" {
		s += fmt.Sprintf("; one page with @%s and @%s", pg.PageParam, pg.SizeParam)
	}
	if len(m.Body) > 0 {
		s += "; or the body whole with @@json = '{...}'"
	}
	return s
}

// literalArg reads a literal at toks[i] for EXEC: strings, numbers, TRUE,
// FALSE and NULL.
func literalArg(toks []sqltext.Token, i int) (any, int, bool) {
	if i < len(toks) && toks[i].Is("NULL") {
		return nil, i + 1, true
	}
	if i < len(toks) && (toks[i].Is("TRUE") || toks[i].Is("FALSE")) {
		return toks[i].Is("TRUE"), i + 1, true
	}
	t, next, ok := sqltext.Literal(toks, i)
	if !ok {
		return nil, 0, false
	}
	return literalValue(t), next, true
}

func nearestPrefixed(prefix, name string, names []string) string {
	if n := registry.Nearest(name, names); n != "" {
		return prefix + n
	}
	return ""
}
