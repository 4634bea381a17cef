package sqltext_test

import (
	"errors"
	"testing"

	"github.com/apiql/apiql/engine/sqltext"
)

// checkStatements checks the invariants of Split's result against src.
func checkStatements(t *testing.T, src string, stmts []sqltext.Statement) {
	t.Helper()
	prev := 0
	for i, st := range stmts {
		if st.Pos < prev || st.Pos+len(st.Text) > len(src) || src[st.Pos:st.Pos+len(st.Text)] != st.Text {
			t.Fatalf("%q: statement %d: Text %q is not src[%d:]", src, i, st.Text, st.Pos)
		}
		if line, _ := sqltext.LineCol(src, st.Pos); line != st.Line {
			t.Fatalf("%q: statement %d: Line %d, want %d", src, i, st.Line, line)
		}
		if len(st.Tokens) == 0 {
			t.Fatalf("%q: statement %d is empty", src, i)
		}
		if st.Tokens[0].Pos != 0 || st.Tokens[len(st.Tokens)-1].End != len(st.Text) {
			t.Fatalf("%q: statement %d: Text %q does not run from its first token to its last", src, i, st.Text)
		}
		checkPositions(t, st.Text, st.Tokens)
		if st.Kind != sqltext.Classify(st.Tokens) {
			t.Fatalf("%q: statement %d: Kind %v, Classify says %v", src, i, st.Kind, sqltext.Classify(st.Tokens))
		}
		prev = st.Pos + len(st.Text)
	}
}

func TestSplit(t *testing.T) {
	type want struct {
		text string
		pos  int
		line int
		kind sqltext.StmtKind
	}
	tests := []struct {
		src  string
		want []want
	}{
		{"", nil},
		{"  \n\t", nil},
		{";", nil},
		{";;  ;\n;", nil},
		{"-- nothing here\n/* nor here */ ; -- still nothing", nil},
		{"SELECT 1", []want{{"SELECT 1", 0, 1, sqltext.Select}}},
		{"SELECT 1;", []want{{"SELECT 1", 0, 1, sqltext.Select}}},
		{"  SELECT 1 ;  ", []want{{"SELECT 1", 2, 1, sqltext.Select}}},
		{"SELECT 1; SELECT 2", []want{{"SELECT 1", 0, 1, sqltext.Select}, {"SELECT 2", 10, 1, sqltext.Select}}},
		{"SELECT 1;\n\nDELETE FROM p.s.r WHERE id = 1;\n", []want{
			{"SELECT 1", 0, 1, sqltext.Select}, {"DELETE FROM p.s.r WHERE id = 1", 11, 3, sqltext.Delete}}},
		// Semicolons in strings, quoted identifiers and comments.
		{"SELECT 'a;b'; SELECT 2", []want{{"SELECT 'a;b'", 0, 1, sqltext.Select}, {"SELECT 2", 14, 1, sqltext.Select}}},
		{"SELECT 'it'';s'", []want{{"SELECT 'it'';s'", 0, 1, sqltext.Select}}},
		{`SELECT "a;b", ` + "`c;d`, [e;f]", []want{{`SELECT "a;b", ` + "`c;d`, [e;f]", 0, 1, sqltext.Select}}},
		{"SELECT 1 -- a; b\n, 2", []want{{"SELECT 1 -- a; b\n, 2", 0, 1, sqltext.Select}}},
		{"SELECT 1 /* ; */ + 2", []want{{"SELECT 1 /* ; */ + 2", 0, 1, sqltext.Select}}},
		// Leading and trailing comments are not part of Text.
		{"-- first\n/* c */ SELECT 1 -- trailing\n; -- after", []want{{"SELECT 1", 17, 2, sqltext.Select}}},
		{"SELECT 1 /* c */;", []want{{"SELECT 1", 0, 1, sqltext.Select}}},
		// A comment-only statement between two statements.
		{"SELECT 1; -- just a comment\n; SELECT 2", []want{{"SELECT 1", 0, 1, sqltext.Select}, {"SELECT 2", 30, 2, sqltext.Select}}},
		// A -- comment at the end without a newline.
		{"SELECT 1; -- bye", []want{{"SELECT 1", 0, 1, sqltext.Select}}},
		// EXEC and SHOW statements.
		{"EXEC digitalocean.images.images.update @image_id = 1, @@json = '{\"name\": \"x;y\"}';\nSHOW METHODS IN digitalocean.images.images",
			[]want{{"EXEC digitalocean.images.images.update @image_id = 1, @@json = '{\"name\": \"x;y\"}'", 0, 1, sqltext.Exec},
				{"SHOW METHODS IN digitalocean.images.images", 82, 2, sqltext.Show}}},
		// A trigger's body is part of its statement (as in sqlite3_complete).
		{"CREATE TRIGGER t AFTER INSERT ON x BEGIN DELETE FROM p.s.r WHERE id = 1; UPDATE y SET a = CASE WHEN 1 THEN 2 END; END; SELECT 1",
			[]want{{"CREATE TRIGGER t AFTER INSERT ON x BEGIN DELETE FROM p.s.r WHERE id = 1; UPDATE y SET a = CASE WHEN 1 THEN 2 END; END", 0, 1, sqltext.Other},
				{"SELECT 1", 119, 1, sqltext.Select}}},
		{"create temp trigger t after delete on x begin select 1; end -- c\n; DELETE FROM p.s.r WHERE id = 2",
			[]want{{"create temp trigger t after delete on x begin select 1; end", 0, 1, sqltext.Other},
				{"DELETE FROM p.s.r WHERE id = 2", 67, 2, sqltext.Delete}}},
		{"CREATE TEMPORARY TRIGGER t BEFORE UPDATE ON x BEGIN SELECT 1;;END;SELECT 2",
			[]want{{"CREATE TEMPORARY TRIGGER t BEFORE UPDATE ON x BEGIN SELECT 1;;END", 0, 1, sqltext.Other},
				{"SELECT 2", 66, 1, sqltext.Select}}},
		// An unfinished trigger runs to the end of the text.
		{"CREATE TRIGGER t AFTER INSERT ON x BEGIN DELETE FROM y; SELECT 1",
			[]want{{"CREATE TRIGGER t AFTER INSERT ON x BEGIN DELETE FROM y; SELECT 1", 0, 1, sqltext.Other}}},
		{"EXPLAIN CREATE TRIGGER IF NOT EXISTS t AFTER INSERT ON x BEGIN SELECT 1; END; SELECT 2",
			[]want{{"EXPLAIN CREATE TRIGGER IF NOT EXISTS t AFTER INSERT ON x BEGIN SELECT 1; END", 0, 1, sqltext.Other},
				{"SELECT 2", 78, 1, sqltext.Select}}},
		// A table named trigger is no trigger.
		{"CREATE TABLE trigger (a); SELECT 1", []want{{"CREATE TABLE trigger (a)", 0, 1, sqltext.Other}, {"SELECT 1", 26, 1, sqltext.Select}}},
	}
	for _, tt := range tests {
		stmts, err := sqltext.Split(tt.src)
		if err != nil {
			t.Errorf("Split(%q): %v", tt.src, err)
			continue
		}
		checkStatements(t, tt.src, stmts)
		if len(stmts) != len(tt.want) {
			t.Errorf("Split(%q): %d statements %+v, want %d", tt.src, len(stmts), stmts, len(tt.want))
			continue
		}
		for i, w := range tt.want {
			st := stmts[i]
			if st.Text != w.text || st.Pos != w.pos || st.Line != w.line || st.Kind != w.kind {
				t.Errorf("Split(%q)[%d] = {%q pos %d line %d %v}, want {%q pos %d line %d %v}",
					tt.src, i, st.Text, st.Pos, st.Line, st.Kind, w.text, w.pos, w.line, w.kind)
			}
		}
	}
}

func TestSplitTokensRelative(t *testing.T) {
	src := "SELECT 1;\n  SELECT name FROM p.s.r WHERE id = 'x'"
	stmts, err := sqltext.Split(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 2 {
		t.Fatalf("got %d statements", len(stmts))
	}
	st := stmts[1]
	if st.Pos != 12 || st.Line != 2 {
		t.Fatalf("Pos %d Line %d", st.Pos, st.Line)
	}
	abs := lexAll(t, src)[3:] // after SELECT 1 ;
	if len(abs) != len(st.Tokens) {
		t.Fatalf("%d tokens, want %d", len(st.Tokens), len(abs))
	}
	for i, tok := range st.Tokens {
		a := abs[i]
		if tok.Pos != a.Pos-st.Pos || tok.End != a.End-st.Pos || tok.Text != a.Text || tok.Value != a.Value || tok.Kind != a.Kind {
			t.Errorf("token %d = %+v, want %+v shifted by %d", i, tok, a, st.Pos)
		}
	}
	last := st.Tokens[len(st.Tokens)-1]
	if last.Value != "x" || st.Text[last.Pos:last.End] != "'x'" {
		t.Errorf("last token %+v", last)
	}
}

func TestSplitErrors(t *testing.T) {
	tests := []struct {
		src string
		pos int
	}{
		{"SELECT 1; SELECT 'abc", 17},
		{"SELECT 1;\nSELECT \"x", 17},
		{"SELECT 1; /* open", 10},
		{"SELECT [a;\nb", 7},
	}
	for _, tt := range tests {
		stmts, err := sqltext.Split(tt.src)
		var le *sqltext.Error
		if !errors.As(err, &le) || le.Pos != tt.pos {
			t.Errorf("Split(%q) = %v, %v; want *Error at %d", tt.src, stmts, err, tt.pos)
		}
		if stmts != nil {
			t.Errorf("Split(%q) returned statements with an error", tt.src)
		}
	}
}

func TestFirstLine(t *testing.T) {
	st := func(src string) sqltext.Statement {
		stmts, err := sqltext.Split(src)
		if err != nil || len(stmts) != 1 {
			t.Fatalf("Split(%q) = %v, %v", src, stmts, err)
		}
		return stmts[0]
	}
	tests := []struct {
		src  string
		n    int
		want string
	}{
		{"SELECT 1", 80, "SELECT 1"},
		{"SELECT name   \n  FROM p.s.r", 80, "SELECT name"},
		{"SELECT name FROM p.s.r", 10, "SELECT na…"},
		{"SELECT name FROM p.s.r", 22, "SELECT name FROM p.s.r"},
		{"SELECT name FROM p.s.r", 21, "SELECT name FROM p.s…"},
		{"SELECT 'ééééé'", 10, "SELECT 'é…"},
		{"SELECT 1", 1, "…"},
		{"SELECT 1", 0, ""},
		{"SELECT 1", -3, ""},
	}
	for _, tt := range tests {
		if got := st(tt.src).FirstLine(tt.n); got != tt.want {
			t.Errorf("FirstLine(%q, %d) = %q, want %q", tt.src, tt.n, got, tt.want)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		src  string
		want sqltext.StmtKind
	}{
		{"SELECT 1", sqltext.Select},
		{"select * from digitalocean.images.images", sqltext.Select},
		{"WITH x AS (SELECT 1) SELECT * FROM x", sqltext.Select},
		{"WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM x WHERE n < 3) SELECT n FROM x", sqltext.Select},
		{"WITH a AS (SELECT 1), b AS NOT MATERIALIZED (SELECT 2) VALUES (1)", sqltext.Select},
		{"VALUES (1), (2)", sqltext.Select},
		{"(SELECT 1)", sqltext.Select},
		{"((SELECT 1))", sqltext.Select},
		{"(VALUES (1))", sqltext.Select},
		{"(WITH x AS (SELECT 1) SELECT * FROM x)", sqltext.Select},
		{"INSERT INTO p.s.r (data__name) VALUES ('a')", sqltext.Insert},
		{"insert or replace into t values (1)", sqltext.Insert},
		{"REPLACE INTO t VALUES (1)", sqltext.Insert},
		{"UPDATE p.s.r SET data__name = 'x' WHERE image_id = 1", sqltext.Update},
		{"DELETE FROM p.s.r WHERE image_id = 1", sqltext.Delete},
		{"EXEC p.s.r.m @a = 1", sqltext.Exec},
		{"execute p.s.r.m", sqltext.Exec},
		{"SHOW PROVIDERS", sqltext.Show},
		{"show methods in p.s.r", sqltext.Show},
		{"DESCRIBE p.s.r", sqltext.Describe},
		{"DESC p.s.r", sqltext.Describe},
		{"PRAGMA table_info(x)", sqltext.Other},
		{"CREATE TABLE t (a)", sqltext.Other},
		{"ATTACH 'x.db' AS x", sqltext.Other},
		{"EXPLAIN SELECT 1", sqltext.Explain},
		{"EXPLAIN QUERY PLAN DELETE FROM a.b.c WHERE id = 1", sqltext.Explain},
		{"EXPLAIN", sqltext.Other},
		{"EXPLAIN PRAGMA x", sqltext.Other},
		{"BEGIN", sqltext.Other},
		{`"SELECT" 1`, sqltext.Other},
		{"'SELECT'", sqltext.Other},
		{"(", sqltext.Other},
		{"((", sqltext.Other},
		{"1", sqltext.Other},
		// Only a query stands in parentheses.
		{"(INSERT INTO t VALUES (1))", sqltext.Other},
		{"(DELETE FROM p.s.r WHERE id = 1)", sqltext.Other},
		{"(UPDATE p.s.r SET a = 1)", sqltext.Other},
		{"(EXEC p.s.r.m)", sqltext.Other},
		// WITH before a write: the write decides.
		{"WITH ids AS (SELECT id FROM p.s.r WHERE name = 'x') DELETE FROM p.s.r WHERE image_id IN (SELECT id FROM ids)", sqltext.Delete},
		{"WITH v(a, b) AS (VALUES (1, 2)) INSERT INTO p.s.r (data__name) SELECT a FROM v", sqltext.Insert},
		{"with v as (select 1) replace into t select * from v", sqltext.Insert},
		{"WITH v AS MATERIALIZED (SELECT 1) UPDATE p.s.r SET data__name = 'x' WHERE image_id IN (SELECT * FROM v)", sqltext.Update},
		{"(WITH v AS (SELECT 1) DELETE FROM t)", sqltext.Other},
		// A CTE may be named like a keyword that is not reserved.
		{"WITH replace AS (SELECT 1) SELECT * FROM replace", sqltext.Select},
		{"WITH delete_me(update_at) AS (SELECT 1) SELECT * FROM delete_me", sqltext.Select},
		// Malformed WITH: still a query for SQLite to reject.
		{"WITH", sqltext.Select},
		{"WITH x AS (SELECT 1", sqltext.Select},
		{"WITH x AS (SELECT 1) 'oops'", sqltext.Select},
	}
	for _, tt := range tests {
		toks := lexAll(t, tt.src)
		if got := sqltext.Classify(toks); got != tt.want {
			t.Errorf("Classify(%q) = %v, want %v", tt.src, got, tt.want)
		}
	}
	if got := sqltext.Classify(nil); got != sqltext.Other {
		t.Errorf("Classify(nil) = %v", got)
	}
	names := map[sqltext.StmtKind]string{
		sqltext.Select: "SELECT", sqltext.Insert: "INSERT", sqltext.Update: "UPDATE", sqltext.Delete: "DELETE",
		sqltext.Exec: "EXEC", sqltext.Show: "SHOW", sqltext.Describe: "DESCRIBE", sqltext.Other: "other",
	}
	for k, want := range names {
		if k.String() != want {
			t.Errorf("StmtKind(%d).String() = %q, want %q", int(k), k.String(), want)
		}
	}
}
