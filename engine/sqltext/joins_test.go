package sqltext_test

import (
	"reflect"
	"testing"

	"github.com/apiql/apiql/engine/sqltext"
)

func TestAnalyzeJoins(t *testing.T) {
	for _, tc := range []struct {
		sql     string
		scope   int
		joins   []string // "left = right :: span" with " (on)" for ON conjuncts
		entries []sqltext.Entry
	}{
		{sql: "SELECT * FROM a.b.c d JOIN a.b.e r ON r.x = d.name",
			joins: []string{"r.x = d.name (on) :: r.x = d.name"}},
		{sql: "SELECT * FROM a.b.c d LEFT JOIN a.b.e r ON (r.x = d.name AND r.k = 1) WHERE d.y = 2",
			joins: []string{"r.x = d.name (on) :: r.x = d.name"}},
		{sql: "SELECT * FROM a.b.c d JOIN a.b.e r ON r.x = d.name JOIN a.b.f n ON n.p = r.id AND n.q BETWEEN 1 AND 2 WHERE n.z = 1",
			joins: []string{"r.x = d.name (on) :: r.x = d.name", "n.p = r.id (on) :: n.p = r.id"}},
		{sql: "SELECT * FROM a.b.c d, a.b.e r WHERE r.x = d.name AND d.k = 'v'",
			joins: []string{"r.x = d.name :: r.x = d.name"}},
		{sql: "SELECT * FROM a.b.c d, a.b.e r WHERE r.x = d.name OR d.k = 'v'"},
		{sql: "SELECT * FROM a.b.c d JOIN a.b.e r ON r.x = d.name OR r.x = d.other"},
		{sql: "SELECT * FROM a.b.c d JOIN a.b.e r ON r.x = lower(d.name)"},
		{sql: "WITH doms AS (SELECT name FROM a.b.c) SELECT * FROM doms d JOIN a.b.e r ON r.x = d.name", scope: 1,
			joins:   []string{"r.x = d.name (on) :: r.x = d.name"},
			entries: []sqltext.Entry{{Name: "doms", Alias: "d"}}},
		{sql: "SELECT * FROM a.b.c d JOIN a.b.e r ON r.x = d.name WHERE r.y IN (SELECT v FROM a.b.f f JOIN a.b.g g ON g.k = f.k)",
			joins: []string{"r.x = d.name (on) :: r.x = d.name"}},
		{sql: "SELECT * FROM a.b.c d JOIN a.b.e r ON r.x = d.name WHERE r.y IN (SELECT v FROM a.b.f f JOIN a.b.g g ON g.k = f.k)", scope: 1,
			joins: []string{"g.k = f.k (on) :: g.k = f.k"}},
	} {
		toks, err := sqltext.Lex(tc.sql)
		if err != nil {
			t.Fatal(err)
		}
		a := sqltext.Analyze(toks)
		checkAnalysis(t, tc.sql, toks, a)
		var got []string
		for _, j := range a.Scopes[tc.scope].Joins {
			s := j.Left.String() + " = " + j.Right.String()
			if j.On {
				s += " (on)"
			}
			got = append(got, s+" :: "+tc.sql[j.Pos:j.End])
		}
		if !reflect.DeepEqual(got, tc.joins) {
			t.Errorf("%s\njoins %q, want %q", tc.sql, got, tc.joins)
		}
		if !reflect.DeepEqual(a.Scopes[tc.scope].Entries, tc.entries) {
			t.Errorf("%s\nentries %v, want %v", tc.sql, a.Scopes[tc.scope].Entries, tc.entries)
		}
	}
}

func TestParseWith(t *testing.T) {
	sql := "WITH RECURSIVE a(x) AS (SELECT 1), b AS MATERIALIZED (SELECT x FROM a) SELECT * FROM b"
	toks, err := sqltext.Lex(sql)
	if err != nil {
		t.Fatal(err)
	}
	w := sqltext.ParseWith(toks)
	if w == nil || !w.Recursive || len(w.CTEs) != 2 {
		t.Fatalf("ParseWith = %+v", w)
	}
	for i, want := range []struct{ name, body, whole string }{
		{"a", "SELECT 1", "a(x) AS (SELECT 1)"},
		{"b", "SELECT x FROM a", "b AS MATERIALIZED (SELECT x FROM a)"},
	} {
		c := w.CTEs[i]
		if c.Name != want.name || sql[c.Body.Pos:c.Body.End] != want.body || sql[c.Pos:c.End] != want.whole {
			t.Errorf("CTE %d = %q %q %q, want %+v", i, c.Name, sql[c.Body.Pos:c.Body.End], sql[c.Pos:c.End], want)
		}
	}
	if got := sql[w.End:]; got != " SELECT * FROM b" {
		t.Errorf("after the clause: %q", got)
	}
	for _, bad := range []string{"SELECT 1", "WITH a AS SELECT 1", "WITH a AS () SELECT 1", "WITH (SELECT 1)"} {
		toks, _ := sqltext.Lex(bad)
		if w := sqltext.ParseWith(toks); w != nil {
			t.Errorf("ParseWith(%q) = %+v, want nil", bad, w)
		}
	}
}

func TestAnalyzeConjuncts(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		want []string
	}{
		{"SELECT * FROM a.b.c d WHERE d.x LIKE 'a%' AND (d.y = 1 OR d.z = 2) AND d.n BETWEEN 1 AND 3", []string{"d.x LIKE 'a%'", "(d.y = 1 OR d.z = 2)", "d.n BETWEEN 1 AND 3"}},
		{"SELECT * FROM a.b.c d WHERE (d.x = 1 AND d.y = 2) ORDER BY 1", []string{"d.x = 1", "d.y = 2"}},
		{"SELECT * FROM a.b.c d WHERE d.x = 1 OR d.y = 2", nil},
		{"SELECT * FROM a.b.c d WHERE CASE WHEN d.x AND d.y THEN 1 END = 1 AND d.z", []string{"CASE WHEN d.x AND d.y THEN 1 END = 1", "d.z"}},
	} {
		toks, err := sqltext.Lex(tc.sql)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, sp := range sqltext.Analyze(toks).Scopes[0].Conjuncts {
			got = append(got, tc.sql[sp.Pos:sp.End])
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: conjuncts %q, want %q", tc.sql, got, tc.want)
		}
	}
}
