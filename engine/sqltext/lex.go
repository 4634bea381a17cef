// Package sqltext reads SQL text the way apiql needs it before any parser
// sees it: tokens with their byte positions, statements split on semicolons
// outside strings, quoted identifiers and comments, and each statement's kind.
//
// It understands SQLite's lexical rules (strings in single quotes, where a
// doubled quote stands for one; identifiers in double quotes, backquotes or
// brackets; -- and /* */ comments; X'..' blobs) plus apiql's @param and
// @@json markers. It never rejects SQL that SQLite would accept lexically,
// with one deliberate exception: a /* comment left open, which SQLite would
// let run to the end of the text and so silently swallow the statements
// after it. Grammar is left to SQLite.
package sqltext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Kind is the lexical class of a token.
type Kind int

const (
	// Ident is a bare identifier or keyword: SELECT, images, data__name.
	Ident Kind = iota
	// QuotedIdent is an identifier in "", `` or []; Token.Value holds it unquoted.
	QuotedIdent
	// String is a '...' literal; Token.Value holds it unquoted.
	String
	// Number is a numeric literal: 12, 1.5, .5, 1e3, 0x1F.
	Number
	// Blob is an X'..' literal.
	Blob
	// Param is a parameter marker: @name, @@json, ?, ?1, :name, $name
	// (and SQLite's #name).
	Param
	// Op is punctuation or an operator: ( ) , ; . = <> || ->> and so on.
	Op
)

func (k Kind) String() string {
	switch k {
	case Ident:
		return "identifier"
	case QuotedIdent:
		return "quoted identifier"
	case String:
		return "string"
	case Number:
		return "number"
	case Blob:
		return "blob"
	case Param:
		return "parameter"
	case Op:
		return "operator"
	}
	return "token"
}

// Token is one lexical token. Pos and End are byte offsets into the text that
// was lexed: Text == src[Pos:End].
type Token struct {
	Kind Kind
	// Text is the token as written.
	Text string
	// Value is the token's value: unquoted for strings and quoted identifiers,
	// the name without its marker for @params, Text otherwise.
	Value string
	Pos   int
	End   int
}

// Is reports whether the token is the bare keyword or identifier kw,
// case-insensitively.
func (t Token) Is(kw string) bool {
	return t.Kind == Ident && strings.EqualFold(t.Text, kw)
}

// IsOp reports whether the token is the operator op.
func (t Token) IsOp(op string) bool {
	return t.Kind == Op && t.Text == op
}

// IsName reports whether the token can name something: a bare or quoted identifier.
func (t Token) IsName() bool {
	return t.Kind == Ident || t.Kind == QuotedIdent
}

// Error is a lexical error at a byte offset of the text.
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("at offset %d: %s", e.Pos, e.Msg) }

// Lex returns the tokens of src, without whitespace and comments. It fails
// only on an unterminated string, quoted identifier, blob or block comment,
// and on bytes that cannot begin any token.
func Lex(src string) ([]Token, error) {
	var toks []Token
	err := scan(src, func(t Token) bool {
		toks = append(toks, t)
		return true
	})
	return toks, err
}

// multi-character operators, longest first.
var ops = []string{"->>", "||", "->", "<=", ">=", "<>", "!=", "==", "<<", ">>"}

// scan calls emit for each token of src in order until emit returns false.
func scan(src string, emit func(Token) bool) error {
	i := 0
	if strings.HasPrefix(src, "\ufeff") {
		i = len("\ufeff") // a byte-order mark, as Windows editors write
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '-' && strings.HasPrefix(src[i:], "--"):
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				return nil
			}
			i += j + 1
			continue
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			j := strings.Index(src[i+2:], "*/")
			if j < 0 {
				return &Error{Pos: i, Msg: "unterminated /* comment: add the closing */"}
			}
			i += j + 4
			continue
		}
		t, err := next(src, i)
		if err != nil {
			return err
		}
		if !emit(t) {
			return nil
		}
		i = t.End
	}
	return nil
}

// next lexes the token starting at src[i], which is not space or comment.
func next(src string, i int) (Token, error) {
	c := src[i]
	tok := func(kind Kind, end int, value string) (Token, error) {
		return Token{Kind: kind, Text: src[i:end], Value: value, Pos: i, End: end}, nil
	}
	switch {
	case (c == 'x' || c == 'X') && i+1 < len(src) && src[i+1] == '\'':
		end, _, err := quoted(src, i+1, '\'', "blob")
		if err != nil {
			return Token{}, &Error{Pos: i, Msg: err.(*Error).Msg}
		}
		return tok(Blob, end, src[i:end])
	case c == '\'':
		end, val, err := quoted(src, i, '\'', "string")
		if err != nil {
			return Token{}, err
		}
		return tok(String, end, val)
	case c == '"' || c == '`':
		end, val, err := quoted(src, i, c, "quoted identifier")
		if err != nil {
			return Token{}, err
		}
		return tok(QuotedIdent, end, val)
	case c == '[':
		j := strings.IndexByte(src[i+1:], ']')
		if j < 0 {
			return Token{}, &Error{Pos: i, Msg: "unterminated [identifier]: add the closing ]"}
		}
		return tok(QuotedIdent, i+j+2, src[i+1:i+1+j])
	case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
		end := number(src, i)
		return tok(Number, end, src[i:end])
	case c == '@':
		j := i + 1
		if j < len(src) && src[j] == '@' {
			j++
		}
		end := identEnd(src, j)
		if end == j {
			return Token{}, &Error{Pos: i, Msg: "@ must be followed by a parameter name, as in @image_id = 1"}
		}
		return tok(Param, end, src[i+(j-i):end])
	case c == '?':
		j := i + 1
		for j < len(src) && src[j] >= '0' && src[j] <= '9' {
			j++
		}
		return tok(Param, j, src[i:j])
	case (c == ':' || c == '$' || c == '#') && identEnd(src, i+1) > i+1:
		end := identEnd(src, i+1)
		return tok(Param, end, src[i+1:end])
	case identStart(src[i:]):
		end := identEnd(src, i)
		return tok(Ident, end, src[i:end])
	}
	for _, op := range ops {
		if strings.HasPrefix(src[i:], op) {
			return tok(Op, i+len(op), op)
		}
	}
	if strings.IndexByte("()[],;.=<>+-*/%&|~!", c) >= 0 {
		return tok(Op, i+1, src[i:i+1])
	}
	r, _ := utf8.DecodeRuneInString(src[i:])
	return Token{}, &Error{Pos: i, Msg: fmt.Sprintf("unexpected character %q", r)}
}

// quoted scans a literal that starts at src[i] with quote q, where a doubled
// quote stands for one. It returns the end offset and the unquoted value.
func quoted(src string, i int, q byte, what string) (int, string, error) {
	var b strings.Builder
	j := i + 1
	for {
		k := strings.IndexByte(src[j:], q)
		if k < 0 {
			return 0, "", &Error{Pos: i, Msg: fmt.Sprintf("unterminated %s: add the closing %c", what, q)}
		}
		b.WriteString(src[j : j+k])
		j += k + 1
		if j < len(src) && src[j] == q {
			b.WriteByte(q)
			j++
			continue
		}
		return j, b.String(), nil
	}
}

func number(src string, i int) int {
	j := i
	if strings.HasPrefix(src[i:], "0x") || strings.HasPrefix(src[i:], "0X") {
		j += 2
		for j < len(src) && strings.IndexByte("0123456789abcdefABCDEF", src[j]) >= 0 {
			j++
		}
		return j
	}
	digits := func() {
		for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '_') {
			j++
		}
	}
	digits()
	if j < len(src) && src[j] == '.' {
		j++
		digits()
	}
	if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		k := j + 1
		if k < len(src) && (src[k] == '+' || src[k] == '-') {
			k++
		}
		if k < len(src) && src[k] >= '0' && src[k] <= '9' {
			j = k
			digits()
		}
	}
	return j
}

// identStart reports whether s begins an identifier. As in SQLite, every
// byte from 0x80 up is an identifier character, so any non-ASCII text (valid
// UTF-8 or not) lexes as part of an identifier, never as an error.
func identStart(s string) bool {
	c := s[0]
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= utf8.RuneSelf
}

// identEnd returns the end of the identifier characters from src[i].
func identEnd(src string, i int) int {
	j := i
	for j < len(src) {
		c := src[j]
		if c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= utf8.RuneSelf {
			j++
			continue
		}
		break
	}
	return j
}

// LineCol returns the 1-based line and column (in runes) of byte offset pos in src.
func LineCol(src string, pos int) (line, col int) {
	if pos > len(src) {
		pos = len(src)
	}
	if pos < 0 {
		pos = 0
	}
	before := src[:pos]
	line = strings.Count(before, "\n") + 1
	start := strings.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCountInString(before[start:]) + 1
}
