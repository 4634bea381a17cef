package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/apiql/apiql/provider/emulator"
)

// cliRun is what one in-process run of apiql did.
type cliRun struct {
	code           int
	stdout, stderr string
}

// runApiql runs apiql in-process with args, stdin as its (piped) standard
// input, and returns the exit code and both streams.
func runApiql(t *testing.T, stdin string, args ...string) cliRun {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(args, strings.NewReader(stdin), &stdout, &stderr)
	return cliRun{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// String shows the run in failure messages.
func (r cliRun) String() string {
	return fmt.Sprintf("exit code %d\n--- stdout:\n%s--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// newTestAPI serves a fresh emulator (60 images) that accepts token, and
// points apiql's DigitalOcean provider at it with DIGITALOCEAN_TOKEN set to
// token ("" leaves no token in the environment).
func newTestAPI(t *testing.T, token string) *emulator.Server {
	t.Helper()
	acceptsToken := token
	if acceptsToken == "" {
		acceptsToken = "some-other-token"
	}
	srv := emulator.New(emulator.Options{Token: acceptsToken})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	t.Setenv("DIGITALOCEAN_API_URL", ts.URL)
	t.Setenv("DIGITALOCEAN_TOKEN", token)
	t.Setenv("DIGITALOCEAN_ACCESS_TOKEN", "")
	t.Setenv("APIQL_REGISTRY", "")
	return srv
}

// decodeJSONArrays decodes the json output of a run: one JSON document,
// the array of row objects of its one statement or, for several
// statements, an array of {"statement": n, "rows": [...]} objects. It
// returns each statement's rows, numbers kept as json.Number.
func decodeJSONArrays(t *testing.T, out string) [][]map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber()
	var doc []map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not one JSON array of objects: %v\n%s", err, out)
	}
	if dec.More() || dec.InputOffset() != int64(len(strings.TrimRight(out, "\n"))) {
		t.Fatalf("stdout holds more than one JSON document:\n%s", out)
	}
	if doc == nil {
		t.Fatalf("stdout is null, want an array:\n%s", out)
	}
	several := len(doc) > 0
	for _, d := range doc {
		_, hasN := d["statement"]
		_, hasRows := d["rows"].([]any)
		several = several && hasN && hasRows && len(d) <= 3
	}
	if !several {
		return [][]map[string]any{doc}
	}
	var all [][]map[string]any
	for i, d := range doc {
		if n := wantInt(t, "statement", d["statement"]); n != int64(i+1) {
			t.Errorf("element %d is statement %d", i+1, n)
		}
		var rows []map[string]any
		for _, r := range d["rows"].([]any) {
			rows = append(rows, r.(map[string]any))
		}
		if rows == nil {
			rows = []map[string]any{}
		}
		all = append(all, rows)
	}
	return all
}

// wantInt checks that v is a JSON integer and returns it.
func wantInt(t *testing.T, what string, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%s = %#v (%T), want a JSON number", what, v, v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%s = %s, want an integer: %v", what, n, err)
	}
	return i
}

const imagesTable = "digitalocean.images.images"

// TestExecJSONTypes decodes -o json and checks every value has its
// registry type: numbers, booleans, arrays and nulls, not strings.
func TestExecJSONTypes(t *testing.T) {
	r := runApiql(t, "", "exec", "--sandbox", "-o", "json",
		"SELECT id, name, public, regions, tags, min_disk_size, size_gigabytes, slug FROM "+imagesTable+" ORDER BY id;"+
			"SELECT 9223372036854775807 AS max, -9223372036854775807 AS min, 9007199254740993 AS big, NULL AS none, 'x' AS s;"+
			"SELECT id FROM "+imagesTable+" WHERE id < 0")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("want exit code 0 and nothing on stderr:\n%v", r)
	}
	results := decodeJSONArrays(t, r.stdout)
	if len(results) != 3 {
		t.Fatalf("got %d JSON arrays, want 3 (one per statement):\n%s", len(results), r.stdout)
	}

	images := results[0]
	if len(images) != 60 {
		t.Fatalf("got %d images, want the sandbox's 60", len(images))
	}
	var sawTrue, sawFalse, sawNullTags, sawTags, sawNullSlug, sawSlug bool
	for i, img := range images {
		if got, want := len(img), 8; got != want {
			t.Fatalf("image %d has %d keys, want %d: %v", i, got, want, img)
		}
		wantInt(t, "id", img["id"])
		if _, ok := img["name"].(string); !ok {
			t.Errorf("name = %#v, want a string", img["name"])
		}
		switch img["public"] {
		case true:
			sawTrue = true
		case false:
			sawFalse = true
		default:
			t.Errorf("public = %#v, want true or false", img["public"])
		}
		regions, ok := img["regions"].([]any)
		if !ok {
			t.Fatalf("regions = %#v, want an array", img["regions"])
		}
		for _, reg := range regions {
			if _, ok := reg.(string); !ok {
				t.Errorf("region %#v, want a string", reg)
			}
		}
		switch tags := img["tags"].(type) {
		case nil:
			sawNullTags = true
		case []any:
			sawTags = sawTags || len(tags) > 0
		default:
			t.Errorf("tags = %#v, want an array or null", tags)
		}
		if img["min_disk_size"] != nil { // custom images may not have one yet
			wantInt(t, "min_disk_size", img["min_disk_size"])
		}
		if _, ok := img["size_gigabytes"].(json.Number); !ok && img["size_gigabytes"] != nil {
			t.Errorf("size_gigabytes = %#v, want a number or null", img["size_gigabytes"])
		}
		switch img["slug"].(type) {
		case nil:
			sawNullSlug = true
		case string:
			sawSlug = true
		default:
			t.Errorf("slug = %#v, want a string or null", img["slug"])
		}
	}
	for what, saw := range map[string]bool{"public true": sawTrue, "public false": sawFalse,
		"null tags": sawNullTags, "non-empty tags": sawTags, "null slug": sawNullSlug, "a slug": sawSlug} {
		if !saw {
			t.Errorf("no image with %s: the sample data no longer exercises it", what)
		}
	}
	// Keys come in column order.
	if i, j := strings.Index(r.stdout, `"id"`), strings.Index(r.stdout, `"slug"`); i < 0 || j < i {
		t.Errorf("keys are not in column order:\n%.300s", r.stdout)
	}

	lit := results[1]
	if len(lit) != 1 {
		t.Fatalf("literals: got %d rows, want 1", len(lit))
	}
	for col, want := range map[string]int64{"max": 9223372036854775807, "min": -9223372036854775807, "big": 9007199254740993} {
		if got := wantInt(t, col, lit[0][col]); got != want {
			t.Errorf("%s = %d, want exactly %d", col, got, want)
		}
	}
	if v, ok := lit[0]["none"]; !ok || v != nil {
		t.Errorf("none = %#v (present %v), want null", v, ok)
	}
	if lit[0]["s"] != "x" {
		t.Errorf("s = %#v, want \"x\"", lit[0]["s"])
	}
	if len(results[2]) != 0 {
		t.Errorf("zero rows printed %v, want []", results[2])
	}
}

// TestExecFormats checks jsonl, csv (read back with encoding/csv), -H,
// markdown, text and table against the same rows as json.
func TestExecFormats(t *testing.T) {
	const query = "SELECT id, name, regions, tags, public FROM " + imagesTable + " ORDER BY id LIMIT 5"
	ref := runApiql(t, "", "exec", "--sandbox", "-o", "json", query)
	if ref.code != 0 {
		t.Fatalf("json: %v", ref)
	}
	want := decodeJSONArrays(t, ref.stdout)[0]
	if len(want) != 5 {
		t.Fatalf("json: %d rows, want 5", len(want))
	}
	// cell is how the text formats print a JSON value.
	cell := func(v any) string {
		switch v := v.(type) {
		case nil:
			return ""
		case string:
			return v
		case json.Number:
			return v.String()
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cols := []string{"id", "name", "regions", "tags", "public"}

	t.Run("jsonl", func(t *testing.T) {
		r := runApiql(t, "", "exec", "--sandbox", "-o", "jsonl", query)
		if r.code != 0 {
			t.Fatal(r)
		}
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if len(lines) != len(want) {
			t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), r.stdout)
		}
		for i, line := range lines {
			dec := json.NewDecoder(strings.NewReader(line))
			dec.UseNumber()
			var obj map[string]any
			if err := dec.Decode(&obj); err != nil {
				t.Fatalf("line %d is not a JSON object: %v: %s", i+1, err, line)
			}
			if got, wantJSON := mustJSON(t, obj), mustJSON(t, want[i]); got != wantJSON {
				t.Errorf("line %d = %s, want %s", i+1, got, wantJSON)
			}
		}
	})

	for _, headers := range []bool{true, false} {
		t.Run(fmt.Sprintf("csv headers=%v", headers), func(t *testing.T) {
			args := []string{"exec", "--sandbox", "-o", "csv", query}
			if !headers {
				args = append(args, "-H")
			}
			r := runApiql(t, "", args...)
			if r.code != 0 {
				t.Fatal(r)
			}
			recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
			if err != nil {
				t.Fatalf("not RFC 4180 CSV: %v\n%s", err, r.stdout)
			}
			if headers {
				if got := strings.Join(recs[0], ","); got != strings.Join(cols, ",") {
					t.Fatalf("header %q, want %q", got, strings.Join(cols, ","))
				}
				recs = recs[1:]
			}
			if len(recs) != len(want) {
				t.Fatalf("%d records, want %d:\n%s", len(recs), len(want), r.stdout)
			}
			for i, rec := range recs {
				for j, c := range cols {
					if got, w := rec[j], cell(want[i][c]); got != w {
						t.Errorf("row %d %s = %q, want %q", i+1, c, got, w)
					}
				}
			}
		})
	}

	t.Run("csv quoting", func(t *testing.T) {
		r := runApiql(t, "", "exec", "--sandbox", "-o", "csv", "SELECT 'a,b' AS x, 'say \"hi\"' AS y, 'two\nlines' AS z, NULL AS n, '' AS e")
		if r.code != 0 {
			t.Fatal(r)
		}
		recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		if err != nil {
			t.Fatalf("not RFC 4180 CSV: %v\n%s", err, r.stdout)
		}
		if got, w := fmt.Sprintf("%q", recs), fmt.Sprintf("%q", [][]string{{"x", "y", "z", "n", "e"}, {"a,b", `say "hi"`, "two\nlines", "", ""}}); got != w {
			t.Errorf("records %s, want %s", got, w)
		}
	})

	t.Run("text", func(t *testing.T) {
		r := runApiql(t, "", "exec", "--sandbox", "-o", "text", query)
		if r.code != 0 {
			t.Fatal(r)
		}
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if len(lines) != len(want)+1 || lines[0] != strings.Join(cols, "\t") {
			t.Fatalf("want a tab-separated header and %d rows:\n%s", len(want), r.stdout)
		}
		for i, line := range lines[1:] {
			var cells []string
			for _, c := range cols {
				if want[i][c] == nil {
					cells = append(cells, `\N`) // text's NULL
					continue
				}
				cells = append(cells, cell(want[i][c]))
			}
			if w := strings.Join(cells, "\t"); line != w {
				t.Errorf("row %d = %q, want %q", i+1, line, w)
			}
		}
	})

	t.Run("markdown", func(t *testing.T) {
		r := runApiql(t, "", "exec", "--sandbox", "-o", "markdown", query)
		if r.code != 0 {
			t.Fatal(r)
		}
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if len(lines) != len(want)+2 {
			t.Fatalf("%d lines, want header, separator and %d rows:\n%s", len(lines), len(want), r.stdout)
		}
		if !regexp.MustCompile(`^\| id +\| name +\| regions +\| tags +\| public +\|$`).MatchString(lines[0]) {
			t.Errorf("header %q", lines[0])
		}
		if !regexp.MustCompile(`^(\| :?-+:? )+\|$`).MatchString(lines[1]) {
			t.Errorf("separator %q", lines[1])
		}
		for i, line := range lines[2:] {
			if !strings.HasPrefix(line, "| "+cell(want[i]["id"])) || !strings.Contains(line, "| "+cell(want[i]["name"])) {
				t.Errorf("row %d = %q, want id %s and name %s", i+1, line, cell(want[i]["id"]), cell(want[i]["name"]))
			}
		}
	})

	t.Run("table", func(t *testing.T) {
		r := runApiql(t, "", "exec", "--sandbox", "-o", "table", query)
		if r.code != 0 {
			t.Fatal(r)
		}
		if !strings.HasPrefix(r.stdout, "+--") || !strings.HasSuffix(r.stdout, "(5 rows)\n") || !strings.Contains(r.stdout, cell(want[4]["name"])) {
			t.Errorf("not a table of the 5 rows:\n%s", r.stdout)
		}
		// The table is the default.
		if d := runApiql(t, "", "exec", "--sandbox", query); d.stdout != r.stdout {
			t.Errorf("without -o:\n%s\nwant the table:\n%s", d.stdout, r.stdout)
		}
	})

	t.Run("unknown", func(t *testing.T) {
		r := runApiql(t, "", "exec", "--sandbox", "-o", "yaml", query)
		if r.code != 2 || !strings.Contains(r.stderr, `"yaml"`) || !strings.Contains(r.stderr, "jsonl") || r.stdout != "" {
			t.Errorf("-o yaml: want exit code 2 and the valid formats:\n%v", r)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestExecStatements runs several statements: in order, each printed, and
// a failure stops the run (or not, with --continue-on-error), with an error
// that names the statement's number and first line.
func TestExecStatements(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		stdin      string
		code       int
		stdout     string
		stderrHas  []string
		stderrLack []string
	}{
		{
			name:   "in order",
			args:   []string{"SELECT 1 AS a; SELECT 2 AS b;\nSELECT 3 AS c"},
			stdout: "a\n1\n\nb\n2\n\nc\n3\n",
		},
		{
			name:      "the first failure stops the run",
			args:      []string{"SELECT 1 AS a; SELEC 2; SELECT 3 AS c"},
			code:      1,
			stdout:    "a\n1\n",
			stderrHas: []string{"statement 2", "in: SELEC 2\n"},
		},
		{
			name:       "continue on error",
			args:       []string{"--continue-on-error", "SELECT 1 AS a; SELECT nosuch FROM " + imagesTable + "; SELECT 3 AS c"},
			code:       1,
			stdout:     "a\n1\n\nc\n3\n",
			stderrHas:  []string{"statement 2", "no such column: nosuch", "in: SELECT nosuch FROM digitalocean.images.images\n"},
			stderrLack: []string{"statement 1", "statement 3"},
		},
		{
			name:       "continue on error, several failures",
			args:       []string{"SELECT 1 AS a; SELECT * FROM digitalocean.images.imagez; SELECT 3 AS c; DESCRIBE nope.x.y", "--continue-on-error"},
			code:       1,
			stdout:     "a\n1\n\nc\n3\n",
			stderrHas:  []string{"statement 2", "in: SELECT * FROM digitalocean.images.imagez", `did you mean "digitalocean.images.images"`, "statement 4", "in: DESCRIBE nope.x.y"},
			stderrLack: []string{"statement 3"},
		},
		{
			name:       "the first line of a long statement",
			args:       []string{"SELECT 1 AS a;\n-- a comment\nSELECT id,\n       nosuch\n  FROM digitalocean.images.images;"},
			code:       1,
			stdout:     "a\n1\n",
			stderrHas:  []string{"statement 2 (line 4", "in: SELECT id,\n"},
			stderrLack: []string{"in: -- a comment"},
		},
		{
			name:      "the last statement fails",
			args:      []string{"SELECT 1 AS a; SELECT 1/"},
			code:      1,
			stdout:    "a\n1\n",
			stderrHas: []string{"statement 2", "in: SELECT 1/"},
		},
		{
			name:      "a lexical error runs nothing",
			args:      []string{"SELECT 1 AS a; SELECT 'unterminated"},
			code:      1,
			stdout:    "",
			stderrHas: []string{"line 1, column"},
		},
		{
			name:   "a statement that starts with a comment",
			args:   []string{"-- count them\nSELECT count(*) AS n FROM digitalocean.images.images"},
			stdout: "n\n60\n",
		},
		{
			name:   "flags after the statement",
			args:   []string{"SELECT 1 AS a", "-H"},
			stdout: "1\n",
		},
		{
			name:   "statements from several arguments",
			args:   []string{"SELECT 1 AS a;", "SELECT 2 AS b"},
			stdout: "a\n1\n\nb\n2\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runApiql(t, tt.stdin, append([]string{"exec", "--sandbox", "-o", "csv"}, tt.args...)...)
			if r.code != tt.code {
				t.Errorf("exit code %d, want %d", r.code, tt.code)
			}
			if r.stdout != tt.stdout {
				t.Errorf("stdout %q, want %q", r.stdout, tt.stdout)
			}
			if tt.code == 0 && r.stderr != "" {
				t.Errorf("stderr %q, want nothing", r.stderr)
			}
			for _, s := range tt.stderrHas {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			for _, s := range tt.stderrLack {
				if strings.Contains(r.stderr, s) {
					t.Errorf("stderr has %q:\n%s", s, r.stderr)
				}
			}
		})
	}
}

// TestExecUsage: bad flags and arguments exit 2 with a message, before
// anything runs.
func TestExecUsage(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.iql")
	if err := os.WriteFile(empty, []byte("-- nothing but comments\n\n/* and space */\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  []string
	}{
		{"unknown flag", []string{"--bogus", "SELECT 1"}, "", 2, []string{"-bogus", "Usage: apiql exec"}},
		{"flag without its value", []string{"SELECT 1", "-o"}, "", 2, []string{"flag needs an argument: -o"}},
		{"bad integer", []string{"--concurrency", "many", "SELECT 1"}, "", 2, []string{"-concurrency"}},
		{"unknown format", []string{"-o", "xml", "SELECT 1"}, "", 2, []string{`unknown output format "xml"`}},
		{"file and argument", []string{"-i", empty, "SELECT 1"}, "", 2, []string{"not both"}},
		{"--var without =", []string{"--var", "region", "SELECT 1"}, "", 2, []string{`--var "region"`, "KEY=VALUE"}},
		{"--vars missing file", []string{"--vars", filepath.Join(dir, "nope.json"), "SELECT 1"}, "", 2, []string{"nope.json"}},
		{"empty piped stdin", nil, "", 2, []string{"no statements in stdin"}},
		{"blank piped stdin", nil, "  \n\t\n", 2, []string{"no statements in stdin"}},
		{"empty -i -", []string{"-i", "-"}, "-- only a comment\n", 2, []string{"no statements in stdin"}},
		{"query file of comments", []string{"-i", empty}, "", 2, []string{"no statements in " + empty}},
		{"blank argument", []string{"  "}, "", 2, []string{"no statements in the command line"}},
		{"missing query file", []string{"-i", filepath.Join(dir, "nope.iql")}, "", 1, []string{"nope.iql"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runApiql(t, tt.stdin, append([]string{"exec", "--sandbox"}, tt.args...)...)
			if r.code != tt.code {
				t.Errorf("exit code %d, want %d\n%v", r.code, tt.code, r)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			for _, s := range tt.want {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
		})
	}
}

// imagesInRegion counts the sandbox's images listed in region, all and
// public ones, from its json output.
func imagesInRegion(t *testing.T, region string) (all, public int) {
	t.Helper()
	r := runApiql(t, "", "exec", "--sandbox", "-o", "json", "SELECT regions, public FROM "+imagesTable)
	if r.code != 0 {
		t.Fatal(r)
	}
	for _, img := range decodeJSONArrays(t, r.stdout)[0] {
		for _, reg := range img["regions"].([]any) {
			if reg == region {
				all++
				if img["public"] == true {
					public++
				}
			}
		}
	}
	if all == 0 {
		t.Fatalf("no sandbox image in %s: pick another region", region)
	}
	return all, public
}

// TestExecQueryFile runs testdata/cli/images_in_region.iql (comments, blank
// lines, a variable) from a file, from stdin and piped, with the variable
// from --var and from --vars, into stdout or an -f file.
func TestExecQueryFile(t *testing.T) {
	const file = "../../testdata/cli/images_in_region.iql"
	const varsFile = "../../testdata/cli/vars.json" // region ams3
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	expect := func(region string) string {
		all, public := imagesInRegion(t, region)
		return fmt.Sprintf("region,images\n%s,%d\n\npublic_images\n%d\n", region, all, public)
	}
	nyc3, ams3 := expect("nyc3"), expect("ams3")
	out := filepath.Join(t.TempDir(), "out.csv")

	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string
		// outfile, when set, is where the results go; stdout stays empty.
		outfile string
	}{
		{name: "-i FILE --var", args: []string{"-i", file, "--var", "region=nyc3"}, want: nyc3},
		{name: "--infile FILE --vars", args: []string{"--infile", file, "--vars", varsFile}, want: ams3},
		{name: "--var overrides --vars", args: []string{"-i", file, "--vars", varsFile, "--var", "region=nyc3"}, want: nyc3},
		{name: "-i -", args: []string{"-i", "-", "--var", "region=nyc3"}, stdin: string(src), want: nyc3},
		{name: "piped stdin", args: []string{"--var", "region=ams3"}, stdin: string(src), want: ams3},
		{name: "--var=", args: []string{"--var=region=nyc3", "--infile=" + file}, want: nyc3},
		{name: "-f FILE", args: []string{"-i", file, "--var", "region=nyc3", "-f", out}, want: nyc3, outfile: out},
		{name: "--outfile FILE", args: []string{"-i", file, "--vars", varsFile, "--outfile", out}, want: ams3, outfile: out},
		{name: "variable in an argument", args: []string{"--var", "region=nyc3", string(src)}, want: nyc3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runApiql(t, tt.stdin, append([]string{"exec", "--sandbox", "-o", "csv"}, tt.args...)...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("want exit code 0, nothing on stderr:\n%v", r)
			}
			got := r.stdout
			if tt.outfile != "" {
				if r.stdout != "" {
					t.Errorf("stdout %q, want nothing: results go to %s", r.stdout, tt.outfile)
				}
				b, err := os.ReadFile(tt.outfile)
				if err != nil {
					t.Fatal(err)
				}
				got = string(b)
			}
			if got != tt.want {
				t.Errorf("results:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}

	t.Run("apiql with piped stdin", func(t *testing.T) {
		// Run itself pipes stdin to exec when there are no arguments at all.
		r := runApiql(t, "SELECT 1 AS one", "-o", "csv")
		if r.code != 2 {
			t.Errorf("apiql -o csv: exit code %d, want 2 (unknown command)", r.code)
		}
		var stdout, stderr bytes.Buffer
		if code := Run(nil, strings.NewReader("SELECT 41 + 1 AS answer"), &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), " 42 |") {
			t.Errorf("apiql with piped stdin: exit code %d\n%s%s", code, stdout.String(), stderr.String())
		}
	})

	t.Run("-f into a missing directory", func(t *testing.T) {
		r := runApiql(t, "", "exec", "--sandbox", "-f", filepath.Join(t.TempDir(), "no", "such", "out.csv"), "SELECT 1")
		if r.code != 1 || !strings.Contains(r.stderr, "out.csv") || r.stdout != "" {
			t.Errorf("want exit code 1 naming the file:\n%v", r)
		}
	})
}

// TestExecUndefinedVariable: a variable that is not set is an error naming
// it, and no statement runs.
func TestExecUndefinedVariable(t *testing.T) {
	srv := newTestAPI(t, "test-token")
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  []string
	}{
		{"argument", []string{"SELECT count(*) FROM digitalocean.images.images; SELECT '{{ .region }}'"}, "", []string{`undefined variable "region"`, "--var region=VALUE"}},
		{"other variables set", []string{"--var", "zone=x", "SELECT '{{ .zone }}' FROM digitalocean.images.images; SELECT '{{ .region }}'"}, "", []string{`undefined variable "region"`}},
		{"query file", []string{"-i", "../../testdata/cli/images_in_region.iql"}, "", []string{"images_in_region.iql", "line 8", `undefined variable "region"`}},
		{"stdin", nil, "SELECT 1;\nSELECT count(*) FROM digitalocean.images.images WHERE '{{ .tag }}' = 'x'", []string{"line 2", `undefined variable "tag"`}},
		{"template syntax", []string{"SELECT '{{ .region '"}, "", []string{"line 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ResetRequests()
			r := runApiql(t, tt.stdin, append([]string{"exec", "-o", "csv"}, tt.args...)...)
			if r.code != 1 {
				t.Errorf("exit code %d, want 1", r.code)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing run", r.stdout)
			}
			for _, s := range tt.want {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

// TestExecTiming: --timing prints rows, elapsed time, HTTP requests, pages
// and bytes of each statement on stderr, and nothing on stdout.
func TestExecTiming(t *testing.T) {
	r := runApiql(t, "", "exec", "--sandbox", "--sandbox-images", "450", "--timing", "--continue-on-error", "-o", "csv",
		"SELECT count(*) AS n FROM digitalocean.images.images; SELECT 1 AS one; EXEC digitalocean.images.images._get @image_id = 1; SELECT id FROM digitalocean.images.images LIMIT 3")
	if r.code != 1 {
		t.Errorf("exit code %d, want 1 (statement 3 fails)", r.code)
	}
	if want := "n\n450\n\none\n1\n\nid\n"; !strings.HasPrefix(r.stdout, want) || strings.Contains(r.stdout, "statement") {
		t.Errorf("stdout:\n%s\nwant the results only, starting %q", r.stdout, want)
	}
	line := regexp.MustCompile(`(?m)^statement (\d+): (1 row|\d+ rows|failed), (\d+\.\d\dms|\d+ms|[\dhm.]+s), (\d+) requests?, (\d+) pages?, (\d+ B|\d+\.\d (KiB|MiB))(; calls: (.*))?$`)
	got := line.FindAllStringSubmatch(r.stderr, -1)
	if len(got) != 4 {
		t.Fatalf("%d timing lines, want 4:\n%s", len(got), r.stderr)
	}
	want := []struct{ n, rows, requests, pages, calls string }{
		{"1", "1 row", "3", "3", "digitalocean.images.images 1"}, // 450 images at 200 a page: one call
		{"2", "1 row", "0", "0", ""},
		{"3", "failed", "1", "0", "digitalocean.images.images 1"}, // 404
		{"4", "3 rows", "1", "1", "digitalocean.images.images 1"}, // LIMIT stops paging
	}
	for i, w := range want {
		g := got[i]
		if g[1] != w.n || g[2] != w.rows || g[4] != w.requests || g[5] != w.pages || g[9] != w.calls {
			t.Errorf("timing line %q, want statement %s: %s, %s requests, %s pages, calls %q", g[0], w.n, w.rows, w.requests, w.pages, w.calls)
		}
		if w.requests == "0" && g[6] != "0 B" {
			t.Errorf("timing line %q: bytes without requests", g[0])
		}
		if w.requests != "0" && g[6] == "0 B" {
			t.Errorf("timing line %q: no bytes counted", g[0])
		}
	}
	if r := runApiql(t, "", "exec", "--sandbox", "SELECT 1"); strings.Contains(r.stderr, "statement 1") {
		t.Errorf("timing printed without --timing: %q", r.stderr)
	}
}

// TestExecDryRun: --dry-run prints a DELETE's requests on stderr with the
// token masked and sends none, so the images are all still there.
func TestExecDryRun(t *testing.T) {
	const del = "DELETE FROM digitalocean.images.images WHERE image_id IN (SELECT id FROM digitalocean.images.images WHERE public = 0 AND type IN ('snapshot', 'custom') ORDER BY id LIMIT 2)"
	const count = "SELECT count(*) AS n FROM digitalocean.images.images"
	r := runApiql(t, "", "exec", "--sandbox", "--dry-run", "-o", "csv", count+"; "+del+"; "+count)
	if r.code != 0 {
		t.Fatal(r)
	}
	if want := "n\n60\n\nn\n60\n"; r.stdout != want {
		t.Errorf("stdout %q, want %q: the DELETE was sent", r.stdout, want)
	}
	deletes := regexp.MustCompile(`(?m)^DELETE http://127\.0\.0\.1:\d+/v2/images/\d+\nAuthorization: Bearer \*\*\*$`).FindAllString(r.stderr, -1)
	if len(deletes) != 2 {
		t.Errorf("want 2 DELETE requests with a masked token on stderr:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "Bearer "+sandboxToken) {
		t.Errorf("the sandbox token is printed:\n%s", r.stderr)
	}

	// Without --dry-run the same statements do delete: the check above means something.
	r = runApiql(t, "", "exec", "--sandbox", "-o", "csv", count+"; "+del+"; "+count)
	if r.code != 0 || !strings.HasSuffix(r.stdout, "n\n58\n") {
		t.Errorf("without --dry-run: want 58 images left:\n%v", r)
	}
}

// TestExecReadOnly: --read-only refuses INSERT, UPDATE, DELETE and EXEC of
// methods that are not GET, before sending anything, and lets reads through.
func TestExecReadOnly(t *testing.T) {
	srv := newTestAPI(t, "test-token")
	tests := []struct {
		stmt    string
		refused bool
	}{
		{"INSERT INTO digitalocean.images.images (data__name, data__url, data__region) VALUES ('x', 'https://example.com/x.img', 'nyc3')", true},
		{"UPDATE digitalocean.images.images SET data__name = 'y' WHERE image_id = 100012", true},
		{"DELETE FROM digitalocean.images.images WHERE image_id = 100012", true},
		{"EXEC digitalocean.images.images.update @image_id = 100012, @name = 'y'", true},
		{"EXEC digitalocean.images.images.delete @image_id = 100012", true},
		{"EXEC digitalocean.images.images._get @image_id = 100012", false},
		{"SELECT id FROM digitalocean.images.images WHERE image_id = 100012", false},
	}
	for _, tt := range tests {
		t.Run(tt.stmt, func(t *testing.T) {
			srv.ResetRequests()
			r := runApiql(t, "", "exec", "--read-only", "-o", "csv", tt.stmt)
			if !tt.refused {
				if r.code != 0 || !strings.Contains(r.stdout, "100012") {
					t.Errorf("a read under --read-only:\n%v", r)
				}
				return
			}
			if r.code != 1 || !strings.Contains(r.stderr, "read-only") || !strings.Contains(r.stderr, "statement 1") {
				t.Errorf("want exit code 1 and a read-only error:\n%v", r)
			}
			for _, req := range srv.Requests() {
				if req.Method != http.MethodGet {
					t.Errorf("%s %s sent under --read-only", req.Method, req.Path)
				}
			}
		})
	}
	if n := len(srv.Images()); n != 60 {
		t.Errorf("%d images left, want all 60", n)
	}
}

// TestExecInterleavedFlags checks that flags may follow the statements and
// that "--" ends them.
func TestExecInterleavedFlags(t *testing.T) {
	fs := flag.NewFlagSet("exec", flag.ContinueOnError)
	var c config
	c.register(fs)
	fs.String("i", "", "")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"SELECT 1", "-o", "json"}, "-o json -- SELECT 1"},
		{[]string{"-H", "SELECT 1", "--var", "a=b"}, "-H --var a=b -- SELECT 1"},
		{[]string{"--var=a=b c", "SELECT 1"}, "--var=a=b c -- SELECT 1"},
		{[]string{"-- comment\nSELECT 1", "-H"}, "-H -- -- comment\nSELECT 1"},
		{[]string{"-o", "csv", "--", "-H"}, "-o csv -- -H"},
		{[]string{"-i", "-"}, "-i - --"},
		{[]string{"SELECT 1", "-o"}, "-o"}, // for the parser to say the value is missing
	}
	for _, tt := range tests {
		if got := strings.Join(interleaved(fs, tt.args), " "); got != tt.want {
			t.Errorf("interleaved(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}
