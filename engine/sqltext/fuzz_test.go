package sqltext_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/apiql/apiql/engine/sqltext"
)

// seeds are realistic statements and scripts, among them the design
// notes' examples, and lexical corner cases.
var seeds = []string{
	"SELECT * FROM digitalocean.images.images",
	"SELECT id, name, distribution FROM digitalocean.images.images WHERE type = 'distribution'",
	"SELECT * FROM digitalocean.images.images WHERE image_id = 7",
	"SELECT * FROM digitalocean.images.images WHERE image_id IN (7, 8, 9)",
	"SELECT * FROM digitalocean.images.images WHERE private = true AND tag_name = 'web'",
	"SELECT * FROM digitalocean.images.images WHERE type = 'snapshot' OR type = 'backup'",
	"SELECT i.name, r.value AS region FROM digitalocean.images.images i, json_each(i.regions) r WHERE r.value = 'nyc3'",
	"SELECT name, regions->>'$[0]' AS first, json_extract(tags, '$') FROM digitalocean.images.images WHERE name GLOB 'ubuntu*'",
	"SELECT name || ' ' || distribution FROM digitalocean.images.images ORDER BY name LIMIT 10 OFFSET 5",
	"SELECT distribution, count(*) AS n, row_number() OVER (ORDER BY count(*) DESC) FROM digitalocean.images.images GROUP BY distribution HAVING n > 1",
	"WITH apps AS (SELECT * FROM digitalocean.images.images WHERE type = 'application') SELECT a.name FROM apps a JOIN digitalocean.images.images d ON a.id = d.id",
	"SELECT * FROM digitalocean.images.images a LEFT JOIN (SELECT id FROM digitalocean.images.images WHERE private = 1) b ON a.id = b.id",
	"SELECT id FROM p.s.a WHERE x = 1 UNION ALL SELECT id FROM p.s.b WHERE y BETWEEN 1 AND 2 AND z = -3",
	"SELECT * FROM (p.s.a a JOIN p.s.b b USING (id)) WHERE a.t = 'x' AND CASE WHEN a.u AND b.v THEN 1 END",
	"INSERT INTO digitalocean.images.images (data__name, data__region, data__url, data__distribution, data__tags) VALUES ('my-image', 'nyc3', 'http://example.com/img.qcow2', 'Ubuntu', '[\"base\"]'), ('b', 'sfo3', 'http://x', NULL, '[]')",
	"INSERT INTO digitalocean.images.images (data__name, data__region, data__url) SELECT name, 'nyc3', 'http://x/' || name FROM digitalocean.images.images WHERE type = 'snapshot' RETURNING id, name",
	"DELETE FROM digitalocean.images.images WHERE image_id = 1",
	"DELETE FROM digitalocean.images.images WHERE image_id IN (1, 2, 3)",
	"DELETE FROM digitalocean.images.images WHERE image_id IN (SELECT id FROM digitalocean.images.images WHERE name LIKE 'tmp-%')",
	"UPDATE digitalocean.images.images SET data__name = 'x', data__description = upper('y') WHERE image_id = 1 RETURNING *",
	"EXEC digitalocean.images.images.update @image_id = 1, @name = 'x' @@json = '{\"name\": \"x\"}'",
	"EXEC digitalocean.images.images._get @image_id = 7",
	"SHOW PROVIDERS; SHOW SERVICES IN digitalocean; SHOW RESOURCES IN digitalocean.images; SHOW METHODS IN digitalocean.images.images",
	"DESCRIBE digitalocean.images.images; DESC digitalocean.images.images",
	"SELECT 1; SELECT 'a;b' AS \"c;d\", `e;f`, [g;h] -- x; y\n; /* ; */ SELECT 2;",
	"-- only a comment",
	"/* c */ ; ; -- d\n",
	"SELECT x'41', 0x1F, 1e3, .5, 1.5, 1_000, ?, ?1, :name, $name, @p, @@json, a->b, a->>b, a<=b, a>=b, a<>b, a!=b, a==b",
	"SELECT 'it''s', \"a\"\"b\", `c``d`, [e]",
	"SELECT café, 名前 FROM données.サービス.リソース",
	"CREATE TRIGGER t AFTER INSERT ON x BEGIN DELETE FROM p.s.r WHERE id = 1; END; SELECT 1",
	"WITH c AS (SELECT id FROM p.s.r) DELETE FROM p.s.r WHERE image_id IN (SELECT id FROM c)",
	"INSERT INTO t SELECT * FROM p.s.r WHERE true ON CONFLICT (id) DO UPDATE SET a = 1 WHERE b = 2",
	"SELECT * FROM p.s.r WHERE a IS NOT DISTINCT FROM b AND window = 1",
	"SELECT x.id FROM p.s.r 'x' WHERE x.id = #a AND x.n = $1 AND x.m = :2",
	"DELETE FROM p.s.r WHERE image_id = 1) OR (1 = 1",
	"EXPLAIN CREATE TRIGGER IF NOT EXISTS t AFTER INSERT ON x BEGIN SELECT 1; END; SELECT 2",
	"SELECT 'unterminated",
	"SELECT /* unterminated",
	"((((SELECT))))) FROM ( WHERE ) AND OR BETWEEN CASE END IN (SELECT",
}

func FuzzLex(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		toks, err := sqltext.Lex(src)
		if err != nil {
			var le *sqltext.Error
			if !errors.As(err, &le) || le.Pos < 0 || le.Pos > len(src) {
				t.Fatalf("Lex(%q): error %v", src, err)
			}
		}
		prev := 0
		for i, tok := range toks {
			if tok.Pos < prev || tok.End <= tok.Pos || tok.End > len(src) || src[tok.Pos:tok.End] != tok.Text {
				t.Fatalf("Lex(%q): token %d %+v: Text is not src[Pos:End] (previous end %d)", src, i, tok, prev)
			}
			if err != nil && tok.End > err.(*sqltext.Error).Pos {
				t.Fatalf("Lex(%q): token %+v after the error at %d", src, tok, err.(*sqltext.Error).Pos)
			}
			// Between tokens there is only space and comments.
			if gap, gerr := sqltext.Lex(src[prev:tok.Pos]); len(gap) != 0 || gerr != nil {
				t.Fatalf("Lex(%q): gap %q before token %d holds %v %v", src, src[prev:tok.Pos], i, gap, gerr)
			}
			// A token lexes alone as itself.
			alone, aerr := sqltext.Lex(tok.Text)
			if aerr != nil || len(alone) != 1 || alone[0].Kind != tok.Kind || alone[0].Text != tok.Text || alone[0].Value != tok.Value {
				t.Fatalf("Lex(%q): token %+v lexes alone as %+v, %v", src, tok, alone, aerr)
			}
			switch tok.Kind {
			case sqltext.String:
				if want := strings.ReplaceAll(tok.Text[1:len(tok.Text)-1], "''", "'"); tok.Value != want {
					t.Fatalf("Lex(%q): string %+v, want Value %q", src, tok, want)
				}
			case sqltext.Ident, sqltext.Number, sqltext.Op, sqltext.Blob:
				if tok.Value != tok.Text {
					t.Fatalf("Lex(%q): %v %+v: Value differs from Text", src, tok.Kind, tok)
				}
			case sqltext.Param:
				if !strings.HasSuffix(tok.Text, tok.Value) {
					t.Fatalf("Lex(%q): parameter %+v", src, tok)
				}
			}
			prev = tok.End
		}
		if err == nil {
			if gap, gerr := sqltext.Lex(src[prev:]); len(gap) != 0 || gerr != nil {
				t.Fatalf("Lex(%q): trailing gap %q holds %v %v", src, src[prev:], gap, gerr)
			}
		}
		for _, pos := range []int{-1, 0, len(src) / 2, len(src), len(src) + 1} {
			if line, col := sqltext.LineCol(src, pos); line < 1 || col < 1 {
				t.Fatalf("LineCol(%q, %d) = %d, %d", src, pos, line, col)
			}
		}
	})
}

func FuzzSplit(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		stmts, err := sqltext.Split(src)
		all, lerr := sqltext.Lex(src)
		if (err == nil) != (lerr == nil) {
			t.Fatalf("Split(%q) error %v, Lex error %v", src, err, lerr)
		}
		if err != nil {
			var se, le *sqltext.Error
			if !errors.As(err, &se) || !errors.As(lerr, &le) || se.Pos != le.Pos || stmts != nil {
				t.Fatalf("Split(%q) = %v, %v; Lex error %v", src, stmts, err, lerr)
			}
			return
		}
		checkStatements(t, src, stmts)
		// Re-joining loses no token: the statements' tokens, in their
		// places, are all of src's tokens but the separating semicolons.
		k := 0
		for _, st := range stmts {
			for _, tok := range st.Tokens {
				for k < len(all) && all[k].IsOp(";") && all[k].Pos < st.Pos+tok.Pos {
					k++
				}
				if k == len(all) {
					t.Fatalf("Split(%q): token %+v of %q is not in the text", src, tok, st.Text)
				}
				a := all[k]
				if a.Pos != st.Pos+tok.Pos || a.End != st.Pos+tok.End || a.Text != tok.Text || a.Value != tok.Value || a.Kind != tok.Kind {
					t.Fatalf("Split(%q): token %+v of %q at %d, want %+v", src, tok, st.Text, st.Pos, a)
				}
				k++
			}
		}
		for ; k < len(all); k++ {
			if !all[k].IsOp(";") {
				t.Fatalf("Split(%q): token %+v is in no statement", src, all[k])
			}
		}
		// The statements, joined again, split the same way.
		texts := make([]string, len(stmts))
		for i, st := range stmts {
			texts[i] = st.Text
		}
		again, err := sqltext.Split(strings.Join(texts, ";\n"))
		if err != nil || len(again) != len(stmts) {
			t.Fatalf("Split(%q) = %d statements; joined again: %d, %v", src, len(stmts), len(again), err)
		}
		for i := range again {
			if again[i].Text != stmts[i].Text || again[i].Kind != stmts[i].Kind || len(again[i].Tokens) != len(stmts[i].Tokens) {
				t.Fatalf("Split(%q): statement %d %q became %q", src, i, stmts[i].Text, again[i].Text)
			}
		}
		for _, st := range stmts {
			for _, n := range []int{-1, 0, 1, 2, 40} {
				if r := []rune(st.FirstLine(n)); len(r) > max(n, 0) {
					t.Fatalf("FirstLine(%d) of %q = %q", n, st.Text, string(r))
				}
			}
		}
	})
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		// The tokens of arbitrary text, up to a lexical error.
		toks, _ := sqltext.Lex(src)
		checkAnalysis(t, src, toks, sqltext.Analyze(toks))
		if len(toks) > 1 {
			// Any part of them too.
			part := toks[len(toks)/3:]
			checkAnalysis(t, src, part, sqltext.Analyze(part))
		}
		stmts, err := sqltext.Split(src)
		if err != nil {
			return
		}
		for _, st := range stmts {
			checkAnalysis(t, st.Text, st.Tokens, sqltext.Analyze(st.Tokens))
		}
	})
}
