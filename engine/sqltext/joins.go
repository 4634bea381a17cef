package sqltext

import "strings"

// ColumnRef is a column, qualified with a table or alias or not.
type ColumnRef struct {
	Qualifier string
	Column    string
}

// String writes the column as it reads in SQL: q.col or col.
func (c ColumnRef) String() string {
	if c.Qualifier != "" {
		return c.Qualifier + "." + c.Column
	}
	return c.Column
}

// JoinPred is a top-level AND conjunct that compares two columns,
// `a.x = b.y`, of a join's ON clause or of a WHERE clause. Such a conjunct
// can bind one side's parameter from the other side's rows.
type JoinPred struct {
	Left, Right ColumnRef
	// On is set for a conjunct of an ON clause.
	On bool
	// Pos and End span the conjunct in the statement text.
	Pos, End int
}

// Entry is a FROM list entry named by one identifier (a common table
// expression, or a table of the user's): its name and alias.
type Entry struct {
	Name, Alias string
}

// CTE is one common table expression of a statement's leading WITH clause.
type CTE struct {
	Name string
	// Body spans the query inside the parentheses.
	Body Span
	// Pos and End span the whole `name [(cols)] AS (...)`.
	Pos, End int
}

// With is a statement's leading WITH clause.
type With struct {
	Recursive bool
	CTEs      []CTE
	// End is the offset just past the clause (before the statement's body).
	End int
}

// ParseWith reads the WITH clause at the start of toks, or returns nil.
func ParseWith(toks []Token) *With {
	if len(toks) == 0 || !toks[0].Is("WITH") {
		return nil
	}
	w := &With{}
	i := 1
	if i < len(toks) && toks[i].Is("RECURSIVE") {
		w.Recursive = true
		i++
	}
	for {
		if i >= len(toks) || !toks[i].IsName() {
			return nil
		}
		c := CTE{Name: toks[i].Value, Pos: toks[i].Pos}
		i++
		if i < len(toks) && toks[i].IsOp("(") {
			// A column list.
			if i = Closing(toks, i); i < 0 {
				return nil
			}
			i++
		}
		if i >= len(toks) || !toks[i].Is("AS") {
			return nil
		}
		i++
		if i < len(toks) && toks[i].Is("NOT") {
			i++
		}
		if i < len(toks) && toks[i].Is("MATERIALIZED") {
			i++
		}
		if i >= len(toks) || !toks[i].IsOp("(") {
			return nil
		}
		end := Closing(toks, i)
		if end < 0 || end == i+1 {
			return nil
		}
		c.Body = Span{Pos: toks[i+1].Pos, End: toks[end-1].End}
		c.End = toks[end].End
		w.CTEs = append(w.CTEs, c)
		w.End = c.End
		i = end + 1
		if i < len(toks) && toks[i].IsOp(",") {
			i++
			continue
		}
		return w
	}
}

// onEnd returns the index just past the ON condition that starts at
// toks[i]: the next JOIN, comma, clause keyword or closing parenthesis at
// its level.
func onEnd(toks []Token, i int) int {
	depth := 0
	for ; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.IsOp("("):
			depth++
		case t.IsOp(")"):
			if depth == 0 {
				return i
			}
			depth--
		case depth > 0:
		case t.IsOp(","):
			return i
		case t.Kind != Ident || i > 0 && toks[i-1].IsOp(".") || i+1 < len(toks) && toks[i+1].IsOp("("):
		case onStop[strings.ToUpper(t.Text)]:
			return i
		}
	}
	return i
}

// onStop are the keywords that end an ON condition at its own level.
var onStop = map[string]bool{
	"JOIN": true, "LEFT": true, "RIGHT": true, "FULL": true, "INNER": true, "CROSS": true, "NATURAL": true,
	"WHERE": true, "GROUP": true, "ORDER": true, "LIMIT": true, "HAVING": true, "WINDOW": true,
	"UNION": true, "INTERSECT": true, "EXCEPT": true, "RETURNING": true,
}

// columnEqs returns the conjuncts `col = col` of a condition's tokens,
// split on top-level AND. A top-level OR makes it return nothing.
func columnEqs(toks []Token, on bool) []JoinPred {
	parts, _ := topAnd(toks)
	var out []JoinPred
	for _, part := range parts {
		part = Unwrap(part)
		if len(part) == 0 {
			continue
		}
		var l, r Pred
		n, ok := column(part, &l)
		if !ok || n >= len(part) || !(part[n].IsOp("=") || part[n].IsOp("==")) {
			continue
		}
		m, ok := column(part[n+1:], &r)
		if !ok || n+1+m != len(part) {
			continue
		}
		out = append(out, JoinPred{
			Left:  ColumnRef{Qualifier: l.Qualifier, Column: l.Column},
			Right: ColumnRef{Qualifier: r.Qualifier, Column: r.Column},
			On:    on, Pos: part[0].Pos, End: part[len(part)-1].End,
		})
	}
	return out
}

// andSplit returns the spans of a condition's top-level AND conjuncts, or
// nothing when it has a top-level OR.
func andSplit(toks []Token) []Span {
	parts, _ := topAnd(toks)
	var out []Span
	for _, part := range parts {
		out = append(out, Span{Pos: part[0].Pos, End: part[len(part)-1].End})
	}
	return out
}
