package pgserve

import (
	"strings"

	wire "github.com/jeroenrinzema/psql-wire"
)

// Result columns are named as Postgres names them, not as SQLite does:
// clients read columns by name (psycopg2's DictCursor, pgjdbc's
// getLong("count"), a dashboard's field), and a query written for
// Postgres expects Postgres's names. SELECT count(*) gives count (SQLite:
// "count(*)"), an expression without a name ?column?, x::int x, 'a'::text
// text, version() version (SQLite named it by the literal the session's
// value became), an unquoted alias or column lower case. A column with a
// name apiql cannot figure keeps the one it has.

// pgNames renames out's columns after the select list of toks, as
// Postgres's FigureColname does; toks is the statement as the client sent
// it (before any rewrite).
func pgNames(out wire.Columns, toks []token) {
	if len(toks) == 0 || !(toks[0].is("select") || toks[0].is("with") || toks[0].isOp("(")) {
		return
	}
	items, aliases := selectList(toks)
	if len(items) != len(out) {
		return
	}
	for i := range out {
		if a := aliases[i]; a != nil {
			out[i].Name = identName(*a)
			continue
		}
		if name, _ := figureName(items[i]); name != "" {
			out[i].Name = name
		}
	}
}

// identName is the name an identifier gives: as written when quoted,
// else lower case.
func identName(t token) string {
	if t.Quoted {
		return t.Value
	}
	return strings.ToLower(t.Value)
}

// sqlValueFuncs are the keywords that are functions without parentheses.
var sqlValueFuncs = map[string]bool{"current_user": true, "current_role": true, "session_user": true, "user": true,
	"current_date": true, "current_time": true, "current_timestamp": true, "localtime": true, "localtimestamp": true,
	"current_catalog": true, "current_schema": true}

// typeAliases are the type names Postgres's grammar turns into others.
var typeAliases = map[string]string{"int": "int4", "integer": "int4", "bigint": "int8", "smallint": "int2",
	"real": "float4", "float": "float8", "double": "float8", "boolean": "bool", "decimal": "numeric",
	"character": "bpchar", "char": "bpchar", "varchar": "varchar", "timestamptz": "timestamptz"}

// figureName names a select item without alias: the name and its
// strength (2: a column or function, 1: a weak name such as case or a
// cast's type, 0: ?column?). "" means apiql cannot tell.
func figureName(item []token) (string, int) {
	for len(item) >= 2 && item[0].isOp("(") && matching(item, 0, "(", ")") == len(item)-1 {
		if item[1].is("select") || item[1].is("with") {
			// A scalar subquery is named by its column.
			items, aliases := selectList(item[1 : len(item)-1])
			if len(items) != 1 {
				return "", 0
			}
			if aliases[0] != nil {
				return identName(*aliases[0]), 2
			}
			return figureName(items[0])
		}
		item = item[1 : len(item)-1]
	}
	if len(item) == 0 {
		return "", 0
	}
	// The last top-level :: is a cast: the name of what it casts, or the
	// type's when that has none.
	depth := 0
	cast := -1
	for i, t := range item {
		switch {
		case t.isOp("(") || t.isOp("["):
			depth++
		case t.isOp(")") || t.isOp("]"):
			depth--
		case depth > 0:
		case t.isOp("::"):
			cast = i
		case t.Kind == tOp && !t.isOp("."):
			return "?column?", 0 // an operator
		case t.is("and") || t.is("or") || t.is("not") || t.is("is") || t.is("in") || t.is("like") || t.is("ilike") ||
			t.is("between") || t.is("similar") || t.is("isnull") || t.is("notnull"):
			return "?column?", 0
		}
	}
	if cast > 0 {
		name, strength := figureName(item[:cast])
		if strength > 1 {
			return name, strength
		}
		_, typ, _ := castType(item, cast+1)
		if a, ok := typeAliases[typ]; ok {
			typ = a
		}
		return typ, 1
	}
	t := item[0]
	switch {
	case t.Kind == tNumber || t.Kind == tString || t.is("null"):
		if len(item) == 1 {
			return "?column?", 0
		}
	case t.is("true") || t.is("false"):
		if len(item) == 1 {
			return "bool", 1
		}
	case t.is("case"):
		return "case", 1
	case t.is("array"):
		if len(item) > 1 && item[1].isOp("(") {
			return "array", 2
		}
		return "array", 1
	case t.is("exists"):
		return "exists", 2
	case t.is("cast") && len(item) > 1 && item[1].isOp("(") && matching(item, 1, "(", ")") == len(item)-1:
		args := item[2 : len(item)-1]
		for i := len(args) - 1; i > 0; i-- {
			if args[i].is("as") {
				if name, strength := figureName(args[:i]); strength > 1 {
					return name, strength
				}
				_, typ, _ := castType(args, i+1)
				if a, ok := typeAliases[typ]; ok {
					typ = a
				}
				return typ, 1
			}
		}
		return "", 0
	case t.Kind == tIdent && len(item) == 2 && item[1].Kind == tString:
		// A typed literal: date '2024-01-01', interval '1 day'.
		typ := strings.ToLower(t.Value)
		if a, ok := typeAliases[typ]; ok {
			typ = a
		}
		return typ, 1
	case t.Kind == tIdent:
		// name, a.b.c, f(...), schema.f(...), with [i] or (...).field after.
		i := 0
		last := t
		for i+2 < len(item) && item[i+1].isOp(".") && item[i+2].Kind == tIdent {
			i += 2
			last = item[i]
		}
		i++
		if i == len(item) {
			if !last.Quoted && sqlValueFuncs[strings.ToLower(last.Value)] {
				return strings.ToLower(last.Value), 2
			}
			return identName(last), 2
		}
		if item[i].isOp("(") {
			close := matching(item, i, "(", ")")
			if close < 0 {
				return "", 0
			}
			i = close + 1
			// f(...) FILTER (...) OVER (...) or OVER w.
			for i < len(item) && (item[i].is("filter") || item[i].is("over") || item[i].is("within")) {
				i++
				if i < len(item) && item[i].is("group") {
					i++
				}
				if i < len(item) && item[i].isOp("(") {
					if i = matching(item, i, "(", ")"); i < 0 {
						return "", 0
					}
				}
				i++
			}
			if i == len(item) {
				return identName(last), 2
			}
		}
		if item[i].isOp("[") {
			// A subscript keeps the name of what it indexes.
			for i < len(item) && item[i].isOp("[") {
				if i = matching(item, i, "[", "]"); i < 0 {
					return "", 0
				}
				i++
			}
			if i == len(item) {
				return identName(last), 2
			}
		}
	}
	return "", 0
}

// attribute gives the columns that are a resource's fields, read as they
// are, the table and column number they come from (RowDescription's table
// OID and attribute number): pgjdbc's ResultSetMetaData.getTableName and
// getSchemaName read them, and DBeaver shows a result's source table. Only
// when the statement reads one resource table.
func (c *conn) attribute(out wire.Columns, toks []token) {
	var t *table
	for i := 0; i+2 < len(toks); i++ {
		if toks[i].Kind != tIdent || !toks[i+1].isOp(".") || toks[i+2].Kind != tIdent || i > 0 && toks[i-1].isOp(".") {
			continue
		}
		var found *table
		if c.s.catalog.bySchema[toks[i].Value] != nil {
			found = c.s.catalog.lookup(toks[i].Value, toks[i+2].Value)
		}
		if found == nil && i+4 < len(toks) && toks[i+3].isOp(".") {
			id := toks[i].Value + "." + toks[i+2].Value + "." + toks[i+4].Value
			for _, ct := range c.s.catalog.tables {
				if ct.res.ID() == id {
					found = ct
				}
			}
		}
		if found == nil {
			continue
		}
		if t != nil && t != found {
			return // more than one table
		}
		t = found
	}
	if t == nil {
		return
	}
	items, _ := selectList(toks)
	for i := range out {
		if items != nil {
			if len(items) != len(out) {
				return
			}
			// A bare column (name, or table.name), with or without alias.
			it := items[i]
			if !columnRef(it) {
				continue
			}
			name := strings.ToLower(it[len(it)-1].Value)
			for n, f := range t.res.Fields {
				if strings.ToLower(f.Name) == name {
					out[i].Table, out[i].AttrNo = int32(t.oid), int16(n+1)
				}
			}
			continue
		}
		for n, f := range t.res.Fields {
			if f.Name == out[i].Name {
				out[i].Table, out[i].AttrNo = int32(t.oid), int16(n+1)
			}
		}
	}
}

// columnRef reports whether item is a column: name, or a.name, a.b.name.
func columnRef(item []token) bool {
	if len(item)%2 == 0 {
		return false
	}
	for k, t := range item {
		if k%2 == 0 && t.Kind != tIdent || k%2 == 1 && !t.isOp(".") {
			return false
		}
	}
	return true
}
