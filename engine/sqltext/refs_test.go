package sqltext_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/apiql/apiql/engine/sqltext"
)

// refW is an expected reference: name, alias, scope and the text it spans.
type refW struct {
	name, alias string
	scope       int
	span        string
}

// scopeW is an expected scope: FROM entries, outer join, and preds, each
// written "form :: span" (see predForm).
type scopeW struct {
	tables int
	outer  bool
	preds  []string
}

// predForm writes a pred as "q.col = v", "col IN [v1 v2]" or
// "col IN <subquery text>", followed by " :: " and the text it spans.
func predForm(text string, p sqltext.Pred) string {
	var b strings.Builder
	if p.Qualifier != "" {
		b.WriteString(p.Qualifier + ".")
	}
	b.WriteString(p.Column)
	switch {
	case p.Subquery != nil:
		fmt.Fprintf(&b, " IN <%s>", text[p.Subquery.Pos:p.Subquery.End])
	case p.In:
		vals := make([]string, len(p.Values))
		for i, v := range p.Values {
			vals[i] = v.Text
		}
		fmt.Fprintf(&b, " IN [%s]", strings.Join(vals, " "))
	default:
		for _, v := range p.Values {
			b.WriteString(" = " + v.Text)
		}
	}
	return b.String() + " :: " + text[p.Pos:p.End]
}

// checkAnalysis checks what must hold of any analysis of the tokens of text:
// indexes are consistent, every Ref and Pred span lies inside the text and
// on token boundaries, and Pred spans do not overlap except where a
// subquery pred holds its subquery's preds.
func checkAnalysis(t testing.TB, text string, toks []sqltext.Token, a *sqltext.Analysis) {
	t.Helper()
	starts, ends := map[int]bool{}, map[int]bool{}
	for _, tok := range toks {
		starts[tok.Pos], ends[tok.End] = true, true
	}
	inside := func(what string, pos, end int) {
		t.Helper()
		if pos < 0 || end > len(text) || pos >= end || !starts[pos] || !ends[end] {
			t.Fatalf("%q: %s span [%d,%d) is not a token range of the statement", text, what, pos, end)
		}
	}
	seen := map[int]bool{}
	for si, sc := range a.Scopes {
		if sc.Tables < 0 {
			t.Fatalf("%q: scope %d: Tables %d", text, si, sc.Tables)
		}
		for _, ri := range sc.Refs {
			if ri < 0 || ri >= len(a.Refs) || a.Refs[ri].Scope != si || seen[ri] {
				t.Fatalf("%q: scope %d lists ref %d wrongly (%+v)", text, si, ri, a.Refs)
			}
			seen[ri] = true
		}
	}
	for i, r := range a.Refs {
		if !seen[i] {
			t.Fatalf("%q: ref %d is in no scope's Refs", text, i)
		}
		if r.Scope < 0 || r.Scope >= len(a.Scopes) {
			t.Fatalf("%q: ref %d: scope %d of %d", text, i, r.Scope, len(a.Scopes))
		}
		if len(r.Parts) < 3 {
			t.Fatalf("%q: ref %d has %d parts", text, i, len(r.Parts))
		}
		inside("ref", r.Pos, r.End)
	}
	type span struct {
		pos, end int
		sub      *sqltext.Span
		scope    int
	}
	var all []span
	for si, sc := range a.Scopes {
		for _, p := range sc.Preds {
			inside("pred", p.Pos, p.End)
			if p.Column == "" {
				t.Fatalf("%q: pred without a column: %+v", text, p)
			}
			if p.Subquery != nil {
				if !p.In || len(p.Values) != 0 {
					t.Fatalf("%q: subquery pred %+v", text, p)
				}
				inside("subquery", p.Subquery.Pos, p.Subquery.End)
				if p.Subquery.Pos < p.Pos || p.Subquery.End > p.End {
					t.Fatalf("%q: subquery span outside its pred: %+v", text, p)
				}
			} else if len(p.Values) == 0 || !p.In && len(p.Values) != 1 {
				t.Fatalf("%q: pred values %+v", text, p)
			}
			for _, v := range p.Values {
				if v.Pos < p.Pos || v.End > p.End {
					t.Fatalf("%q: value %+v outside its pred [%d,%d)", text, v, p.Pos, p.End)
				}
			}
			all = append(all, span{p.Pos, p.End, p.Subquery, si})
		}
	}
	for i := range all {
		for j := range all {
			x, y := all[i], all[j]
			if i == j || x.end <= y.pos || y.end <= x.pos {
				continue
			}
			// Overlapping: only a subquery pred may hold another pred,
			// of another scope, inside its subquery.
			if x.sub != nil && x.scope != y.scope && x.sub.Pos <= y.pos && y.end <= x.sub.End {
				continue
			}
			if y.sub != nil && x.scope != y.scope && y.sub.Pos <= x.pos && x.end <= y.sub.End {
				continue
			}
			t.Fatalf("%q: preds [%d,%d) and [%d,%d) overlap", text, x.pos, x.end, y.pos, y.end)
		}
	}
}

func analyze(t *testing.T, text string) *sqltext.Analysis {
	t.Helper()
	toks := lexAll(t, text)
	a := sqltext.Analyze(toks)
	checkAnalysis(t, text, toks, a)
	return a
}

func TestAnalyze(t *testing.T) {
	tests := []struct {
		sql    string
		refs   []refW
		scopes []scopeW
	}{
		// References, with and without aliases.
		{"SELECT * FROM digitalocean.images.images",
			[]refW{{"digitalocean.images.images", "", 0, "digitalocean.images.images"}},
			[]scopeW{{1, false, nil}}},
		{"SELECT * FROM p.s.r AS x", []refW{{"p.s.r", "x", 0, "p.s.r"}}, []scopeW{{1, false, nil}}},
		{"select * from p.s.r x where x.id = 1", []refW{{"p.s.r", "x", 0, "p.s.r"}}, []scopeW{{1, false, []string{"x.id = 1 :: x.id = 1"}}}},
		{`SELECT * FROM "p"."s.x"."r" "my alias"`, []refW{{"p.s.x.r", "my alias", 0, `"p"."s.x"."r"`}}, []scopeW{{1, false, nil}}},
		{"SELECT * FROM [p].`s`.r AS [a]", []refW{{"p.s.r", "a", 0, "[p].`s`.r"}}, []scopeW{{1, false, nil}}},
		{"SELECT * FROM p.s.r 'x' WHERE x.id = 1", []refW{{"p.s.r", "x", 0, "p.s.r"}}, []scopeW{{1, false, []string{"x.id = 1 :: x.id = 1"}}}},
		{"SELECT * FROM p.s.r AS 'x'", []refW{{"p.s.r", "x", 0, "p.s.r"}}, []scopeW{{1, false, nil}}},
		{"SELECT * FROM p.s.r.x", []refW{{"p.s.r.x", "", 0, "p.s.r.x"}}, []scopeW{{1, false, nil}}},
		// The whole dotted name quoted as one identifier.
		{"SELECT * FROM `digitalocean.images.images` i", []refW{{"digitalocean.images.images", "i", 0, "`digitalocean.images.images`"}}, []scopeW{{1, false, nil}}},
		{`SELECT * FROM "a.b"`, nil, []scopeW{{1, false, nil}}},
		{`SELECT * FROM "a..b"`, nil, []scopeW{{1, false, nil}}},
		// Keywords are not aliases.
		{"SELECT * FROM p.s.r WHERE id = 1", []refW{{"p.s.r", "", 0, "p.s.r"}}, []scopeW{{1, false, []string{"id = 1 :: id = 1"}}}},
		{"SELECT * FROM p.s.r ORDER BY 1", []refW{{"p.s.r", "", 0, "p.s.r"}}, []scopeW{{1, false, nil}}},
		{"SELECT * FROM p.s.r LIMIT 1", []refW{{"p.s.r", "", 0, "p.s.r"}}, []scopeW{{1, false, nil}}},
		{"SELECT * FROM p.s.r NATURAL JOIN q.s.r", []refW{{"p.s.r", "", 0, "p.s.r"}, {"q.s.r", "", 0, "q.s.r"}}, []scopeW{{2, false, nil}}},
		{"SELECT * FROM p.s.r AS", []refW{{"p.s.r", "", 0, "p.s.r"}}, []scopeW{{1, false, nil}}},
		// Two-part names and other tables are not references, but count.
		{"SELECT * FROM main.t, s.r WHERE t.a = 1", nil, []scopeW{{2, false, []string{"t.a = 1 :: t.a = 1"}}}},
		{"SELECT * FROM t", nil, []scopeW{{1, false, nil}}},
		{"SELECT 1", nil, []scopeW{{0, false, nil}}},
		// JOINs and comma lists.
		{"SELECT * FROM p.s.a a JOIN p.s.b AS b ON a.id = b.id LEFT JOIN q.t.c c USING (id) WHERE a.x = 'y'",
			[]refW{{"p.s.a", "a", 0, "p.s.a"}, {"p.s.b", "b", 0, "p.s.b"}, {"q.t.c", "c", 0, "q.t.c"}},
			[]scopeW{{3, true, []string{"a.x = 'y' :: a.x = 'y'"}}}},
		{"SELECT * FROM p.s.a INNER JOIN p.s.b ON 1 CROSS JOIN p.s.c",
			[]refW{{"p.s.a", "", 0, "p.s.a"}, {"p.s.b", "", 0, "p.s.b"}, {"p.s.c", "", 0, "p.s.c"}},
			[]scopeW{{3, false, nil}}},
		{"SELECT * FROM p.s.a RIGHT OUTER JOIN p.s.b", []refW{{"p.s.a", "", 0, "p.s.a"}, {"p.s.b", "", 0, "p.s.b"}}, []scopeW{{2, true, nil}}},
		{"SELECT * FROM p.s.a FULL JOIN p.s.b", []refW{{"p.s.a", "", 0, "p.s.a"}, {"p.s.b", "", 0, "p.s.b"}}, []scopeW{{2, true, nil}}},
		{"SELECT i.name, t.value FROM digitalocean.images.images i, json_each(i.tags) t, local l, p.s.r WHERE t.value = 'x'",
			[]refW{{"digitalocean.images.images", "i", 0, "digitalocean.images.images"}, {"p.s.r", "", 0, "p.s.r"}},
			[]scopeW{{4, false, []string{"t.value = 'x' :: t.value = 'x'"}}}},
		// Subqueries in FROM count as entries.
		{"SELECT * FROM (SELECT * FROM p.s.r WHERE type = 'distribution') t WHERE t.id = 5",
			[]refW{{"p.s.r", "", 1, "p.s.r"}},
			[]scopeW{{1, false, []string{"t.id = 5 :: t.id = 5"}}, {1, false, []string{"type = 'distribution' :: type = 'distribution'"}}}},
		{"SELECT * FROM p.s.r, (VALUES (1), (2)) v", []refW{{"p.s.r", "", 0, "p.s.r"}}, []scopeW{{2, false, nil}}},
		{"SELECT * FROM p.s.r r LEFT JOIN (SELECT 1 AS id) s ON s.id = r.id",
			[]refW{{"p.s.r", "r", 0, "p.s.r"}}, []scopeW{{2, true, nil}, {0, false, nil}}},
		// A parenthesised join: its entries are the block's.
		{"SELECT * FROM (p.s.a a JOIN p.s.b b ON a.id = b.id) WHERE a.x = 1",
			[]refW{{"p.s.a", "a", 0, "p.s.a"}, {"p.s.b", "b", 0, "p.s.b"}},
			[]scopeW{{2, false, []string{"a.x = 1 :: a.x = 1"}}}},
		{"SELECT * FROM ((SELECT 1) x, (p.s.r)) WHERE id = 2",
			[]refW{{"p.s.r", "", 0, "p.s.r"}},
			[]scopeW{{2, false, []string{"id = 2 :: id = 2"}}, {0, false, nil}}},
		// Subqueries in the select list and WHERE.
		{"SELECT (SELECT count(*) FROM p.s.r) AS n", []refW{{"p.s.r", "", 1, "p.s.r"}}, []scopeW{{0, false, nil}, {1, false, nil}}},
		{"SELECT * FROM p.s.a WHERE id IN (SELECT image_id FROM p.s.b WHERE name = 'n') AND type = 'x'",
			[]refW{{"p.s.a", "", 0, "p.s.a"}, {"p.s.b", "", 1, "p.s.b"}},
			[]scopeW{
				{1, false, []string{
					"id IN <SELECT image_id FROM p.s.b WHERE name = 'n'> :: id IN (SELECT image_id FROM p.s.b WHERE name = 'n')",
					"type = 'x' :: type = 'x'"}},
				{1, false, []string{"name = 'n' :: name = 'n'"}}}},
		// CTEs.
		{"WITH x AS (SELECT id FROM p.s.r WHERE private = true) SELECT * FROM x WHERE id = 1",
			[]refW{{"p.s.r", "", 0, "p.s.r"}},
			[]scopeW{{1, false, []string{"private = true :: private = true"}}, {1, false, []string{"id = 1 :: id = 1"}}}},
		{"WITH a AS (SELECT * FROM p.s.a), b(n) AS (SELECT name FROM p.s.b WHERE id = 2) SELECT * FROM a, b",
			[]refW{{"p.s.a", "", 0, "p.s.a"}, {"p.s.b", "", 1, "p.s.b"}},
			[]scopeW{{1, false, nil}, {1, false, []string{"id = 2 :: id = 2"}}, {2, false, nil}}},
		// Compound selects.
		{"SELECT id FROM p.s.a WHERE type = 'x' UNION ALL SELECT id FROM p.s.b WHERE type = 'y' ORDER BY id",
			[]refW{{"p.s.a", "", 0, "p.s.a"}, {"p.s.b", "", 1, "p.s.b"}},
			[]scopeW{{1, false, []string{"type = 'x' :: type = 'x'"}}, {1, false, []string{"type = 'y' :: type = 'y'"}}}},
		{"SELECT id FROM p.s.a WHERE a = 1 INTERSECT SELECT id FROM p.s.b EXCEPT SELECT 2",
			[]refW{{"p.s.a", "", 0, "p.s.a"}, {"p.s.b", "", 1, "p.s.b"}},
			[]scopeW{{1, false, []string{"a = 1 :: a = 1"}}, {1, false, nil}, {0, false, nil}}},
		// Write targets.
		{"UPDATE p.s.r SET data__name = 'x' WHERE image_id = 1 RETURNING *",
			[]refW{{"p.s.r", "", 0, "p.s.r"}}, []scopeW{{0, false, []string{"image_id = 1 :: image_id = 1"}}}},
		{"UPDATE p.s.r AS i SET data__name = 'x' WHERE i.image_id IN (1, 2)",
			[]refW{{"p.s.r", "i", 0, "p.s.r"}}, []scopeW{{0, false, []string{"i.image_id IN [1 2] :: i.image_id IN (1, 2)"}}}},
		{"UPDATE OR REPLACE p.s.r SET a = 1 WHERE id = 2",
			[]refW{{"p.s.r", "", 0, "p.s.r"}}, []scopeW{{0, false, []string{"id = 2 :: id = 2"}}}},
		{"UPDATE t SET a = 1 FROM p.s.r AS r WHERE r.id = t.id AND r.id = 3",
			[]refW{{"p.s.r", "r", 0, "p.s.r"}}, []scopeW{{1, false, []string{"r.id = 3 :: r.id = 3"}}}},
		{"WITH v AS (SELECT 1) UPDATE p.s.r SET a = 1 WHERE id = 2",
			[]refW{{"p.s.r", "", 1, "p.s.r"}}, []scopeW{{0, false, nil}, {0, false, []string{"id = 2 :: id = 2"}}}},
		{"DELETE FROM p.s.r WHERE image_id IN (1, 2, 3)",
			[]refW{{"p.s.r", "", 0, "p.s.r"}}, []scopeW{{1, false, []string{"image_id IN [1 2 3] :: image_id IN (1, 2, 3)"}}}},
		{"DELETE FROM p.s.r WHERE image_id IN (SELECT id FROM p.s.r WHERE name = 'old') RETURNING id",
			[]refW{{"p.s.r", "", 0, "p.s.r"}, {"p.s.r", "", 1, "p.s.r"}},
			[]scopeW{
				{1, false, []string{"image_id IN <SELECT id FROM p.s.r WHERE name = 'old'> :: image_id IN (SELECT id FROM p.s.r WHERE name = 'old')"}},
				{1, false, []string{"name = 'old' :: name = 'old'"}}}},
		{"INSERT INTO p.s.r (data__name, data__region) VALUES ('a', 'nyc3')",
			[]refW{{"p.s.r", "", 0, "p.s.r"}}, []scopeW{{0, false, nil}}},
		{"INSERT INTO p.s.r(data__name) SELECT name FROM q.s.t WHERE id = 1",
			[]refW{{"p.s.r", "", 0, "p.s.r"}, {"q.s.t", "", 1, "q.s.t"}},
			[]scopeW{{0, false, nil}, {1, false, []string{"id = 1 :: id = 1"}}}},
		{"INSERT OR REPLACE INTO p.s.r VALUES (1)", []refW{{"p.s.r", "", 0, "p.s.r"}}, []scopeW{{0, false, nil}}},
		{"INSERT INTO t VALUES (1)", nil, []scopeW{{0, false, nil}}},
		// An upsert's WHERE is no query's WHERE.
		{"INSERT INTO p.s.r (a) VALUES (1) ON CONFLICT (id) DO UPDATE SET b = 2 WHERE id = 5",
			[]refW{{"p.s.r", "", 0, "p.s.r"}}, []scopeW{{0, false, nil}}},
		{"INSERT INTO t SELECT * FROM p.s.r WHERE true ON CONFLICT (id) DO UPDATE SET a = 1 WHERE a = 2 AND image_id = 5",
			[]refW{{"p.s.r", "", 1, "p.s.r"}}, []scopeW{{0, false, nil}, {1, false, nil}}},
		{"INSERT INTO t SELECT * FROM p.s.r WHERE type = 'x' ON CONFLICT DO NOTHING",
			[]refW{{"p.s.r", "", 1, "p.s.r"}}, []scopeW{{0, false, nil}, {1, false, []string{"type = 'x' :: type = 'x'"}}}},
		// EXEC, SHOW and DESCRIBE name resources outside any FROM.
		{`EXEC p.s.r.update @image_id = 1, @@json = '{"name": "x"}'`, nil, nil},
		{"EXEC p.s.r.delete @image_id = 1", nil, nil},
		{"EXEC p.s.r.select @image_id = 1", nil, nil},
		{"SELECT t.from, t.where FROM p.s.r t", []refW{{"p.s.r", "t", 0, "p.s.r"}}, []scopeW{{1, false, nil}}},
		{"SHOW METHODS IN digitalocean.images.images", nil, nil},
		{"DESCRIBE digitalocean.images.images", nil, nil},
		{"EXEC p.s.r.m @x = (SELECT id FROM q.s.r WHERE a = 1)",
			[]refW{{"q.s.r", "", 0, "q.s.r"}}, []scopeW{{1, false, []string{"a = 1 :: a = 1"}}}},
		// IS [NOT] DISTINCT FROM is an operator, not a FROM clause.
		{"SELECT * FROM p.s.r WHERE type = 'x' AND a IS NOT DISTINCT FROM b OR id = 2",
			[]refW{{"p.s.r", "", 0, "p.s.r"}}, []scopeW{{1, false, nil}}},
		{"SELECT * FROM p.s.r WHERE a IS DISTINCT FROM q.s.t AND id = 2",
			[]refW{{"p.s.r", "", 0, "p.s.r"}}, []scopeW{{1, false, []string{"id = 2 :: id = 2"}}}},
		{"SELECT a IS DISTINCT FROM b FROM p.s.r", []refW{{"p.s.r", "", 0, "p.s.r"}}, []scopeW{{1, false, nil}}},
	}
	for _, tt := range tests {
		a := analyze(t, tt.sql)
		var refs []refW
		for _, r := range a.Refs {
			refs = append(refs, refW{r.Name(), r.Alias, r.Scope, tt.sql[r.Pos:r.End]})
		}
		if fmt.Sprint(refs) != fmt.Sprint(tt.refs) {
			t.Errorf("%s\nrefs   %v\nwant   %v", tt.sql, refs, tt.refs)
		}
		var scopes []scopeW
		for _, sc := range a.Scopes {
			w := scopeW{tables: sc.Tables, outer: sc.OuterJoin}
			for _, p := range sc.Preds {
				w.preds = append(w.preds, predForm(tt.sql, p))
			}
			scopes = append(scopes, w)
		}
		if !reflect.DeepEqual(scopes, tt.scopes) {
			t.Errorf("%s\nscopes %+v\nwant   %+v", tt.sql, scopes, tt.scopes)
		}
	}
}

func TestAnalyzeRefParts(t *testing.T) {
	a := analyze(t, `SELECT * FROM "digital ocean".images.[my images] AS i`)
	if len(a.Refs) != 1 {
		t.Fatalf("refs %+v", a.Refs)
	}
	r := a.Refs[0]
	if strings.Join(r.Parts, "|") != "digital ocean|images|my images" || r.Name() != "digital ocean.images.my images" || r.Alias != "i" {
		t.Errorf("ref %+v", r)
	}
	if len(a.Scopes) != 1 || len(a.Scopes[0].Refs) != 1 || a.Scopes[0].Refs[0] != 0 {
		t.Errorf("scopes %+v", a.Scopes)
	}
}

// TestAnalyzePreds tests which WHERE conjuncts of a one-resource SELECT
// are pushable.
func TestAnalyzePreds(t *testing.T) {
	tests := []struct {
		where string
		want  []string
	}{
		// Forms.
		{"id = 1", []string{"id = 1 :: id = 1"}},
		{"id == 1", []string{"id = 1 :: id == 1"}},
		{"i.id = 1", []string{"i.id = 1 :: i.id = 1"}},
		{`"i"."my id" = 'x'`, []string{`i.my id = 'x' :: "i"."my id" = 'x'`}},
		{"1 = id", []string{"id = 1 :: 1 = id"}},
		{"'x' == i.type", []string{"i.type = 'x' :: 'x' == i.type"}},
		{"id = -5", []string{"id = -5 :: id = -5"}},
		{"id = - 5", []string{"id = -5 :: id = - 5"}},
		{"id = +5", []string{"id = 5 :: id = +5"}},
		{"-1.5e3 = x", []string{"x = -1.5e3 :: -1.5e3 = x"}},
		{"id = 0x1F", []string{"id = 0x1F :: id = 0x1F"}},
		{"private = TRUE", []string{"private = TRUE :: private = TRUE"}},
		{"false = private", []string{"private = false :: false = private"}},
		{"id IN (1)", []string{"id IN [1] :: id IN (1)"}},
		{"id IN (1, -2, 'x', TRUE)", []string{"id IN [1 -2 'x' TRUE] :: id IN (1, -2, 'x', TRUE)"}},
		{"i.id in ('a','b')", []string{"i.id IN ['a' 'b'] :: i.id in ('a','b')"}},
		{"id IN (SELECT id FROM t)", []string{"id IN <SELECT id FROM t> :: id IN (SELECT id FROM t)"}},
		{"id IN (WITH x AS (SELECT 1) SELECT * FROM x)", []string{"id IN <WITH x AS (SELECT 1) SELECT * FROM x> :: id IN (WITH x AS (SELECT 1) SELECT * FROM x)"}},
		// Conjuncts and spans.
		{"id = 1 AND type = 'x'", []string{"id = 1 :: id = 1", "type = 'x' :: type = 'x'"}},
		{"  id  =  1   AND (x)  and  name IN ( 'a' , 'b' )  ", []string{"id = 1 :: id  =  1", "name IN ['a' 'b'] :: name IN ( 'a' , 'b' )"}},
		{"id = 1 AND id = 2", []string{"id = 1 :: id = 1", "id = 2 :: id = 2"}},
		{"id = 1 AND", []string{"id = 1 :: id = 1"}},
		{"AND id = 1", []string{"id = 1 :: id = 1"}},
		{"", nil},
		// A top-level OR: nothing is pushable.
		{"type = 'x' AND id = 1 OR id = 2", nil},
		{"id = 1 or id = 2", nil},
		{"type = 'x' AND id = 1 OR", nil},
		// OR inside parentheses is one conjunct.
		{"type = 'x' AND (id = 1 OR id = 2)", []string{"type = 'x' :: type = 'x'"}},
		{"(id = 1 OR id = 2) AND type = 'x'", []string{"type = 'x' :: type = 'x'"}},
		{"type = 'x' AND id IN (SELECT id FROM t WHERE a = 1 OR b = 2)", []string{"type = 'x' :: type = 'x'", "id IN <SELECT id FROM t WHERE a = 1 OR b = 2> :: id IN (SELECT id FROM t WHERE a = 1 OR b = 2)"}},
		// || is concatenation, not OR.
		{"name = 'a' || 'b' AND id = 1", []string{"id = 1 :: id = 1"}},
		// BETWEEN's AND and CASE's AND do not split.
		{"id BETWEEN 1 AND 5 AND type = 'x'", []string{"type = 'x' :: type = 'x'"}},
		{"id NOT BETWEEN 1 AND 5 AND type = 'x'", []string{"type = 'x' :: type = 'x'"}},
		{"type = 'x' AND id BETWEEN 1 AND 5", []string{"type = 'x' :: type = 'x'"}},
		{"id BETWEEN CASE WHEN a AND b THEN 1 END AND 5 AND type = 'x'", []string{"type = 'x' :: type = 'x'"}},
		{"a BETWEEN b BETWEEN 1 AND 2 AND 3 AND type = 'x'", []string{"type = 'x' :: type = 'x'"}},
		{"CASE WHEN a = 1 AND b = 2 THEN 1 END = 1 AND type = 'x'", []string{"type = 'x' :: type = 'x'"}},
		{"type = 'x' AND CASE WHEN a AND b THEN c ELSE d END", []string{"type = 'x' :: type = 'x'"}},
		{"CASE WHEN a OR b THEN 1 END AND type = 'x'", []string{"type = 'x' :: type = 'x'"}},
		{"CASE a WHEN 1 THEN CASE WHEN b AND c THEN 1 END END = 1 AND id = 2", []string{"id = 2 :: id = 2"}},
		// Other comparisons are not pushable.
		{"NOT id = 1", nil},
		{"name LIKE 'a%'", nil},
		{"name GLOB 'a*'", nil},
		{"id > 1 AND id < 9 AND id >= 1 AND id <= 2 AND id <> 3 AND id != 4", nil},
		{"type IS 'x'", nil},
		{"type IS NULL", nil},
		{"id NOT IN (1, 2)", nil},
		{"id = NULL", nil},
		{"id = a", nil},
		{"a.id = b.id", nil},
		{"id = 1 + 1", nil},
		{"id = 1 = 1", nil},
		{"1 = id = 1", nil},
		{"1 = 1", nil},
		{"id = ?", nil},
		{"id = :id", nil},
		{"type = 'x' COLLATE NOCASE", nil},
		{"lower(name) = 'x'", nil},
		{"a.b.c = 1", nil},
		{"EXISTS (SELECT 1)", nil},
		{"(id = 1)", []string{"id = 1 :: id = 1"}},
		{"((id = 1 AND type = 'x'))", []string{"id = 1 :: id = 1", "type = 'x' :: type = 'x'"}},
		{"(id = 1) AND (type = 'x')", nil},
		{"id IN ()", nil},
		{"id IN (1,)", nil},
		{"id IN (,1)", nil},
		{"id IN (1 2)", nil},
		{"id IN (1, a)", nil},
		{"id IN (1, NULL)", nil},
		{"id IN t", nil},
		{"id IN ((SELECT 1))", nil},
		{"id IN (SELECT 1) + (SELECT 2)", nil},
		{"id IN (1) || (2)", nil},
		{"TRUE = FALSE", nil},
		{"NULL = id", nil},
		{"-id = 1", nil},
		// The rest of the WHERE does not hide the pushable conjuncts.
		{"NOT id = 1 AND name LIKE 'a%' AND id > 1 AND type = 'x'", []string{"type = 'x' :: type = 'x'"}},
	}
	for _, tt := range tests {
		sql := "SELECT * FROM p.s.r WHERE " + tt.where
		a := analyze(t, sql)
		if len(a.Scopes) == 0 {
			t.Fatalf("%s: no scopes", sql)
		}
		var got []string
		for _, p := range a.Scopes[0].Preds {
			got = append(got, predForm(sql, p))
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
			t.Errorf("WHERE %s\n got %q\nwant %q", tt.where, got, tt.want)
		}
	}
}

// TestAnalyzeWhereEnds checks that a WHERE clause ends where it should:
// "id = 1" is a pred only when the clause ends right after it.
func TestAnalyzeWhereEnds(t *testing.T) {
	tests := []string{
		"SELECT * FROM p.s.r WHERE id = 1",
		"SELECT type, count(*) FROM p.s.r WHERE id = 1 GROUP BY type HAVING count(*) > 1 AND a = 2",
		"SELECT * FROM p.s.r WHERE id = 1 ORDER BY name",
		"SELECT * FROM p.s.r WHERE id = 1 LIMIT 5 OFFSET 2",
		"SELECT * FROM p.s.r WHERE id = 1 HAVING x",
		"SELECT row_number() OVER w FROM p.s.r WHERE id = 1 WINDOW w AS (ORDER BY id)",
		"SELECT * FROM p.s.r WHERE id = 1 UNION SELECT * FROM t",
		"SELECT * FROM p.s.r WHERE id = 1 UNION ALL SELECT * FROM t WHERE a = 2 OR b = 3",
		"SELECT * FROM p.s.r WHERE id = 1 INTERSECT SELECT 1",
		"SELECT * FROM p.s.r WHERE id = 1 EXCEPT SELECT 1",
		"DELETE FROM p.s.r WHERE id = 1 RETURNING *",
		"UPDATE p.s.r SET a = 1 WHERE id = 1 RETURNING a, b",
		"INSERT INTO t SELECT * FROM p.s.r WHERE id = 1 ON CONFLICT DO NOTHING",
		"SELECT * FROM (SELECT * FROM p.s.r WHERE id = 1) t WHERE t.a = 'x' OR t.b = 'y'",
		"SELECT * FROM t WHERE x IN (SELECT id FROM p.s.r WHERE id = 1) OR y = 2",
		"SELECT * FROM t WHERE x = (SELECT id FROM p.s.r WHERE id = 1 LIMIT 1) OR y = 2",
		"SELECT count(*) FILTER (WHERE a = 1 OR b = 2) FROM p.s.r WHERE id = 1",
		"SELECT * FROM p.s.r WHERE id = 1 AND id IN (SELECT id FROM t WHERE a = 1 OR b = 2)",
	}
	for _, sql := range tests {
		a := analyze(t, sql)
		found := false
		for _, sc := range a.Scopes {
			for _, p := range sc.Preds {
				if sql[p.Pos:p.End] == "id = 1" && len(sc.Refs) == 1 && a.Refs[sc.Refs[0]].Name() == "p.s.r" {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%s\nno pred \"id = 1\" in p.s.r's scope: %+v", sql, a.Scopes)
		}
	}
}

// TestAnalyzeWhereNotEnded checks that words that only look like clause
// ends do not end a WHERE early, which would hide a later top-level OR.
func TestAnalyzeWhereNotEnded(t *testing.T) {
	tests := []string{
		// window is a name here, as in SQLite.
		"SELECT * FROM p.s.r WHERE type = 'x' AND window = 1 OR id = 2",
		"SELECT * FROM p.s.r WHERE type = 'x' AND window OR id = 2",
		// IS [NOT] DISTINCT FROM is an operator.
		"SELECT * FROM p.s.r WHERE type = 'x' AND a IS DISTINCT FROM b OR id = 2",
		"SELECT * FROM p.s.r WHERE type = 'x' AND a IS NOT DISTINCT FROM b OR id = 2",
		// ON without CONFLICT.
		"SELECT * FROM p.s.r WHERE type = 'x' AND on OR id = 2",
		// Keywords inside parentheses belong to the nested expression.
		"SELECT * FROM p.s.r WHERE type = 'x' AND (SELECT 1 FROM t ORDER BY 1 LIMIT 1) OR id = 2",
		"SELECT * FROM p.s.r WHERE type = 'x' AND group_concat(a ORDER BY b) OR id = 2",
	}
	for _, sql := range tests {
		a := analyze(t, sql)
		for _, sc := range a.Scopes {
			if len(sc.Refs) > 0 && len(sc.Preds) > 0 {
				t.Errorf("%s\npreds %+v despite the top-level OR", sql, sc.Preds)
			}
		}
	}
}

// TestAnalyzeUnbalanced: with a parenthesis missing or extra, nothing is
// pushable, though references are still found.
func TestAnalyzeUnbalanced(t *testing.T) {
	for _, sql := range []string{
		"DELETE FROM p.s.r WHERE image_id = 1) OR (1 = 1",
		"DELETE FROM p.s.r WHERE image_id = 1 AND (x = 2",
		"SELECT * FROM p.s.r WHERE id = 1 AND (",
		"SELECT * FROM p.s.r WHERE id = 1)",
		"SELECT * FROM (SELECT * FROM p.s.r WHERE id = 1",
		"(SELECT * FROM p.s.r WHERE id = 1",
	} {
		a := analyze(t, sql)
		if len(a.Refs) != 1 || a.Refs[0].Name() != "p.s.r" {
			t.Errorf("%s: refs %+v", sql, a.Refs)
		}
		for _, sc := range a.Scopes {
			if len(sc.Preds) > 0 {
				t.Errorf("%s: preds %+v", sql, sc.Preds)
			}
		}
	}
}

func TestAnalyzeMalformed(t *testing.T) {
	// Nothing here panics, and what is found is consistent.
	for _, sql := range []string{
		"", ")", "))) SELECT", "(((", "SELECT (", "SELECT )", "SELECT * FROM", "SELECT * FROM (",
		"SELECT * FROM p.", "SELECT * FROM p.s.", "SELECT * FROM p.s.r WHERE", "SELECT * FROM p.s.r WHERE (",
		"SELECT * FROM p.s.r WHERE id IN (", "SELECT * FROM p.s.r WHERE id IN (SELECT", "WHERE id = 1",
		"FROM p.s.r", "UPDATE", "UPDATE OR", "INSERT INTO", "INTO p.s.r", "DELETE", "DELETE FROM",
		"SELECT * FROM (p.s.r", "SELECT * FROM (p.s.r))) WHERE id = 1", "SELECT ) FROM p.s.r WHERE id = 1",
		"SELECT * FROM p.s.r WHERE id = 1 UNION", "UNION SELECT", "SELECT * FROM p.s.r WHERE CASE AND OR",
		"SELECT * FROM p.s.r WHERE BETWEEN AND AND", "SELECT * FROM p.s.r WHERE id = -", "SELECT * FROM p.s.r WHERE - = id",
	} {
		analyze(t, sql)
	}
}

func TestStars(t *testing.T) {
	tests := []struct {
		sql  string
		want []string // qualifier:text of each star of block 0
	}{
		{"SELECT * FROM p.s.r", []string{":*"}},
		{"SELECT *, image_id FROM p.s.r", []string{":*"}},
		{"SELECT DISTINCT i.*, j.* FROM p.s.r i, q.s.r j", []string{"i:i.*", "j:j.*"}},
		{"SELECT count(*) FROM p.s.r", nil},
		{"SELECT 2 * 3 FROM p.s.r", nil},
		{"SELECT a * b, x.* FROM p.s.r x", []string{"x:x.*"}},
		{"SELECT id FROM p.s.r WHERE id IN (SELECT * FROM t)", nil},
	}
	for _, tt := range tests {
		toks, err := sqltext.Lex(tt.sql)
		if err != nil {
			t.Fatal(err)
		}
		a := sqltext.Analyze(toks)
		var got []string
		for _, st := range a.Scopes[0].Stars {
			got = append(got, st.Qualifier+":"+tt.sql[st.Pos:st.End])
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s: stars %v, want %v", tt.sql, got, tt.want)
		}
	}
}
