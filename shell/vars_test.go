package shell_test

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apiql/apiql/shell"
)

func varsFile(name string) string { return filepath.Join("testdata", "vars", name) }

func TestParseVars(t *testing.T) {
	for _, tc := range []struct {
		name  string
		pairs []string
		files []string
		want  map[string]any
	}{
		{name: "nothing", want: map[string]any{}},
		{
			name:  "pairs are strings",
			pairs: []string{"region=nyc3", "limit=10", "empty=", "expr=a=b"},
			want:  map[string]any{"region": "nyc3", "limit": "10", "empty": "", "expr": "a=b"},
		},
		{
			name:  "file keeps JSON types",
			files: []string{varsFile("base.json")},
			want: map[string]any{
				"region":       "nyc3",
				"limit":        int64(10),
				"big":          int64(9007199254740993),
				"price_per_gb": 0.05,
				"private":      true,
				"tag":          nil,
				"tags":         []any{"prod", "web"},
				"owner":        map[string]any{"team": "infra", "id": int64(7)},
			},
		},
		{
			name:  "later file overrides earlier, --var overrides files",
			files: []string{varsFile("base.json"), varsFile("override.json")},
			pairs: []string{"limit=3", "region=ams3", "region=fra1"},
			want: map[string]any{
				"region":       "fra1",
				"limit":        "3",
				"big":          int64(9007199254740993),
				"price_per_gb": 0.05,
				"private":      true,
				"tag":          nil,
				"tags":         []any{"prod", "web"},
				"owner":        map[string]any{"team": "infra", "id": int64(7)},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := shell.ParseVars(tc.pairs, tc.files)
			if err != nil {
				t.Fatalf("ParseVars() = %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseVars() =\n%#v\nwant\n%#v", got, tc.want)
			}
		})
	}
}

func TestParseVarsErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pairs   []string
		files   []string
		wantErr string
	}{
		{name: "no equals", pairs: []string{"region"}, wantErr: `--var "region": no '=': want --var KEY=VALUE`},
		{name: "empty key", pairs: []string{"=nyc3"}, wantErr: `--var "=nyc3": empty variable name: want --var KEY=VALUE`},
		{name: "missing file", files: []string{varsFile("nope.json")}, wantErr: "--vars file " + varsFile("nope.json") + ": open "},
		{name: "syntax", files: []string{varsFile("broken.json")}, wantErr: "--vars file " + varsFile("broken.json") + ": line 3, column 15: invalid character ','"},
		{name: "not an object", files: []string{varsFile("array.json")}, wantErr: "--vars file " + varsFile("array.json") + ": want a JSON object of variables, got an array"},
		{name: "two documents", files: []string{varsFile("trailing.json")}, wantErr: "--vars file " + varsFile("trailing.json") + ": line 2, column 1: unexpected data after the JSON object"},
		{name: "empty", files: []string{varsFile("empty.json")}, wantErr: "--vars file " + varsFile("empty.json") + ": empty file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := shell.ParseVars(tc.pairs, tc.files)
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
				t.Errorf("ParseVars() error = %v\nwant prefix %q", err, tc.wantErr)
			}
		})
	}
}

func TestRender(t *testing.T) {
	vars, err := shell.ParseVars([]string{"name=web-01"}, []string{varsFile("base.json")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, text, want string
	}{
		{
			name: "string",
			text: "SELECT * FROM digitalocean.images.images WHERE region = '{{ .region }}';",
			want: "SELECT * FROM digitalocean.images.images WHERE region = 'nyc3';",
		},
		{name: "types print plainly", text: "{{ .limit }} {{ .big }} {{ .price_per_gb }} {{ .private }} {{ .name }}", want: "10 9007199254740993 0.05 true web-01"},
		{name: "nested", text: "{{ .owner.team }}/{{ .owner.id }}", want: "infra/7"},
		{name: "default when missing", text: "{{ .price_per_tb | default 0.06 }}", want: "0.06"},
		{name: "default when set", text: "{{ .price_per_gb | default 0.06 }}", want: "0.05"},
		{name: "default when null", text: "{{ .tag | default \"untagged\" }}", want: "untagged"},
		{name: "default, call form", text: "{{ default 25 .page_size }} {{ default 25 .limit }}", want: "25 10"},
		{name: "default on a missing parent", text: "{{ .network.vpc | default \"none\" }}", want: "none"},
		{name: "default on a missing child", text: "{{ .owner.email | default \"nobody\" }}", want: "nobody"},
		{name: "default inside with", text: "{{ with .owner }}{{ .role | default \"member\" }}{{ end }}", want: "member"},
		{name: "default on a variable", text: "{{ $o := .owner }}{{ $o.role | default \"member\" }}", want: "member"},
		{name: "default feeds if", text: "{{ if .dry_run | default false }}dry{{ else }}wet{{ end }}", want: "wet"},
		{name: "default in parentheses", text: "{{ printf \"%v-%v\" (.a | default 1) (default 2 .b) }}", want: "1-2"},
		{name: "json", text: "{{ .tags | json }} {{ .owner | json }}", want: `["prod","web"] {"id":7,"team":"infra"}`},
		{name: "range", text: "{{ range $i, $t := .tags }}{{ if $i }}, {{ end }}'{{ $t }}'{{ end }}", want: "'prod', 'web'"},
		{name: "no template", text: "SELECT '{' || \"}\" FROM t -- { not a template }", want: "SELECT '{' || \"}\" FROM t -- { not a template }"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := shell.Render("q.iql", tc.text, vars)
			if err != nil {
				t.Fatalf("Render() = %v", err)
			}
			if got != tc.want {
				t.Errorf("Render() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	vars := map[string]any{
		"region": "nyc3",
		"tag":    nil,
		"owner":  map[string]any{"team": "infra"},
	}
	for _, tc := range []struct {
		name, file, text string
		wantErr          string
		wantLine         int
		wantVariable     string
	}{
		{
			name:         "undefined variable",
			file:         "audit.iql",
			text:         "SELECT *\nFROM digitalocean.images.images\nWHERE region = '{{ .regoin }}'",
			wantErr:      `query file audit.iql line 3: undefined variable "regoin"; set it with --var regoin=VALUE or in a --vars file`,
			wantLine:     3,
			wantVariable: "regoin",
		},
		{
			name:         "undefined nested variable",
			file:         "audit.iql",
			text:         "{{ .owner.email }}",
			wantErr:      `query file audit.iql line 1: undefined variable "owner.email"; set it in a --vars file`,
			wantLine:     1,
			wantVariable: "owner.email",
		},
		{
			name:         "undefined parent",
			file:         "audit.iql",
			text:         "\n\n{{ .network.vpc }}",
			wantErr:      `query file audit.iql line 3: undefined variable "network"; set it with --var network=VALUE or in a --vars file`,
			wantLine:     3,
			wantVariable: "network",
		},
		{
			name:         "null variable",
			file:         "audit.iql",
			text:         "WHERE tag = '{{ .tag }}'",
			wantErr:      `query file audit.iql line 1: {{ .tag }} is null; give it a value with --var or in a --vars file, or a fallback: {{ .tag | default VALUE }}`,
			wantLine:     1,
			wantVariable: "tag",
		},
		{
			name:     "syntax error",
			file:     "audit.iql",
			text:     "SELECT 1;\nSELECT '{{ .region }';",
			wantErr:  `query file audit.iql line 2: template syntax: unexpected "}" in operand`,
			wantLine: 2,
		},
		{
			name:     "unclosed action",
			file:     "audit.iql",
			text:     "SELECT 1;\n\nSELECT {{ .region",
			wantErr:  `query file audit.iql line 3: template syntax: unclosed action`,
			wantLine: 3,
		},
		{
			name:     "unknown function",
			file:     "audit.iql",
			text:     "{{ .region | upper }}",
			wantErr:  `query file audit.iql line 1: template syntax: function "upper" not defined`,
			wantLine: 1,
		},
		{
			name:     "field of a string",
			file:     "audit.iql",
			text:     "{{ .region.name }}",
			wantErr:  `query file audit.iql line 1: .region is not an object, so it has no field "name"`,
			wantLine: 1,
		},
		{
			name:     "field of a string under default",
			file:     "audit.iql",
			text:     "{{ .region.name | default 1 }}",
			wantErr:  `query file audit.iql line 1: .region is a string, not an object, so it has no field "name"`,
			wantLine: 1,
		},
		{
			name:         "no file name",
			text:         "{{ .zone }}",
			wantErr:      `query line 1: undefined variable "zone"; set it with --var zone=VALUE or in a --vars file`,
			wantLine:     1,
			wantVariable: "zone",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := shell.Render(tc.file, tc.text, vars)
			if err == nil {
				t.Fatalf("Render() = %q, want an error", out)
			}
			if got := err.Error(); got != tc.wantErr {
				t.Errorf("Render() error\n got %s\nwant %s", got, tc.wantErr)
			}
			var te *shell.TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("Render() error is %T, want *shell.TemplateError", err)
			}
			if te.Line != tc.wantLine || te.Variable != tc.wantVariable {
				t.Errorf("TemplateError{Line: %d, Variable: %q}, want {%d, %q}", te.Line, te.Variable, tc.wantLine, tc.wantVariable)
			}
		})
	}
}

func TestRenderNilVars(t *testing.T) {
	if got, err := shell.Render("q.iql", "{{ .x | default 1 }}", nil); err != nil || got != "1" {
		t.Errorf("Render() with nil vars = %q, %v; want \"1\"", got, err)
	}
	if _, err := shell.Render("q.iql", "{{ .x }}", nil); err == nil {
		t.Errorf("Render() with nil vars and an undefined variable: no error")
	}
}
