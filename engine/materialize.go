package engine

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/apiql/apiql/provider/jsonspan"
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
	declJSON    = "JSON_TEXT"
)

func declType(t string) string {
	switch t {
	case registry.TypeInteger:
		return declInteger
	case registry.TypeNumber:
		return declNumber
	case registry.TypeBoolean:
		return declBoolean
	case registry.TypeArray, registry.TypeObject:
		return declJSON
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
	case declJSON:
		return registry.TypeArray
	case declString:
		return registry.TypeString
	}
	return ""
}

// createTable creates the table that holds a resource's rows: its fields in
// registry order, then its parameter columns (untyped, holding the value
// sent), and a view of the fields alone for queries that do not name a
// parameter column, so that SELECT * is exactly the fields.
func (s *Session) createTable(ctx context.Context, name string, res *registry.Resource) error {
	var cols, fields []string
	for _, f := range res.Fields {
		cols = append(cols, quoteIdent(f.Name)+" "+declType(f.Type))
		fields = append(fields, quoteIdent(f.Name))
	}
	for _, p := range paramColumns(res) {
		cols = append(cols, quoteIdent(p.Name))
	}
	return s.internal(func() error {
		if _, err := s.conn.ExecContext(ctx, "CREATE TABLE "+quoteIdent(name)+" ("+strings.Join(cols, ", ")+")"); err != nil {
			return err
		}
		_, err := s.conn.ExecContext(ctx, "CREATE VIEW "+quoteIdent(name+"_v")+" AS SELECT "+strings.Join(fields, ", ")+" FROM "+quoteIdent(name))
		return err
	})
}

// Materializer inserts a resource's objects as rows of its table, inside a
// transaction, with prepared multi-row INSERTs. It reads each object's
// fields straight from its JSON bytes. It is not safe for concurrent use.
type Materializer struct {
	ctx    context.Context
	tx     *sql.Tx
	table  string
	fields []*registry.Field
	params []*registry.Param
	// index maps a field name to its column.
	index map[string]int
	// paramField is, per parameter column, the column of the field it
	// stands for, or -1.
	paramField []int
	// stmts are the prepared INSERTs by number of rows.
	stmts map[int]*sql.Stmt
	vals  []any
	raw   [][]byte
}

// batchRows is the number of rows one INSERT statement carries.
const batchRows = 100

// newMaterializer prepares the INSERT for table within tx.
func newMaterializer(ctx context.Context, tx *sql.Tx, table string, res *registry.Resource) (*Materializer, error) {
	m := &Materializer{ctx: ctx, tx: tx, table: table, fields: res.Fields, params: paramColumns(res),
		index: map[string]int{}, stmts: map[int]*sql.Stmt{}}
	for i, f := range m.fields {
		m.index[f.Name] = i
	}
	for _, p := range m.params {
		j := -1
		if i, ok := m.index[p.Field]; ok && p.Field != "" {
			j = i
		}
		m.paramField = append(m.paramField, j)
	}
	m.raw = make([][]byte, len(m.fields))
	if _, err := m.stmt(batchRows); err != nil {
		return nil, err
	}
	return m, nil
}

// stmt returns the prepared INSERT of n rows.
func (m *Materializer) stmt(n int) (*sql.Stmt, error) {
	if st, ok := m.stmts[n]; ok {
		return st, nil
	}
	cols := len(m.fields) + len(m.params)
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	q := "INSERT INTO " + quoteIdent(m.table) + " VALUES " + strings.TrimSuffix(strings.Repeat(row+",", n), ",")
	st, err := m.tx.PrepareContext(m.ctx, q)
	if err != nil {
		return nil, err
	}
	m.stmts[n] = st
	return st, nil
}

// Insert adds one row per object; paramVals holds the parameter columns'
// values for all of them. A parameter column with no value sent holds the
// value of the field the parameter stands for (Param.Field), if any: the
// value that would have found the row. It returns the number of rows
// inserted.
func (m *Materializer) Insert(ctx context.Context, objs []json.RawMessage, paramVals map[string]any) (int, error) {
	cols := len(m.fields) + len(m.params)
	done := 0
	for len(objs) > 0 {
		n := min(len(objs), batchRows)
		m.vals = m.vals[:0]
		for i, obj := range objs[:n] {
			for j := range m.raw {
				m.raw[j] = nil
			}
			err := jsonspan.Object(obj, func(k, v []byte) bool {
				if j, ok := m.index[string(k)]; ok {
					m.raw[j] = v
				}
				return true
			})
			if err != nil {
				return done, fmt.Errorf("object %d of the page is not a JSON object", done+i+1)
			}
			base := len(m.vals)
			for j, f := range m.fields {
				m.vals = append(m.vals, fieldValue(f.Type, m.raw[j]))
			}
			for j, p := range m.params {
				v, ok := paramVals[p.Name]
				if !ok && m.paramField[j] >= 0 {
					// Not sent: the field the parameter stands for says
					// what value would have found this row.
					v = m.vals[base+m.paramField[j]]
				}
				m.vals = append(m.vals, v)
			}
		}
		st, err := m.stmt(n)
		if err != nil {
			return done, err
		}
		if _, err := st.ExecContext(ctx, m.vals[:n*cols]...); err != nil {
			return done, err
		}
		done += n
		objs = objs[n:]
	}
	return done, nil
}

// Close releases the prepared statements.
func (m *Materializer) Close() error {
	for _, st := range m.stmts {
		st.Close()
	}
	return nil
}

// fieldValue converts a JSON value to the SQL value of a column of type t:
// integers as int64 (float64 when not integral), numbers as float64,
// booleans as 0/1, strings as text, arrays and objects as compact JSON
// text, null and absent values as NULL. A value of another JSON type than
// declared is kept as its JSON text rather than lost.
func fieldValue(t string, raw []byte) any {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	switch t {
	case registry.TypeInteger, registry.TypeNumber:
		if raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9' {
			if t == registry.TypeInteger {
				if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
					return n
				}
			}
			if f, err := strconv.ParseFloat(string(raw), 64); err == nil {
				return f
			}
		}
	case registry.TypeBoolean:
		switch string(raw) {
		case "true":
			return int64(1)
		case "false":
			return int64(0)
		}
	case registry.TypeArray, registry.TypeObject:
		if raw[0] == '[' || raw[0] == '{' {
			return jsonspan.Compact(raw)
		}
	}
	if s, ok := jsonspan.String(raw); ok {
		return s
	}
	return string(raw)
}
