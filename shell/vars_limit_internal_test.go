package shell

import (
	"errors"
	"strings"
	"testing"
)

// TestRenderBound: a template that renders more than the bound fails with
// a TemplateError saying so, whatever writes the text (a range, a
// variable, literal text in a loop), and text within the bound renders.
func TestRenderBound(t *testing.T) {
	vars := map[string]any{"big": strings.Repeat("x", 300)}
	for _, tc := range []struct {
		text string
		ok   bool
	}{
		{"SELECT 1; {{ range 1000000 }}SELECT 1;{{ end }}", false},
		{"{{ range 1000000 }}{{ end }}SELECT 1", true},
		{"SELECT '{{ .big }}'", false},
		{"SELECT '{{ range 10 }}x{{ end }}'", true},
		{"{{ range 3 }}{{ $.big }}{{ end }}", false},
	} {
		got, err := render("q.iql", tc.text, vars, 256)
		if tc.ok {
			if err != nil {
				t.Errorf("%q: %v", tc.text, err)
			}
			continue
		}
		var te *TemplateError
		if !errors.As(err, &te) {
			t.Errorf("%q: got %q, %v; want a TemplateError", tc.text, got, err)
			continue
		}
		if !strings.Contains(te.Error(), "passed 256 bytes") || te.File != "q.iql" {
			t.Errorf("%q: error %q does not say what bound was passed, in which file", tc.text, te)
		}
	}
}

// TestRenderLoopBound: {{ range N }} loops over numbers that would run
// more than MaxRangeIterations times in all (nested loops multiply) fail
// before running, at the line of the loop, even when they print nothing.
func TestRenderLoopBound(t *testing.T) {
	for _, tc := range []struct {
		text string
		line int // 0: renders
	}{
		{"{{ range 20000000000 }}{{ end }}", 1},
		{"SELECT 1;\n{{ range 1000 }}{{ range 1001 }}{{ end }}{{ end }}", 2},
		{"{{ if true }}\n\n{{ range 5 }}{{ range 9223372036854775807 }}{{ end }}{{ end }}{{ end }}", 3},
		{"{{ range 1000 }}{{ end }}{{ range 1000 }}{{ end }}SELECT 1", 0},
		{"{{ range 1000 }}{{ range 1000 }}{{ end }}{{ end }}SELECT 1", 0},
	} {
		_, err := render("q.iql", tc.text, nil, 1<<20)
		if tc.line == 0 {
			if err != nil {
				t.Errorf("%q: %v", tc.text, err)
			}
			continue
		}
		var te *TemplateError
		if !errors.As(err, &te) || te.Line != tc.line || !strings.Contains(te.Message, "more than the 1000000") {
			t.Errorf("%q: got %v, want an error at line %d naming the bound", tc.text, err, tc.line)
		}
	}
}
