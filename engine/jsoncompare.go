package engine

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/apiql/apiql/engine/sqltext"
	"github.com/apiql/apiql/registry"
)

// An object or array column holds JSON text ({"slug":"nyc3",...},
// ["nyc3","sfo3"]). Compared with a string or a number it answers no row
// (=, IN, an anchored LIKE) or every row (<>, NOT IN), silently; a user
// who writes WHERE region = 'nyc3' means a key of the object. Such a
// comparison in a WHERE clause is refused before any request, naming the
// column and its type, with the form that works. Left alone: a literal
// that is JSON of the column's kind (region = '{"slug":"nyc3"}'), a
// comparison with another column or expression, IS [NOT] NULL, the JSON
// functions, a column the API filters by (a volume's region, sent as the
// list's region parameter), and a LIKE or GLOB whose pattern can match
// JSON text (regions LIKE '%nyc3%': a search within the text, which
// finds the element and answers rows; the hint says so).

// jsonComparison is one refused comparison.
type jsonComparison struct {
	pos   int
	ref   sqltext.Ref
	field *registry.Field
	col   string // as written: region, d.region
	op    string // as written, upper-cased: =, <>, IN, NOT IN, LIKE, ...
	lit   sqltext.Token
}

// checkJSONComparisons refuses, in every query block's WHERE clause, a
// comparison of an object or array column with a scalar literal.
func checkJSONComparisons(a *sqltext.Analysis, resources []*registry.Resource) error {
	for si := range a.Scopes {
		sc := &a.Scopes[si]
		if len(sc.Where) == 0 {
			continue
		}
		if c := findJSONComparison(a, sc, resources); c != nil {
			return c.err()
		}
	}
	// col = other.col (ON or WHERE), an object or array with a scalar
	// field: d.region = r.slug.
	for si := range a.Scopes {
		sc := &a.Scopes[si]
		for _, j := range sc.Joins {
			lref, lf := anyColumn(a, sc, resources, j.Left)
			rref, rf := anyColumn(a, sc, resources, j.Right)
			if lf == nil || rf == nil {
				continue
			}
			if isJSON(rf.Type) && !isJSON(lf.Type) {
				lref, lf, rref, rf = rref, rf, lref, lf
				j.Left, j.Right = j.Right, j.Left
			}
			if !isJSON(lf.Type) || isJSON(rf.Type) || hasParam(resources[refIndex(a, lref)], lf.Name) {
				continue
			}
			col, other := j.Left.String(), j.Right.String()
			if lf.Type == registry.TypeObject {
				key := exampleKey(lf.Keys, rf.Type == registry.TypeInteger || rf.Type == registry.TypeNumber)
				return errorf(j.Pos, fmt.Sprintf("compare a key of the object: %s ->> '%s' = %s", col, key, other),
					"%s is an object column of %s (JSON text such as {\"%s\": ...}): compared with %s, a %s column of %s, it matches no row",
					col, lref.Name(), key, other, rf.Type, rref.Name())
			}
			return errorf(j.Pos, fmt.Sprintf("test whether the array holds the value: EXISTS (SELECT 1 FROM json_each(%s) WHERE value = %s)", col, other),
				"%s is an array column of %s (JSON text such as [\"a\", \"b\"]): compared with %s, a %s column of %s, it matches no row",
				col, lref.Name(), other, rf.Type, rref.Name())
		}
	}
	return nil
}

func isJSON(t string) bool { return t == registry.TypeObject || t == registry.TypeArray }

// anyColumn returns the reference and field that c names in block sc, when
// it surely does: qualified with a reference's name or alias, or
// unqualified in a block whose FROM list holds resources only (a CTE's or
// subquery's column may have the name), one of which has the field.
func anyColumn(a *sqltext.Analysis, sc *sqltext.Scope, resources []*registry.Resource, c sqltext.ColumnRef) (sqltext.Ref, *registry.Field) {
	if c.Qualifier == "" && sc.Tables != len(sc.Refs) {
		return sqltext.Ref{}, nil
	}
	var (
		hit   *registry.Field
		ref   sqltext.Ref
		count int
	)
	for _, ri := range sc.Refs {
		r := a.Refs[ri]
		if c.Qualifier != "" && !strings.EqualFold(c.Qualifier, refName(r)) {
			continue
		}
		if f := resources[ri].Field(c.Column); f != nil {
			hit, ref = f, r
			count++
		}
	}
	if count != 1 {
		return sqltext.Ref{}, nil
	}
	return ref, hit
}

// findJSONComparison returns the first comparison to refuse in sc's WHERE
// clause (subqueries are their own blocks), or nil.
func findJSONComparison(a *sqltext.Analysis, sc *sqltext.Scope, resources []*registry.Resource) *jsonComparison {
	toks := sc.Where
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.IsOp("(") && i+1 < len(toks) && (toks[i+1].Is("SELECT") || toks[i+1].Is("WITH") || toks[i+1].Is("VALUES")) {
			if i = sqltext.Closing(toks, i); i < 0 {
				break // unbalanced: SQLite says where
			}
			continue
		}
		if !t.IsName() || t.Kind == sqltext.String || i+1 < len(toks) && (toks[i+1].IsOp("(") || toks[i+1].IsOp(".")) {
			continue
		}
		start, qual := i, ""
		if i >= 2 && toks[i-1].IsOp(".") && toks[i-2].IsName() {
			if i >= 3 && toks[i-3].IsOp(".") {
				continue
			}
			start, qual = i-2, toks[i-2].Value
		} else if i >= 1 && toks[i-1].IsOp(".") {
			continue
		}
		ref, field := jsonColumn(a, sc, resources, qual, t.Value)
		if field == nil {
			continue
		}
		// col op literal
		if boundary(toks, start-1) {
			if op, lits, next, ok := comparisonAfter(toks, i+1); ok && ends(toks, next) {
				for _, lit := range lits {
					if refused(field, op, lit) {
						return &jsonComparison{pos: toks[start].Pos, ref: ref, field: field, col: joinText(toks[start : i+1]), op: op, lit: lit}
					}
				}
			}
		}
		// literal op col
		if i+1 >= len(toks) || ends(toks, i+1) {
			if start >= 2 && isComparison(toks[start-1]) && isLiteral(toks[start-2]) && boundary(toks, start-3) {
				op := strings.ToUpper(toks[start-1].Text)
				if refused(field, op, toks[start-2]) {
					return &jsonComparison{pos: toks[start-2].Pos, ref: ref, field: field, col: joinText(toks[start : i+1]), op: op, lit: toks[start-2]}
				}
			}
		}
	}
	return nil
}

// jsonColumn returns the reference and the object or array field that the
// column [qual.]name of block sc surely names (anyColumn). A column the API
// filters by (a parameter of that name) is left out.
func jsonColumn(a *sqltext.Analysis, sc *sqltext.Scope, resources []*registry.Resource, qual, name string) (sqltext.Ref, *registry.Field) {
	ref, f := anyColumn(a, sc, resources, sqltext.ColumnRef{Qualifier: qual, Column: name})
	if f == nil || !isJSON(f.Type) || hasParam(resources[refIndex(a, ref)], name) {
		return sqltext.Ref{}, nil // none, ambiguous (SQLite says so), not JSON, or filtered by the API
	}
	return ref, f
}

// hasParam reports whether a select method of res has a parameter name.
func hasParam(res *registry.Resource, name string) bool {
	for _, m := range res.MethodsFor(registry.VerbSelect) {
		for _, p := range m.Params {
			if strings.EqualFold(p.Name, name) {
				return true
			}
		}
	}
	return false
}

// comparisonAfter reads a comparison with literals starting at toks[i]:
// op literal, [NOT] IN (literal, ...), [NOT] LIKE|GLOB literal. next is
// the index after it.
func comparisonAfter(toks []sqltext.Token, i int) (op string, lits []sqltext.Token, next int, ok bool) {
	if i >= len(toks) {
		return "", nil, 0, false
	}
	if isComparison(toks[i]) {
		if i+1 < len(toks) && isLiteral(toks[i+1]) {
			return strings.ToUpper(toks[i].Text), toks[i+1 : i+2], i + 2, true
		}
		return "", nil, 0, false
	}
	not := ""
	if toks[i].Is("NOT") {
		not, i = "NOT ", i+1
	}
	switch {
	case i+1 < len(toks) && (toks[i].Is("LIKE") || toks[i].Is("GLOB")) && toks[i+1].Kind == sqltext.String:
		if i+2 < len(toks) && toks[i+2].Is("ESCAPE") {
			return "", nil, 0, false
		}
		return not + strings.ToUpper(toks[i].Text), toks[i+1 : i+2], i + 2, true
	case i+1 < len(toks) && toks[i].Is("IN") && toks[i+1].IsOp("("):
		j := i + 2
		for ; j < len(toks); j += 2 {
			if !isLiteral(toks[j]) || j+1 >= len(toks) {
				return "", nil, 0, false
			}
			lits = append(lits, toks[j])
			if toks[j+1].IsOp(")") {
				return not + "IN", lits, j + 2, true
			}
			if !toks[j+1].IsOp(",") {
				return "", nil, 0, false
			}
		}
	}
	return "", nil, 0, false
}

func isComparison(t sqltext.Token) bool {
	for _, op := range []string{"=", "==", "!=", "<>", "<", ">", "<=", ">="} {
		if t.IsOp(op) {
			return true
		}
	}
	return false
}

func isLiteral(t sqltext.Token) bool {
	return t.Kind == sqltext.String || t.Kind == sqltext.Number
}

// boundary reports whether toks[i] (i may be -1: the clause's start) ends
// what comes before a comparison: nothing that binds tighter than it.
func boundary(toks []sqltext.Token, i int) bool {
	if i < 0 {
		return true
	}
	t := toks[i]
	return t.IsOp("(") || t.IsOp(",") || t.Is("AND") || t.Is("OR") || t.Is("NOT") || t.Is("WHEN") || t.Is("THEN") || t.Is("ELSE")
}

// ends reports whether toks[i] (i may be len(toks)) ends a comparison.
func ends(toks []sqltext.Token, i int) bool {
	if i >= len(toks) {
		return true
	}
	t := toks[i]
	return t.IsOp(")") || t.IsOp(",") || t.IsOp(";") || t.Is("AND") || t.Is("OR") || t.Is("THEN") || t.Is("ELSE") || t.Is("END") ||
		t.Is("WHEN") || t.Is("ORDER") || t.Is("GROUP") || t.Is("LIMIT") || t.Is("HAVING") || t.Is("WINDOW") || t.Is("UNION") ||
		t.Is("EXCEPT") || t.Is("INTERSECT")
}

// refused reports whether comparing field with lit by op is to be refused:
// the literal is not JSON of the field's kind, or, for LIKE and GLOB, the
// pattern cannot match JSON text of that kind.
func refused(field *registry.Field, op string, lit sqltext.Token) bool {
	open := "{"
	if field.Type == registry.TypeArray {
		open = "["
	}
	switch strings.TrimPrefix(op, "NOT ") {
	case "LIKE":
		return lit.Value == "" || !strings.ContainsAny(lit.Value[:1], "%_"+open)
	case "GLOB":
		return lit.Value == "" || !strings.ContainsAny(lit.Value[:1], "*?["+open)
	}
	if lit.Kind == sqltext.String && strings.HasPrefix(strings.TrimSpace(lit.Value), open) && json.Valid([]byte(lit.Value)) {
		return false
	}
	return true
}

// err is the error of a refused comparison.
func (c *jsonComparison) err() error {
	col, lit := strings.ReplaceAll(c.col, " ", ""), c.lit.Text
	base := strings.TrimPrefix(c.op, "NOT ")
	effect := "matches no row"
	switch {
	case c.op == "<>" || c.op == "!=" || strings.HasPrefix(c.op, "NOT "):
		effect = "holds for every row"
	case c.op == "<" || c.op == ">" || c.op == "<=" || c.op == ">=":
		effect = "compares the JSON text, not a value in it"
	}
	cmp := func(lhs string) string {
		switch base {
		case "IN":
			return lhs + " " + c.op + " (" + lit + ", ...)"
		}
		return lhs + " " + c.op + " " + lit
	}
	if c.field.Type == registry.TypeObject {
		key := exampleKey(c.field.Keys, c.lit.Kind == sqltext.Number)
		hint := fmt.Sprintf("compare a key of the object: WHERE %s (or %s)", cmp(col+" ->> '"+key+"'"), cmp("json_extract("+col+", '$."+key+"')"))
		if len(c.field.Keys) > 0 {
			hint += "; its keys: " + strings.Join(c.field.Keys, ", ")
		}
		if base == "LIKE" || base == "GLOB" {
			hint += "; a pattern that starts with % searches the whole JSON text and is allowed"
		}
		return errorf(c.pos, hint,
			"%s is an object column of %s (JSON text such as {\"%s\": ...}): compared with %s it %s",
			c.field.Name, c.ref.Name(), key, lit, effect)
	}
	elem := lit
	if base == "LIKE" || base == "GLOB" {
		elem = "'x'"
	}
	return errorf(c.pos,
		fmt.Sprintf("test whether the array holds a value: WHERE EXISTS (SELECT 1 FROM json_each(%s) WHERE value = %s); a LIKE pattern that starts with %% searches the array's JSON text and is allowed (%s LIKE '%%\"x\"%%')", col, elem, col),
		"%s is an array column of %s (JSON text such as [\"a\", \"b\"]): compared with %s it %s",
		c.field.Name, c.ref.Name(), lit, effect)
}

// exampleKey is the key a hint shows: slug, name or id when the object
// has one (id first when the object is compared with a number), else its
// first key, else "key".
func exampleKey(keys []string, number bool) string {
	order := []string{"slug", "name", "id"}
	if number {
		order = []string{"id", "slug", "name"}
	}
	for _, k := range order {
		if contains(keys, k) {
			return k
		}
	}
	if len(keys) > 0 {
		return keys[0]
	}
	return "key"
}
