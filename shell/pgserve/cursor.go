package pgserve

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	wire "github.com/jeroenrinzema/psql-wire"
	"github.com/jeroenrinzema/psql-wire/codes"
)

// cursor is a DECLAREd cursor (psycopg2's named cursors, JDBC tools'
// DECLARE ... FETCH): its columns and the rows not fetched yet. Its query
// runs at DECLARE, and its rows are held in the session until fetched,
// closed, or (without HOLD) the transaction ends.
type cursor struct {
	columns wire.Columns
	rows    [][]any
	hold    bool
}

// cursorName is the name an identifier token gives a cursor.
func cursorName(t token) string {
	if t.Quoted {
		return t.Value
	}
	return strings.ToLower(t.Value)
}

// declare reads DECLARE name [BINARY] [ASENSITIVE | INSENSITIVE] [[NO]
// SCROLL] CURSOR [{WITH | WITHOUT} HOLD] FOR query.
func parseDeclare(p *prepared) (name string, hold bool, query string, err error) {
	toks := p.toks
	usage := "DECLARE name CURSOR [WITH HOLD] FOR SELECT ..."
	if len(toks) < 2 || toks[1].Kind != tIdent {
		return "", false, "", hinted(codes.Syntax, usage, "syntax error in DECLARE: a cursor name is expected")
	}
	name = cursorName(toks[1])
	i := 2
	for ; i < len(toks) && !toks[i].is("for"); i++ {
		t := toks[i]
		switch {
		case t.is("binary"):
			return "", false, "", hinted(codes.FeatureNotSupported, "declare the cursor without BINARY", "binary cursors are not supported")
		case t.is("with") && i+1 < len(toks) && toks[i+1].is("hold"):
			hold = true
			i++
		case t.is("without") && i+1 < len(toks) && toks[i+1].is("hold"):
			i++
		case t.is("asensitive"), t.is("insensitive"), t.is("no"), t.is("scroll"), t.is("cursor"):
		default:
			return "", false, "", hinted(codes.Syntax, usage, fmt.Sprintf("syntax error in DECLARE at or near %q", t.Text))
		}
	}
	if i+1 >= len(toks) {
		return "", false, "", hinted(codes.Syntax, usage, "syntax error in DECLARE: FOR and a query are expected")
	}
	return name, hold, p.text[toks[i+1].Pos:], nil
}

// declareCursor runs the query of a DECLARE and keeps its rows as a cursor.
func (c *conn) declareCursor(ctx context.Context, r *run, p *prepared, vals []any) error {
	name, hold, query, err := parseDeclare(p)
	if err != nil {
		return err
	}
	if !hold && !c.inTx {
		return hinted("25P01", "BEGIN first, or DECLARE ... CURSOR WITH HOLD", "DECLARE CURSOR can only be used in transaction blocks")
	}
	if _, ok := c.cursors[name]; ok {
		return hinted("42P03", "CLOSE it first", fmt.Sprintf("cursor %q already exists", name))
	}
	inner, err := c.classify(query)
	if err != nil {
		return err
	}
	if inner.kind != kCatalog && inner.kind != kEngine || !(inner.toks[0].is("select") || inner.toks[0].is("with") ||
		inner.toks[0].is("values") || inner.toks[0].is("table") || inner.toks[0].isOp("(")) {
		return hinted(codes.Syntax, "DECLARE name CURSOR FOR SELECT ...", "a cursor's query must be a SELECT")
	}
	inner.params = p.params
	q := &run{c: c, ctx: ctx}
	if err := c.execute(ctx, q, inner, vals); err != nil {
		return err
	}
	rows, err := q.all()
	if err != nil {
		return err
	}
	if c.cursors == nil {
		c.cursors = map[string]*cursor{}
	}
	c.cursors[name] = &cursor{columns: q.columns, rows: rows, hold: hold}
	r.tag = "DECLARE CURSOR"
	return nil
}

// all reads every row of a run started by execute, and closes it.
func (r *run) all() ([][]any, error) {
	var out [][]any
	if r.sqlRows != nil {
		defer r.sqlRows.Close()
		if r.first == nil {
			if err := r.sqlRows.Err(); err != nil {
				return nil, catalogError(err)
			}
			return nil, nil
		}
		out = append(out, r.first)
		for r.sqlRows.Next() {
			raw := make([]any, len(r.columns))
			ptrs := make([]any, len(raw))
			for i := range raw {
				ptrs[i] = &raw[i]
			}
			if err := r.sqlRows.Scan(ptrs...); err != nil {
				return nil, catalogError(err)
			}
			out = append(out, raw)
		}
		if err := r.sqlRows.Err(); err != nil {
			return nil, catalogError(err)
		}
		return out, nil
	}
	if r.engineRows != nil {
		defer r.engineRows.Close()
		if r.first == nil {
			return nil, r.engineRows.Err()
		}
		out = append(out, append([]any(nil), r.first...))
		for r.engineRows.Next() {
			out = append(out, append([]any(nil), r.engineRows.Row()...))
		}
		return out, r.engineRows.Err()
	}
	return r.rows, nil
}

// fetchCount reads FETCH or MOVE's [NEXT | FORWARD [n | ALL] | n | ALL]
// [FROM | IN] name: how many rows (-1 for all) from which cursor.
func fetchCount(toks []token) (n int, name string, err error) {
	verb := strings.ToUpper(toks[0].Text)
	usage := verb + " [NEXT | FORWARD [n | ALL] | n | ALL] [FROM] name"
	rest := toks[1:]
	if len(rest) == 0 {
		return 0, "", hinted(codes.Syntax, usage, "syntax error in "+verb+": a cursor name is expected")
	}
	n = 1
	count := func(t token) (int, bool) {
		if t.is("all") {
			return -1, true
		}
		if t.Kind == tNumber {
			k, err := strconv.Atoi(t.Text)
			return k, err == nil && k >= 0
		}
		return 0, false
	}
	switch {
	case rest[0].is("next"):
		rest = rest[1:]
	case rest[0].is("forward"):
		rest = rest[1:]
		if len(rest) > 1 {
			if k, ok := count(rest[0]); ok {
				n, rest = k, rest[1:]
			}
		}
	case rest[0].is("prior"), rest[0].is("first"), rest[0].is("last"), rest[0].is("absolute"), rest[0].is("relative"), rest[0].is("backward"):
		return 0, "", hinted(codes.FeatureNotSupported, "apiql's cursors go forward only: "+usage,
			fmt.Sprintf("%s %s is not supported", verb, strings.ToUpper(rest[0].Text)))
	default:
		if len(rest) > 1 {
			if k, ok := count(rest[0]); ok {
				n, rest = k, rest[1:]
			}
		}
	}
	if len(rest) > 0 && (rest[0].is("from") || rest[0].is("in")) {
		rest = rest[1:]
	}
	if len(rest) != 1 || rest[0].Kind != tIdent {
		return 0, "", hinted(codes.Syntax, usage, "syntax error in "+verb)
	}
	return n, cursorName(rest[0]), nil
}

// fetch answers FETCH (the cursor's next rows) and MOVE (skips them).
func (c *conn) fetch(r *run, p *prepared) error {
	n, name, err := fetchCount(p.toks)
	if err != nil {
		return err
	}
	cur, ok := c.cursors[name]
	if !ok {
		return hinted("34000", "DECLARE it first", fmt.Sprintf("cursor %q does not exist", name))
	}
	if n < 0 || n > len(cur.rows) {
		n = len(cur.rows)
	}
	rows := cur.rows[:n:n]
	cur.rows = cur.rows[n:]
	if p.toks[0].is("move") {
		r.columns, r.tag = nil, fmt.Sprintf("MOVE %d", n)
		return nil
	}
	if r.columns != nil && len(r.columns) != len(cur.columns) {
		return hinted(codes.FeatureNotSupported, "prepare the statement again", "the statement's columns changed since it was described")
	}
	r.columns, r.rows, r.tag = cur.columns, rows, fmt.Sprintf("FETCH %d", n)
	return nil
}

// closeCursors ends the cursors CLOSE names (all for CLOSE ALL) or, at the
// end of a transaction, those without HOLD.
func (c *conn) closeCursor(p *prepared) error {
	if len(p.toks) == 2 && p.toks[1].is("all") {
		c.cursors = nil
		return nil
	}
	if len(p.toks) != 2 || p.toks[1].Kind != tIdent {
		return hinted(codes.Syntax, "CLOSE name or CLOSE ALL", "syntax error in CLOSE")
	}
	name := cursorName(p.toks[1])
	if _, ok := c.cursors[name]; !ok {
		return hinted("34000", "", fmt.Sprintf("cursor %q does not exist", name))
	}
	delete(c.cursors, name)
	return nil
}

// endTransaction closes the cursors declared without HOLD.
func (c *conn) endTransaction() {
	for name, cur := range c.cursors {
		if !cur.hold {
			delete(c.cursors, name)
		}
	}
}
