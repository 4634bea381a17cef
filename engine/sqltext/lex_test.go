package sqltext_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/apiql/apiql/engine/sqltext"
)

// tk is a token as the tests write it: kind, text and value.
type tk struct {
	kind  sqltext.Kind
	text  string
	value string
}

func lexAll(t *testing.T, src string) []sqltext.Token {
	t.Helper()
	toks, err := sqltext.Lex(src)
	if err != nil {
		t.Fatalf("Lex(%q): %v", src, err)
	}
	checkPositions(t, src, toks)
	return toks
}

// checkPositions checks Text == src[Pos:End] and that tokens are in order
// and do not overlap.
func checkPositions(t *testing.T, src string, toks []sqltext.Token) {
	t.Helper()
	prev := 0
	for i, tok := range toks {
		if tok.Pos < prev || tok.End <= tok.Pos || tok.End > len(src) {
			t.Fatalf("%q: token %d %+v: bad span (previous end %d)", src, i, tok, prev)
		}
		if src[tok.Pos:tok.End] != tok.Text {
			t.Fatalf("%q: token %d: Text %q but src[%d:%d] = %q", src, i, tok.Text, tok.Pos, tok.End, src[tok.Pos:tok.End])
		}
		prev = tok.End
	}
}

func TestLexTokens(t *testing.T) {
	id := func(s string) tk { return tk{sqltext.Ident, s, s} }
	op := func(s string) tk { return tk{sqltext.Op, s, s} }
	num := func(s string) tk { return tk{sqltext.Number, s, s} }
	str := func(text, value string) tk { return tk{sqltext.String, text, value} }
	qid := func(text, value string) tk { return tk{sqltext.QuotedIdent, text, value} }
	prm := func(text, value string) tk { return tk{sqltext.Param, text, value} }
	blob := func(s string) tk { return tk{sqltext.Blob, s, s} }
	tests := []struct {
		src  string
		want []tk
	}{
		{"", nil},
		{"  \t\r\n\f\v ", nil},
		{"SELECT images", []tk{id("SELECT"), id("images")}},
		{"data__name _x x1 a$b", []tk{id("data__name"), id("_x"), id("x1"), id("a$b")}},
		// strings
		{"'abc'", []tk{str("'abc'", "abc")}},
		{"''", []tk{str("''", "")}},
		{"'it''s'", []tk{str("'it''s'", "it's")}},
		{"''''", []tk{str("''''", "'")}},
		{"'a;b -- c /* d */'", []tk{str("'a;b -- c /* d */'", "a;b -- c /* d */")}},
		{"'a\nb'", []tk{str("'a\nb'", "a\nb")}},
		// quoted identifiers
		{`"my col"`, []tk{qid(`"my col"`, "my col")}},
		{`"a""b"`, []tk{qid(`"a""b"`, `a"b`)}},
		{"`a``b`", []tk{qid("`a``b`", "a`b")}},
		{"[a b]", []tk{qid("[a b]", "a b")}},
		{"[a\"b]", []tk{qid("[a\"b]", `a"b`)}},
		// blobs
		{"X'41'", []tk{blob("X'41'")}},
		{"x'0aFF'", []tk{blob("x'0aFF'")}},
		{"x 'a'", []tk{id("x"), str("'a'", "a")}},
		{"max'a'", []tk{id("max"), str("'a'", "a")}},
		// numbers
		{"1", []tk{num("1")}},
		{"1.5", []tk{num("1.5")}},
		{".5", []tk{num(".5")}},
		{"1.", []tk{num("1.")}},
		{"1e3", []tk{num("1e3")}},
		{"1E+3 2e-10", []tk{num("1E+3"), num("2e-10")}},
		{"1.5e3", []tk{num("1.5e3")}},
		{"0x1F", []tk{num("0x1F")}},
		{"0XaB", []tk{num("0XaB")}},
		{"1_000", []tk{num("1_000")}},
		{"1e", []tk{num("1"), id("e")}},
		{"1ex", []tk{num("1"), id("ex")}},
		{"a.5", []tk{id("a"), num(".5")}},
		{"t.a", []tk{id("t"), op("."), id("a")}},
		// parameters
		{"@image_id", []tk{prm("@image_id", "image_id")}},
		{"@@json", []tk{prm("@@json", "json")}},
		{"@1", []tk{prm("@1", "1")}},
		{"?", []tk{prm("?", "?")}},
		{"?12", []tk{prm("?12", "?12")}},
		{":name", []tk{prm(":name", "name")}},
		{":1", []tk{prm(":1", "1")}},
		{"$name", []tk{prm("$name", "name")}},
		{"$1", []tk{prm("$1", "1")}},
		{"#name", []tk{prm("#name", "name")}},
		{"@a=1", []tk{prm("@a", "a"), op("="), num("1")}},
		// operators
		{"->>", []tk{op("->>")}},
		{"a->>'$.x'", []tk{id("a"), op("->>"), str("'$.x'", "$.x")}},
		{"a->'$'", []tk{id("a"), op("->"), str("'$'", "$")}},
		{"a||b", []tk{id("a"), op("||"), id("b")}},
		{"<= >= <> != == < > = << >>", []tk{op("<="), op(">="), op("<>"), op("!="), op("=="), op("<"), op(">"), op("="), op("<<"), op(">>")}},
		{"( ) , ; . + - * / % & | ~ !", []tk{op("("), op(")"), op(","), op(";"), op("."), op("+"), op("-"), op("*"), op("/"), op("%"), op("&"), op("|"), op("~"), op("!")}},
		{"a-1", []tk{id("a"), op("-"), num("1")}},
		{"a- -1", []tk{id("a"), op("-"), op("-"), num("1")}},
		{"]", []tk{op("]")}},
		// unicode identifiers
		{"SELECT café, 名前 FROM données", []tk{id("SELECT"), id("café"), op(","), id("名前"), id("FROM"), id("données")}},
		{"Ωmega1", []tk{id("Ωmega1")}},
		{"a\uFFFDb", []tk{id("a\uFFFDb")}},
		{"a\xffb", []tk{id("a\xffb")}},
		// comments
		{"SELECT 1 -- the end", []tk{id("SELECT"), num("1")}},
		{"--", nil},
		{"-- only\n", nil},
		{"a -- c;\nb", []tk{id("a"), id("b")}},
		{"a--b\nc", []tk{id("a"), id("c")}},
		{"a /* x; 'y' */ b", []tk{id("a"), id("b")}},
		{"a/**/b", []tk{id("a"), id("b")}},
		{"a /* /* */ b", []tk{id("a"), id("b")}},
		{"a/*-- */b", []tk{id("a"), id("b")}},
		{"'--' /* '' */ \"/*\"", []tk{str("'--'", "--"), qid(`"/*"`, "/*")}},
		{"1-->x", []tk{num("1")}},
	}
	for _, tt := range tests {
		toks, err := sqltext.Lex(tt.src)
		if err != nil {
			t.Errorf("Lex(%q): %v", tt.src, err)
			continue
		}
		checkPositions(t, tt.src, toks)
		var got []tk
		for _, x := range toks {
			got = append(got, tk{x.Kind, x.Text, x.Value})
		}
		if !equalTk(got, tt.want) {
			t.Errorf("Lex(%q)\n got %v\nwant %v", tt.src, got, tt.want)
		}
	}
}

func equalTk(a, b []tk) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLexPositions(t *testing.T) {
	src := "SELECT  \"a b\",'x''y' /* c */ FROM p.s.r\n\tWHERE id=-1.5 -- end"
	toks := lexAll(t, src)
	want := []struct {
		text     string
		pos, end int
	}{
		{"SELECT", 0, 6}, {`"a b"`, 8, 13}, {",", 13, 14}, {"'x''y'", 14, 20},
		{"FROM", 29, 33}, {"p", 34, 35}, {".", 35, 36}, {"s", 36, 37}, {".", 37, 38}, {"r", 38, 39},
		{"WHERE", 41, 46}, {"id", 47, 49}, {"=", 49, 50}, {"-", 50, 51}, {"1.5", 51, 54},
	}
	if len(toks) != len(want) {
		t.Fatalf("got %d tokens %v, want %d", len(toks), toks, len(want))
	}
	for i, w := range want {
		if toks[i].Text != w.text || toks[i].Pos != w.pos || toks[i].End != w.end {
			t.Errorf("token %d = %q [%d,%d), want %q [%d,%d)", i, toks[i].Text, toks[i].Pos, toks[i].End, w.text, w.pos, w.end)
		}
	}
	// Multi-byte runes: positions are byte offsets.
	src = "'é' ü"
	toks = lexAll(t, src)
	if toks[0].End != 4 || toks[1].Pos != 5 || toks[1].End != 7 {
		t.Errorf("byte offsets of %q: %+v", src, toks)
	}
}

func TestLexErrors(t *testing.T) {
	tests := []struct {
		src string
		pos int
		msg string
	}{
		{"SELECT 'abc", 7, "unterminated string"},
		{"SELECT 'it''s", 7, "unterminated string"},
		{"SELECT 'a''", 7, "unterminated string"},
		{`SELECT "abc`, 7, "unterminated quoted identifier"},
		{"SELECT `abc", 7, "unterminated quoted identifier"},
		{"SELECT [abc", 7, "unterminated [identifier]"},
		{"SELECT x'41", 7, "unterminated blob"},
		{"SELECT 1 /* never closed", 9, "unterminated /* comment"},
		{"SELECT 1 /*/", 9, "unterminated /* comment"},
		{"SELECT @", 7, "@ must be followed"},
		{"SELECT @@ x", 7, "@ must be followed"},
		{"SELECT a # b", 9, "unexpected character '#'"},
		{"SELECT a ^ b", 9, "unexpected character '^'"},
		{"SELECT : x", 7, "unexpected character ':'"},
		{"SELECT {", 7, "unexpected character '{'"},
		{"SELECT \x00", 7, "unexpected character"},
		{"ok; 'bad", 4, "unterminated string"},
	}
	for _, tt := range tests {
		_, err := sqltext.Lex(tt.src)
		var le *sqltext.Error
		if !errors.As(err, &le) {
			t.Errorf("Lex(%q) = %v, want *Error", tt.src, err)
			continue
		}
		if le.Pos != tt.pos || !strings.Contains(le.Msg, tt.msg) {
			t.Errorf("Lex(%q) error at %d %q, want at %d containing %q", tt.src, le.Pos, le.Msg, tt.pos, tt.msg)
		}
		if !strings.Contains(le.Error(), "offset") {
			t.Errorf("Error() = %q, want the offset", le.Error())
		}
	}
}

func TestTokenMethods(t *testing.T) {
	toks := lexAll(t, `select "select" = 'select'`)
	if !toks[0].Is("SELECT") || !toks[0].Is("select") || toks[1].Is("SELECT") || toks[3].Is("select") {
		t.Errorf("Is: %+v", toks)
	}
	if !toks[2].IsOp("=") || toks[2].IsOp("==") || toks[0].IsOp("select") {
		t.Errorf("IsOp: %+v", toks)
	}
	if !toks[0].IsName() || !toks[1].IsName() || toks[2].IsName() || toks[3].IsName() {
		t.Errorf("IsName: %+v", toks)
	}
	kinds := map[sqltext.Kind]string{
		sqltext.Ident: "identifier", sqltext.QuotedIdent: "quoted identifier", sqltext.String: "string",
		sqltext.Number: "number", sqltext.Blob: "blob", sqltext.Param: "parameter", sqltext.Op: "operator",
		sqltext.Kind(99): "token",
	}
	for k, want := range kinds {
		if k.String() != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), k.String(), want)
		}
	}
}

func TestLineCol(t *testing.T) {
	src := "ab\ncé d\n\nx"
	tests := []struct{ pos, line, col int }{
		{-5, 1, 1}, {0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 2, 1}, {4, 2, 2},
		{6, 2, 3}, // after the two bytes of é
		{7, 2, 4}, {9, 3, 1}, {10, 4, 1}, {11, 4, 2}, {100, 4, 2},
	}
	for _, tt := range tests {
		line, col := sqltext.LineCol(src, tt.pos)
		if line != tt.line || col != tt.col {
			t.Errorf("LineCol(%d) = %d:%d, want %d:%d", tt.pos, line, col, tt.line, tt.col)
		}
	}
}
