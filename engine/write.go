package engine

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/apiql/apiql/engine/sqltext"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/registry"
)

// bodyPrefix marks a column that is a request body field: data__name is
// body field name.
const bodyPrefix = "data__"

// writeCall is one validated call a write statement will make.
type writeCall struct {
	call  provider.Call
	label string // what the call is about, for error reports: "image_id 7"
	// conn is the connection the call goes through; every call of a
	// write has the same.
	conn string
}

// insert runs INSERT INTO resource (cols) VALUES ... | SELECT ...: one call
// of the resource's insert method per row.
func (s *Session) insert(ctx context.Context, st sqltext.Statement) (*Result, error) {
	toks := st.Tokens
	if len(toks) < 3 || !toks[1].Is("INTO") {
		return nil, errorf(0, "write INSERT INTO <provider>.<service>.<resource> (data__field, ...) VALUES (...)", "expected INSERT INTO")
	}
	n, parts, ok := dotted(toks[2:])
	if !ok || len(parts) != 3 {
		return nil, errorf(toks[2].Pos, "write INSERT INTO <provider>.<service>.<resource> (data__field, ...) VALUES (...)", "expected a resource name after INSERT INTO")
	}
	res, err := s.reg.Resource(strings.Join(parts, "."))
	if err != nil {
		return nil, wrap(toks[2].Pos, "", err)
	}
	m, err := s.writeMethod(res, registry.VerbInsert, toks[2].Pos)
	if err != nil {
		return nil, err
	}
	i := 2 + n
	if i >= len(toks) || !toks[i].IsOp("(") {
		return nil, errorf(posAt(st, toks, i), insertHint(m), "INSERT needs a column list: (data__name, ...)")
	}
	// The column list.
	var cols []sqltext.Token
	i++
	for ; i < len(toks) && !toks[i].IsOp(")"); i++ {
		if toks[i].IsOp(",") {
			continue
		}
		if !toks[i].IsName() {
			return nil, errorf(toks[i].Pos, insertHint(m), "expected a column name, got %q", toks[i].Text)
		}
		cols = append(cols, toks[i])
	}
	if i >= len(toks) {
		return nil, errorf(len(st.Text), insertHint(m), "the column list is not closed")
	}
	i++
	if i >= len(toks) || !(toks[i].Is("VALUES") || toks[i].Is("SELECT") || toks[i].Is("WITH")) {
		return nil, errorf(posAt(st, toks, i), insertHint(m), "expected VALUES or SELECT after the column list")
	}
	srcEnd, returning, err := splitReturning(st, toks, i)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	connAt := -1
	for j, c := range cols {
		if strings.EqualFold(c.Value, connColumn(res)) && m.Param(c.Value) == nil && m.BodyField(c.Value) == nil {
			if connAt >= 0 {
				return nil, errorf(c.Pos, insertHint(m), "column %q is named twice", c.Value)
			}
			connAt = j
			continue
		}
		if err := checkColumn(m, c); err != nil {
			return nil, err
		}
		if seen[strings.ToLower(c.Value)] {
			return nil, errorf(c.Pos, insertHint(m), "column %q is named twice", c.Value)
		}
		seen[strings.ToLower(c.Value)] = true
	}
	// The rows: SQLite evaluates VALUES (or the SELECT, which may read
	// resources) with its own semantics.
	rows, err := s.subquery(ctx, st, toks[i].Pos, srcEnd)
	if err != nil {
		return nil, err
	}
	if len(rows.Columns) != len(cols) {
		return nil, errorf(toks[i].Pos, insertHint(m), "%d columns named but the rows have %d values", len(cols), len(rows.Columns))
	}
	// The one connection the rows go to.
	var connNames []string
	if connAt >= 0 {
		for r, row := range rows.Rows {
			name, ok := row[connAt].(string)
			if !ok {
				return nil, errorf(cols[connAt].Pos, "write the connection's name as a string", "row %d: %s must be a connection's name, not %v", r+1, cols[connAt].Value, row[connAt])
			}
			connNames = append(connNames, name)
		}
	}
	conn, err := s.writeConnection(res.Service.Provider, connNames, toks[i].Pos)
	if err != nil {
		return nil, err
	}
	// Validate every row before sending anything.
	var calls []writeCall
	for r, row := range rows.Rows {
		vals := map[string]any{}
		for j, c := range cols {
			if j != connAt {
				vals[c.Value] = row[j]
			}
		}
		call, err := buildCall(m, vals, nil)
		if err != nil {
			return nil, errorf(toks[i].Pos, insertHint(m), "row %d: %v", r+1, err)
		}
		calls = append(calls, writeCall{call: call, label: fmt.Sprintf("row %d", r+1), conn: conn})
	}
	return s.send(ctx, st, res, m, calls, returning, "created")
}

func insertHint(m *registry.Method) string {
	return fmt.Sprintf("%s takes %s; SHOW INSERT INTO %s prints a template", m.Name, inputList(m), m.Resource.ID())
}

// inputList names a method's inputs as columns: required ones first.
func inputList(m *registry.Method) string {
	return inputs(m, "", bodyPrefix)
}

// inputs names a method's inputs, required ones first, with paramPrefix
// before parameters and bodyPrefix before body fields.
func inputs(m *registry.Method, paramPrefix, bodyPrefix string) string {
	var req, opt []string
	add := func(p *registry.Param, prefix string) {
		if p.Required {
			req = append(req, prefix+p.Name)
		} else {
			opt = append(opt, prefix+p.Name)
		}
	}
	for _, p := range m.Params {
		add(p, paramPrefix)
	}
	for _, p := range m.Body {
		add(p, bodyPrefix)
	}
	var parts []string
	if len(req) > 0 {
		parts = append(parts, "required "+strings.Join(req, ", "))
	}
	if len(opt) > 0 {
		parts = append(parts, "optional "+strings.Join(opt, ", "))
	}
	if len(parts) == 0 {
		return "no inputs"
	}
	return strings.Join(parts, "; ")
}

// checkColumn checks that a write column names an input of m.
func checkColumn(m *registry.Method, c sqltext.Token) error {
	name := c.Value
	if strings.HasPrefix(name, bodyPrefix) {
		if m.BodyField(strings.TrimPrefix(name, bodyPrefix)) == nil {
			return errorf(c.Pos, fmt.Sprintf("%s takes %s", m.Name, inputList(m)), "unknown column %q: %s has no body field %q", name, m.Name, strings.TrimPrefix(name, bodyPrefix))
		}
		return nil
	}
	if m.Param(name) == nil {
		hint := fmt.Sprintf("%s takes %s", m.Name, inputList(m))
		if m.BodyField(name) != nil {
			hint = fmt.Sprintf("body fields are written %s%s; ", bodyPrefix, name) + hint
		}
		return errorf(c.Pos, hint, "unknown column %q for %s", name, m.Name)
	}
	return nil
}

// writeMethod returns the resource's method for a write verb. UPDATE also
// reaches an exec method that sends PUT or PATCH when no method declares
// the update verb.
func (s *Session) writeMethod(res *registry.Resource, verb string, pos int) (*registry.Method, error) {
	if s.opts.ReadOnly {
		return nil, errorf(pos, s.readOnlyHint(), "%s is refused in read-only mode", strings.ToUpper(verb))
	}
	ms := res.MethodsFor(verb)
	if len(ms) == 0 && verb == registry.VerbUpdate {
		for _, m := range res.MethodsFor(registry.VerbExec) {
			if m.HTTPMethod == http.MethodPut || m.HTTPMethod == http.MethodPatch {
				ms = append(ms, m)
			}
		}
	}
	if len(ms) == 0 {
		return nil, errorf(pos, "see SHOW METHODS IN "+res.ID(), "%s has no method for %s", res.ID(), strings.ToUpper(verb))
	}
	return ms[0], nil
}

// splitReturning finds a top-level RETURNING clause after toks[from]. It
// returns where the statement's body ends and the RETURNING list's text.
func splitReturning(st sqltext.Statement, toks []sqltext.Token, from int) (int, string, error) {
	for _, j := range sqltext.TopLevel(toks) {
		if j >= from && toks[j].Is("RETURNING") {
			if j+1 >= len(toks) {
				return 0, "", errorf(toks[j].End, "write RETURNING * or RETURNING id, name", "RETURNING needs a column list")
			}
			return toks[j].Pos, st.Text[toks[j+1].Pos:], nil
		}
	}
	return len(st.Text), "", nil
}

// subquery runs st.Text[pos:end] as a query of its own.
func (s *Session) subquery(ctx context.Context, st sqltext.Statement, pos, end int) (*Result, error) {
	text := st.Text[pos:end]
	toks, err := sqltext.Lex(text)
	if err != nil {
		return nil, err
	}
	sub := sqltext.Statement{Text: text, Tokens: toks, Kind: sqltext.Classify(toks)}
	res, err := s.queryAll(ctx, sub)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.pos >= 0 {
			e.pos += pos
		}
		return nil, err
	}
	return res, nil
}

func posAt(st sqltext.Statement, toks []sqltext.Token, i int) int {
	if i < len(toks) {
		return toks[i].Pos
	}
	return len(st.Text)
}

// buildCall validates a method's inputs and builds the call: vals maps
// column names (param or data__field) to SQL values; body, when not nil, is
// a JSON object of body fields given whole (@@json), which vals override.
// Every missing required input is reported at once.
func buildCall(m *registry.Method, vals map[string]any, body map[string]json.RawMessage) (provider.Call, error) {
	return buildCallNamed(m, vals, body, "", bodyPrefix)
}

// buildCallNamed is buildCall with the prefixes errors write before
// parameter and body field names: "" and data__ for SQL, @ and @ for EXEC.
func buildCallNamed(m *registry.Method, vals map[string]any, body map[string]json.RawMessage, paramPrefix, bodyName string) (provider.Call, error) {
	call := provider.Call{Method: m, Params: map[string]string{}}
	var problems, missing []string
	for _, p := range m.Params {
		v, ok := vals[p.Name]
		if !ok || v == nil {
			if p.Required {
				missing = append(missing, paramPrefix+p.Name)
			}
			continue
		}
		text, err := paramText(p, paramPrefix+p.Name, v)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		call.Params[p.Name] = text
	}
	fields := map[string]json.RawMessage{}
	for k, v := range body {
		if m.BodyField(k) == nil {
			problems = append(problems, fmt.Sprintf("@@json has %q, which is not a body field of %s", k, m.Name))
			continue
		}
		fields[k] = v
	}
	for _, p := range m.Body {
		v, ok := vals[bodyPrefix+p.Name]
		if ok && v != nil {
			raw, err := bodyValue(p, bodyName+p.Name, v)
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			fields[p.Name] = raw
		}
		if raw, ok := fields[p.Name]; !ok || string(raw) == "null" || string(raw) == `""` {
			if p.Required {
				missing = append(missing, bodyName+p.Name)
			}
		}
	}
	if len(missing) > 0 {
		problems = append([]string{"missing required " + strings.Join(missing, ", ")}, problems...)
	}
	if len(problems) > 0 {
		return call, errors.New(strings.Join(problems, "; "))
	}
	if len(m.Body) > 0 || len(fields) > 0 {
		// Fields in declaration order, for a stable, readable body.
		var b bytes.Buffer
		b.WriteByte('{')
		first := true
		for _, p := range m.Body {
			raw, ok := fields[p.Name]
			if !ok {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			k, _ := json.Marshal(p.Name)
			b.Write(k)
			b.WriteByte(':')
			b.Write(raw)
		}
		b.WriteByte('}')
		call.Body = b.Bytes()
	}
	return call, nil
}

// paramText checks a path or query parameter's value against its type and
// enum and returns it as sent.
func paramText(p *registry.Param, name string, v any) (string, error) {
	var text string
	switch x := v.(type) {
	case int64:
		text = strconv.FormatInt(x, 10)
	case float64:
		if p.Type == registry.TypeInteger && x == float64(int64(x)) {
			text = strconv.FormatInt(int64(x), 10)
		} else {
			text = strconv.FormatFloat(x, 'g', -1, 64)
		}
	case bool:
		text = strconv.FormatBool(x)
	case []byte:
		text = string(x)
	default:
		text = fmt.Sprint(x)
	}
	switch p.Type {
	case registry.TypeInteger:
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			return "", fmt.Errorf("%s must be an integer, not %q", name, text)
		}
	case registry.TypeNumber:
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			return "", fmt.Errorf("%s must be a number, not %q", name, text)
		}
	case registry.TypeBoolean:
		switch strings.ToLower(text) {
		case "true", "1":
			text = "true"
		case "false", "0":
			text = "false"
		default:
			return "", fmt.Errorf("%s must be true or false, not %q", name, text)
		}
	}
	if len(p.Enum) > 0 && !contains(p.Enum, text) {
		return "", fmt.Errorf("%s must be one of %s, not %q", name, strings.Join(p.Enum, ", "), text)
	}
	return text, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// bodyValue converts an SQL value to the JSON of body field p: arrays and
// objects from their JSON text, booleans from true/false or 0/1, numbers
// as numbers, strings as strings.
func bodyValue(p *registry.Param, name string, v any) (json.RawMessage, error) {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	switch p.Type {
	case registry.TypeArray, registry.TypeObject:
		s, ok := v.(string)
		want, example := "array", `'["a","b"]'`
		if p.Type == registry.TypeObject {
			want, example = "object", `'{"key":"value"}'`
		}
		if !ok {
			return nil, fmt.Errorf("%s takes a JSON %s as text, like %s", name, want, example)
		}
		s = strings.TrimSpace(s)
		var x any
		if err := json.Unmarshal([]byte(s), &x); err != nil {
			return nil, fmt.Errorf("%s is not valid JSON; write a JSON %s like %s", name, want, example)
		}
		switch x.(type) {
		case []any:
			if p.Type == registry.TypeArray {
				return compact(s), nil
			}
		case map[string]any:
			if p.Type == registry.TypeObject {
				return compact(s), nil
			}
		}
		return nil, fmt.Errorf("%s takes a JSON %s like %s", name, want, example)
	case registry.TypeBoolean:
		switch x := v.(type) {
		case bool:
			return json.Marshal(x)
		case int64:
			if x == 0 || x == 1 {
				return json.Marshal(x == 1)
			}
		case string:
			if b, err := strconv.ParseBool(x); err == nil {
				return json.Marshal(b)
			}
		}
		return nil, fmt.Errorf("%s must be true or false, not %v", name, v)
	case registry.TypeInteger:
		switch x := v.(type) {
		case int64:
			return json.Marshal(x)
		case string:
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				return json.Marshal(n)
			}
		}
		return nil, fmt.Errorf("%s must be an integer, not %v", name, v)
	case registry.TypeNumber:
		switch x := v.(type) {
		case int64, float64:
			return json.Marshal(x)
		}
		return nil, fmt.Errorf("%s must be a number, not %v", name, v)
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case int64:
		s = strconv.FormatInt(x, 10)
	case float64:
		s = strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		s = strconv.FormatBool(x)
	default:
		s = fmt.Sprint(x)
	}
	if len(p.Enum) > 0 && !contains(p.Enum, s) {
		return nil, fmt.Errorf("%s must be one of %s, not %q", name, strings.Join(p.Enum, ", "), s)
	}
	return json.Marshal(s)
}

func compact(s string) json.RawMessage {
	var b bytes.Buffer
	_ = json.Compact(&b, []byte(s))
	return b.Bytes()
}

// send makes the calls of a write in order. Every call is made even when
// an earlier one fails; failures are reported together with how many calls
// succeeded (and the ids of what they created or changed), and nothing is
// retried beyond the client's policy or undone. With RETURNING, the
// objects answered become the result's rows; the RETURNING list is checked
// before the first call. A cancelled statement sends no further call and
// says which calls were made. A write drops the provider's cached rows.
func (s *Session) send(ctx context.Context, st sqltext.Statement, res *registry.Resource, m *registry.Method, calls []writeCall, returning, verbed string) (*Result, error) {
	var ret *returner
	if returning != "" {
		var err error
		if ret, err = s.prepareReturning(ctx, st, res, returning); err != nil {
			return nil, err
		}
		defer ret.close()
	}
	if total := s.calls + len(calls); total > s.opts.MaxCalls {
		made := ""
		if s.calls > 0 {
			made = fmt.Sprintf("%d made to read, ", s.calls)
		}
		return nil, errorf(-1, fmt.Sprintf("raise --max-calls (to %d or more), or change fewer at a time", total),
			"the statement needs %d API calls, more than --max-calls allows (%d): %s%d to %s %s; none of those was sent", total, s.opts.MaxCalls, made, len(calls), m.Name, res.ID())
	}
	cl, connNote := s.cl, ""
	if len(calls) > 0 {
		cl = s.clientFor(res.Service.Provider, calls[0].conn)
		if l := s.connectionLabel(res.Service.Provider, calls[0].conn); l != "" {
			connNote = " through connection " + calls[0].conn
		}
	}
	if s.opts.DryRun != nil {
		for i, c := range calls {
			req, err := cl.Build(c.call)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(s.opts.DryRun, "-- dry run: request %d of %d (%s)%s\n%s\n", i+1, len(calls), s.cl.MaskSecrets(c.label), connNote, req)
		}
		msg := fmt.Sprintf("dry run: %d %s request(s) not sent", len(calls), m.HTTPMethod)
		if s.calls > 0 {
			// The reads that found what to change were made.
			msg += fmt.Sprintf(" (%d read call(s) made to find them)", s.calls)
		}
		return &Result{Message: msg}, nil
	}
	if len(calls) > 0 {
		if err := cl.CheckAuth(res.Service.Provider); err != nil {
			return nil, err
		}
		defer s.forget(res.Service.Provider)
	}
	var (
		objs      []json.RawMessage
		failures  []string
		maybe     []string
		succeeded []string
		unsent    int
		unread    []string // calls done whose answer could not be read
	)
	for _, c := range calls {
		if ctx.Err() != nil {
			unsent++
			continue
		}
		s.calls++
		s.callsBy[res.ID()]++
		resp, err := cl.Do(ctx, c.call)
		if err != nil {
			if ctx.Err() != nil {
				maybe = append(maybe, fmt.Sprintf("%s: interrupted; the API may or may not have acted on it", c.label))
				continue
			}
			failures, maybe = writeFailure(c.label, err, failures, maybe)
			continue
		}
		if resp.BodyErr != nil {
			// A 2xx answer: done, though what it said is lost.
			succeeded = append(succeeded, fmt.Sprintf("%s (done: the API answered %d, but its body could not be read: %v)", c.label, resp.Status, resp.BodyErr))
			unread = append(unread, fmt.Sprintf("%s (%d: %v)", c.label, resp.Status, resp.BodyErr))
			continue
		}
		o, _ := provider.Objects(m, resp.Body)
		objs = append(objs, o...)
		succeeded = append(succeeded, c.label+createdID(o))
	}
	s.writesDone += len(succeeded)
	s.writesMaybe += len(maybe)
	if len(failures) > 0 || len(maybe) > 0 || unsent > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "%d of %d %s calls succeeded", len(succeeded), len(calls), m.Name)
		if len(failures) > 0 {
			fmt.Fprintf(&b, "; %d failed:\n  %s", len(failures), strings.Join(failures, "\n  "))
		}
		if len(maybe) > 0 {
			fmt.Fprintf(&b, "\n  %d may or may not have acted (no answer said whether the API did it):\n  %s", len(maybe), strings.Join(maybe, "\n  "))
		}
		if unsent > 0 {
			fmt.Fprintf(&b, "\n  %d not sent: the statement was stopped (%v)", unsent, context.Cause(ctx))
		}
		if len(succeeded) > 0 {
			fmt.Fprintf(&b, "\n  succeeded: %s", strings.Join(succeeded, "; "))
		}
		hint := "calls that succeeded are not undone; check the resource before running the statement again"
		if len(maybe) > 0 {
			hint = "calls that succeeded are not undone, and a call that may have acted, sent again, may act twice: check the resource before running the statement again"
		}
		err := errorf(-1, hint, "%s", b.String())
		if ret != nil && len(objs) > 0 {
			// The rows of the calls that succeeded are true: the caller
			// gets them, then the error.
			rows, rerr := ret.rows(context.WithoutCancel(ctx), objs)
			if rerr == nil {
				return nil, &partial{res: rows, err: err}
			}
		}
		return nil, err
	}
	if len(unread) > 0 && ret != nil {
		// Done, but RETURNING cannot give what was not read: the rows
		// that were, then an error that says which calls have none.
		err := errorf(-1, fmt.Sprintf("they were done: list %s to find what they made", res.ID()),
			"%d of %d %s calls succeeded, but the API's answer to %d could not be read, so RETURNING has no row for it: %s",
			len(succeeded), len(calls), m.Name, len(unread), strings.Join(unread, "; "))
		if len(objs) > 0 {
			if rows, rerr := ret.rows(context.WithoutCancel(ctx), objs); rerr == nil {
				return nil, &partial{res: rows, err: err}
			}
		}
		return nil, err
	}
	if ret != nil {
		return ret.rows(ctx, objs)
	}
	msg := fmt.Sprintf("%d %s %s", len(succeeded), noun(res, len(succeeded)), verbed)
	if len(unread) > 0 {
		msg += fmt.Sprintf(" (the API's answer to %d could not be read: %s)", len(unread), strings.Join(unread, "; "))
	}
	return &Result{Message: msg}, nil
}

// writeFailure files a failed call's error among the failures (the API
// did not act: it refused the call, or the call never left this machine)
// or the calls that may have acted (no answer says).
func writeFailure(label string, err error, failures, maybe []string) ([]string, []string) {
	var ae *provider.APIError
	switch {
	case provider.WriteEffect(err) == provider.MayHaveActed:
		return failures, append(maybe, fmt.Sprintf("%s: %v", label, err))
	case errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests:
		return append(failures, fmt.Sprintf("%s: not done: the API's rate limit refused it (%v); it can be sent again later", label, err)), maybe
	}
	return append(failures, fmt.Sprintf("%s: %v", label, err)), maybe
}

// createdID names the object a call answered with, as " (id N)", or "".
func createdID(objs []json.RawMessage) string {
	if len(objs) != 1 {
		return ""
	}
	var o struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(objs[0], &o) != nil || len(o.ID) == 0 {
		return ""
	}
	return " (id " + strings.Trim(string(o.ID), `"`) + ")"
}

// forget drops every cached row of a provider after a write to it: a
// write may change other resources than its own (deleting an image deletes
// its snapshot), so no cached row of the provider is trusted after it.
func (s *Session) forget(p *registry.Provider) {
	prefix := p.Name + "."
	for k, c := range s.cache {
		if strings.HasPrefix(k, prefix) {
			s.dropTable(context.Background(), c.table)
			delete(s.cache, k)
		}
	}
}

// noun is the resource's name, made singular for one.
func noun(res *registry.Resource, n int) string {
	if n == 1 && strings.HasSuffix(res.Name, "s") {
		return strings.TrimSuffix(res.Name, "s")
	}
	return res.Name
}

// returner holds a write's RETURNING list, compiled over an empty table of
// the resource before any call is made.
type returner struct {
	s     *Session
	st    sqltext.Statement
	res   *registry.Resource
	table string
	stmt  *sql.Stmt
}

// prepareReturning checks the RETURNING list of st by compiling it.
func (s *Session) prepareReturning(ctx context.Context, st sqltext.Statement, res *registry.Resource, list string) (*returner, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	name := s.nextTable()
	if err := s.createTable(ctx, name, res); err != nil {
		return nil, err
	}
	s.tableNames = map[string]string{name: res.ID()}
	stmt, err := s.conn.PrepareContext(ctx, "SELECT "+list+" FROM "+quoteIdent(name+"_v")+" AS "+quoteIdent(res.Name))
	if err != nil {
		s.dropTable(context.Background(), name)
		e := wrap(-1, "", s.sqliteError(st, err))
		if e.pos < 0 {
			e.pos = findToken(st, "RETURNING")
		}
		e.Msg = "RETURNING: " + e.Msg
		return nil, e
	}
	return &returner{s: s, st: st, res: res, table: name, stmt: stmt}, nil
}

// rows materializes the objects the API answered with and selects the
// RETURNING list over them.
func (r *returner) rows(ctx context.Context, objs []json.RawMessage) (*Result, error) {
	s := r.s
	err := s.internal(func() error {
		tx, err := s.conn.BeginTx(context.WithoutCancel(ctx), nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		m, err := newMaterializer(ctx, tx, r.table, r.res)
		if err != nil {
			return err
		}
		defer m.Close()
		if _, err := m.Insert(ctx, objs, nil); err != nil {
			return err
		}
		return tx.Commit()
	})
	if err != nil {
		return nil, err
	}
	rows, err := s.result(r.st, func() (*sql.Rows, error) { return r.stmt.QueryContext(context.WithoutCancel(ctx)) }, func() error { return nil })
	if err != nil {
		return nil, err
	}
	return rows.Collect()
}

func (r *returner) close() {
	r.stmt.Close()
	r.s.dropTable(context.Background(), r.table)
}
