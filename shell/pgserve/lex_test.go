package pgserve

import (
	"fmt"
	"testing"
)

func TestLexPG(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want string // kind:value of each token
	}{
		{"SELECT $$a'b$$, $tag$x$y$tag$", "0:select 1:a'b 4:, 1:x$y"},
		{"E'a\\nb' 'it''s'", "1:a\nb 1:it's"},
		{`"Mixed Case"."t" x::int`, "0:Mixed Case 4:. 0:t 0:x 4::: 0:int"},
		{"a !~* b ~ c OPERATOR(pg_catalog.~) d", "0:a 4:!~* 0:b 4:~ 0:c 0:operator 4:( 0:pg_catalog 4:. 4:~ 4:) 0:d"},
		{"$1 /* a /* nested */ comment */ -- line\n1.5e3", "3:1 2:1.5e3"},
	} {
		toks, err := lexPG(tc.src)
		if err != nil {
			t.Fatalf("%q: %v", tc.src, err)
		}
		got := ""
		for i, tk := range toks {
			if i > 0 {
				got += " "
			}
			got += fmt.Sprintf("%d:%s", tk.Kind, tk.Value)
		}
		if got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.src, got, tc.want)
		}
	}
	for _, bad := range []string{"'open", `"open`, "$$open", "/* open"} {
		if _, err := lexPG(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	stmts, err := splitPG("SELECT 1; ; -- c\nSELECT ';' ; SELECT $$;$$")
	if err != nil || len(stmts) != 3 {
		t.Fatalf("split: %q, %v", stmts, err)
	}
}
