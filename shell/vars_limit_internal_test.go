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
		{"SELECT 1; {{ range 20000000 }}SELECT 1;{{ end }}", false},
		{"{{ range 20000000 }}{{ end }}SELECT 1", true},
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
