package export_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/registry"
	"github.com/apiql/apiql/shell"
	"github.com/apiql/apiql/shell/export"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// newSession opens an engine session on a fresh emulator with n images.
func newSession(t testing.TB, n int, retries int) (*engine.Session, *emulator.Server) {
	t.Helper()
	emu := emulator.New(emulator.Options{Images: n, Token: "test-token"})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"DIGITALOCEAN_API_URL": srv.URL, "DIGITALOCEAN_TOKEN": "test-token"}
	sess, err := engine.NewSession(context.Background(), engine.Options{
		Registry: reg,
		ReadOnly: true,
		Stream:   true, // as apiql sync and export run
		Client:   &provider.Client{Getenv: func(k string) string { return vars[k] }, Retry: provider.RetryPolicy{Retries: retries}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return sess, emu
}

// query runs one statement and returns its result, to compare files with.
func query(t testing.TB, sess *engine.Session, sql string) *engine.Result {
	t.Helper()
	var res *engine.Result
	err := sess.Run(context.Background(), sql, func(o engine.Outcome) bool {
		if o.Err != nil {
			t.Fatalf("%s: %v", sql, o.Err)
		}
		res = o.Result
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// runExport exports src into a new folder and returns the folder and what
// was written.
func runExport(t *testing.T, sess *engine.Session, src string, f export.Format, names ...string) (string, []export.Written) {
	t.Helper()
	dir := t.TempDir()
	var ws []export.Written
	err := export.Run(context.Background(), sess, src, export.Options{Dir: dir, Format: f, Names: names}, func(w export.Written) bool {
		ws = append(ws, w)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir, ws
}

// parquetFile is a Parquet file as Apache Arrow's Go implementation (an
// implementation independent of the writer's) reads it.
type parquetFile struct {
	names     []string
	physical  []parquet.Type
	logical   []schema.LogicalType
	rowGroups int
	rows      [][]any // Go values: nil, int64, float64, bool, string
}

func readParquet(t *testing.T, path string) parquetFile {
	t.Helper()
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatalf("arrow-go cannot open %s: %v", path, err)
	}
	defer rdr.Close()
	var pf parquetFile
	sc := rdr.MetaData().Schema
	for i := 0; i < sc.NumColumns(); i++ {
		col := sc.Column(i)
		pf.names = append(pf.names, col.Name())
		pf.physical = append(pf.physical, col.PhysicalType())
		pf.logical = append(pf.logical, col.LogicalType())
	}
	pf.rowGroups = rdr.NumRowGroups()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{BatchSize: 4096}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("arrow-go cannot read %s: %v", path, err)
	}
	defer tbl.Release()
	pf.rows = make([][]any, tbl.NumRows())
	for i := range pf.rows {
		pf.rows[i] = make([]any, tbl.NumCols())
	}
	for c := 0; c < int(tbl.NumCols()); c++ {
		row := 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			for i := 0; i < chunk.Len(); i++ {
				pf.rows[row][c] = arrowValue(t, chunk, i)
				row++
			}
		}
	}
	return pf
}

func arrowValue(t *testing.T, a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch v := a.GetOneForMarshal(i).(type) {
	case int64, float64, bool, string:
		return v
	case []byte:
		return string(v)
	default:
		// JSON columns arrive as an extension type: take their text.
		return a.ValueStr(i)
	}
}

func TestParquetReadByAnIndependentReader(t *testing.T) {
	sess, _ := newSession(t, 300, 2)
	const src = `SELECT * FROM digitalocean.images.images;
SELECT type, count(*) AS n, avg(size_gigabytes) AS avg_size, max(public) = 1 AS any_public, NULL AS empty, json_group_array(id) AS ids
  FROM digitalocean.images.images GROUP BY type ORDER BY type`
	dir, ws := runExport(t, sess, src, export.Parquet, "images")
	if len(ws) != 2 || ws[0].Err != nil || ws[1].Err != nil {
		t.Fatalf("written: %v", ws)
	}
	if got, want := ws[0].Path, filepath.Join(dir, "images.parquet"); got != want {
		t.Errorf("path %s, want %s", got, want)
	}
	if got, want := ws[1].Path, filepath.Join(dir, "2.parquet"); got != want {
		t.Errorf("path %s, want %s", got, want)
	}
	if got, want := ws[0].Rows, int64(300); got != want {
		t.Errorf("rows %d, want %d", got, want)
	}

	pf := readParquet(t, ws[0].Path)
	wantCols := []struct {
		name     string
		physical parquet.Type
		logical  string // schema.LogicalType's String(), "" for none
	}{
		{"id", parquet.Types.Int64, "Int(bitWidth=64, isSigned=true)"},
		{"name", parquet.Types.ByteArray, "String"},
		{"description", parquet.Types.ByteArray, "String"},
		{"created_at", parquet.Types.ByteArray, "String"},
		{"distribution", parquet.Types.ByteArray, "String"},
		{"error_message", parquet.Types.ByteArray, "String"},
		{"min_disk_size", parquet.Types.Int64, "Int(bitWidth=64, isSigned=true)"},
		{"public", parquet.Types.Boolean, "None"},
		{"regions", parquet.Types.ByteArray, "JSON"},
		{"size_gigabytes", parquet.Types.Double, "None"},
		{"slug", parquet.Types.ByteArray, "String"},
		{"status", parquet.Types.ByteArray, "String"},
		{"tags", parquet.Types.ByteArray, "JSON"},
		{"type", parquet.Types.ByteArray, "String"},
	}
	if len(pf.names) != len(wantCols) {
		t.Fatalf("columns %v, want %d", pf.names, len(wantCols))
	}
	for i, w := range wantCols {
		if pf.names[i] != w.name || pf.physical[i] != w.physical || pf.logical[i].String() != w.logical {
			t.Errorf("column %d: %s %s %s, want %s %s %s", i, pf.names[i], pf.physical[i], pf.logical[i], w.name, w.physical, w.logical)
		}
	}
	want := query(t, sess, "SELECT * FROM digitalocean.images.images")
	compareRows(t, pf.rows, want)

	agg := readParquet(t, ws[1].Path)
	if got, want := strings.Join(agg.names, ","), "type,n,avg_size,any_public,empty,ids"; got != want {
		t.Errorf("computed columns %s, want %s", got, want)
	}
	// Computed columns take their values' types; an all-NULL one is a string.
	wantPhys := []parquet.Type{parquet.Types.ByteArray, parquet.Types.Int64, parquet.Types.Double, parquet.Types.Int64, parquet.Types.ByteArray, parquet.Types.ByteArray}
	for i, p := range wantPhys {
		if agg.physical[i] != p {
			t.Errorf("computed column %s: %s, want %s", agg.names[i], agg.physical[i], p)
		}
	}
	compareRows(t, agg.rows, query(t, sess, strings.SplitN(src, ";", 2)[1]))
}

// compareRows checks rows read back against the engine's result, value by
// value.
func compareRows(t *testing.T, got [][]any, want *engine.Result) {
	t.Helper()
	if len(got) != len(want.Rows) {
		t.Fatalf("%d rows read back, want %d", len(got), len(want.Rows))
	}
	for i, row := range want.Rows {
		for j, v := range row {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			if g := got[i][j]; fmt.Sprint(g) != fmt.Sprint(v) {
				t.Fatalf("row %d column %s: read back %#v, want %#v", i+1, want.Columns[j].Name, g, v)
			}
		}
	}
}

func TestParquetRowGroups(t *testing.T) {
	// 150,000 rows make three row groups (at most 65,536 rows each): the
	// writer holds one row group, not the file.
	dir := t.TempDir()
	f, err := export.Create(dir, "big", export.Parquet, []engine.Column{{Name: "n", Type: "integer"}, {Name: "s", Type: "string"}, {Name: "x", Type: "number"}, {Name: "j", Type: "array"}})
	if err != nil {
		t.Fatal(err)
	}
	const n = 150000
	for i := 0; i < n; i++ {
		var x any = float64(i) / 2
		if i%7 == 0 {
			x = nil
		}
		if err := f.WriteRow([]any{int64(i), fmt.Sprintf("row %d", i), x, fmt.Sprintf("[%d]", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	pf := readParquet(t, f.Path)
	if pf.rowGroups != 3 {
		t.Errorf("%d row groups, want 3", pf.rowGroups)
	}
	if len(pf.rows) != n {
		t.Fatalf("%d rows, want %d", len(pf.rows), n)
	}
	for _, i := range []int{0, 1, 7, 65535, 65536, 99999, n - 1} {
		var x any = float64(i) / 2
		if i%7 == 0 {
			x = nil
		}
		want := []any{int64(i), fmt.Sprintf("row %d", i), x, fmt.Sprintf("[%d]", i)}
		if fmt.Sprint(pf.rows[i]) != fmt.Sprint(want) {
			t.Errorf("row %d: %v, want %v", i, pf.rows[i], want)
		}
	}
}

func TestTextFormats(t *testing.T) {
	sess, _ := newSession(t, 60, 2)
	const src = `SELECT id, name, public, size_gigabytes, regions, tags, slug FROM digitalocean.images.images WHERE image_id IN (100051, 100012) ORDER BY id;
SELECT 'a "quoted", text' AS s, 1.5e-7 AS tiny, 2 AS two, NULL AS empty`
	for _, f := range []export.Format{export.CSV, export.JSONL} {
		t.Run(string(f), func(t *testing.T) {
			dir, ws := runExport(t, sess, src, f)
			if len(ws) != 2 {
				t.Fatalf("written: %v", ws)
			}
			var got strings.Builder
			for _, w := range ws {
				if w.Err != nil {
					t.Fatal(w.Err)
				}
				b, err := os.ReadFile(w.Path)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&got, "== %s (%d rows)\n%s", filepath.Base(w.Path), w.Rows, b)
			}
			golden := filepath.Join("testdata", "text."+string(f)+".golden")
			if *update {
				os.WriteFile(golden, []byte(got.String()), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got.String(), want)
			}
			assertOnly(t, dir, "1."+string(f), "2."+string(f))
		})
	}
}

// assertOnly checks that dir holds exactly the named files: no temporary
// file is left behind.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	sort.Strings(names)
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}

func TestFailedStatementLeavesNoFile(t *testing.T) {
	// The second page fails with a 500 and no retry is allowed: the
	// statement fails, and its file never appears (nor a temporary one).
	sess, emu := newSession(t, 500, 0)
	emu.SetFaults(emulator.Faults{ServerErrorEvery: 2})
	dir := t.TempDir()
	var ws []export.Written
	err := export.Run(context.Background(), sess, "SELECT * FROM digitalocean.images.images", export.Options{Dir: dir, Format: export.Parquet}, func(w export.Written) bool {
		ws = append(ws, w)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 1 || ws[0].Err == nil {
		t.Fatalf("written %+v, want one failure", ws)
	}
	assertOnly(t, dir)
}

func TestInterruptedExportLeavesNoFile(t *testing.T) {
	// Ctrl-C while the file is being written: rows already went to the
	// temporary file, which is removed; nothing looks whole.
	dir := t.TempDir()
	f, err := export.Create(dir, "cut", export.Parquet, []engine.Column{{Name: "n", Type: "integer"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10000; i++ {
		if err := f.WriteRow([]any{int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || !strings.HasPrefix(ents[0].Name(), ".cut.parquet.") || !strings.HasSuffix(ents[0].Name(), ".tmp") {
		t.Fatalf("while writing, %s holds %v; want one hidden .tmp file", dir, ents)
	}
	f.Abort()
	assertOnly(t, dir)

	// And through Run: a cancelled context while the API is slow.
	sess, emu := newSession(t, 2000, 2)
	emu.SetFaults(emulator.Faults{Latency: 50 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 80*time.Millisecond)
	defer cancel()
	var ws []export.Written
	export.Run(ctx, sess, "SELECT * FROM digitalocean.images.images", export.Options{Dir: dir, Format: export.CSV}, func(w export.Written) bool {
		ws = append(ws, w)
		return true
	})
	if len(ws) != 1 || ws[0].Err == nil {
		t.Fatalf("written %+v, want one failure", ws)
	}
	assertOnly(t, dir)
}

func TestValueThatDoesNotFitItsColumn(t *testing.T) {
	// A computed column that starts as integers and turns to text cannot be
	// one Parquet type: the error names the column and says what to do.
	dir := t.TempDir()
	f, err := export.Create(dir, "mixed", export.Parquet, []engine.Column{{Name: "v"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2000; i++ {
		if err := f.WriteRow([]any{int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	err = f.WriteRow([]any{"n/a"})
	var e *engine.Error
	if !errors.As(err, &e) || !strings.Contains(e.Msg, "column v") || !strings.Contains(e.Msg, `"n/a"`) || !strings.Contains(e.Hint, "CAST") {
		t.Fatalf("error %v, want one naming column v and the value, with a CAST hint", err)
	}
	f.Abort()
	assertOnly(t, dir)
}

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"a", "a"}, `"a" given twice`},
		{[]string{"../x"}, "path separator"},
		{[]string{".hidden"}, "starts with a dot"},
		{[]string{""}, "not a file name"},
	} {
		err := export.Options{Names: tc.names}.Check()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("names %q: error %v, want %q", tc.names, err, tc.want)
		}
	}
	// Run refuses a name that is a later statement's default name before
	// any statement runs: both would write 2.jsonl.
	sess, emu := newSession(t, 10, 0)
	dir := t.TempDir()
	err := export.Run(context.Background(), sess, "SELECT 'first' AS s; SELECT * FROM digitalocean.images.images",
		export.Options{Dir: dir, Format: export.JSONL, Names: []string{"2"}}, func(w export.Written) bool {
			t.Errorf("statement ran: %+v", w)
			return true
		})
	var e *engine.Error
	if !errors.As(err, &e) || !strings.Contains(e.Msg, `"2" of statement 1 is statement 2's default name`) || !strings.Contains(e.Hint, "name statement 2 too") {
		t.Errorf("Run with --name 2 for two statements: %v", err)
	}
	if reqs := emu.Requests(); len(reqs) != 0 {
		t.Errorf("%d requests sent", len(reqs))
	}
	assertOnly(t, dir)
	if _, err := export.ParseFormat("xlsx"); err == nil || !strings.Contains(err.Error(), "parquet, csv or jsonl") {
		t.Errorf("ParseFormat(xlsx): %v", err)
	}
}

func TestParquetBlobsAndTextThatIsNotUTF8(t *testing.T) {
	// A computed column of BLOBs is binary (no logical type), kept byte for
	// byte; text that is not UTF-8 has each bad byte replaced by U+FFFD, as
	// -o json prints it (a UTF8 column holding anything else makes DuckDB
	// refuse the whole file).
	dir := t.TempDir()
	f, err := export.Create(dir, "bytes", export.Parquet, []engine.Column{{Name: "b"}, {Name: "s", Type: "string"}, {Name: "c"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range [][]any{
		{[]byte{0, 0xff, 'A'}, "\xffA", "ok"},
		{nil, "A\xe2\x82", []byte("\xe2\x98\x83 \xc3")},
	} {
		if err := f.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	pf := readParquet(t, f.Path)
	if pf.physical[0] != parquet.Types.ByteArray || pf.logical[0].String() != "None" {
		t.Errorf("BLOB column: %s %s, want BYTE_ARRAY with no logical type", pf.physical[0], pf.logical[0])
	}
	if pf.logical[1].String() != "String" || pf.logical[2].String() != "String" {
		t.Errorf("text columns: %s %s, want String", pf.logical[1], pf.logical[2])
	}
	want := [][]any{
		{"\x00\xffA", "\uFFFDA", "ok"},
		{nil, "A\uFFFD\uFFFD", "\u2603 \uFFFD"},
	}
	if fmt.Sprintf("%q", pf.rows) != fmt.Sprintf("%q", want) {
		t.Errorf("read back %q, want %q", pf.rows, want)
	}
}

func TestTextFilesAsExecPrintsThem(t *testing.T) {
	// CSV and JSON Lines files hold what apiql exec -o csv and -o jsonl
	// print for the same result (shell.Printer): the same typing of a
	// value by its column, the same keys, the same NULL and empty string.
	marker := "NULL"
	for _, tc := range []struct {
		name  string
		cols  []engine.Column
		rows  [][]any
		null  *string
		csv   string
		jsonl string
	}{
		{
			name:  "repeated column name",
			cols:  []engine.Column{{Name: "id", Type: "integer"}, {Name: "id", Type: "integer"}, {Name: "id_2"}},
			rows:  [][]any{{int64(1), int64(1), "x"}},
			csv:   "id,id,id_2\n1,1,x\n",
			jsonl: `{"id":1,"id_3":1,"id_2":"x"}` + "\n",
		},
		{
			name:  "empty string and NULL",
			cols:  []engine.Column{{Name: "image_id", Type: "integer"}, {Name: "name", Type: "string"}, {Name: "tags", Type: "array"}},
			rows:  [][]any{{int64(100012), "", nil}},
			csv:   "image_id,name,tags\n100012,\"\",\n",
			jsonl: `{"image_id":100012,"name":"","tags":null}` + "\n",
		},
		{
			name:  "NULL marker",
			cols:  []engine.Column{{Name: "a", Type: "string"}, {Name: "b", Type: "string"}},
			rows:  [][]any{{nil, "NULL"}, {"", nil}},
			null:  &marker,
			csv:   "a,b\nNULL,\"NULL\"\n,NULL\n",
			jsonl: "",
		},
		{
			name: "values not of their column's type",
			cols: []engine.Column{{Name: "public", Type: "boolean"}, {Name: "size", Type: "integer"}, {Name: "slug", Type: "string"}},
			rows: [][]any{
				{"true", "n/a", int64(5)},
				{0.5, 2.5, true},
				{int64(0), "12", 1.5},
				{"maybe", "-0", nil},
			},
			csv: "public,size,slug\ntrue,n/a,5\ntrue,2.5,true\nfalse,12,1.5\nmaybe,-0,\n",
			jsonl: `{"public":true,"size":"n/a","slug":"5"}` + "\n" +
				`{"public":true,"size":2.5,"slug":"true"}` + "\n" +
				`{"public":false,"size":12,"slug":"1.5"}` + "\n" +
				`{"public":"maybe","size":-0,"slug":null}` + "\n",
		},
	} {
		for _, f := range []export.Format{export.CSV, export.JSONL} {
			want := tc.csv
			if f == export.JSONL {
				if tc.null != nil {
					continue
				}
				want = tc.jsonl
			}
			t.Run(tc.name+"/"+string(f), func(t *testing.T) {
				dir := t.TempDir()
				file, err := export.CreateNull(dir, "x", f, tc.cols, tc.null)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range tc.rows {
					if err := file.WriteRow(r); err != nil {
						t.Fatal(err)
					}
				}
				if err := file.Commit(); err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(file.Path)
				if err != nil {
					t.Fatal(err)
				}
				if got := string(b); got != want {
					t.Errorf("file:\n%s\nwant:\n%s", got, want)
				}
				var exec strings.Builder
				p := &shell.Printer{Out: &exec, Format: shell.Format(f), Headers: true, Null: tc.null}
				if err := p.Print(&engine.Result{Columns: tc.cols, Rows: tc.rows}); err != nil {
					t.Fatal(err)
				}
				if string(b) != exec.String() {
					t.Errorf("file:\n%s\nexec prints:\n%s", b, exec.String())
				}
			})
		}
	}

	// Parquet keeps its own rule: a value its column's type cannot hold
	// fails the file, a text "true" in a boolean column is true.
	dir := t.TempDir()
	f, err := export.Create(dir, "p", export.Parquet, []engine.Column{{Name: "public", Type: "boolean"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.WriteRow([]any{"true"}); err != nil {
		t.Errorf(`Parquet boolean column, "true": %v`, err)
	}
	if err := f.WriteRow([]any{0.5}); err == nil || !strings.Contains(err.Error(), "0.5 is not a boolean") {
		t.Errorf("Parquet boolean column, 0.5: %v, want an error", err)
	}
	f.Abort()

	// A NULL marker is CSV's: the other formats refuse it.
	for _, format := range []export.Format{export.JSONL, export.Parquet} {
		if _, err := export.CreateNull(dir, "n", format, []engine.Column{{Name: "a"}}, &marker); err == nil || !strings.Contains(err.Error(), "--null sets what CSV writes NULL as") {
			t.Errorf("%s with a NULL marker: %v", format, err)
		}
		if err := (export.Options{Format: format, Null: &marker}).Check(); err == nil {
			t.Errorf("Options.Check: %s with a NULL marker accepted", format)
		}
	}
	assertOnly(t, dir)
}
