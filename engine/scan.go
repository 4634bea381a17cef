package engine

// A pass-through scan: a statement that only copies one resource's rows
// out (SELECT * or plain columns, from one reference, with every condition
// already applied by the API) is answered from the pages as they arrive,
// without loading them into SQLite first. The rows are the same, value for
// value and in the same order, as SQLite would return: each value the
// fast path cannot type exactly as SQLite would (a string where the
// registry says integer, a real in a text column, an escaped key) sends its
// whole page through SQLite, into the statement's own table and out through
// the statement's own text, in a transaction rolled back after.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/apiql/apiql/engine/sqltext"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/provider/jsonspan"
	"github.com/apiql/apiql/registry"
)

// scanCol is one result column of a pass-through statement: the index of
// the field it copies (in Resource.Fields), or -1 for the connection
// column, and the column's declared SQLite type.
type scanCol struct {
	field int
	decl  string
}

// scanShape returns the source of each result column when the rewritten
// statement text only copies the rows of p's table through: SELECT [ALL]
// followed by *, q.* or plain column names (each with an optional alias),
// FROM the one table (with an optional alias), and at most a WHERE of
// conjuncts the API applied (rewritten to 1). ok is false for anything
// else: SQLite then runs the statement.
func scanShape(text string, p *refPlan, table string, ncols int) ([]scanCol, bool) {
	toks, err := sqltext.Lex(text)
	if err != nil {
		return nil, false
	}
	if n := len(toks); n > 0 && toks[n-1].IsOp(";") {
		toks = toks[:n-1]
	}
	i := 0
	at := func(k int) sqltext.Token {
		if k < len(toks) {
			return toks[k]
		}
		return sqltext.Token{Kind: sqltext.Op}
	}
	if !at(i).Is("SELECT") {
		return nil, false
	}
	i++
	if at(i).Is("ALL") {
		i++
	}
	res := p.res
	conn := connColumn(res)
	column := func(name string) (scanCol, bool) {
		for fi, f := range res.Fields {
			if strings.EqualFold(f.Name, name) {
				return scanCol{field: fi, decl: declType(f.Type)}, true
			}
		}
		if strings.EqualFold(conn, name) {
			return scanCol{field: -1, decl: declString}, true
		}
		return scanCol{}, false
	}
	star := func() []scanCol {
		cols := make([]scanCol, len(res.Fields))
		for fi, f := range res.Fields {
			cols[fi] = scanCol{field: fi, decl: declType(f.Type)}
		}
		return cols
	}
	var cols []scanCol
	// A * reads every column of what it names: the fields-only view, or
	// the table with its parameter columns, which only the view suits.
	viewStar := table+"_v" == strings.Trim(tableToken(toks), `"`)
	for {
		t := at(i)
		switch {
		case t.IsOp("*"):
			if !viewStar {
				return nil, false
			}
			cols = append(cols, star()...)
			i++
		case t.IsName() && at(i+1).IsOp(".") && at(i+2).IsOp("*"):
			if !viewStar {
				return nil, false
			}
			cols = append(cols, star()...)
			i += 3
		case t.IsName() && !isKeyword(t):
			name := t
			if at(i + 1).IsOp(".") {
				name = at(i + 2)
				if !name.IsName() {
					return nil, false
				}
				i += 2
			}
			c, ok := column(name.Value)
			if !ok {
				return nil, false
			}
			cols = append(cols, c)
			i++
			if at(i).Is("AS") {
				i++
				if !at(i).IsName() && at(i).Kind != sqltext.String {
					return nil, false
				}
				i++
			} else if at(i).IsName() && !isKeyword(at(i)) {
				i++
			}
		default:
			return nil, false
		}
		if !at(i).IsOp(",") {
			break
		}
		i++
	}
	if !at(i).Is("FROM") {
		return nil, false
	}
	i++
	if !at(i).IsName() || (at(i).Value != table && at(i).Value != table+"_v") {
		return nil, false
	}
	i++
	if at(i).Is("AS") {
		i++
		if !at(i).IsName() {
			return nil, false
		}
		i++
	} else if at(i).IsName() && !isKeyword(at(i)) {
		i++
	}
	if at(i).Is("WHERE") {
		i++
		want := true // a 1 or a (
		for ; i < len(toks); i++ {
			t := toks[i]
			switch {
			case want && t.IsOp("("):
			case want && t.Kind == sqltext.Number && t.Text == "1":
				want = false
			case !want && t.IsOp(")"):
			case !want && t.Is("AND"):
				want = true
			default:
				return nil, false
			}
		}
		if want {
			return nil, false
		}
	}
	if i != len(toks) || len(cols) != ncols {
		return nil, false
	}
	return cols, true
}

// tableToken returns the text of the token after the statement's first
// FROM.
func tableToken(toks []sqltext.Token) string {
	for i, t := range toks {
		if t.Is("FROM") && i+1 < len(toks) {
			return toks[i+1].Text
		}
	}
	return ""
}

// isKeyword reports whether t is a keyword that may follow a column or a
// table in the statements scanShape accepts (so is not an alias).
func isKeyword(t sqltext.Token) bool {
	if t.Kind != sqltext.Ident {
		return false
	}
	switch strings.ToUpper(t.Value) {
	case "FROM", "WHERE", "AS", "AND", "OR", "NOT", "ORDER", "GROUP", "HAVING", "LIMIT",
		"UNION", "EXCEPT", "INTERSECT", "WINDOW", "JOIN", "LEFT", "RIGHT", "FULL", "INNER",
		"CROSS", "NATURAL", "OUTER", "ON", "USING", "DISTINCT", "ALL", "SELECT", "VALUES",
		"CASE", "CAST", "COLLATE", "IS", "IN", "LIKE", "GLOB", "BETWEEN", "ESCAPE", "INDEXED",
		"OFFSET", "RETURNING", "NULL", "TRUE", "FALSE":
		return true
	}
	return false
}

// scanner converts pages of one call into result rows.
type scanner struct {
	s     *Session
	plan  *refPlan
	call  callParams
	table string
	// text is the statement's rewritten text, run over the table for a
	// page the fast path cannot convert.
	text  string
	cols  []scanCol
	types []Column
	// conn is the value of the connection column: the call's connection.
	conn any
	// index maps a field's name to its position in Resource.Fields.
	index map[string]int
	vals  [][]byte
	seen  []bool
}

func newScanner(s *Session, plan *refPlan, table, text string, cols []scanCol, types []Column) *scanner {
	sc := &scanner{s: s, plan: plan, call: plan.calls[0], table: table, text: text, cols: cols, types: types,
		index: make(map[string]int, len(plan.res.Fields))}
	sc.conn = sc.call.cols[connColumn(plan.res)]
	for i, f := range plan.res.Fields {
		sc.index[f.Name] = i
	}
	sc.vals = make([][]byte, len(plan.res.Fields))
	sc.seen = make([]bool, len(plan.res.Fields))
	return sc
}

// page returns the rows of one page's objects.
func (sc *scanner) page(ctx context.Context, objs []json.RawMessage) ([][]any, error) {
	size := 0
	for _, o := range objs {
		size += len(o)
	}
	if size > sc.s.guard.maxLength/2 {
		// Near the bound on one SQLite value, which the loaded page must
		// pass as a whole: SQLite says whether it does.
		return sc.slow(ctx, objs)
	}
	rows := make([][]any, 0, len(objs))
	for _, o := range objs {
		row, obj, ok := sc.object(o)
		if !obj {
			continue // SQLite's table takes objects only
		}
		if !ok {
			return sc.slow(ctx, objs)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// object converts one object. obj is false when o is not a JSON object;
// ok is false when a value needs SQLite's own conversion.
func (sc *scanner) object(o []byte) (row []any, obj, ok bool) {
	k := 0
	for k < len(o) && (o[k] == ' ' || o[k] == '\t' || o[k] == '\n' || o[k] == '\r') {
		k++
	}
	if k == len(o) || o[k] != '{' {
		return nil, false, true
	}
	for i := range sc.vals {
		sc.vals[i], sc.seen[i] = nil, false
	}
	ok = true
	err := jsonspan.Members(o, func(key []byte, escaped bool, value []byte) bool {
		if escaped {
			ok = false // SQLite's label match of an escaped key: its own
			return false
		}
		i, found := sc.index[string(key)]
		if !found {
			return true
		}
		if sc.seen[i] {
			ok = false // a repeated key: which one ->> reads is SQLite's
			return false
		}
		sc.seen[i], sc.vals[i] = true, value
		return true
	})
	if err != nil || !ok {
		return nil, true, false
	}
	row = make([]any, len(sc.cols))
	for i, c := range sc.cols {
		if c.field < 0 {
			row[i] = sc.conn
			continue
		}
		v, ok := fastValue(c.decl, sc.vals[c.field])
		if !ok {
			return nil, true, false
		}
		row[i] = v
	}
	return row, true, true
}

// fastValue is the value SQLite returns for the JSON value raw (nil:
// absent) read with ->> into a column declared decl, then scanned as
// scanRow does, when it is sure to be the same; ok is false otherwise.
func fastValue(decl string, raw []byte) (any, bool) {
	if len(raw) == 0 || raw[0] == 'n' {
		return nil, true
	}
	text := decl == declString || decl == declArray || decl == declObject
	switch raw[0] {
	case 't', 'f':
		// ->> reads true and false as the integers 1 and 0.
		b := raw[0] == 't'
		n := int64(0)
		if b {
			n = 1
		}
		switch decl {
		case declBoolean:
			return b, true
		case declInteger:
			return n, true
		case declNumber:
			return float64(n), true
		}
		return strconv.FormatInt(n, 10), true
	case '"':
		if !text {
			return nil, false // a numeric column's affinity may convert it
		}
		return plainString(raw)
	case '{', '[':
		if !text {
			return nil, false
		}
		return jsonspan.Compact(raw), true
	}
	// A number.
	integer := true
	for _, c := range raw {
		if c == '.' || c == 'e' || c == 'E' {
			integer = false
			break
		}
	}
	if integer {
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return nil, false
		}
		switch decl {
		case declInteger:
			return n, true
		case declNumber:
			return float64(n), true
		case declBoolean:
			return n > 0, true // go-sqlite3 reads a BOOLEAN as > 0
		}
		return strconv.FormatInt(n, 10), true
	}
	if decl != declNumber || !plainFloat(raw) {
		return nil, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, false
	}
	if f == 0 {
		f = 0 // SQLite stores a whole REAL as an integer: -0 reads back as 0
	}
	return f, true
}

// plainFloat reports whether the JSON number raw has at most 15
// significant digits and a modest exponent: a number any correct decimal
// conversion, SQLite's or Go's, turns into the same double.
func plainFloat(raw []byte) bool {
	digits, lead, exp := 0, true, 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c >= '0' && c <= '9':
			if lead && c == '0' {
				continue
			}
			lead = false
			digits++
		case c == 'e' || c == 'E':
			e, err := strconv.Atoi(strings.TrimPrefix(string(raw[i+1:]), "+"))
			if err != nil {
				return false
			}
			exp = e
			i = len(raw)
		}
	}
	return digits <= 15 && exp > -250 && exp < 250
}

// plainString is the text of a JSON string whose escapes, if any, are the
// one-character ones; ok is false for \u escapes, left to SQLite.
func plainString(raw []byte) (any, bool) {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), true
	}
	var b strings.Builder
	b.Grow(len(inner))
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(inner) {
			return nil, false
		}
		switch inner[i] {
		case '"', '\\', '/':
			b.WriteByte(inner[i])
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		default:
			return nil, false
		}
	}
	return b.String(), true
}

// slow returns the rows of a page through SQLite: the objects go into the
// statement's (empty) table, the statement's text reads them out, and
// the transaction is rolled back, leaving the table empty again.
func (sc *scanner) slow(ctx context.Context, objs []json.RawMessage) ([][]any, error) {
	s := sc.s
	var rows [][]any
	err := s.internal(func() error {
		tx, err := s.conn.BeginTx(context.WithoutCancel(ctx), nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		m, err := newMaterializer(ctx, tx, sc.table, sc.plan.res)
		if err != nil {
			return err
		}
		defer m.Close()
		if _, err := m.Insert(ctx, objs, sc.call.cols); err != nil {
			return err
		}
		q, err := tx.QueryContext(ctx, sc.text)
		if err != nil {
			return err
		}
		defer q.Close()
		for q.Next() {
			row, err := scanRow(q, sc.types)
			if err != nil {
				return err
			}
			rows = append(rows, row)
		}
		return q.Err()
	})
	return rows, err
}

// scanRows streams the rows of a pass-through statement (scanShape) as
// its one call's pages arrive. cleanup runs when the rows are closed.
func (s *Session) scanRows(ctx context.Context, st sqltext.Statement, plan *refPlan, table, text string, cols []scanCol, types []Column, cleanup func() error) *Rows {
	sc := newScanner(s, plan, table, text, cols, types)
	ctx, cancel := context.WithCancel(ctx)
	batches := make(chan [][]any, 4)
	done := make(chan struct{})
	var failure error
	s.calls++
	s.callsBy[plan.res.ID()]++
	id := plan.res.ID()
	cl := s.clientFor(plan.res.Service.Provider, sc.call.conn)
	label := s.connectionLabel(plan.res.Service.Provider, sc.call.conn)
	go func() {
		defer close(done)
		defer close(batches)
		var pages, total, n int
		call := provider.Call{Method: plan.method, Params: sc.call.send}
		call.PageCount = func(t int) { total = t }
		err := cl.List(ctx, call, func(objs []json.RawMessage) error {
			rows, err := sc.page(ctx, objs)
			if err != nil {
				return wrap(plan.ref.Pos, "", s.limitError(err))
			}
			pages++
			n += len(rows)
			if s.opts.Progress != nil {
				s.opts.Progress(ProgressEvent{Resource: id, Pages: pages, TotalPages: total, Rows: n})
			}
			select {
			case batches <- rows:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if e, ok := err.(*Error); ok {
			failure = e
		} else {
			failure = s.callError(plan, sc.call, label, err)
		}
		if failure == nil && s.opts.Progress != nil {
			s.opts.Progress(ProgressEvent{Resource: id, Pages: pages, Done: true})
		}
	}()
	var (
		batch [][]any
		once  sync.Once
	)
	next := func() ([]any, error) {
		for len(batch) == 0 {
			b, ok := <-batches
			if !ok {
				<-done
				return nil, failure
			}
			batch = b
		}
		row := batch[0]
		batch = batch[1:]
		return row, nil
	}
	closeRows := func() error {
		once.Do(func() {
			cancel()
			for range batches {
			}
			<-done
			cleanup()
		})
		return nil
	}
	return &Rows{Columns: types, next: next, close: closeRows}
}

// passThrough reports whether plan's one call may be streamed (scanRows)
// rather than loaded: one reference, one call, nothing to dedupe or
// intersect, no parent, and rows not kept for later statements.
func passThrough(plans, pending []*refPlan, cached bool) bool {
	if len(plans) != 1 || len(pending) != 1 || plans[0] != pending[0] || cached {
		return false
	}
	p := plans[0]
	return len(p.calls) == 1 && !p.dedupe && p.intersect == nil && len(p.deps) == 0 &&
		p.method != nil && p.method.Verb == registry.VerbSelect
}

// passThroughRows streams the statement's rows (scanRows) when its text
// only copies the rows of plan's table through; ok is false, with no
// error, when SQLite must run it. The columns are the ones SQLite gives
// the statement over the still empty table.
func (s *Session) passThroughRows(ctx context.Context, st sqltext.Statement, stmt *sql.Stmt, plan *refPlan, table, text string, restore *strings.Replacer, cleanup func() error) (*Rows, bool, error) {
	probe, err := stmt.QueryContext(ctx)
	if err != nil {
		return nil, false, s.sqliteError(st, err)
	}
	types, err := columnsOf(probe)
	probe.Close()
	if err != nil {
		return nil, false, s.sqliteError(st, err)
	}
	cols, ok := scanShape(text, plan, table, len(types))
	if !ok {
		return nil, false, nil
	}
	// SQLite declares a type only for a result column that reads a table's
	// column: one that computes (id NOTNULL, where the text looks like a
	// column and its alias) has none, and SQLite must run the statement.
	for i, c := range cols {
		if types[i].Type == "" || types[i].Type != registryType(c.decl) {
			return nil, false, nil
		}
	}
	for i := range types {
		types[i].Name = restore.Replace(types[i].Name)
	}
	return s.scanRows(ctx, st, plan, table, text, cols, types, cleanup), true, nil
}
