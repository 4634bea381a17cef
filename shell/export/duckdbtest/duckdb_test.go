package duckdbtest_test

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/registry"
	"github.com/apiql/apiql/shell/export"
)

// newSessions opens two read-only engine sessions on one emulator set up
// as apiql --sandbox sets it up (images images and every registry
// resource): one as apiql export opens it (rows stream from the pages as
// they arrive), one as apiql exec does, whose answers the files are
// checked against.
func newSessions(t *testing.T, images int) (exp, exec *engine.Session) {
	t.Helper()
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emulator.New(emulator.Options{Images: images, Token: "test-token", Registry: reg}))
	t.Cleanup(srv.Close)
	vars := map[string]string{"DIGITALOCEAN_API_URL": srv.URL, "DIGITALOCEAN_TOKEN": "test-token"}
	open := func(stream bool) *engine.Session {
		sess, err := engine.NewSession(context.Background(), engine.Options{
			Registry: reg,
			ReadOnly: true,
			Stream:   stream,
			Client:   &provider.Client{Getenv: func(k string) string { return vars[k] }},
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sess.Close() })
		return sess
	}
	return open(true), open(false)
}

// query runs one statement through the engine and returns its whole
// result: the values apiql exec prints.
func query(t *testing.T, sess *engine.Session, stmt string) *engine.Result {
	t.Helper()
	var res *engine.Result
	err := sess.Run(context.Background(), stmt, func(o engine.Outcome) bool {
		if o.Err != nil {
			t.Fatalf("%s: %v", stmt, o.Err)
		}
		res = o.Result
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if res == nil {
		t.Fatalf("%s: no result", stmt)
	}
	return res
}

// exportAll exports the statements, one file each, named by names.
func exportAll(t *testing.T, sess *engine.Session, stmts, names []string) []export.Written {
	t.Helper()
	var ws []export.Written
	err := export.Run(context.Background(), sess, strings.Join(stmts, ";\n"), export.Options{Dir: t.TempDir(), Format: export.Parquet, Names: names}, func(w export.Written) bool {
		ws = append(ws, w)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != len(stmts) {
		t.Errorf("%d files written, want %d", len(ws), len(stmts))
	}
	for _, w := range ws {
		if w.Err != nil {
			t.Fatalf("statement %d (%s): %v", w.N, w.Path, w.Err)
		}
	}
	return ws
}

// openDuckDB opens an in-memory DuckDB database.
func openDuckDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// lit quotes s as a SQL string literal.
func lit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ident quotes s as a SQL identifier.
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// rowsOf runs q in DuckDB and returns every row as Go values.
func rowsOf(t *testing.T, db *sql.DB, q string) [][]any {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("DuckDB: %s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("DuckDB: %s: %v", q, err)
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("DuckDB: %s: %v", q, err)
	}
	return out
}

// exportCase is one statement exported and read back.
type exportCase struct {
	name string
	sql  string
	// types are DuckDB's column types (DESCRIBE), in order; nil means the
	// types the registry's give (integer BIGINT, number DOUBLE, boolean
	// BOOLEAN, string VARCHAR, array and object JSON), for a result of
	// resource fields only.
	types []string
	// rowGroups is the number of row groups the file must have.
	rowGroups int
}

func TestDuckDBReadsExports(t *testing.T) {
	sess, execSess := newSessions(t, 60)
	// The images' columns, spelled out once (the other resources' types
	// follow from the registry).
	imageTypes := []string{"BIGINT", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "BIGINT", "BOOLEAN", "JSON", "DOUBLE", "VARCHAR", "VARCHAR", "JSON", "VARCHAR"}
	cases := []exportCase{
		{name: "images", sql: "SELECT * FROM digitalocean.images.images", types: imageTypes, rowGroups: 1},
		{name: "droplets", sql: "SELECT * FROM digitalocean.droplets.droplets", rowGroups: 1},
		{name: "regions", sql: "SELECT * FROM digitalocean.regions.regions", rowGroups: 1},
		{name: "computed", sql: `SELECT type, count(*) AS n, avg(size_gigabytes) AS avg_size, max(public) AS any_public,
       NULL AS empty, json_group_array(id) AS ids, min(id) * 1.0 AS min_id, type || '-' || count(*) AS label,
       sum(CASE WHEN public THEN NULL ELSE size_gigabytes END) AS private_gb
  FROM digitalocean.images.images GROUP BY type ORDER BY type`,
			types: []string{"VARCHAR", "BIGINT", "DOUBLE", "BIGINT", "VARCHAR", "VARCHAR", "DOUBLE", "VARCHAR", "DOUBLE"}, rowGroups: 1},
		{name: "empty", sql: "SELECT * FROM digitalocean.images.images WHERE id < 0", types: imageTypes},
		{name: "empty_computed", sql: "SELECT id * 2 AS twice, 'x' AS s FROM digitalocean.images.images WHERE id < 0", types: []string{"VARCHAR", "VARCHAR"}},
		{name: "text", sql: `SELECT 1 AS "Größe ☃ k", 'naïve café ☃ 日本語 😀 ẞ' AS s
UNION ALL SELECT 2, char(9) || 'tab, newline' || char(10) || 'cr' || char(13) || ' esc ' || char(27) || ' del ' || char(127) || ' bell ' || char(7)
UNION ALL SELECT 3, 'it''s "quoted" \back\slash'
UNION ALL SELECT 4, ''
UNION ALL SELECT 5, NULL
UNION ALL SELECT 6, char(0) || 'after NUL'
UNION ALL SELECT 7, char(8232) || char(8233) || char(65279) || char(1114111)
UNION ALL SELECT 8, replace(hex(zeroblob(5000)), '0', 'é')`, types: []string{"BIGINT", "VARCHAR"}, rowGroups: 1},
		{name: "numbers", sql: `SELECT 9223372036854775807 AS big, -9223372036854775807 - 1 AS small, 0.1 + 0.2 AS sum,
       1e-300 AS tiny, 1e308 * 10 AS inf, -1e308 * 10 AS ninf, 1.5e-7 AS e, 2 AS two
UNION ALL SELECT 0, 1, -2.5, NULL, 1.0, 2.0, NULL, NULL`, types: []string{"BIGINT", "BIGINT", "DOUBLE", "DOUBLE", "DOUBLE", "DOUBLE", "DOUBLE", "BIGINT"}, rowGroups: 1},
		// A BLOB is binary; text that is not UTF-8 is read as -o json
		// prints it (each bad byte U+FFFD): DuckDB refuses a whole file
		// whose UTF8 column holds anything else.
		{name: "bytes", sql: `SELECT x'00ff41' AS b, CAST(x'ff41' AS TEXT) AS bad_utf8, CAST(x'41e282' AS TEXT) AS cut_rune
UNION ALL SELECT NULL, 'ok ☃', NULL`, types: []string{"BLOB", "VARCHAR", "VARCHAR"}, rowGroups: 1},
		// More rows than a row group holds (65,536); the second row group
		// has only NULLs in gone_late.
		{name: "big", sql: `WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 70000)
SELECT n, n * 0.5 AS half, CASE WHEN n % 7 = 0 THEN NULL ELSE 'row ' || n || ' ☃' END AS label,
       CASE WHEN n > 65536 THEN NULL ELSE n END AS gone_late
  FROM c`, types: []string{"BIGINT", "DOUBLE", "VARCHAR", "BIGINT"}, rowGroups: 2},
	}
	var stmts, names []string
	for _, c := range cases {
		stmts = append(stmts, c.sql)
		names = append(names, c.name)
	}
	ws := exportAll(t, sess, stmts, names)
	db := openDuckDB(t)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := query(t, execSess, c.sql)
			if got := ws[i].Rows; got != int64(len(want.Rows)) {
				t.Errorf("export reports %d rows, the engine answers %d", got, len(want.Rows))
			}
			checkFile(t, db, ws[i].Path, want, c)
		})
	}
}

// checkFile reads path with DuckDB and compares it with want, the engine's
// result of the same statement: column names and types, the Parquet
// schema, the row count and row groups, every value, and the statistics.
func checkFile(t *testing.T, db *sql.DB, path string, want *engine.Result, c exportCase) {
	t.Helper()
	src := "read_parquet(" + lit(path) + ")"

	desc := rowsOf(t, db, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "+src+")")
	var names, types []string
	for _, r := range desc {
		names = append(names, r[0].(string))
		types = append(types, r[1].(string))
	}
	var wantNames []string
	for _, col := range want.Columns {
		wantNames = append(wantNames, col.Name)
	}
	if !reflect.DeepEqual(names, wantNames) {
		t.Fatalf("DuckDB reads columns %v, want %v", names, wantNames)
	}
	wantTypes := c.types
	if wantTypes == nil {
		byKind := map[engine.Kind]string{engine.KindInt: "BIGINT", engine.KindFloat: "DOUBLE", engine.KindBool: "BOOLEAN", engine.KindText: "VARCHAR", engine.KindJSON: "JSON"}
		for _, col := range want.Columns {
			typ, ok := byKind[col.Kind()]
			if !ok {
				t.Fatalf("column %s is computed: give the case its types", col.Name)
			}
			wantTypes = append(wantTypes, typ)
		}
	}
	if !reflect.DeepEqual(types, wantTypes) {
		t.Errorf("DuckDB reads types %q, want %q", types, wantTypes)
	}
	checkSchema(t, db, path, names, types)

	n := rowsOf(t, db, "SELECT count(*) FROM "+src)[0][0].(int64)
	if n != int64(len(want.Rows)) {
		t.Fatalf("DuckDB counts %d rows, the engine answers %d", n, len(want.Rows))
	}
	groups := rowsOf(t, db, "SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata("+lit(path)+") ORDER BY row_group_id")
	if len(groups) != c.rowGroups {
		t.Errorf("%d row groups, want %d", len(groups), c.rowGroups)
	}

	got := rowsOf(t, db, "SELECT * EXCLUDE (file_row_number) FROM read_parquet("+lit(path)+", file_row_number = true) ORDER BY file_row_number")
	compareRows(t, got, want, types)

	// JSON columns' text, byte for byte: DuckDB's driver hands JSON values
	// over decoded, so read them again as VARCHAR.
	var jsonCols []int
	var texts []string
	for j, typ := range types {
		if typ == "JSON" {
			jsonCols = append(jsonCols, j)
			texts = append(texts, "CAST("+ident(names[j])+" AS VARCHAR)")
		}
	}
	if len(jsonCols) > 0 {
		got := rowsOf(t, db, "SELECT "+strings.Join(texts, ", ")+" FROM read_parquet("+lit(path)+", file_row_number = true) ORDER BY file_row_number")
		for i, row := range want.Rows {
			for k, j := range jsonCols {
				if g, w := got[i][k], row[j]; !(g == nil && w == nil) && g != w {
					t.Fatalf("row %d column %s: DuckDB reads the JSON text %#v, the engine answers %#v", i+1, names[j], g, w)
				}
			}
		}
	}
	checkStatistics(t, db, path, names, types)
}

// checkSchema checks the Parquet schema as DuckDB reads it: every column
// optional, with the physical and logical type its DuckDB type comes from.
func checkSchema(t *testing.T, db *sql.DB, path string, names, types []string) {
	t.Helper()
	type leaf struct{ physical, converted, logical string }
	want := map[string]leaf{
		"BIGINT":  {"INT64", "INT_64", "IntType(bitWidth=@, isSigned=1)"},
		"DOUBLE":  {"DOUBLE", "", ""},
		"BOOLEAN": {"BOOLEAN", "", ""},
		"VARCHAR": {"BYTE_ARRAY", "UTF8", "StringType()"},
		"JSON":    {"BYTE_ARRAY", "JSON", "JsonType()"},
		"BLOB":    {"BYTE_ARRAY", "", ""},
	}
	str := func(v any) string {
		if v == nil {
			return ""
		}
		return v.(string)
	}
	sch := rowsOf(t, db, "SELECT name, type, repetition_type, converted_type, logical_type, num_children FROM parquet_schema("+lit(path)+")")
	if len(sch) != len(names)+1 || sch[0][5] != int64(len(names)) {
		t.Fatalf("parquet_schema: %v, want a root and %d leaves", sch, len(names))
	}
	for j, r := range sch[1:] {
		w, ok := want[types[j]]
		if !ok {
			t.Fatalf("column %s: no Parquet type known for DuckDB type %s", names[j], types[j])
		}
		got := leaf{str(r[1]), str(r[3]), str(r[4])}
		if str(r[0]) != names[j] || got != w || str(r[2]) != "OPTIONAL" {
			t.Errorf("parquet_schema column %d: %v, want %s OPTIONAL %+v", j+1, r, names[j], w)
		}
	}
}

// checkStatistics checks each row group's statistics, as DuckDB reads
// them (and prunes row groups with), against the values in the row group:
// the null count exactly, and min and max exactly for numbers and
// booleans; for text, which a writer may truncate, min and max must bound
// the values.
func checkStatistics(t *testing.T, db *sql.DB, path string, names, types []string) {
	t.Helper()
	meta := rowsOf(t, db, "SELECT row_group_id, row_group_num_rows, column_id, path_in_schema, stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata("+lit(path)+") ORDER BY row_group_id, column_id")
	start := map[int64]int64{}
	var next int64
	for _, m := range meta {
		rg := m[0].(int64)
		if _, ok := start[rg]; !ok {
			start[rg] = next
			next += m[1].(int64)
		}
	}
	for _, m := range meta {
		rg, col := m[0].(int64), m[2].(int64)
		name, typ := names[col], types[col]
		if m[3] != name {
			t.Fatalf("row group %d column %d is %v, want %s", rg, col, m[3], name)
		}
		lo, hi := start[rg], start[rg]+m[1].(int64)
		act := rowsOf(t, db, fmt.Sprintf("SELECT min(%[1]s)::VARCHAR, max(%[1]s)::VARCHAR, count(*) - count(%[1]s) FROM read_parquet(%[2]s, file_row_number = true) WHERE file_row_number >= %[3]d AND file_row_number < %[4]d", ident(name), lit(path), lo, hi))[0]
		where := fmt.Sprintf("row group %d column %s (%s)", rg, name, typ)
		if m[6] == nil {
			t.Errorf("%s: no null count in the statistics", where)
		} else if got, want := m[6].(int64), act[2].(int64); got != want {
			t.Errorf("%s: statistics count %d NULLs, the row group holds %d", where, got, want)
		}
		if act[0] == nil {
			// Only NULLs: no min or max to give.
			if m[4] != nil || m[5] != nil {
				t.Errorf("%s: only NULLs, yet statistics min %v max %v", where, m[4], m[5])
			}
			continue
		}
		if m[4] == nil || m[5] == nil {
			// The file has them (parquet-go writes +Inf as a max), but
			// DuckDB does not use a double's min and max when one is
			// infinite: it reads such a row group whole.
			if typ == "DOUBLE" && (strings.Contains(act[0].(string), "inf") || strings.Contains(act[1].(string), "inf")) {
				continue
			}
			t.Errorf("%s: no min or max in the statistics", where)
			continue
		}
		smin, smax, amin, amax := m[4].(string), m[5].(string), act[0].(string), act[1].(string)
		switch typ {
		case "VARCHAR", "JSON", "BLOB":
			if smin > amin || smax < amax {
				t.Errorf("%s: statistics min %q max %q do not bound the values, from %q to %q", where, smin, smax, amin, amax)
			}
		default:
			if smin != amin || smax != amax {
				t.Errorf("%s: statistics min %s max %s, the values go from %s to %s", where, smin, smax, amin, amax)
			}
		}
	}
}

// compareRows checks every value DuckDB read against the engine's.
func compareRows(t *testing.T, got [][]any, want *engine.Result, types []string) {
	t.Helper()
	if len(got) != len(want.Rows) {
		t.Fatalf("DuckDB reads %d rows, the engine answers %d", len(got), len(want.Rows))
	}
	bad := 0
	for i, row := range want.Rows {
		for j, v := range row {
			if !sameValue(got[i][j], v, types[j]) {
				t.Errorf("row %d column %s (%s): DuckDB reads %#v, the engine answers %#v", i+1, want.Columns[j].Name, types[j], got[i][j], v)
				if bad++; bad > 10 {
					t.FailNow()
				}
			}
		}
	}
}

// sameValue reports whether DuckDB's value d of a column of DuckDB type
// typ is the engine's value e.
func sameValue(d, e any, typ string) bool {
	if e == nil || d == nil {
		return e == nil && d == nil
	}
	if b, ok := e.([]byte); ok {
		if typ == "BLOB" {
			db, ok := d.([]byte)
			return ok && string(db) == string(b)
		}
		e = string(b)
	}
	switch typ {
	case "BIGINT":
		return d == e
	case "DOUBLE":
		f, ok := d.(float64)
		switch x := e.(type) {
		case float64:
			return ok && (math.Float64bits(f) == math.Float64bits(x) || math.IsNaN(f) && math.IsNaN(x))
		case int64:
			return ok && f == float64(x)
		}
		return false
	case "BOOLEAN":
		return d == e
	case "VARCHAR":
		// Text that is not UTF-8 reads as apiql exec -o json prints it:
		// each invalid byte is U+FFFD.
		if s, ok := e.(string); ok && !utf8.ValidString(s) {
			b, _ := json.Marshal(s)
			json.Unmarshal(b, &s)
			e = s
		}
		return d == e
	case "JSON":
		s, ok := e.(string)
		if !ok {
			return false
		}
		var x any
		if err := json.Unmarshal([]byte(s), &x); err != nil {
			return false
		}
		return reflect.DeepEqual(d, x)
	}
	panic(fmt.Sprintf("no comparison for DuckDB type %s", typ))
}

// TestDuckDBQueries runs queries over exported files in DuckDB and checks
// each against the same question asked of apiql: DuckDB's JSON functions on JSON columns, and filters that DuckDB answers
// with the row groups' statistics.
func TestDuckDBQueries(t *testing.T) {
	sess, execSess := newSessions(t, 60)
	ws := exportAll(t, sess, []string{"SELECT * FROM digitalocean.images.images", "SELECT * FROM digitalocean.droplets.droplets"}, []string{"images", "droplets"})
	images, droplets := lit(ws[0].Path), lit(ws[1].Path)
	db := openDuckDB(t)
	for _, c := range []struct {
		name, duck, apiql string
	}{
		{"json array", "SELECT id, json_array_length(regions), regions->>0, json_array_length(tags), json_type(tags) FROM " + images + " ORDER BY id",
			"SELECT id, json_array_length(regions), regions->>0, json_array_length(tags), upper(json_type(tags)) FROM digitalocean.images.images ORDER BY id"},
		{"json object", "SELECT id, size->>'slug', CAST(size->'vcpus' AS BIGINT), image->>'$.distribution', networks->'v4'->0->>'ip_address', json_array_length(networks, '$.v4') FROM " + droplets + " ORDER BY id",
			"SELECT id, size->>'slug', size->'vcpus', image->>'$.distribution', networks->'v4'->0->>'ip_address', json_array_length(networks, '$.v4') FROM digitalocean.droplets.droplets ORDER BY id"},
		{"json unnest", "SELECT r, count(*) FROM (SELECT unnest(CAST(regions AS VARCHAR[])) AS r FROM " + images + ") GROUP BY r ORDER BY r",
			"SELECT r.value, count(*) FROM digitalocean.images.images, json_each(images.regions) AS r GROUP BY r.value ORDER BY r.value"},
		{"filters", "SELECT count(*), sum(min_disk_size) FROM " + images + " WHERE public AND size_gigabytes > 2 AND id BETWEEN 100100 AND 100900",
			"SELECT count(*), sum(min_disk_size) FROM digitalocean.images.images WHERE public AND size_gigabytes > 2 AND id BETWEEN 100100 AND 100900"},
		{"nulls", "SELECT count(*) FILTER (WHERE tags IS NULL), count(*) FILTER (WHERE distribution IS NULL), count(*) FILTER (WHERE error_message = '') FROM " + images,
			"SELECT count(*) FILTER (WHERE tags IS NULL), count(*) FILTER (WHERE distribution IS NULL), count(*) FILTER (WHERE error_message = '') FROM digitalocean.images.images"},
	} {
		t.Run(c.name, func(t *testing.T) {
			compareAnswers(t, rowsOf(t, db, c.duck), query(t, execSess, c.apiql))
		})
	}
}

// compareAnswers checks DuckDB's answer against apiql's, row by row.
func compareAnswers(t *testing.T, got [][]any, want *engine.Result) {
	t.Helper()
	if len(got) == 0 {
		t.Fatalf("DuckDB answers no rows")
	}
	if len(got) != len(want.Rows) {
		t.Fatalf("DuckDB answers %d rows, apiql %d", len(got), len(want.Rows))
	}
	for i, row := range want.Rows {
		for j, v := range row {
			if !sameAnswer(got[i][j], v) {
				t.Errorf("row %d column %d: DuckDB answers %#v, apiql %#v", i+1, j+1, got[i][j], v)
			}
		}
	}
}

// sameAnswer compares a DuckDB answer with apiql's where the two engines
// type a value differently: counts (DuckDB's HUGEINT sums), JSON text and
// numbers read from JSON.
func sameAnswer(d, e any) bool {
	if d == nil || e == nil {
		return d == nil && e == nil
	}
	switch x := d.(type) {
	case *big.Int:
		d = x.Int64()
	case uint64:
		d = int64(x)
	case int32:
		d = int64(x)
	}
	switch x := e.(type) {
	case float64:
		if f, ok := d.(float64); ok {
			return f == x
		}
	case int64:
		if f, ok := d.(float64); ok {
			return f == float64(x)
		}
	}
	return fmt.Sprint(d) == fmt.Sprint(e)
}

// TestREADMEExample runs the README's export example: the apiql export
// command's files (as on the sandbox), then the duckdb command's query in
// DuckDB, whose answer must be the README's, and apiql's own answer to the
// same question.
func TestREADMEExample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	const cmd = `$ duckdb -csv -c "`
	i := strings.Index(readme, cmd)
	if i < 0 {
		t.Fatalf("README.md has no %s...\" example", cmd)
	}
	block := readme[strings.LastIndex(readme[:i], "```"):]
	block = block[:strings.Index(block[3:], "```")+3]
	rest := readme[i+len(cmd):]
	end := strings.Index(rest, "\"\n")
	query1 := rest[:end]
	shown := rest[end+2 : strings.Index(rest, "```")]

	sess, execSess := newSessions(t, 60)
	ws := exportAll(t, sess, []string{"SELECT * FROM digitalocean.images.images", "SELECT * FROM digitalocean.regions.regions"}, []string{"images"})
	// The export's own lines: inventory/images.parquet: 60 rows.
	for _, w := range ws {
		line := fmt.Sprintf("inventory/%s: %d rows\n", filepath.Base(w.Path), w.Rows)
		if !strings.Contains(block, line) {
			t.Errorf("README's example does not show %q", line)
		}
	}
	const file = "'inventory/images.parquet'"
	if !strings.Contains(query1, file) {
		t.Fatalf("README's duckdb query does not read %s: %s", file, query1)
	}
	db := openDuckDB(t)
	got := rowsOf(t, db, strings.Replace(query1, file, lit(ws[0].Path), 1))

	// DuckDB's answer as duckdb -csv prints it: values as DuckDB casts
	// them to VARCHAR, NULL as an empty field.
	rows, err := db.Query(strings.Replace(query1, file, lit(ws[0].Path), 1) + " LIMIT 0")
	if err != nil {
		t.Fatal(err)
	}
	cols, _ := rows.Columns()
	rows.Close()
	var out strings.Builder
	w := csv.NewWriter(&out)
	w.Write(cols)
	for _, r := range got {
		rec := make([]string, len(r))
		for j, v := range r {
			if v != nil {
				var s string
				if err := db.QueryRow("SELECT CAST($1 AS "+duckType(v)+")::VARCHAR", v).Scan(&s); err != nil {
					t.Fatal(err)
				}
				rec[j] = s
			}
		}
		w.Write(rec)
	}
	w.Flush()
	if out.String() != shown {
		t.Errorf("DuckDB answers the README's query with\n%s\nthe README shows\n%s", out.String(), shown)
	}

	// apiql's answer to the same question.
	compareAnswers(t, got, query(t, execSess, strings.Replace(query1, file, "digitalocean.images.images", 1)))
}

// duckType is the DuckDB type of a value the driver returned.
func duckType(v any) string {
	switch v.(type) {
	case int64:
		return "BIGINT"
	case float64:
		return "DOUBLE"
	case bool:
		return "BOOLEAN"
	}
	return "VARCHAR"
}

// TestDuckDBReadsRowGroupsOfEveryType writes, through the export file the
// statements' rows go to, more rows than a row group holds with a column
// of each registry type (int64, double, boolean, string, JSON array and
// object): each type spans two row groups with their own statistics, and
// one column is NULL in the whole second row group.
func TestDuckDBReadsRowGroupsOfEveryType(t *testing.T) {
	want := &engine.Result{Columns: []engine.Column{
		{Name: "id", Type: "integer"}, {Name: "size", Type: "number"}, {Name: "public", Type: "boolean"},
		{Name: "name", Type: "string"}, {Name: "regions", Type: "array"}, {Name: "image", Type: "object"},
		{Name: "gone_late", Type: "integer"},
	}}
	const n = 70000
	for i := 0; i < n; i++ {
		row := []any{int64(i) - 1000, float64(i) / 4, i%3 == 0, fmt.Sprintf("image-%d ☃", i),
			fmt.Sprintf(`["nyc%d","ams%d"]`, i%3, i%5), fmt.Sprintf(`{"id":%d,"slug":"s-%d","tags":[]}`, i, i%11), int64(i)}
		if i%5 == 0 {
			row[i%7] = nil
		}
		if i >= 65536 {
			row[6] = nil
		}
		want.Rows = append(want.Rows, row)
	}
	f, err := export.Create(t.TempDir(), "every", export.Parquet, want.Columns)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range want.Rows {
		if err := f.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	checkFile(t, openDuckDB(t), f.Path, want, exportCase{
		types:     []string{"BIGINT", "DOUBLE", "BOOLEAN", "VARCHAR", "JSON", "JSON", "BIGINT"},
		rowGroups: 2,
	})
}
