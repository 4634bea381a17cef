package pgserve

import (
	"fmt"
	"strings"
)

// tokKind is the kind of a Postgres SQL token.
type tokKind int

const (
	tIdent  tokKind = iota // a name or keyword; Text as written, Value unquoted
	tString                // a string constant; Value is its content
	tNumber
	tParam // $1
	tOp    // operators and punctuation
)

// token is one lexeme of Postgres SQL. Pos and End are byte offsets.
type token struct {
	Kind     tokKind
	Text     string
	Value    string
	Quoted   bool // a "quoted" identifier
	Pos, End int
}

func (t token) is(kw string) bool {
	return t.Kind == tIdent && !t.Quoted && strings.EqualFold(t.Text, kw)
}
func (t token) isOp(op string) bool {
	return t.Kind == tOp && t.Text == op
}

// lexPG splits Postgres SQL into tokens, skipping white space and comments.
// It knows Postgres's lexical rules: ” and E” strings, $tag$ quoting,
// "quoted" names, $n parameters and multi-character operators.
func lexPG(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case strings.HasPrefix(src[i:], "--"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "/*"):
			depth, j := 0, i
			for j < len(src) {
				if strings.HasPrefix(src[j:], "/*") {
					depth++
					j += 2
				} else if strings.HasPrefix(src[j:], "*/") {
					depth--
					j += 2
					if depth == 0 {
						break
					}
				} else {
					j++
				}
			}
			if depth != 0 {
				return nil, fmt.Errorf("unterminated /* comment")
			}
			i = j
		case c == '\'' || ((c == 'E' || c == 'e') && i+1 < len(src) && src[i+1] == '\''):
			start := i
			esc := c != '\''
			if esc {
				i++
			}
			v, j, err := pgString(src, i+1, esc)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{Kind: tString, Text: src[start:j], Value: v, Pos: start, End: j})
			i = j
		case c == '"':
			j := i + 1
			var b strings.Builder
			for {
				if j >= len(src) {
					return nil, fmt.Errorf("unterminated quoted identifier")
				}
				if src[j] == '"' {
					if j+1 < len(src) && src[j+1] == '"' {
						b.WriteByte('"')
						j += 2
						continue
					}
					j++
					break
				}
				b.WriteByte(src[j])
				j++
			}
			toks = append(toks, token{Kind: tIdent, Text: src[i:j], Value: b.String(), Quoted: true, Pos: i, End: j})
			i = j
		case c == '$' && i+1 < len(src) && isDigit(src[i+1]):
			j := i + 1
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			toks = append(toks, token{Kind: tParam, Text: src[i:j], Value: src[i+1 : j], Pos: i, End: j})
			i = j
		case c == '$':
			// $tag$ ... $tag$
			j := i + 1
			for j < len(src) && src[j] != '$' && (isIdentChar(src[j]) && !isDigit(src[j]) || j > i+1 && isDigit(src[j])) {
				j++
			}
			if j >= len(src) || src[j] != '$' {
				return nil, fmt.Errorf("unexpected $ at offset %d", i)
			}
			tag := src[i : j+1]
			k := strings.Index(src[j+1:], tag)
			if k < 0 {
				return nil, fmt.Errorf("unterminated dollar-quoted string")
			}
			end := j + 1 + k + len(tag)
			toks = append(toks, token{Kind: tString, Text: src[i:end], Value: src[j+1 : j+1+k], Pos: i, End: end})
			i = end
		case isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1]):
			j := i
			for j < len(src) && (isDigit(src[j]) || src[j] == '.') {
				j++
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && isDigit(src[k]) {
					j = k
					for j < len(src) && isDigit(src[j]) {
						j++
					}
				}
			}
			toks = append(toks, token{Kind: tNumber, Text: src[i:j], Value: src[i:j], Pos: i, End: j})
			i = j
		case isIdentStart(c):
			j := i
			for j < len(src) && isIdentChar(src[j]) {
				j++
			}
			toks = append(toks, token{Kind: tIdent, Text: src[i:j], Value: strings.ToLower(src[i:j]), Pos: i, End: j})
			i = j
		default:
			n := opLen(src[i:])
			toks = append(toks, token{Kind: tOp, Text: src[i : i+n], Value: src[i : i+n], Pos: i, End: i + n})
			i += n
		}
	}
	return toks, nil
}

// pgString reads a string constant whose content starts at i; esc is an
// E” string, with backslash escapes. It returns the value and the end.
func pgString(src string, i int, esc bool) (string, int, error) {
	var b strings.Builder
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\'' && i+1 < len(src) && src[i+1] == '\'':
			b.WriteByte('\'')
			i += 2
		case c == '\'':
			return b.String(), i + 1, nil
		case esc && c == '\\' && i+1 < len(src):
			switch d := src[i+1]; d {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			default:
				b.WriteByte(d)
			}
			i += 2
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", 0, fmt.Errorf("unterminated string constant")
}

var multiOps = []string{"!~~*", "!~~", "!~*", "~~*", "->>", "#>>", "::", "!~", "~*", "~~", "<>", "!=", ">=", "<=", "||", "->", "#>", "@>", "<@", "?|", "?&", "&&"}

func opLen(s string) int {
	for _, op := range multiOps {
		if strings.HasPrefix(s, op) {
			return len(op)
		}
	}
	return 1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '$' }

// splitPG splits a text into statements at top-level semicolons, dropping
// empty ones.
func splitPG(src string) ([]string, error) {
	toks, err := lexPG(src)
	if err != nil {
		return nil, err
	}
	var out []string
	start := 0
	depth := 0
	for _, t := range toks {
		switch {
		case t.isOp("("):
			depth++
		case t.isOp(")"):
			depth--
		case t.isOp(";") && depth <= 0:
			if s := strings.TrimSpace(src[start:t.Pos]); s != "" && !onlyComments(s) {
				out = append(out, s)
			}
			start = t.End
		}
	}
	if s := strings.TrimSpace(src[start:]); s != "" && !onlyComments(s) {
		out = append(out, s)
	}
	return out, nil
}

func onlyComments(s string) bool {
	toks, err := lexPG(s)
	return err == nil && len(toks) == 0
}

// quoteString quotes s as an SQL string constant.
func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// quoteName quotes s as an identifier.
func quoteName(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
