package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/apiql/apiql/registry"
)

// scanValues are JSON values as APIs send them, and as they should not:
// each is read by the pass-through scan's fastValue and, independently, by
// SQLite through the materializer, for every declared column type.
var scanValues = []string{
	`null`, `true`, `false`,
	`0`, `1`, `-1`, `42`, `-0`, `9007199254740993`, `9223372036854775807`, `-9223372036854775808`,
	`9223372036854775808`, `-9223372036854775809`, `123456789012345678901234567890`,
	`1.5`, `-2.25`, `3.0`, `0.1`, `1e5`, `1E-7`, `2.5e+3`, `-0.0`, `1e308`, `1.7976931348623157e308`,
	`4.9e-324`, `1e400`, `123456789.123456789`, `0.30000000000000004`, `100000000000000000000.0`,
	`""`, `"text"`, `"12"`, `"1.5"`, `" 7 "`, `"0x10"`, `"true"`, `"null"`, `"2026-01-02T03:04:05Z"`,
	`"a\nb"`, `"tab\tquote\"slash\/back\\"`, `"\u00e9t\u00e9"`, `"\ud83d\ude00"`, `"\ud800"`, `"nul\u0000byte"`,
	`"é ünïcode ☃"`, `"\b\f\r"`,
	`[]`, `{}`, `[1, 2, 3]`, `[ "a" , "b" ]`, `{"a": 1, "b": [true, null]}`, `{ "k" : "v w" , "n" : 1.50 }`,
	`[{"slug": "nyc3"}, 1e5, "\u00e9"]`, `{"a":{"b":{"c":[]}}}`,
}

// TestFastValueIsSQLites checks fastValue against SQLite for every value
// and declared type: where fastValue answers, its answer is exactly what
// the materialized table returns through scanRow.
func TestFastValueIsSQLites(t *testing.T) {
	ctx := context.Background()
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(ctx, Options{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.ready(ctx); err != nil {
		t.Fatal(err)
	}
	types := []string{registry.TypeInteger, registry.TypeNumber, registry.TypeBoolean, registry.TypeString, registry.TypeArray, registry.TypeObject}
	res := &registry.Resource{Name: "values"}
	for _, ty := range types {
		res.Fields = append(res.Fields, &registry.Field{Name: "f_" + ty, Type: ty})
	}
	if err := s.createTable(ctx, "scan_values", res); err != nil {
		t.Fatal(err)
	}
	cols := make([]Column, len(types))
	for i, ty := range types {
		cols[i] = Column{Name: "f_" + ty, Type: registryType(declType(ty))}
	}
	sqlite := func(raw string) []any {
		t.Helper()
		var obj strings.Builder
		obj.WriteString("{")
		for i, ty := range types {
			if i > 0 {
				obj.WriteString(",")
			}
			fmt.Fprintf(&obj, "%q: %s", "f_"+ty, raw)
		}
		obj.WriteString("}")
		var row []any
		err := s.internal(func() error {
			tx, err := s.conn.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			m, err := newMaterializer(ctx, tx, "scan_values", res)
			if err != nil {
				return err
			}
			defer m.Close()
			if _, err := m.Insert(ctx, []json.RawMessage{json.RawMessage(obj.String())}, nil); err != nil {
				return err
			}
			q, err := tx.QueryContext(ctx, `SELECT "f_integer", "f_number", "f_boolean", "f_string", "f_array", "f_object" FROM scan_values`)
			if err != nil {
				return err
			}
			defer q.Close()
			if !q.Next() {
				return fmt.Errorf("no row")
			}
			row, err = scanRow(q, cols)
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		return row
	}
	fast := 0
	check := func(raw string) {
		want := sqlite(raw)
		for i, ty := range types {
			got, ok := fastValue(declType(ty), []byte(raw))
			if !ok {
				continue
			}
			fast++
			if !sameValue(got, want[i]) {
				t.Errorf("%s in a %s column: fast path %#v (%T), SQLite %#v (%T)", raw, ty, got, got, want[i], want[i])
			}
		}
	}
	for _, raw := range scanValues {
		check(raw)
	}
	// Random numbers and strings, the bulk of real pages.
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		var raw string
		switch i % 4 {
		case 0:
			raw = fmt.Sprint(rng.Int63() >> uint(rng.Intn(63)))
		case 1:
			raw = fmt.Sprintf("%.*f", rng.Intn(8), rng.NormFloat64()*float64(rng.Intn(1_000_000)))
		case 2:
			raw = fmt.Sprintf("%.*e", rng.Intn(14), rng.ExpFloat64()*1e-5)
		default:
			b, _ := json.Marshal(fmt.Sprintf("s-%d\t%c\n", rng.Intn(1000), rune(0x20+rng.Intn(0x3000))))
			raw = string(b)
		}
		check(raw)
	}
	// Absent fields are NULL in every column.
	for _, ty := range types {
		if v, ok := fastValue(declType(ty), nil); !ok || v != nil {
			t.Errorf("an absent %s field: %#v, %v; want nil", ty, v, ok)
		}
	}
	// The values real pages are made of take the fast path.
	for _, c := range []struct{ ty, raw string }{
		{registry.TypeInteger, `42`}, {registry.TypeNumber, `1.5`}, {registry.TypeNumber, `20`},
		{registry.TypeBoolean, `true`}, {registry.TypeString, `"nyc3"`}, {registry.TypeString, `"a\"b"`},
		{registry.TypeArray, `["nyc1", "nyc3"]`}, {registry.TypeObject, `{"slug": "nyc3"}`},
	} {
		if _, ok := fastValue(declType(c.ty), []byte(c.raw)); !ok {
			t.Errorf("%s in a %s column does not take the fast path", c.raw, c.ty)
		}
	}
	t.Logf("%d values checked on the fast path", fast)
}

// sameValue is reflect.DeepEqual, except that floats must be the same bits
// (-0 is not 0).
func sameValue(a, b any) bool {
	if fa, ok := a.(float64); ok {
		fb, ok := b.(float64)
		return ok && math.Float64bits(fa) == math.Float64bits(fb)
	}
	return reflect.DeepEqual(a, b)
}

// TestScanShape: the rewritten texts that only copy rows through are
// streamed, column by column; any other is left to SQLite.
func TestScanShape(t *testing.T) {
	res := &registry.Resource{Name: "r", Fields: []*registry.Field{
		{Name: "id", Type: registry.TypeInteger}, {Name: "name", Type: registry.TypeString}, {Name: "tags", Type: registry.TypeArray},
	}}
	p := &refPlan{res: res}
	tests := []struct {
		text string
		want string // the fields copied (-1: the connection), or "" for SQLite
	}{
		{`SELECT * FROM "t1_v" AS "r"`, "[0 1 2]"},
		{`SELECT ALL * FROM "t1_v" AS "r" WHERE 1/*apiql:1*/`, "[0 1 2]"},
		{`SELECT x.* FROM "t1_v" x WHERE (1/*apiql:1*/) AND 1/*apiql:2*/;`, "[0 1 2]"},
		{`SELECT name, ID AS ident, "tags" t FROM "t1_v" AS "r"`, "[1 0 2]"},
		{`SELECT r.name, connection FROM "t1" AS "r"`, "[1 -1]"},
		{`SELECT *, connection FROM "t1" AS "r"`, ""}, // the table's * holds the parameter columns
		{`SELECT "id", "name", "tags", connection FROM "t1" AS "r"`, "[0 1 2 -1]"},
		{`SELECT * FROM "t1_v" AS "r" WHERE name = 'x'`, ""},
		{`SELECT * FROM "t1_v" AS "r" WHERE 1/*apiql:1*/ OR 1`, ""},
		{`SELECT * FROM "t1_v" AS "r" ORDER BY id`, ""},
		{`SELECT * FROM "t1_v" AS "r" LIMIT 2`, ""},
		{`SELECT DISTINCT name FROM "t1_v" AS "r"`, ""},
		{`SELECT count(*) FROM "t1_v" AS "r"`, ""},
		{`SELECT id + 1 FROM "t1_v" AS "r"`, ""},
		{`SELECT 'id' FROM "t1_v" AS "r"`, ""},
		{`SELECT nope FROM "t1_v" AS "r"`, ""},
		{`SELECT * FROM "t1_v" AS "r", "t2_v" AS "s"`, ""},
		{`SELECT * FROM "t1_v" AS "r" JOIN "t2_v" ON 1`, ""},
		{`SELECT * FROM "t1_v" AS "r" UNION ALL SELECT * FROM "t1_v"`, ""},
		{`SELECT * FROM (SELECT * FROM "t1_v")`, ""},
		{`WITH c AS (SELECT 1) SELECT * FROM "t1_v"`, ""},
		{`SELECT * FROM "t2_v" AS "r"`, ""},
	}
	for _, tt := range tests {
		n := strings.Count(tt.want, " ") + 1
		cols, ok := scanShape(tt.text, p, "t1", n)
		got := ""
		if ok {
			var idx []int
			for _, c := range cols {
				idx = append(idx, c.field)
			}
			got = fmt.Sprint(idx)
		}
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.text, got, tt.want)
		}
	}
}
