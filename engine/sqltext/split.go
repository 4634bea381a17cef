package sqltext

import "strings"

// Statement is one statement of a text, without its terminating semicolon
// and without comments or space before its first token or after its last.
type Statement struct {
	// Text is the statement as written.
	Text string
	// Pos is the byte offset of Text in the source that was split.
	Pos int
	// Line is the 1-based line of the source on which the statement starts.
	Line int
	// Tokens are the statement's tokens, with positions relative to Text.
	Tokens []Token
	// Kind is the statement's class.
	Kind StmtKind
}

// FirstLine returns the statement's first line, shortened to at most n runes.
func (s Statement) FirstLine(n int) string {
	line, _, _ := strings.Cut(s.Text, "\n")
	line = strings.TrimSpace(line)
	if n <= 0 {
		return ""
	}
	if r := []rune(line); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return line
}

// Split cuts src into statements on semicolons outside strings, quoted
// identifiers and comments. As in SQLite (sqlite3_complete), the body of a
// CREATE TRIGGER is one with its statement: inside it, only a semicolon
// after "; END" ends the statement. Statements that hold nothing but space
// and comments are dropped. A lexical error (an unterminated string, say) is
// returned as *Error with its offset in src.
func Split(src string) ([]Statement, error) {
	var (
		stmts []Statement
		cur   []Token
	)
	flush := func() {
		if len(cur) == 0 {
			return
		}
		start, end := cur[0].Pos, cur[len(cur)-1].End
		toks := make([]Token, len(cur))
		for i, t := range cur {
			t.Pos -= start
			t.End -= start
			toks[i] = t
		}
		line, _ := LineCol(src, start)
		stmts = append(stmts, Statement{Text: src[start:end], Pos: start, Line: line, Tokens: toks, Kind: Classify(toks)})
		cur = nil
	}
	err := scan(src, func(t Token) bool {
		if t.IsOp(";") {
			if n := len(cur); isTrigger(cur) && !(n >= 2 && cur[n-1].Is("END") && cur[n-2].IsOp(";")) {
				cur = append(cur, t)
				return true
			}
			flush()
			return true
		}
		cur = append(cur, t)
		return true
	})
	if err != nil {
		return nil, err
	}
	flush()
	return stmts, nil
}

// isTrigger reports whether toks begin [EXPLAIN] CREATE [TEMP|TEMPORARY] TRIGGER.
func isTrigger(toks []Token) bool {
	i := 0
	if i < len(toks) && toks[i].Is("EXPLAIN") {
		i++
	}
	if i >= len(toks) || !toks[i].Is("CREATE") {
		return false
	}
	i++
	if i < len(toks) && (toks[i].Is("TEMP") || toks[i].Is("TEMPORARY")) {
		i++
	}
	return i < len(toks) && toks[i].Is("TRIGGER")
}

// StmtKind is the class of a statement, decided by its first words.
type StmtKind int

const (
	// Other is anything apiql does not handle itself; SQLite may still run it.
	Other StmtKind = iota
	// Select is SELECT, WITH ... SELECT, VALUES, or a parenthesised SELECT.
	Select
	// Insert is INSERT or REPLACE, after a WITH clause or not; so are
	// Update and Delete.
	Insert
	Update
	Delete
	// Exec is EXEC or EXECUTE of a resource method.
	Exec
	// Show is SHOW PROVIDERS, SERVICES, RESOURCES, METHODS or INSERT INTO.
	Show
	// Describe is DESCRIBE or DESC of a resource.
	Describe
	// Explain is EXPLAIN [QUERY PLAN] before a statement of another kind
	// (see ExplainBody).
	Explain
)

func (k StmtKind) String() string {
	switch k {
	case Select:
		return "SELECT"
	case Insert:
		return "INSERT"
	case Update:
		return "UPDATE"
	case Delete:
		return "DELETE"
	case Exec:
		return "EXEC"
	case Show:
		return "SHOW"
	case Describe:
		return "DESCRIBE"
	case Explain:
		return "EXPLAIN"
	}
	return "other"
}

// Classify returns the kind of the statement whose tokens are toks.
func Classify(toks []Token) StmtKind {
	i := 0
	for i < len(toks) && toks[i].IsOp("(") {
		i++
	}
	if i == len(toks) || toks[i].Kind != Ident {
		return Other
	}
	kw := strings.ToUpper(toks[i].Text)
	if kw == "EXPLAIN" && i == 0 {
		if body := ExplainBody(toks); body > 0 && Classify(toks[body:]) != Other {
			return Explain
		}
		return Other
	}
	if kw == "WITH" {
		// The statement is what follows the common table expressions:
		// WITH x AS (...) DELETE FROM ... is a DELETE, not a query.
		kw = afterWith(toks[i+1:])
	}
	if i > 0 && kw != "SELECT" && kw != "VALUES" {
		// Only a query may stand in parentheses.
		return Other
	}
	switch kw {
	case "SELECT", "VALUES":
		return Select
	case "INSERT", "REPLACE":
		return Insert
	case "UPDATE":
		return Update
	case "DELETE":
		return Delete
	case "EXEC", "EXECUTE":
		return Exec
	case "SHOW":
		return Show
	case "DESCRIBE", "DESC":
		return Describe
	}
	return Other
}

// afterWith returns the keyword, upper-cased, of the statement that follows
// a WITH clause whose tokens after WITH are toks: the first word after a
// parenthesised table expression that is not followed by a comma (the next
// table expression) or AS (the expression after a column list). It returns
// "SELECT" when there is no such word.
func afterWith(toks []Token) string {
	depth := 0
	for j, t := range toks {
		switch {
		case t.IsOp("("):
			depth++
		case t.IsOp(")"):
			depth--
			if depth != 0 || j+1 == len(toks) {
				continue
			}
			n := toks[j+1]
			if n.IsOp(",") || n.Is("AS") {
				continue
			}
			if n.Kind == Ident {
				switch kw := strings.ToUpper(n.Text); kw {
				case "SELECT", "VALUES", "INSERT", "REPLACE", "UPDATE", "DELETE":
					return kw
				}
			}
			return "SELECT"
		}
	}
	return "SELECT"
}

// ExplainBody returns the index of the first token of the statement that
// EXPLAIN [QUERY PLAN] introduces in toks, or -1 when toks is no EXPLAIN.
func ExplainBody(toks []Token) int {
	if len(toks) < 2 || !toks[0].Is("EXPLAIN") {
		return -1
	}
	if len(toks) > 3 && toks[1].Is("QUERY") && toks[2].Is("PLAN") {
		return 3
	}
	return 1
}
