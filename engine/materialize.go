package engine

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

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
// transaction, with one prepared statement. It is not safe for concurrent
// use.
type Materializer struct {
	stmt   *sql.Stmt
	fields []*registry.Field
	params []*registry.Param
	vals   []any
	raw    map[string]json.RawMessage
}

// newMaterializer prepares the INSERT for table within tx.
func newMaterializer(ctx context.Context, tx *sql.Tx, table string, res *registry.Resource) (*Materializer, error) {
	params := paramColumns(res)
	n := len(res.Fields) + len(params)
	marks := strings.TrimSuffix(strings.Repeat("?,", n), ",")
	stmt, err := tx.PrepareContext(ctx, "INSERT INTO "+quoteIdent(table)+" VALUES ("+marks+")")
	if err != nil {
		return nil, err
	}
	return &Materializer{stmt: stmt, fields: res.Fields, params: params, vals: make([]any, n)}, nil
}

// Insert adds one row per object; paramVals holds the parameter columns'
// values for all of them. A parameter column with no value sent holds the
// value of the field the parameter stands for (Param.Field), if any: the
// value that would have found the row. It returns the number of rows
// inserted.
func (m *Materializer) Insert(ctx context.Context, objs []json.RawMessage, paramVals map[string]any) (int, error) {
	for i, obj := range objs {
		clear(m.raw)
		if err := json.Unmarshal(obj, &m.raw); err != nil {
			return i, fmt.Errorf("object %d of the page is not a JSON object: %w", i+1, err)
		}
		for j, f := range m.fields {
			m.vals[j] = fieldValue(f.Type, m.raw[f.Name])
		}
		for j, p := range m.params {
			v, ok := paramVals[p.Name]
			if !ok && p.Field != "" {
				// Not sent: the field the parameter stands for says what
				// value would have found this row.
				v = fieldValue(registry.TypeString, m.raw[p.Field])
				if f := m.fieldIndex(p.Field); f >= 0 {
					v = m.vals[f]
				}
			}
			m.vals[len(m.fields)+j] = v
		}
		if _, err := m.stmt.ExecContext(ctx, m.vals...); err != nil {
			return i, err
		}
	}
	return len(objs), nil
}

func (m *Materializer) fieldIndex(name string) int {
	for i, f := range m.fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// Close releases the prepared statement.
func (m *Materializer) Close() error { return m.stmt.Close() }

// fieldValue converts a JSON value to the SQL value of a column of type t:
// integers as int64 (float64 when not integral), numbers as float64,
// booleans as 0/1, strings as text, arrays and objects as compact JSON
// text, null and absent values as NULL. A value of another JSON type than
// declared is kept as its JSON text rather than lost.
func fieldValue(t string, raw json.RawMessage) any {
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
			var b bytes.Buffer
			if json.Compact(&b, raw) == nil {
				return b.String()
			}
		}
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	return string(raw)
}
