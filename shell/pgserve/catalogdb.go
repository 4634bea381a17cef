package pgserve

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

var catalogDriverSeq atomic.Int64

// openCatalogDB opens a pool of in-memory SQLite databases, each filled
// with the catalog when opened and then read-only: catalog queries run
// there, never reaching the engine or the API.
func openCatalogDB(c *catalog) (*sql.DB, error) {
	name := fmt.Sprintf("apiql_pgcatalog_%d", catalogDriverSeq.Add(1))
	var regexps sync.Map // pattern -> *regexp.Regexp
	sql.Register(name, &sqlite3.SQLiteDriver{
		ConnectHook: func(conn *sqlite3.SQLiteConn) error {
			if err := c.execScript(conn); err != nil {
				return fmt.Errorf("building the catalog: %w", err)
			}
			if _, err := conn.Exec("PRAGMA query_only = 1", nil); err != nil {
				return err
			}
			if err := registerFuncs(conn, c, &regexps); err != nil {
				return err
			}
			conn.RegisterAuthorizer(func(op int, arg1, arg2, arg3 string) int {
				switch op {
				case sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, 33: // 33: a recursive CTE
					return sqlite3.SQLITE_OK
				case sqlite3.SQLITE_FUNCTION:
					if strings.EqualFold(arg2, "load_extension") {
						return sqlite3.SQLITE_DENY
					}
					return sqlite3.SQLITE_OK
				}
				return sqlite3.SQLITE_DENY
			})
			return nil
		},
	})
	db, err := sql.Open(name, ":memory:")
	if err != nil {
		return nil, err
	}
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// execScript runs the catalog's script in conn, in one transaction, a
// statement at a time: handed the whole script, go-sqlite3 copies the rest
// of it after every statement, which is quadratic in its size (seconds for
// the whole DigitalOcean registry).
func (c *catalog) execScript(conn *sqlite3.SQLiteConn) error {
	if _, err := conn.Exec("BEGIN", nil); err != nil {
		return err
	}
	start := 0
	for _, end := range append(c.ends, len(c.script)) {
		if end > start {
			if _, err := conn.Exec(c.script[start:end], nil); err != nil {
				conn.Exec("ROLLBACK", nil)
				return err
			}
		}
		start = end
	}
	_, err := conn.Exec("COMMIT", nil)
	return err
}

func registerFuncs(conn *sqlite3.SQLiteConn, c *catalog, regexps *sync.Map) error {
	compile := func(pattern string) (*regexp.Regexp, error) {
		if re, ok := regexps.Load(pattern); ok {
			return re.(*regexp.Regexp), nil
		}
		re, err := regexp.Compile(pattern)
		if err != nil {
			return nil, fmt.Errorf("invalid regular expression %q: %v", pattern, err)
		}
		regexps.Store(pattern, re)
		return re, nil
	}
	typeName := func(oid int64) string {
		if n, ok := typeNames[uint32(oid)]; ok {
			return n
		}
		for _, t := range pgTypes {
			if int64(t.oid) == oid {
				return t.name
			}
		}
		return "???"
	}
	funcs := map[string]any{
		"regexp": func(pattern, s any) (any, error) {
			if isNull(pattern) || isNull(s) {
				return nil, nil
			}
			re, err := compile(text(pattern))
			if err != nil {
				return nil, err
			}
			return re.MatchString(text(s)), nil
		},
		"pg_get_userbyid":          func(any) string { return "apiql" },
		"pg_table_is_visible":      func(any) bool { return true },
		"pg_type_is_visible":       func(any) bool { return true },
		"pg_function_is_visible":   func(any) bool { return true },
		"pg_encoding_to_char":      func(any) string { return "UTF8" },
		"pg_is_in_recovery":        func() bool { return false },
		"pg_postmaster_start_time": func() string { return startTime },
		"now":                      func() string { return time.Now().UTC().Format("2006-01-02 15:04:05.000000+00") },
		"txid_current":             func() int64 { return 1 },
		"format_type": func(oid, mod any) any {
			if oid == nil {
				return nil
			}
			return typeName(toInt(oid))
		},
		"regtype": func(v any) any {
			switch x := v.(type) {
			case int64:
				return typeName(x)
			case string:
				if oid, ok := typeOIDs[strings.TrimPrefix(x, "pg_catalog.")]; ok {
					return int64(oid)
				}
			}
			return v
		},
		"regclass": func(v any) any {
			if s, ok := v.(string); ok {
				if n, err := strconv.ParseInt(s, 10, 64); err == nil {
					return n
				}
				return regclass(c, s)
			}
			return v
		},
		"to_regclass": func(v any) any {
			if s, ok := v.(string); ok {
				return regclass(c, s)
			}
			return nil
		},
		"regproc": func(v any) any { return v },
		"regnamespace": func(v any) any {
			oid := toInt(v)
			switch oid {
			case oidPgCatalog:
				return "pg_catalog"
			case oidPublic:
				return "public"
			case oidInformationSchema:
				return "information_schema"
			}
			for _, sc := range c.schemas {
				if sc.oid == oid {
					return sc.name
				}
			}
			return v
		},
		"obj_description": func(oid, class any) any {
			if t, ok := c.tables[toInt(oid)]; ok && t.res.Description != "" {
				return strings.TrimSpace(t.res.Description)
			}
			for _, sc := range c.schemas {
				if sc.oid == toInt(oid) && sc.service.Title != "" {
					return sc.service.Title
				}
			}
			return nil
		},
		"col_description": func(oid, num any) any {
			t, ok := c.tables[toInt(oid)]
			n := int(toInt(num))
			if !ok || n < 1 || n > len(t.res.Fields) || t.res.Fields[n-1].Description == "" {
				return nil
			}
			return strings.TrimSpace(t.res.Fields[n-1].Description)
		},
		"shobj_description":                  func(any, any) any { return nil },
		"pg_get_expr":                        func(args ...any) any { return nil },
		"pg_get_indexdef":                    func(args ...any) string { return "" },
		"pg_get_constraintdef":               func(args ...any) string { return "" },
		"pg_get_viewdef":                     func(args ...any) string { return "" },
		"pg_get_triggerdef":                  func(args ...any) string { return "" },
		"pg_get_ruledef":                     func(args ...any) string { return "" },
		"pg_get_partkeydef":                  func(any) any { return nil },
		"pg_get_function_result":             func(any) string { return "" },
		"pg_get_function_arguments":          func(any) string { return "" },
		"pg_get_function_identity_arguments": func(any) string { return "" },
		"pg_get_serial_sequence":             func(any, any) any { return nil },
		// unnest and generate_subscripts in a select list (SQLAlchemy's
		// get_pk_constraint, over pg_index): the catalog has no indexes,
		// so they are never called on a row; were they, the query would
		// need a set-returning function SQLite lacks, and fails saying so.
		"unnest":                          func(args ...any) (any, error) { return nil, errSRF("unnest") },
		"generate_subscripts":             func(args ...any) (any, error) { return nil, errSRF("generate_subscripts") },
		"pg_get_statisticsobjdef_columns": func(any) any { return nil },
		"pg_relation_is_publishable":      func(any) bool { return false },
		"pg_tablespace_location":          func(any) string { return "" },
		"pg_relation_size":                func(args ...any) int64 { return 0 },
		"pg_total_relation_size":          func(any) int64 { return 0 },
		"pg_table_size":                   func(any) int64 { return 0 },
		"pg_indexes_size":                 func(any) int64 { return 0 },
		"pg_database_size":                func(any) int64 { return 0 },
		"pg_size_pretty":                  func(n any) string { return fmt.Sprintf("%d bytes", toInt(n)) },
		// (user, table, privilege) or (table, privilege); the column
		// forms take a column before the privilege.
		"has_table_privilege": func(args ...any) bool {
			return len(args) >= 2 && c.hasPrivilege(args[len(args)-2], text(args[len(args)-1]))
		},
		"has_any_column_privilege": func(args ...any) bool {
			return len(args) >= 2 && c.hasPrivilege(args[len(args)-2], text(args[len(args)-1]))
		},
		"has_column_privilege": func(args ...any) bool {
			return len(args) >= 3 && c.hasPrivilege(args[len(args)-3], text(args[len(args)-1]))
		},
		"has_schema_privilege":   func(args ...any) bool { return true },
		"has_database_privilege": func(args ...any) bool { return true },
		"has_function_privilege": func(args ...any) bool { return true },
		"pg_has_role":            func(args ...any) bool { return true },
		"quote_ident":            func(s any) string { return quoteIdentPG(fmt.Sprint(s)) },
		"set_config":             func(name, value, local any) any { return value },
		"current_schemas":        func(any) string { return `["pg_catalog","public"]` },
		"array_to_string": func(arr, sep any) any {
			vals, ok := jsonArray(arr)
			if !ok {
				return nil
			}
			parts := make([]string, 0, len(vals))
			for _, v := range vals {
				if v != nil {
					parts = append(parts, fmt.Sprint(v))
				}
			}
			return strings.Join(parts, fmt.Sprint(sep))
		},
		"array_length": func(arr, dim any) any {
			vals, ok := jsonArray(arr)
			if !ok || len(vals) == 0 {
				return nil
			}
			return int64(len(vals))
		},
		"array_upper": func(arr, dim any) any {
			vals, ok := jsonArray(arr)
			if !ok || len(vals) == 0 {
				return nil
			}
			return int64(len(vals))
		},
		"array_lower": func(arr, dim any) any {
			vals, ok := jsonArray(arr)
			if !ok || len(vals) == 0 {
				return nil
			}
			return int64(1)
		},
		"cardinality": func(arr any) any {
			vals, ok := jsonArray(arr)
			if !ok {
				return nil
			}
			return int64(len(vals))
		},
		"split_part": func(s, sep, n any) string {
			parts := strings.Split(fmt.Sprint(s), fmt.Sprint(sep))
			i := int(toInt(n))
			if i < 1 || i > len(parts) {
				return ""
			}
			return parts[i-1]
		},
		"btrim": func(s any) string { return strings.TrimSpace(fmt.Sprint(s)) },
		"pg_trim": func(mode, chars, s any) any {
			if s == nil {
				return nil
			}
			str, cut := text(s), text(chars)
			switch mode {
			case "leading":
				return strings.TrimLeft(str, cut)
			case "trailing":
				return strings.TrimRight(str, cut)
			}
			return strings.Trim(str, cut)
		},
		"string_to_array": func(s, sep any) any {
			if s == nil {
				return nil
			}
			b, _ := json.Marshal(strings.Split(text(s), text(sep)))
			return string(b)
		},
		"parse_ident": func(s any) string {
			var parts []string
			for _, p := range strings.Split(text(s), ".") {
				parts = append(parts, unquoteName(strings.TrimSpace(p)))
			}
			b, _ := json.Marshal(parts)
			return string(b)
		},
		"_pg_expandarray": func(arr any) any {
			vals, ok := jsonArray(arr)
			if !ok || len(vals) == 0 {
				return nil
			}
			b, _ := json.Marshal(map[string]any{"x": vals[0], "n": 1})
			return string(b)
		},
		"format": func(args ...any) (any, error) {
			if len(args) == 0 || args[0] == nil {
				return nil, nil
			}
			f := text(args[0])
			var b strings.Builder
			next := 1
			for i := 0; i < len(f); i++ {
				if f[i] != '%' || i+1 >= len(f) {
					b.WriteByte(f[i])
					continue
				}
				i++
				if f[i] == '%' {
					b.WriteByte('%')
					continue
				}
				var v any
				if next < len(args) {
					v = args[next]
				}
				next++
				switch f[i] {
				case 's':
					if v != nil {
						b.WriteString(text(v))
					}
				case 'I':
					b.WriteString(quoteIdentPG(text(v)))
				case 'L':
					if v == nil {
						b.WriteString("NULL")
					} else {
						b.WriteString(quoteString(text(v)))
					}
				default:
					return nil, fmt.Errorf("unrecognized format() type specifier %q", f[i])
				}
			}
			return b.String(), nil
		},
	}
	for name, fn := range funcs {
		if err := conn.RegisterFunc(name, fn, true); err != nil {
			return fmt.Errorf("registering %s: %w", name, err)
		}
	}
	return nil
}

var startTime = time.Now().UTC().Format("2006-01-02 15:04:05.000000+00")

// regclass finds the oid of a table named name or schema.name; nil if none.
func regclass(c *catalog, name string) any {
	name = strings.TrimSpace(name)
	schema := ""
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		schema, name = unquoteName(name[:i]), name[i+1:]
	}
	if t := c.lookup(schema, unquoteName(name)); t != nil {
		return t.oid
	}
	return nil
}

func unquoteName(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return strings.ToLower(s)
}

func quoteIdentPG(s string) string {
	plain := s != ""
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			plain = false
		}
	}
	if plain && !sqlKeywords[s] {
		return s
	}
	return quoteName(s)
}

// isNull reports whether an SQLite function argument is NULL (which
// go-sqlite3 passes to an any parameter as a nil []byte).
func isNull(v any) bool {
	if b, ok := v.([]byte); ok {
		return b == nil
	}
	return v == nil
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	case []byte:
		n, _ := strconv.ParseInt(string(x), 10, 64)
		return n
	case bool:
		if x {
			return 1
		}
	}
	return 0
}

// jsonArray reads an array value of the catalog (JSON text).
func jsonArray(v any) ([]any, bool) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		return nil, false
	}
	var vals []any
	if err := json.Unmarshal([]byte(s), &vals); err != nil {
		return nil, false
	}
	return vals, true
}

func errSRF(name string) error {
	return fmt.Errorf("%s in a select list is not supported: write it in FROM (SELECT x FROM %s(...) AS x)", name, name)
}
