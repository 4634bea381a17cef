package sqltext_test

import (
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/apiql/apiql/engine/sqltext"
)

// gen writes a random statement from a small grammar of WHERE clauses in
// which it knows which conjuncts are pushable, so Analyze's preds can be
// checked against it. Choices come from a byte string (the fuzzer's input).
type gen struct {
	in  []byte
	b   strings.Builder
	blk []*genBlock // query blocks in the order their SELECT is written
}

type genBlock struct {
	preds []string // "pos:end" of the pushable conjuncts written
	or    bool     // the WHERE has a top-level OR: no preds
}

func (g *gen) choose(n int) int {
	if len(g.in) == 0 {
		return 0
	}
	c := int(g.in[0]) % n
	g.in = g.in[1:]
	return c
}

func (g *gen) w(s string) { g.b.WriteString(s) }

func (g *gen) pick(xs ...string) { g.w(xs[g.choose(len(xs))]) }

func (g *gen) col() {
	g.pick("id", "type", "t.id", `"my col"`, "x.name", "image_id", "[a b]", "`c`", "window", "data__name")
}

// lit writes a literal and reports whether it is one a pred may hold
// (a blob is not).
func (g *gen) lit() bool {
	lits := []string{"'str'", "12", "-3", "1.5", "TRUE", "false", "'it''s'", "0x1F", "+ 7", "'a AND b OR c'", "x'41'"}
	l := lits[g.choose(len(lits))]
	g.w(l)
	return l != "x'41'"
}

// query writes SELECT ... FROM p.s.q [WHERE ...] [tail], a new block.
func (g *gen) query(depth int) {
	g.w("SELECT ")
	g.pick("*", "id", "count(*)", "a, b")
	g.w(" FROM ")
	g.pick("p.s.q", "p.s.q AS x", "t", "p.s.q x, t", "p.s.q JOIN t ON t.a = p.b", "p.s.q LEFT JOIN t USING (a)")
	bl := &genBlock{}
	g.blk = append(g.blk, bl)
	if g.choose(5) > 0 {
		g.w(" WHERE ")
		g.where(bl, depth)
	}
	g.tail(depth)
}

// tail writes the clauses that may follow a WHERE.
func (g *gen) tail(depth int) {
	switch g.choose(9) {
	case 1:
		g.w(" ORDER BY id DESC")
	case 2:
		g.w(" GROUP BY type HAVING count(*) > 1 AND type = 'x'")
	case 3:
		g.w(" LIMIT 3 OFFSET 1")
	case 4:
		g.w(" WINDOW w AS (ORDER BY id)")
	case 5:
		if depth < 3 {
			g.pick(" UNION ", " UNION ALL ", " INTERSECT ", " EXCEPT ")
			g.query(depth + 1)
		}
	}
}

// where writes a WHERE clause's conjuncts for block bl.
func (g *gen) where(bl *genBlock, depth int) {
	n := 1 + g.choose(4)
	for i := 0; i < n; i++ {
		if i > 0 {
			if g.choose(8) == 0 {
				g.pick(" OR ", " or ")
				bl.or = true
			} else {
				g.pick(" AND ", " and ", "\nAND ", " /* c */ AND ")
			}
		}
		pos := g.b.Len()
		if g.atom(depth) {
			bl.preds = append(bl.preds, fmt.Sprintf("%d:%d", pos, g.b.Len()))
		}
	}
	if bl.or {
		bl.preds = nil
	}
}

// atom writes one conjunct and reports whether it is pushable.
func (g *gen) atom(depth int) bool {
	if depth > 3 {
		g.col()
		g.w(" > 1")
		return false
	}
	switch g.choose(16) {
	case 0:
		g.col()
		g.pick(" = ", "=", " == ")
		return g.lit()
	case 1:
		ok := g.lit()
		g.pick(" = ", " == ")
		g.col()
		return ok
	case 2:
		g.col()
		g.pick(" IN (", " in (", " IN(")
		ok := true
		for k := 1 + g.choose(3); k > 0; k-- {
			ok = g.lit() && ok
			if k > 1 {
				g.w(", ")
			}
		}
		g.w(")")
		return ok
	case 3:
		g.col()
		g.w(" IN (")
		g.query(depth + 1)
		g.w(")")
		return true
	case 4:
		g.col()
		ops := []string{" > ", " < ", " <> ", " != ", " >= ", " LIKE ", " GLOB ", " IS ", " IS NOT ", " NOT IN ("}
		op := ops[g.choose(len(ops))]
		g.w(op)
		g.lit()
		if op == " NOT IN (" {
			g.w(")")
		}
		return false
	case 5:
		g.w("NOT ")
		g.col()
		g.w(" = ")
		g.lit()
		return false
	case 6:
		g.col()
		g.pick(" BETWEEN ", " NOT BETWEEN ")
		g.lit()
		g.w(" AND ")
		g.lit()
		return false
	case 7:
		g.w("CASE WHEN ")
		g.atom(depth + 1)
		g.pick(" AND ", " OR ")
		g.atom(depth + 1)
		g.w(" THEN 1 ELSE 0 END = 1")
		return false
	case 8:
		// OR only: a parenthesised AND that is the whole WHERE clause is
		// unwrapped and split (see Unwrap), which this model does not
		// follow.
		g.w("(")
		g.atom(depth + 1)
		g.w(" OR ")
		g.atom(depth + 1)
		g.w(")")
		return false
	case 9:
		g.col()
		g.w(" = ")
		g.col()
		return false
	case 10:
		g.col()
		g.pick(" IS DISTINCT FROM ", " IS NOT DISTINCT FROM ")
		g.pick("b", "p.s.z", "'x'")
		return false
	case 11:
		g.pick("lower(", "coalesce(", "json_extract(")
		g.col()
		g.w(", 'x') = ")
		g.lit()
		return false
	case 12:
		g.pick("EXISTS (", "NOT EXISTS (")
		g.query(depth + 1)
		g.w(")")
		return false
	case 13:
		g.col()
		g.w(" = (")
		g.query(depth + 1)
		g.w(")")
		return false
	case 14:
		g.col()
		g.w(" = ")
		g.lit()
		g.pick(" COLLATE NOCASE", " || 'x'", " + 1", " IS NULL")
		return false
	default:
		g.col()
		g.w(" IN (")
		g.lit()
		g.w(") + (")
		g.lit()
		g.w(")")
		return false
	}
}

// checkGenerated generates a statement from in and checks Analyze's preds,
// block by block, against what the generator knows.
func checkGenerated(t *testing.T, in []byte) {
	g := &gen{in: in}
	switch g.choose(4) {
	case 0:
		g.query(0)
	case 1:
		g.w("DELETE FROM p.s.r")
		bl := &genBlock{}
		g.blk = append(g.blk, bl)
		g.w(" WHERE ")
		g.where(bl, 0)
		if g.choose(2) == 0 {
			g.w(" RETURNING *")
		}
	case 2:
		g.w("UPDATE p.s.r SET data__name = 'x', a = (SELECT 1)")
		bl := &genBlock{}
		g.blk = append(g.blk, bl)
		g.w(" WHERE ")
		g.where(bl, 0)
	default:
		g.w("WITH c AS (")
		g.query(1)
		g.w(") ")
		g.query(0)
	}
	text := g.b.String()
	toks, err := sqltext.Lex(text)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	a := sqltext.Analyze(toks)
	checkAnalysis(t, text, toks, a)
	// The generator's blocks are the scopes that have a WHERE or FROM;
	// Analyze may have more (SELECT 1 in UPDATE's SET).
	var got [][]string
	for _, sc := range a.Scopes {
		if sc.Tables == 0 && len(sc.Preds) == 0 && len(sc.Refs) == 0 {
			continue
		}
		var ps []string
		for _, p := range sc.Preds {
			ps = append(ps, fmt.Sprintf("%d:%d", p.Pos, p.End))
		}
		got = append(got, ps)
	}
	var want [][]string
	for _, bl := range g.blk {
		want = append(want, bl.preds)
	}
	if !reflect.DeepEqual(got, want) {
		show := func(blocks [][]string) string {
			var s []string
			for _, ps := range blocks {
				var q []string
				for _, p := range ps {
					var pos, end int
					fmt.Sscanf(p, "%d:%d", &pos, &end)
					q = append(q, fmt.Sprintf("%q", text[pos:end]))
				}
				s = append(s, "["+strings.Join(q, ", ")+"]")
			}
			return strings.Join(s, " ")
		}
		t.Fatalf("%s\n got %s\nwant %s", text, show(got), show(want))
	}
}

func FuzzWhere(f *testing.F) {
	for _, s := range []string{"", "\x00\x01\x02", "\x01\x05\x03\x00\x03\x02\x01", "abcdefghijklmnop", "\x03\x03\x03\x03\x03\x03"} {
		f.Add([]byte(s))
	}
	f.Fuzz(checkGenerated)
}

// TestGeneratedWhere runs the generator on pseudo-random inputs in every
// go test run.
func TestGeneratedWhere(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for i := 0; i < n; i++ {
		in := make([]byte, 8+r.Intn(120))
		r.Read(in)
		checkGenerated(t, in)
	}
}
