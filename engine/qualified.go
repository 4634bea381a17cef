package engine

import (
	"strconv"
	"strings"

	"github.com/apiql/apiql/engine/sqltext"
)

// A column may be qualified with the full name of the resource it belongs
// to, as SQL's schema.table.column: digitalocean.images.images.slug is the
// slug of the reference digitalocean.images.images (without an alias),
// which the query names images. qualifiedColumns turns every such name
// into images.slug before the statement is analysed, so that everything
// after (pushdown, API-only filters, the rewrite for SQLite) sees the
// two-part form. The text keeps its length: the prefix
// (digitalocean.images.) becomes a comment of the same length, so every
// position still points into the text as written.

// qualifiedColumns returns st with its four-part column names made
// two-part, and a replacer that gives column names SQLite takes from the
// text back their prefix. A four-part name whose resource the statement
// reads under an alias, or does not read, is an error that shows the form
// to write.
func qualifiedColumns(st sqltext.Statement) (sqltext.Statement, *strings.Replacer, error) {
	toks := st.Tokens
	type prefix struct {
		pos, end int // the bytes replaced: digitalocean.images.
		drop     int // the index of the name's first token
	}
	var found []prefix
	var a *sqltext.Analysis
	for i := 0; i < len(toks); i++ {
		if !dottedNames(toks, i, 4) || i > 0 && toks[i-1].IsOp(".") || isKeyword(toks[i+6]) {
			continue
		}
		if j := i + 7; j < len(toks) && (toks[j].IsOp(".") || toks[j].IsOp("(")) {
			continue
		}
		if a == nil {
			a = sqltext.Analyze(toks)
		}
		parts := []string{toks[i].Value, toks[i+2].Value, toks[i+4].Value}
		name := strings.Join(parts, ".")
		col := toks[i+6].Value
		var match *sqltext.Ref
		for ri := range a.Refs {
			r := &a.Refs[ri]
			if len(r.Parts) == 3 && strings.EqualFold(strings.Join(r.Parts, "."), name) {
				if match == nil || match.Alias != "" {
					match = r
				}
			}
		}
		switch {
		case match == nil:
			return st, nil, errorf(toks[i].Pos, "add "+name+" to FROM, or qualify the column with the name or alias its resource has there (SELECT i."+col+" FROM "+name+" i)",
				"%s.%s names %s, which the statement does not read", name, col, name)
		case match.Alias != "":
			return st, nil, errorf(toks[i].Pos, "write "+match.Alias+"."+col+": a resource given an alias is named by its alias",
				"%s.%s: %s has the alias %s in FROM, and its full name no longer names it", name, col, name, match.Alias)
		}
		found = append(found, prefix{pos: toks[i].Pos, end: toks[i+4].Pos, drop: i})
		i += 6
	}
	if len(found) == 0 {
		return st, strings.NewReplacer(), nil
	}
	text := []byte(st.Text)
	var back []string
	skip := map[int]bool{}
	for n, f := range found {
		c := comment(f.end-f.pos, n)
		copy(text[f.pos:f.end], c)
		back = append(back, c, st.Text[f.pos:f.end])
		for k := f.drop; k < f.drop+4; k++ {
			skip[k] = true
		}
	}
	out := st
	out.Text = string(text)
	out.Tokens = nil
	for k, t := range toks {
		if !skip[k] {
			out.Tokens = append(out.Tokens, t)
		}
	}
	return out, strings.NewReplacer(back...), nil
}

// dottedNames reports whether toks[i:] starts with n names joined by dots.
func dottedNames(toks []sqltext.Token, i, n int) bool {
	if i+2*n-1 > len(toks) {
		return false
	}
	for k := 0; k < n; k++ {
		if !toks[i+2*k].IsName() || k > 0 && !toks[i+2*k-1].IsOp(".") {
			return false
		}
	}
	return true
}

// comment is an SQL comment of exactly n bytes (n >= 4), marked with n
// when it fits, so that several are told apart.
func comment(n, mark int) string {
	m := strconv.Itoa(mark)
	if n-4 < len(m) {
		m = ""
	}
	return "/*" + m + strings.Repeat("~", n-4-len(m)) + "*/"
}
