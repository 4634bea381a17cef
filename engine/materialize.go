package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/apiql/apiql/engine/jsonb"
	"github.com/apiql/apiql/registry"
)

// Declared SQLite column types. Their affinities are what the values need
// (INTEGER, REAL, TEXT; BOOLEAN is NUMERIC and holds 0/1), and the result
// reader maps them back to registry types. go-sqlite3 returns BOOLEAN
// columns as bool.
const (
	declInteger = "INTEGER"
	declNumber  = "REAL"
	declString  = "TEXT"
	declBoolean = "BOOLEAN"
	// Arrays and objects are both JSON text (TEXT affinity: the names
	// hold "TEXT" and no "INT"); the two names keep them apart when a
	// result is read back.
	declArray  = "JSON_ARRAY_TEXT"
	declObject = "JSON_OBJECT_TEXT"
)

func declType(t string) string {
	switch t {
	case registry.TypeInteger:
		return declInteger
	case registry.TypeNumber:
		return declNumber
	case registry.TypeBoolean:
		return declBoolean
	case registry.TypeArray:
		return declArray
	case registry.TypeObject:
		return declObject
	}
	return declString
}

// registryType maps a declared column type back to a registry type.
func registryType(decl string) string {
	switch strings.ToUpper(decl) {
	case declInteger:
		return registry.TypeInteger
	case declNumber:
		return registry.TypeNumber
	case declBoolean:
		return registry.TypeBoolean
	case declArray:
		return registry.TypeArray
	case declObject:
		return registry.TypeObject
	case declString:
		return registry.TypeString
	}
	return ""
}

// createTable creates the table that holds a resource's rows: its fields in
// registry order, then its parameter columns (holding the value sent,
// typed when the parameter is boolean or numeric), and a view of the fields alone for queries that do not name a
// parameter column, so that SELECT * is exactly the fields.
func (s *Session) createTable(ctx context.Context, name string, res *registry.Resource) error {
	var cols, fields []string
	for _, f := range res.Fields {
		cols = append(cols, quoteIdent(f.Name)+" "+declType(f.Type))
		fields = append(fields, quoteIdent(f.Name))
	}
	for _, p := range paramColumns(res) {
		// A boolean or numeric parameter's column has the parameter's
		// type (private shows true or false, as public does); a string
		// one stays untyped, as it may hold the integer field it stands
		// for (image_id holds the id on rows from the list).
		switch p.Type {
		case registry.TypeBoolean, registry.TypeInteger, registry.TypeNumber:
			cols = append(cols, quoteIdent(p.Name)+" "+declType(p.Type))
		default:
			cols = append(cols, quoteIdent(p.Name))
		}
	}
	cols = append(cols, quoteIdent(connColumn(res))+" "+declString)
	return s.internal(func() error {
		if _, err := s.conn.ExecContext(ctx, "CREATE TABLE "+quoteIdent(name)+" ("+strings.Join(cols, ", ")+")"); err != nil {
			return err
		}
		_, err := s.conn.ExecContext(ctx, "CREATE VIEW "+quoteIdent(name+"_v")+" AS SELECT "+strings.Join(fields, ", ")+" FROM "+quoteIdent(name))
		return err
	})
}

// Materializer inserts a resource's objects as rows of its table, inside a
// transaction, with one prepared statement. A page is bound as one
// parameter, the array of its objects already encoded as SQLite's JSONB
// (package jsonb), and SQLite reads the fields out of it (jsonb_each and
// ->>) in C: one bind and one step per page rather than one bind per value,
// and no JSON parse. Column affinities then give each value its
// registry type: integers, reals, 0/1 for booleans, JSON text for arrays
// and objects, NULL for null or absent fields. It is not safe for
// concurrent use.
type Materializer struct {
	stmt   *sql.Stmt
	params []*registry.Param
	buf    []byte
	args   []any
	// conn is the column of the rows' connection.
	conn string
}

// newMaterializer prepares the INSERT for table within tx.
func newMaterializer(ctx context.Context, tx *sql.Tx, table string, res *registry.Resource) (*Materializer, error) {
	m := &Materializer{params: paramColumns(res)}
	var cols, exprs []string
	field := func(name string) string {
		return "j.value ->> " + quoteString(name)
	}
	for _, f := range res.Fields {
		cols = append(cols, quoteIdent(f.Name))
		exprs = append(exprs, field(f.Name))
	}
	for i, p := range m.params {
		cols = append(cols, quoteIdent(p.Name))
		arg := fmt.Sprintf("?%d", i+2)
		if p.Field != "" && res.Field(p.Field) != nil {
			// Not sent: the field the parameter stands for says what
			// value would have found the row.
			arg = "coalesce(" + arg + ", " + field(p.Field) + ")"
		}
		exprs = append(exprs, arg)
	}
	m.conn = connColumn(res)
	cols = append(cols, quoteIdent(m.conn))
	exprs = append(exprs, fmt.Sprintf("?%d", len(m.params)+2))
	q := "INSERT INTO " + quoteIdent(table) + " (" + strings.Join(cols, ", ") + ") SELECT " +
		strings.Join(exprs, ", ") + " FROM jsonb_each(?1) AS j WHERE j.type = 'object'"
	st, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	m.stmt = st
	m.args = make([]any, 2+len(m.params))
	return m, nil
}

// Insert adds one row per object; paramVals holds the parameter columns'
// values for all of them. A parameter column with no value sent holds the
// value of the field the parameter stands for (Param.Field), if any: the
// value that would have found the row. It returns the number of rows
// inserted.
func (m *Materializer) Insert(ctx context.Context, objs []json.RawMessage, paramVals map[string]any) (int, error) {
	if len(objs) == 0 {
		return 0, nil
	}
	elems := make([][]byte, len(objs))
	for i, o := range objs {
		elems[i] = o
	}
	blob, err := jsonb.AppendArray(m.buf[:0], elems)
	if err != nil {
		return 0, fmt.Errorf("the page is not valid JSON: %w", err)
	}
	m.buf = blob
	m.args[0] = blob
	for i, p := range m.params {
		m.args[1+i] = paramVals[p.Name]
	}
	m.args[1+len(m.params)] = paramVals[m.conn]
	res, err := m.stmt.ExecContext(ctx, m.args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return int(n), nil
}

// Close releases the prepared statement.
func (m *Materializer) Close() error { return m.stmt.Close() }

// quoteString quotes an SQLite string literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
