package sqltext

import "strings"

// Ref is a reference to a resource by its dotted name in a FROM or JOIN
// list (provider.service.resource), or the target of INSERT INTO, UPDATE or
// DELETE FROM.
type Ref struct {
	// Parts are the name's parts, unquoted: ["digitalocean", "images", "images"].
	Parts []string
	// Pos and End span the dotted name in the statement text.
	Pos, End int
	// Alias is the alias given to the reference, or "".
	Alias string
	// Scope is the index in Analysis.Scopes of the query block whose FROM
	// list holds the reference.
	Scope int
}

// Name returns the dotted name, parts joined by ".".
func (r Ref) Name() string { return strings.Join(r.Parts, ".") }

// Pred is a top-level AND conjunct of a WHERE clause that compares a column
// with literals: `col = lit`, `lit = col` or `col IN (lit, ...)`, the column
// optionally qualified. Only such conjuncts can be pushed down to an API.
type Pred struct {
	// Qualifier is the table or alias the column is qualified with, or "".
	Qualifier string
	Column    string
	// Values are the literal tokens compared with: strings, numbers (a
	// leading minus folded into the token), TRUE or FALSE.
	Values []Token
	// In is true for the IN form.
	In bool
	// Subquery, for `col IN (SELECT ...)`, spans the SELECT inside the
	// parentheses; Values is then empty.
	Subquery *Span
	// Pos and End span the whole conjunct in the statement text.
	Pos, End int
}

// Span is a range of bytes [Pos, End) of a statement text.
type Span struct{ Pos, End int }

// Scope is one query block: a SELECT (or the body of an UPDATE or DELETE)
// with its own FROM list and WHERE clause.
type Scope struct {
	// Refs are indexes into Analysis.Refs of the references in this block's FROM list.
	Refs []int
	// Preds are the block's pushable conjuncts. When the WHERE clause has a
	// top-level OR, Preds is empty: nothing there is safe to push.
	Preds []Pred
	// Tables counts the entries in the FROM list (resources, subqueries,
	// functions, tables): a block with one entry is not a join.
	Tables int
	// OuterJoin is set when the FROM list has a LEFT, RIGHT or FULL join.
	OuterJoin bool
	// Stars are the block's select-list items * and table.*.
	Stars []Star
	// Where holds the tokens of the block's WHERE clause (without WHERE),
	// or nil; see SplitAnd.
	Where []Token
	// Joins are the conjuncts comparing two columns, of the block's ON
	// clauses and of its WHERE clause (empty when the WHERE has a
	// top-level OR).
	Joins []JoinPred
	// Entries are the FROM list entries named by one identifier (common
	// table expressions, say).
	Entries []Entry
	// Conjuncts span every top-level AND conjunct of the WHERE clause,
	// pushable or not (none when it has a top-level OR).
	Conjuncts []Span
}

// Star is a select-list item * (Qualifier "") or qualifier.*, spanning
// Pos to End of the statement text.
type Star struct {
	Qualifier string
	Pos, End  int
}

// star reads the select-list item at the * token toks[i]: a whole item, not
// a product or count(*).
func star(toks []Token, i int) (Star, bool) {
	if i+1 < len(toks) && !toks[i+1].IsOp(",") && !(toks[i+1].Is("FROM") && toks[i+1].Kind == Ident) {
		return Star{}, false
	}
	if i == 0 {
		return Star{}, false
	}
	prev := toks[i-1]
	switch {
	case prev.Is("SELECT") || prev.Is("DISTINCT") || prev.Is("ALL") || prev.IsOp(","):
		return Star{Pos: toks[i].Pos, End: toks[i].End}, true
	case prev.IsOp(".") && i >= 2 && toks[i-2].IsName():
		if i >= 3 && !(toks[i-3].Is("SELECT") || toks[i-3].Is("DISTINCT") || toks[i-3].Is("ALL") || toks[i-3].IsOp(",")) {
			return Star{}, false
		}
		return Star{Qualifier: toks[i-2].Value, Pos: toks[i-2].Pos, End: toks[i].End}, true
	}
	return Star{}, false
}

// Analysis is what a token scan finds in one statement.
type Analysis struct {
	Refs   []Ref
	Scopes []Scope
}

// keywords that end an alias position or a FROM list entry.
var notAlias = map[string]bool{
	"WHERE": true, "JOIN": true, "ON": true, "USING": true, "LEFT": true, "RIGHT": true, "FULL": true,
	"INNER": true, "OUTER": true, "CROSS": true, "NATURAL": true, "GROUP": true, "ORDER": true,
	"LIMIT": true, "HAVING": true, "WINDOW": true, "UNION": true, "INTERSECT": true, "EXCEPT": true,
	"SET": true, "VALUES": true, "SELECT": true, "RETURNING": true, "OFFSET": true, "INDEXED": true,
	"NOT": true, "AS": true, "FROM": true,
}

// clause ends: these keywords, at a block's own depth, close its WHERE
// (see also clauseEnd for WINDOW and ON CONFLICT).
var whereEnd = map[string]bool{
	"GROUP": true, "ORDER": true, "LIMIT": true, "HAVING": true,
	"UNION": true, "INTERSECT": true, "EXCEPT": true, "RETURNING": true,
}

type clause int

const (
	clauseOther clause = iota
	clauseSelect
	clauseFrom
	clauseWhere
)

type block struct {
	scope      int
	depth      int
	clause     clause
	whereStart int // token index of the first WHERE token
	hadWhere   bool
}

// Analyze scans toks, the tokens of one statement, for resource references
// (dotted names of at least three parts in FROM and JOIN lists and as the
// target of INSERT INTO, UPDATE and DELETE FROM) and for each query block's
// pushable WHERE conjuncts. It is conservative: anything it does not
// recognise is left alone, never guessed at, and a statement whose
// parentheses do not pair up has no pushable conjuncts at all.
func Analyze(toks []Token) *Analysis {
	a := &Analysis{}
	var stack []*block
	depth := 0
	// parens holds, for each open parenthesis, whether it is transparent:
	// one that groups FROM list entries, as in FROM (a JOIN b), and so does
	// not open a nested level.
	var parens []bool
	transparent := map[int]bool{}
	top := func() *block {
		if len(stack) == 0 || stack[len(stack)-1].depth != depth {
			return nil
		}
		return stack[len(stack)-1]
	}
	endWhere := func(b *block, end int) {
		if b != nil && b.clause == clauseWhere {
			a.Scopes[b.scope].Preds = conjuncts(toks[b.whereStart:end])
			a.Scopes[b.scope].Where = toks[b.whereStart:end]
			a.Scopes[b.scope].Joins = append(a.Scopes[b.scope].Joins, columnEqs(toks[b.whereStart:end], false)...)
			a.Scopes[b.scope].Conjuncts = andSplit(toks[b.whereStart:end])
			b.clause = clauseOther
		}
	}
	open := func(i int, cl clause) *block {
		if b := top(); b != nil {
			endWhere(b, i)
			stack = stack[:len(stack)-1]
		}
		a.Scopes = append(a.Scopes, Scope{})
		b := &block{scope: len(a.Scopes) - 1, depth: depth, clause: cl}
		stack = append(stack, b)
		return b
	}
	// entryStart reports whether toks[i] begins an entry of a FROM list.
	entryStart := func(i int) bool {
		if i == 0 {
			return false
		}
		prev := toks[i-1]
		return prev.Is("FROM") || prev.Is("JOIN") || prev.IsOp(",") || prev.IsOp("(") && transparent[i-1]
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.IsOp("("):
			if b := top(); b != nil && b.clause == clauseFrom && entryStart(i) {
				if i+1 < len(toks) && !isQueryStart(toks[i+1]) {
					// FROM (a JOIN b ...): the entries are the block's own.
					transparent[i] = true
					parens = append(parens, true)
					continue
				}
				// A subquery in the FROM list.
				a.Scopes[b.scope].Tables++
			}
			parens = append(parens, false)
			depth++
			continue
		case t.IsOp(")"):
			if n := len(parens); n > 0 {
				tr := parens[n-1]
				parens = parens[:n-1]
				if tr {
					continue
				}
			}
			if b := top(); b != nil {
				endWhere(b, i)
				stack = stack[:len(stack)-1]
			}
			depth--
			continue
		}
		b := top()
		// A word after a dot is a name's part, never a keyword:
		// EXEC p.s.r.delete, SELECT t.update.
		if t.Kind == Ident && !(i > 0 && toks[i-1].IsOp(".")) {
			kw := strings.ToUpper(t.Text)
			switch {
			case kw == "SELECT":
				open(i, clauseSelect)
				continue
			case kw == "DELETE":
				open(i, clauseOther)
				continue
			case kw == "UPDATE" && b == nil && (i == 0 || toks[0].Is("WITH")):
				// UPDATE [OR conflict] target, at the start of the
				// statement or after its WITH clause.
				nb := open(i, clauseOther)
				j := i + 1
				if j+1 < len(toks) && toks[j].Is("OR") {
					j += 2
				}
				if n, ref, ok := dottedName(toks, j); ok {
					ref.Scope = nb.scope
					ref.Alias = alias(toks, n)
					a.addRef(ref)
				}
				continue
			case kw == "INTO" && b == nil && i > 0:
				// INSERT INTO target: its own block. A WHERE at its level
				// belongs to an upsert (ON CONFLICT ... DO UPDATE ...
				// WHERE), never to a query.
				nb := open(i, clauseOther)
				nb.hadWhere = true
				if _, ref, ok := dottedName(toks, i+1); ok {
					ref.Scope = nb.scope
					a.addRef(ref)
				}
				continue
			case b == nil:
				continue
			case kw == "FROM" && !isDistinctFrom(toks, i):
				endWhere(b, i)
				b.clause = clauseFrom
				continue
			case kw == "WHERE" && !b.hadWhere:
				b.clause = clauseWhere
				b.hadWhere = true
				b.whereStart = i + 1
				continue
			case clauseEnd(toks, i):
				endWhere(b, i)
				if kw == "UNION" || kw == "INTERSECT" || kw == "EXCEPT" {
					stack = stack[:len(stack)-1]
				} else if b.clause == clauseFrom {
					b.clause = clauseOther
				}
				continue
			}
		}
		if b != nil && b.clause == clauseSelect && t.IsOp("*") {
			if st, ok := star(toks, i); ok {
				a.Scopes[b.scope].Stars = append(a.Scopes[b.scope].Stars, st)
			}
			continue
		}
		if b == nil || b.clause != clauseFrom {
			continue
		}
		// In a FROM list: an entry starts after FROM, JOIN or a comma.
		if t.Is("LEFT") || t.Is("RIGHT") || t.Is("FULL") {
			a.Scopes[b.scope].OuterJoin = true
		}
		if t.Is("ON") && !(i > 0 && toks[i-1].IsOp(".")) {
			end := onEnd(toks, i+1)
			a.Scopes[b.scope].Joins = append(a.Scopes[b.scope].Joins, columnEqs(toks[i+1:end], true)...)
			continue
		}
		if !entryStart(i) {
			continue
		}
		a.Scopes[b.scope].Tables++
		if n, ref, ok := dottedName(toks, i); ok {
			ref.Scope = b.scope
			ref.Alias = alias(toks, n)
			a.addRef(ref)
			i = n - 1
		} else if t.IsName() && !(i+1 < len(toks) && (toks[i+1].IsOp(".") || toks[i+1].IsOp("("))) {
			a.Scopes[b.scope].Entries = append(a.Scopes[b.scope].Entries, Entry{Name: t.Value, Alias: alias(toks, i+1)})
		}
	}
	for len(stack) > 0 {
		endWhere(stack[len(stack)-1], len(toks))
		stack = stack[:len(stack)-1]
	}
	if !balanced(toks) {
		// Where a parenthesis is missing, no one knows which clause a
		// conjunct belongs to: DELETE ... WHERE id = 1) OR (TRUE.
		for i := range a.Scopes {
			a.Scopes[i].Preds = nil
			a.Scopes[i].Joins = nil
			a.Scopes[i].Conjuncts = nil
		}
	}
	return a
}

// TopLevel returns the indexes of the tokens of toks that are outside
// every parenthesis (the parentheses themselves left out).
func TopLevel(toks []Token) []int {
	var out []int
	depth := 0
	for i, t := range toks {
		switch {
		case t.IsOp("("):
			depth++
		case t.IsOp(")"):
			depth--
		case depth == 0:
			out = append(out, i)
		}
	}
	return out
}

// balanced reports whether the parentheses of toks pair up.
func balanced(toks []Token) bool {
	depth := 0
	for _, t := range toks {
		switch {
		case t.IsOp("("):
			depth++
		case t.IsOp(")"):
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

// isQueryStart reports whether t begins a query: SELECT, VALUES or WITH.
func isQueryStart(t Token) bool {
	return t.Is("SELECT") || t.Is("VALUES") || t.Is("WITH")
}

// isDistinctFrom reports whether the FROM at toks[i] is part of the
// operator IS [NOT] DISTINCT FROM rather than a FROM clause.
func isDistinctFrom(toks []Token, i int) bool {
	return i >= 2 && toks[i-1].Is("DISTINCT") && (toks[i-2].Is("IS") || toks[i-2].Is("NOT"))
}

// clauseEnd reports whether the keyword at toks[i], at a block's own
// level, ends its WHERE clause (and its FROM list).
func clauseEnd(toks []Token, i int) bool {
	t := toks[i]
	switch {
	case t.Is("WINDOW"):
		// WINDOW is a keyword only in WINDOW name AS (...); elsewhere it
		// is a name, as SQLite has it: WHERE window = 1.
		return i+2 < len(toks) && toks[i+1].IsName() && toks[i+2].Is("AS")
	case t.Is("ON"):
		// An upsert after INSERT ... SELECT ... WHERE: ON CONFLICT.
		return i+1 < len(toks) && toks[i+1].Is("CONFLICT")
	}
	return t.Kind == Ident && whereEnd[strings.ToUpper(t.Text)]
}

func (a *Analysis) addRef(r Ref) {
	a.Refs = append(a.Refs, r)
	a.Scopes[r.Scope].Refs = append(a.Scopes[r.Scope].Refs, len(a.Refs)-1)
}

// dottedName reads name(.name){2,} starting at toks[i]. It returns the index
// after the name.
func dottedName(toks []Token, i int) (int, Ref, bool) {
	var parts []string
	start := i
	for {
		if i >= len(toks) || !toks[i].IsName() {
			return 0, Ref{}, false
		}
		parts = append(parts, toks[i].Value)
		if i+2 < len(toks) && toks[i+1].IsOp(".") {
			i += 2
			continue
		}
		break
	}
	if len(parts) == 1 && toks[start].Kind == QuotedIdent {
		// The whole dotted name quoted as one identifier, as some
		// clients write it: `digitalocean.images.images`.
		parts = strings.Split(parts[0], ".")
		for _, p := range parts {
			if p == "" {
				return 0, Ref{}, false
			}
		}
	}
	if len(parts) < 3 {
		return 0, Ref{}, false
	}
	return i + 1, Ref{Parts: parts, Pos: toks[start].Pos, End: toks[i].End}, true
}

// alias reads an optional [AS] alias at toks[i].
func alias(toks []Token, i int) string {
	if i < len(toks) && toks[i].Is("AS") {
		i++
	}
	if i >= len(toks) {
		return ""
	}
	t := toks[i]
	// SQLite takes a string as an alias too: FROM t 'x', FROM t AS 'x'.
	if t.Kind == QuotedIdent || t.Kind == String || t.Kind == Ident && !notAlias[strings.ToUpper(t.Text)] {
		return t.Value
	}
	return ""
}

// conjuncts splits a WHERE clause's tokens on top-level AND and keeps the
// pushable ones. A top-level OR makes the whole clause unpushable.
func conjuncts(toks []Token) []Pred {
	var preds []Pred
	for _, c := range SplitAnd(toks) {
		if p, ok := pred(c); ok {
			preds = append(preds, p)
		}
	}
	return preds
}

// SplitAnd splits a condition's tokens on its top-level ANDs (not those
// of BETWEEN ... AND, nor inside CASE or parentheses), after unwrapping
// parentheses around the whole. A condition with a top-level OR is one
// piece, as is a condition without AND.
func SplitAnd(toks []Token) [][]Token {
	parts, or := topAnd(toks)
	if or {
		return [][]Token{Unwrap(toks)}
	}
	return parts
}

// topAnd splits toks, unwrapped, on their top-level ANDs as SplitAnd
// does, leaving out empty pieces. or reports a top-level OR, which makes
// no piece a conjunct: parts is then nil.
func topAnd(toks []Token) (parts [][]Token, or bool) {
	toks = Unwrap(toks)
	var depth, cases, between, start int
	add := func(end int) {
		if end > start {
			parts = append(parts, toks[start:end])
		}
		start = end + 1
	}
	for i, t := range toks {
		switch {
		case t.IsOp("("):
			depth++
		case t.IsOp(")"):
			depth--
		case depth > 0 || t.Kind != Ident:
		case t.Is("CASE"):
			cases++
		case t.Is("END") && cases > 0:
			cases--
		case cases > 0:
		case t.Is("BETWEEN"):
			between++
		case t.Is("OR"):
			return nil, true
		case t.Is("AND"):
			if between > 0 {
				between--
				continue
			}
			add(i)
		}
	}
	if start < len(toks) {
		add(len(toks))
	}
	return parts, false
}

// pred matches one conjunct against the pushable forms.
func pred(toks []Token) (Pred, bool) {
	if len(toks) == 0 {
		return Pred{}, false
	}
	p := Pred{Pos: toks[0].Pos, End: toks[len(toks)-1].End}
	// col = lit
	if n, ok := column(toks, &p); ok && n < len(toks) {
		rest := toks[n:]
		if rest[0].IsOp("=") || rest[0].IsOp("==") {
			if v, m, ok := Literal(rest, 1); ok && m == len(rest) {
				p.Values = []Token{v}
				return p, true
			}
			return Pred{}, false
		}
		if rest[0].Is("IN") && len(rest) >= 3 && rest[1].IsOp("(") && Closing(rest, 1) == len(rest)-1 {
			p.In = true
			inner := rest[2 : len(rest)-1]
			if len(inner) > 0 && (inner[0].Is("SELECT") || inner[0].Is("WITH")) {
				p.Subquery = &Span{Pos: inner[0].Pos, End: inner[len(inner)-1].End}
				return p, true
			}
			// lit (, lit)*: no empty list, no trailing comma.
			for j := 0; ; {
				v, m, ok := Literal(inner, j)
				if !ok {
					return Pred{}, false
				}
				p.Values = append(p.Values, v)
				if m == len(inner) {
					return p, true
				}
				if !inner[m].IsOp(",") {
					return Pred{}, false
				}
				j = m + 1
			}
		}
		return Pred{}, false
	}
	// lit = col
	if v, n, ok := Literal(toks, 0); ok && n < len(toks) && (toks[n].IsOp("=") || toks[n].IsOp("==")) {
		if m, ok := column(toks[n+1:], &p); ok && n+1+m == len(toks) {
			p.Values = []Token{v}
			return p, true
		}
	}
	return Pred{}, false
}

// column reads [qualifier.]column at the start of toks into p.
func column(toks []Token, p *Pred) (int, bool) {
	if len(toks) == 0 || !toks[0].IsName() || isKeywordLiteral(toks[0]) {
		return 0, false
	}
	if len(toks) >= 3 && toks[1].IsOp(".") && toks[2].IsName() {
		if len(toks) >= 4 && toks[3].IsOp(".") {
			return 0, false
		}
		p.Qualifier, p.Column = toks[0].Value, toks[2].Value
		return 3, true
	}
	p.Column = toks[0].Value
	return 1, true
}

func isKeywordLiteral(t Token) bool {
	return t.Is("TRUE") || t.Is("FALSE") || t.Is("NULL") || t.Is("NOT") || t.Is("EXISTS") || t.Is("CASE")
}

// Unwrap strips parentheses that enclose all of toks: (a = 1 AND b = 2)
// is the same condition as a = 1 AND b = 2.
func Unwrap(toks []Token) []Token {
	for len(toks) >= 2 && toks[0].IsOp("(") {
		depth := 0
		closes := -1
		for i, t := range toks {
			if t.IsOp("(") {
				depth++
			} else if t.IsOp(")") {
				depth--
				if depth == 0 {
					closes = i
					break
				}
			}
		}
		if closes != len(toks)-1 {
			return toks
		}
		toks = toks[1 : len(toks)-1]
	}
	return toks
}

// Literal reads a string, number, -number, TRUE or FALSE at toks[i]. It
// returns the literal (a minus sign folded into a number's Text and Value)
// and the index after it.
func Literal(toks []Token, i int) (Token, int, bool) {
	if i >= len(toks) {
		return Token{}, 0, false
	}
	t := toks[i]
	switch {
	case t.Kind == String || t.Kind == Number:
		return t, i + 1, true
	case t.Is("TRUE") || t.Is("FALSE"):
		return t, i + 1, true
	case (t.IsOp("-") || t.IsOp("+")) && i+1 < len(toks) && toks[i+1].Kind == Number:
		n := toks[i+1]
		sign := ""
		if t.Text == "-" {
			sign = "-"
		}
		return Token{Kind: Number, Text: sign + n.Text, Value: sign + n.Value, Pos: t.Pos, End: n.End}, i + 2, true
	}
	return Token{}, 0, false
}

// Closing returns the index of the parenthesis that closes the one at
// toks[i], or -1.
func Closing(toks []Token, i int) int {
	depth := 0
	for j := i; j < len(toks); j++ {
		switch {
		case toks[j].IsOp("("):
			depth++
		case toks[j].IsOp(")"):
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}
