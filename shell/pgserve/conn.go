package pgserve

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/engine/sqltext"
	"github.com/apiql/apiql/registry"
	wire "github.com/jeroenrinzema/psql-wire"
	"github.com/jeroenrinzema/psql-wire/codes"
)

// conn is one client connection: its engine session, its settings, and
// the statement it is running.
type conn struct {
	s        *Server
	pid      int32
	secret   int32
	user     string
	settings map[string]string
	sess     *engine.Session
	raw      net.Conn
	// out is where psql-wire writes the connection's messages: a notice
	// (which psql-wire cannot send) is written there, between them.
	out *pgConn
	// inTx is true between BEGIN and COMMIT or ROLLBACK, which are
	// otherwise no-ops: statements run (and writes take effect) at once.
	inTx bool
	// txWrites are the session's write counts (engine.Session.WritesSent)
	// at BEGIN: a ROLLBACK says how many were sent since, which it cannot
	// undo.
	txWrites [2]int
	// cursors are the DECLAREd cursors, by name.
	cursors map[string]*cursor
	// portals are the session's bound portals (set at the first Bind).
	portals *portalCache

	mu   sync.Mutex
	stop context.CancelFunc
}

// cancel cancels the running statement, if any.
func (c *conn) cancel() {
	c.mu.Lock()
	stop := c.stop
	c.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// kind is how a statement is answered.
type kind int

const (
	kEmpty   kind = iota
	kCommand      // SET, BEGIN, ...: no rows
	kShow         // SHOW of a setting
	kCatalog      // a query over the catalog, by SQLite
	kEngine       // an apiql statement, by the engine
	kCursor       // DECLARE, FETCH, MOVE, CLOSE of a cursor
)

// prepared is a classified statement, with its columns when described.
type prepared struct {
	kind    kind
	text    string
	toks    []token
	tag     string
	columns wire.Columns
	params  []uint32
}

// classify says how text is answered.
func (c *conn) classify(text string) (*prepared, error) {
	toks, err := lexPG(text)
	if err != nil {
		return nil, hinted(codes.Syntax, "", "syntax error: "+err.Error())
	}
	p := &prepared{text: text, toks: toks}
	if len(toks) == 0 {
		return p, nil
	}
	first := toks[0]
	word := strings.ToLower(first.Value)
	if first.Kind != tIdent && !first.isOp("(") {
		return nil, hinted(codes.Syntax, "", fmt.Sprintf("syntax error at or near %q", first.Text))
	}
	switch word {
	case "begin", "start":
		p.kind, p.tag = kCommand, "BEGIN"
		if word == "start" {
			p.tag = "START TRANSACTION"
		}
	case "commit", "end":
		p.kind, p.tag = kCommand, "COMMIT"
	case "rollback", "abort":
		p.kind, p.tag = kCommand, "ROLLBACK"
	case "declare", "fetch", "move", "close":
		p.kind = kCursor
	case "savepoint", "release", "discard", "deallocate", "listen", "unlisten", "reset", "set":
		p.kind, p.tag = kCommand, strings.ToUpper(word)
		if word == "discard" {
			p.tag = "DISCARD ALL"
		}
	case "show":
		if len(toks) > 1 && (toks[1].is("providers") || toks[1].is("services") || toks[1].is("resources") ||
			toks[1].is("methods") || toks[1].is("extended") || toks[1].is("insert")) {
			p.kind = kEngine
			break
		}
		p.kind = kShow
		if len(toks) == 2 && toks[1].is("all") {
			p.columns = wire.Columns{textColumn("name"), textColumn("setting"), textColumn("description")}
		} else {
			name, ok := showName(toks[1:])
			if !ok {
				return nil, hinted(codes.Syntax, "SHOW name, SHOW ALL, or apiql's SHOW PROVIDERS / SERVICES / RESOURCES / METHODS", "syntax error in SHOW")
			}
			p.columns = wire.Columns{textColumn(name)}
		}
	case "select", "with", "values", "table", "(":
		if c.referencesResource(toks) {
			p.kind = kEngine
		} else {
			p.kind = kCatalog
		}
	case "describe", "desc", "exec", "insert", "update", "delete", "explain":
		p.kind = kEngine
	default:
		return nil, hinted(codes.FeatureNotSupported,
			"apiql serve answers SELECT, INSERT, UPDATE, DELETE, EXEC, SHOW, DESCRIBE, EXPLAIN, SET, cursors (DECLARE, FETCH, CLOSE) and transaction statements (as no-ops)",
			fmt.Sprintf("%s is not supported", strings.ToUpper(first.Text)))
	}
	return p, nil
}

// showName reads the setting a SHOW names.
func showName(toks []token) (string, bool) {
	switch {
	case len(toks) == 1 && toks[0].Kind == tIdent:
		return toks[0].Value, true
	case len(toks) == 3 && toks[0].is("transaction") && toks[1].is("isolation") && toks[2].is("level"):
		return "transaction_isolation", true
	case len(toks) == 2 && toks[0].is("time") && toks[1].is("zone"):
		return "TimeZone", true
	case len(toks) == 2 && toks[0].is("session") && toks[1].is("authorization"):
		return "session_authorization", true
	}
	return "", false
}

func textColumn(name string) wire.Column {
	return wire.Column{Name: name, Oid: oidText, Width: -1}
}

// referencesResource reports whether a query names a resource, as
// schema.table or as provider.service.resource.
func (c *conn) referencesResource(toks []token) bool {
	reg := c.s.cfg.Engine.Registry
	for i := 0; i+2 < len(toks); i++ {
		if toks[i].Kind != tIdent || !toks[i+1].isOp(".") || toks[i+2].Kind != tIdent || i > 0 && toks[i-1].isOp(".") {
			continue
		}
		if c.s.catalog.lookup(toks[i].Value, toks[i+2].Value) != nil && c.s.catalog.bySchema[toks[i].Value] != nil {
			return true
		}
		if reg.Provider(toks[i].Value) != nil && i+4 < len(toks) && toks[i+3].isOp(".") {
			return true
		}
	}
	return false
}

// resourceID maps schema.table to the resource's three-part name.
func (c *conn) resourceID(schema, name string) string {
	if c.s.catalog.bySchema[schema] == nil {
		return ""
	}
	if t := c.s.catalog.lookup(schema, name); t != nil {
		return t.res.ID()
	}
	return ""
}

// setting returns a setting's value for this connection.
func (c *conn) setting(name string) (string, bool) {
	for k, v := range c.settings {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	for _, s := range defaultSettings {
		if strings.EqualFold(s.name, name) {
			v := s.value
			if c.s.cfg.AllowWrites && (s.name == "default_transaction_read_only" || s.name == "transaction_read_only") {
				v = "off"
			}
			return v, true
		}
	}
	switch strings.ToLower(name) {
	case "session_authorization":
		return c.user, true
	}
	return "", false
}

func (c *conn) dialect() dialect {
	return dialect{
		user:     c.user,
		version:  fmt.Sprintf("PostgreSQL %s (apiql %s, answering from a registry of REST APIs)", pgVersionShort, c.s.cfg.Version),
		pid:      c.pid,
		settings: c.setting,
		schema:   c.resourceID,
	}
}

// paramTypes returns the type of each $n of the statement: the client's
// when it gave one, else the type of the column it is compared with, an
// integer after LIMIT or OFFSET, else text.
func (c *conn) paramTypes(p *prepared, given []uint32) []uint32 {
	n := maxParam(p.toks)
	if n == 0 {
		return nil
	}
	types := make([]uint32, n)
	fields := catalogColumnTypes
	if p.kind == kEngine {
		fields = c.fieldTypes(p.toks)
	}
	for i, t := range p.toks {
		if t.Kind != tParam {
			continue
		}
		k, _ := strconv.Atoi(t.Value)
		if k < 1 || types[k-1] != 0 {
			continue
		}
		switch {
		case i+2 < len(p.toks) && p.toks[i+1].isOp("::"):
			_, name, _ := castType(p.toks, i+2)
			if oid, ok := castOID(name); ok {
				types[k-1] = oid
			}
		case i > 0 && (p.toks[i-1].is("limit") || p.toks[i-1].is("offset")):
			types[k-1] = oidInt8
		case i > 0 && (p.toks[i-1].is("and") || p.toks[i-1].is("or") || p.toks[i-1].is("not") || p.toks[i-1].is("where")) &&
			(i+1 >= len(p.toks) || p.toks[i+1].is("and") || p.toks[i+1].is("or") || p.toks[i+1].isOp(")")),
			i+1 < len(p.toks) && (p.toks[i+1].is("and") || p.toks[i+1].is("or")) && i > 0 && (p.toks[i-1].isOp("(") || p.toks[i-1].is("where")):
			types[k-1] = oidBool
		case i > 1 && isCompare(p.toks[i-1]) && p.toks[i-2].Kind == tIdent:
			if oid, ok := fields[strings.ToLower(p.toks[i-2].Value)]; ok {
				types[k-1] = oid
			}
		case i > 0 && (p.toks[i-1].isOp("(") || p.toks[i-1].isOp(",")):
			// x IN ($1, $2): the type of x.
			j := i - 1
			for j > 0 && !p.toks[j].isOp("(") {
				j--
			}
			if j > 1 && p.toks[j-1].is("in") && p.toks[j-2].Kind == tIdent {
				if oid, ok := fields[strings.ToLower(p.toks[j-2].Value)]; ok {
					types[k-1] = oid
				}
			}
		case i+2 < len(p.toks) && isCompare(p.toks[i+1]) && p.toks[i+2].Kind == tIdent:
			if oid, ok := fields[strings.ToLower(p.toks[i+2].Value)]; ok {
				types[k-1] = oid
			}
		}
	}
	for i := range types {
		if types[i] == oidText {
			// Text is what an unspecified parameter becomes anyway; left
			// unspecified, a client sends any value (an id as a number for
			// a parameter that also takes a slug) as text.
			types[i] = 0
		}
		if i < len(given) && given[i] != 0 {
			types[i] = given[i]
		}
		// A parameter whose type nothing tells stays unspecified (0): the
		// client sends it as text in the type of its value, which SQLite
		// compares by the column's affinity.
	}
	return types
}

func isCompare(t token) bool {
	return t.isOp("=") || t.isOp("<>") || t.isOp("!=") || t.isOp("<") || t.isOp(">") || t.isOp("<=") || t.isOp(">=")
}

func castOID(name string) (uint32, bool) {
	_, typ := castWrap(name)
	switch typ {
	case "INTEGER":
		return oidInt8, true
	case "REAL":
		return oidFloat8, true
	case "TEXT":
		return oidText, true
	}
	switch name {
	case "bool", "boolean":
		return oidBool, true
	case "json", "jsonb":
		return oidJSON, true
	}
	return 0, false
}

// fieldTypes maps the field and parameter names of the resources a
// statement names to their Postgres types.
func (c *conn) fieldTypes(toks []token) map[string]uint32 {
	out := map[string]uint32{}
	add := func(r *registry.Resource) {
		for _, f := range r.Fields {
			out[strings.ToLower(f.Name)] = oidFor(f.Type)
		}
		for _, m := range r.Methods {
			for _, p := range m.Params {
				if _, ok := out[strings.ToLower(p.Name)]; !ok {
					out[strings.ToLower(p.Name)] = oidFor(p.Type)
				}
			}
		}
	}
	reg := c.s.cfg.Engine.Registry
	for i := 0; i+2 < len(toks); i++ {
		if toks[i].Kind != tIdent || !toks[i+1].isOp(".") || toks[i+2].Kind != tIdent {
			continue
		}
		if t := c.s.catalog.lookup(toks[i].Value, toks[i+2].Value); t != nil && c.s.catalog.bySchema[toks[i].Value] != nil {
			add(t.res)
		}
		if i+4 < len(toks) && toks[i+3].isOp(".") {
			if r, err := reg.Resource(toks[i].Value + "." + toks[i+2].Value + "." + toks[i+4].Value); err == nil {
				add(r)
			}
		}
	}
	return out
}

// prepare classifies and describes a statement of the extended protocol,
// without calling the API.
func (c *conn) prepare(ctx context.Context, text string, given []uint32) (*prepared, error) {
	p, err := c.classify(text)
	if err != nil {
		return nil, err
	}
	p.params = c.paramTypes(p, given)
	switch p.kind {
	case kCatalog:
		d := c.dialect()
		d.catalog = true
		q, err := rewrite(p.text, p.toks, d)
		if err != nil {
			return nil, err
		}
		args := make([]any, len(p.params))
		rows, err := c.s.catDB.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, catalogError(err)
		}
		cts, err := rows.ColumnTypes()
		var first []any
		if err == nil {
			first, err = peek(rows, len(cts))
		}
		if err == nil {
			p.columns = sqliteColumns(cts, p.toks, first)
		}
		rows.Close()
		if err != nil {
			return nil, catalogError(err)
		}
	case kCursor:
		if p.toks[0].is("fetch") {
			if _, name, err := fetchCount(p.toks); err == nil && c.cursors[name] != nil {
				p.columns = c.cursors[name].columns
			}
		}
	case kEngine:
		if p.toks[0].is("exec") {
			// Its columns are the API answer's: the extended protocol
			// needs them before it runs.
			return nil, hinted(codes.FeatureNotSupported,
				"send EXEC in the simple query protocol, its values written in (no $n): psql and psycopg2 do; pgjdbc (DBeaver, Metabase) with preferQueryMode=simple, pgx with QueryExecModeSimpleProtocol; or use INSERT, UPDATE, DELETE ... RETURNING, which the extended protocol runs",
				"EXEC cannot be prepared: its columns are the API's answer, known only once it has run")
		}
		d := c.dialect()
		d.params = func(n int) (string, bool) {
			if n < 1 || n > len(p.params) {
				return "NULL", false
			}
			return sampleLiteral(p.params[n-1]), true
		}
		q, err := rewrite(p.text, p.toks, d)
		if err != nil {
			return nil, err
		}
		cols, err := c.sess.Describe(ctx, q)
		if err != nil {
			return nil, err
		}
		p.columns = engineColumns(cols, p.toks, c.fieldTypes(p.toks), nil)
		c.attribute(p.columns, p.toks)
	}
	return p, nil
}

// engineColumns types the engine's columns: from the registry, else
// from the select item that computes them (see typeComputed).
func engineColumns(cols []engine.Column, toks []token, fields map[string]uint32, first []any) wire.Columns {
	oids := make([]uint32, len(cols))
	for i, col := range cols {
		if col.Type != "" {
			oids[i] = oidFor(col.Type)
		}
	}
	typeComputed(oids, toks, fields, first)
	out := make(wire.Columns, len(cols))
	for i, col := range cols {
		out[i] = wire.Column{Name: col.Name, Oid: oids[i], Width: -1}
	}
	pgNames(out, toks)
	return out
}

// sqliteColumns types the columns of a catalog query from SQLite's
// declared types, else from the select items (see typeComputed).
func sqliteColumns(cts []*sql.ColumnType, toks []token, first []any) wire.Columns {
	oids := make([]uint32, len(cts))
	for i, ct := range cts {
		switch strings.ToUpper(ct.DatabaseTypeName()) {
		case "INTEGER":
			oids[i] = oidInt8
		case "REAL":
			oids[i] = oidFloat8
		case "BOOLEAN":
			oids[i] = oidBool
		case "TEXT":
			oids[i] = oidText
		}
	}
	typeComputed(oids, toks, catalogColumnTypes, first)
	out := make(wire.Columns, len(cts))
	for i, ct := range cts {
		out[i] = wire.Column{Name: ct.Name(), Oid: oids[i], Width: -1}
	}
	pgNames(out, toks)
	return out
}

// peek reads the first row of rows; nil when there is none.
func peek(rows *sql.Rows, n int) ([]any, error) {
	if !rows.Next() {
		return nil, rows.Err()
	}
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	return vals, nil
}

var sqliteNoise = regexp.MustCompile(`^(sqlite3?: )`)

// catalogError reports an error of a catalog query.
func catalogError(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	msg := sqliteNoise.ReplaceAllString(err.Error(), "")
	code := classify(err, msg)
	return hinted(code, "apiql answers the Postgres catalog (pg_catalog, information_schema) for tools; queries over resources name them as schema.table, e.g. digitalocean_images.images", msg)
}

// run is a statement started: its columns are known, its rows to come.
type run struct {
	c       *conn
	columns wire.Columns
	tag     string
	rows    [][]any   // rows ready to send
	sqlRows *sql.Rows // or rows to read from the catalog
	// or rows from the engine, of a statement of kind (SELECT, ...),
	// with its message
	engineRows *engine.Rows
	kind       string
	message    string
	first      []any // the first of sqlRows or engineRows, read already; nil if none
	done       func()
	ctx        context.Context
	timeout    time.Duration
}

// start runs a statement as far as its columns. p is the described
// statement of the extended protocol (nil in the simple protocol, where
// text is classified here), params its parameters.
func (c *conn) start(ctx context.Context, text string, p *prepared, params []wire.Parameter) (*run, error) {
	if p == nil {
		var err error
		if p, err = c.classify(text); err != nil {
			return nil, err
		}
	}
	if n := maxParam(p.toks); n > len(params) {
		// Postgres's answer; the simple protocol binds none.
		return nil, hinted(codes.UndefinedParameter, "bind a value to every parameter ($1, $2, ...) in the extended protocol; a simple query binds none: write the value itself",
			fmt.Sprintf("there is no parameter $%d", len(params)+1))
	}
	vals := make([]any, len(p.params))
	if len(params) != len(p.params) && len(p.params) > 0 {
		return nil, hinted(codes.ProtocolViolation, "", fmt.Sprintf("bind message supplies %d parameters, but the statement requires %d", len(params), len(p.params)))
	}
	for i := range p.params {
		v, err := paramValue(params[i], p.params[i])
		if err != nil {
			return nil, hinted("22P02", "", err.Error())
		}
		vals[i] = v
	}
	sctx, stop := context.WithCancel(ctx)
	timeout := c.s.cfg.Engine.StatementTimeout
	var stopTimer context.CancelFunc = func() {}
	if timeout > 0 {
		sctx, stopTimer = context.WithTimeout(sctx, timeout)
	}
	c.mu.Lock()
	c.stop = stop
	c.mu.Unlock()
	unwatch := c.watch(sctx, stop)
	r := &run{c: c, columns: p.columns, tag: p.tag, ctx: sctx, timeout: timeout}
	r.done = func() {
		if r.engineRows != nil {
			r.engineRows.Close()
		}
		if r.sqlRows != nil {
			r.sqlRows.Close()
		}
		unwatch()
		c.mu.Lock()
		c.stop = nil
		c.mu.Unlock()
		stopTimer()
		stop()
	}
	if err := c.execute(sctx, r, p, vals); err != nil {
		err = r.stopped(err)
		r.done()
		return nil, err
	}
	return r, nil
}

// stopped says why a statement whose context ended failed: a cancel
// request or a gone client, or the statement timeout.
func (r *run) stopped(err error) error {
	switch {
	case errors.Is(r.ctx.Err(), context.DeadlineExceeded):
		return hinted(codes.QueryCanceled, "raise --statement-timeout",
			fmt.Sprintf("the statement took longer than %v and was stopped", r.timeout))
	case r.ctx.Err() != nil:
		return context.Canceled
	}
	return err
}

func (c *conn) execute(ctx context.Context, r *run, p *prepared, vals []any) error {
	switch p.kind {
	case kEmpty:
		r.tag = ""
	case kCommand:
		c.command(p)
	case kCursor:
		switch {
		case p.toks[0].is("declare"):
			return c.declareCursor(ctx, r, p, vals)
		case p.toks[0].is("close"):
			r.tag = "CLOSE CURSOR"
			return c.closeCursor(p)
		}
		return c.fetch(r, p)
	case kShow:
		if len(p.columns) == 3 {
			names := map[string]bool{}
			var rows [][]any
			for _, s := range defaultSettings {
				v, _ := c.setting(s.name)
				rows = append(rows, []any{s.name, v, s.desc})
				names[strings.ToLower(s.name)] = true
			}
			for k, v := range c.settings {
				if !names[strings.ToLower(k)] {
					rows = append(rows, []any{k, v, ""})
				}
			}
			sort.Slice(rows, func(i, j int) bool {
				return strings.ToLower(rows[i][0].(string)) < strings.ToLower(rows[j][0].(string))
			})
			r.rows = rows
		} else {
			v, ok := c.setting(p.columns[0].Name)
			if !ok {
				return hinted(codes.UndefinedObject, "SHOW ALL lists the settings", fmt.Sprintf("unrecognized configuration parameter %q", p.columns[0].Name))
			}
			r.rows = [][]any{{v}}
		}
		r.tag = "SHOW"
	case kCatalog:
		d := c.dialect()
		d.catalog = true
		q, err := rewrite(p.text, p.toks, d)
		if err != nil {
			return err
		}
		rows, err := c.s.catDB.QueryContext(ctx, q, vals...)
		if err != nil {
			return catalogError(err)
		}
		cts, err := rows.ColumnTypes()
		var first []any
		if err == nil {
			first, err = peek(rows, len(cts))
		}
		if err == nil && r.columns == nil {
			r.columns = sqliteColumns(cts, p.toks, first)
		}
		if err != nil {
			rows.Close()
			return catalogError(err)
		}
		r.first = first
		r.sqlRows = rows
	case kEngine:
		d := c.dialect()
		d.params = func(n int) (string, bool) {
			if n < 1 || n > len(vals) {
				return "NULL", false
			}
			return literal(vals[n-1]), true
		}
		q, err := rewrite(p.text, p.toks, d)
		if err != nil {
			return err
		}
		stmts, err := sqltext.Split(q)
		if err != nil {
			return hinted(codes.Syntax, "", "syntax error: "+err.Error())
		}
		if len(stmts) != 1 {
			return hinted(codes.Syntax, "", fmt.Sprintf("%d statements where one was expected", len(stmts)))
		}
		rows, err := c.sess.Stream(ctx, stmts[0])
		if err != nil {
			return err
		}
		r.engineRows = rows
		r.kind = stmts[0].Kind.String()
		// The first row is read now (the rows are in by then): it types
		// the columns SQLite computes, and any error before it is the
		// statement's.
		var first []any
		if rows.Next() {
			first = rows.Row()
		} else if err := rows.Err(); err != nil {
			return err
		}
		r.first = first
		cols := engineColumns(rows.Columns, p.toks, c.fieldTypes(p.toks), first)
		c.attribute(cols, p.toks)
		if r.columns != nil && len(r.columns) != len(cols) {
			return hinted(codes.FeatureNotSupported, "prepare the statement again", "the statement's columns changed since it was described")
		}
		if r.columns == nil {
			r.columns = cols
		}
		r.message = rows.Message
	}
	return nil
}

var leadingCount = regexp.MustCompile(`^(\d+)\b`)

// engineTag is the command tag of an engine statement that produced n
// rows, or, without columns, said message.
func engineTag(kind string, columns int, n int, message string) string {
	if columns == 0 {
		if m := leadingCount.FindStringSubmatch(message); m != nil {
			n, _ = strconv.Atoi(m[1])
		}
	}
	switch kind {
	case "INSERT":
		return fmt.Sprintf("INSERT 0 %d", n)
	case "UPDATE", "DELETE":
		return fmt.Sprintf("%s %d", kind, n)
	}
	return fmt.Sprintf("SELECT %d", n)
}

// command applies SET and RESET and tracks the transaction block; the
// other commands are no-ops.
func (c *conn) command(p *prepared) {
	toks := p.toks
	switch p.tag {
	case "BEGIN", "START TRANSACTION":
		if !c.inTx {
			c.txWrites[0], c.txWrites[1] = c.sess.WritesSent()
		}
		c.inTx = true
	case "COMMIT", "ROLLBACK":
		if p.tag == "ROLLBACK" && c.inTx && !(len(toks) > 1 && toks[1].is("to")) {
			c.warnRollback()
		}
		c.inTx = false
		c.endTransaction()
	}
	switch {
	case toks[0].is("set"):
		rest := toks[1:]
		if len(rest) > 0 && (rest[0].is("session") || rest[0].is("local")) {
			rest = rest[1:]
		}
		if len(rest) == 0 || rest[0].is("transaction") || rest[0].is("characteristics") {
			return
		}
		name := rest[0].Value
		rest = rest[1:]
		if strings.EqualFold(name, "time") && len(rest) > 0 && rest[0].is("zone") {
			name, rest = "TimeZone", rest[1:]
		} else if len(rest) > 0 && (rest[0].is("to") || rest[0].isOp("=")) {
			rest = rest[1:]
		}
		if len(rest) == 1 && rest[0].is("default") {
			c.resetSetting(name)
			return
		}
		var parts []string
		for _, t := range rest {
			if t.isOp(",") {
				continue
			}
			parts = append(parts, t.Value)
		}
		c.settings[name] = strings.Join(parts, ", ")
	case toks[0].is("reset") && len(toks) > 1:
		if toks[1].is("all") {
			c.settings = map[string]string{}
			return
		}
		c.resetSetting(toks[1].Value)
	}
}

// warnRollback tells a client that rolls back a transaction block in
// which writes were sent that they were not undone: each went to the API
// when it ran. psql prints the notice (WARNING:  ...).
func (c *conn) warnRollback() {
	done, maybe := c.sess.WritesSent()
	done, maybe = done-c.txWrites[0], maybe-c.txWrites[1]
	if done+maybe == 0 || c.out == nil {
		return
	}
	msg := fmt.Sprintf("ROLLBACK undoes nothing: %d API write(s) of this transaction block were already sent and cannot be undone", done+maybe)
	if maybe > 0 {
		msg += fmt.Sprintf(" (%d of them may or may not have acted)", maybe)
	}
	hint := "apiql serve has no transactions: each INSERT, UPDATE, DELETE or EXEC goes to the API when it runs; check the resources they changed"
	_ = writeNotice(c.out, "WARNING", "01000", msg, hint)
}

// writeNotice writes a NoticeResponse: a message the client shows
// without failing the statement.
func writeNotice(w io.Writer, severity, code, msg, hint string) error {
	body := []byte{}
	for _, f := range []struct {
		tag byte
		val string
	}{{'S', severity}, {'V', severity}, {'C', code}, {'M', msg}, {'H', hint}} {
		body = append(body, f.tag)
		body = append(body, f.val...)
		body = append(body, 0)
	}
	body = append(body, 0)
	b := make([]byte, 5, 5+len(body))
	b[0] = 'N'
	binary.BigEndian.PutUint32(b[1:], uint32(4+len(body)))
	_, err := w.Write(append(b, body...))
	return err
}

func (c *conn) resetSetting(name string) {
	for k := range c.settings {
		if strings.EqualFold(k, name) {
			delete(c.settings, k)
		}
	}
}

// sendBatch is how many rows send hands the protocol library at once.
const sendBatch = 256

// send writes the run's rows and its command tag.
func (r *run) send(ctx context.Context, w wire.DataWriter) (err error) {
	defer func() {
		if err != nil {
			err = r.stopped(err)
		}
		r.done()
	}()
	// Rows go out in batches of up to sendBatch, which the protocol
	// library writes in one go (a portal with a row limit still gets them
	// one at a time): memory holds one batch, never the result.
	batch := make([][]any, 0, sendBatch)
	free := make([][]any, 0, sendBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := wire.WriteRows(w, batch)
		free = append(free, batch...)
		batch = batch[:0]
		return err
	}
	write := func(row []any) error {
		if len(row) != len(r.columns) {
			return fmt.Errorf("row of %d values for %d columns", len(row), len(r.columns))
		}
		var vals []any
		if n := len(free); n > 0 {
			vals, free = free[n-1], free[:n-1]
		} else {
			vals = make([]any, len(r.columns))
		}
		for i, v := range row {
			x, err := value(r.columns[i].Oid, v)
			if err != nil {
				return fmt.Errorf("column %s: %w", r.columns[i].Name, err)
			}
			vals[i] = x
		}
		batch = append(batch, vals)
		if len(batch) == sendBatch {
			return flush()
		}
		return nil
	}
	n := 0
	if r.sqlRows != nil {
		defer r.sqlRows.Close()
		raw := make([]any, len(r.columns))
		ptrs := make([]any, len(raw))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if r.first != nil {
			if err := write(r.first); err != nil {
				return err
			}
			n++
			for r.sqlRows.Next() {
				if err := r.sqlRows.Scan(ptrs...); err != nil {
					return catalogError(err)
				}
				if err := write(raw); err != nil {
					return err
				}
				n++
			}
		}
		if err := r.sqlRows.Err(); err != nil {
			return catalogError(err)
		}
		if err := flush(); err != nil {
			return err
		}
		return w.Complete(fmt.Sprintf("SELECT %d", n))
	}
	if r.engineRows != nil {
		if r.first != nil {
			if err := write(r.first); err != nil {
				return err
			}
			n++
			for r.engineRows.Next() {
				if err := write(r.engineRows.Row()); err != nil {
					return err
				}
				n++
			}
		}
		if err := r.engineRows.Err(); err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
		return w.Complete(engineTag(r.kind, len(r.columns), n, r.message))
	}
	for _, row := range r.rows {
		if err := write(row); err != nil {
			return err
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if r.tag == "" && len(r.columns) == 0 {
		return w.Empty()
	}
	return w.Complete(r.tag)
}

// watch cancels the statement when the client goes away (closes its
// connection) while it runs. The returned func stops watching.
func (c *conn) watch(ctx context.Context, stop context.CancelFunc) func() {
	tcp, ok := c.raw.(*net.TCPConn)
	if !ok {
		return func() {}
	}
	rc, err := tcp.SyscallConn()
	if err != nil {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1)
		_ = rc.Read(func(fd uintptr) bool {
			if ctx.Err() != nil {
				return true
			}
			n, _, err := syscall.Recvfrom(int(fd), buf, syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			switch {
			case err == syscall.EAGAIN || err == syscall.EINTR:
				return false // wait for the socket to be readable
			case err != nil || n == 0:
				stop() // closed or reset: the client is gone
			case buf[0] == 'X':
				stop() // Terminate
			}
			return true
		})
	}()
	return func() {
		// Wake the watcher (it may be waiting for the socket) and wait for
		// it, before the protocol reads from the connection again.
		_ = tcp.SetReadDeadline(time.Unix(1, 0))
		<-done
		_ = tcp.SetReadDeadline(time.Time{})
	}
}

// maxParam is the highest parameter number ($n) of toks, 0 if none.
func maxParam(toks []token) int {
	n := 0
	for _, t := range toks {
		if t.Kind == tParam {
			k, _ := strconv.Atoi(t.Value)
			n = max(n, k)
		}
	}
	return n
}
