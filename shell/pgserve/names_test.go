package pgserve

import (
	"strings"
	"testing"

	wire "github.com/jeroenrinzema/psql-wire"
)

// TestPgNames: result columns are named as Postgres 15 names them (each
// want below is what a Postgres server answers for the item).
func TestPgNames(t *testing.T) {
	for _, tc := range []struct{ sql, want string }{
		{"SELECT count(*)", "count"},
		{"SELECT count(*) AS N, sum(x) total, avg(y) AS \"Avg\"", `n total Avg`},
		{"SELECT pg_catalog.version(), current_database(), current_user, CURRENT_SCHEMA", "version current_database current_user current_schema"},
		{"SELECT 1, 'a', NULL, -1, 1 + 2, a = b, x IS NULL, NOT x", "?column? ?column? ?column? ?column? ?column? ?column? ?column? ?column?"},
		{"SELECT true, 'a'::text, 1::int, 2::bigint, x::int, CAST(y AS integer), CAST(1 AS bigint), c.oid::regclass::text", "bool text int4 int8 x y int8 oid"},
		{"SELECT Name, t.ID, \"Mixed\", s.t.col FROM t", "name id Mixed col"},
		{"SELECT CASE WHEN a THEN 1 END, ARRAY[1,2], array(select 1), EXISTS(SELECT 1), (SELECT max(x) FROM t), (SELECT 1 AS one)", "case array array exists max one"},
		{"SELECT regions[1], (x), count(*) FILTER (WHERE a) OVER (PARTITION BY b), date '2024-01-01'", "regions x count date"},
		{"SELECT DISTINCT type FROM t", "type"},
		{"WITH q AS (SELECT 1 AS a) SELECT count(*) FROM q", "count"},
	} {
		toks, err := lexPG(tc.sql)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Fields(tc.want)
		out := make(wire.Columns, len(want))
		for i := range out {
			out[i].Name = "sqlite"
		}
		pgNames(out, toks)
		var got []string
		for _, c := range out {
			got = append(got, c.Name)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s\n got %v\nwant %v", tc.sql, got, want)
		}
	}
	// A list with * keeps the names it has.
	toks, _ := lexPG("SELECT *, count(*) FROM t")
	out := wire.Columns{{Name: "a"}, {Name: "count(*)"}}
	pgNames(out, toks)
	if out[1].Name != "count(*)" {
		t.Errorf("with *: %v", out)
	}
}
