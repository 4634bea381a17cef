package shell_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/shell"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ with the current output")

// imageColumns are typed as the registry types digitalocean.images.images,
// plus one computed column.
var imageColumns = []engine.Column{
	{Name: "id", Type: "integer"},
	{Name: "name", Type: "string"},
	{Name: "size_gigabytes", Type: "number"},
	{Name: "public", Type: "boolean"},
	{Name: "regions", Type: "array"},
	{Name: "meta", Type: "object"},
	{Name: "description", Type: "string"},
	{Name: "score", Type: ""},
}

var typedResult = &engine.Result{
	Columns: imageColumns,
	Rows: [][]any{
		{int64(9007199254740993), "Ubuntu 24.04 (LTS) x64", 0.5, true, `["nyc1","sfo2"]`, `{"a":1,"b":[true,null],"c":{}}`, "plain", int64(-1)},
		{int64(-42), "日本語イメージ", 20.0, int64(0), `[]`, `{ "spaced" : [ 1, 2 ] }`, "line1\nline2 | a, \"q\"\ttab", 1e21},
		{"42", "café ñ", nil, int64(1), "not json", nil, nil, 1e-7},
		{nil, "", 1234567.0, false, nil, `{"html":"<b>&</b>"}`, "\x1b[31mred\u202e", nil},
	},
}

var smallResult = &engine.Result{
	Columns: []engine.Column{{Name: "name", Type: "string"}, {Name: "slug", Type: "string"}, {Name: "size_gigabytes", Type: "number"}},
	Rows: [][]any{
		{"Ubuntu 24.04", "ubuntu-24-04-x64", 2.36},
		{"Debian 12", "debian-12-x64", int64(1)},
		{"Fedora 40", nil, 0.4},
	},
}

var emptyResult = &engine.Result{
	Columns: []engine.Column{{Name: "name", Type: "string"}, {Name: "size_gigabytes", Type: "number"}},
}

var messageResult = &engine.Result{Message: "3 images deleted"}

var formatCases = []struct {
	name    string
	results []*engine.Result
	headers bool
}{
	{name: "typed", results: []*engine.Result{typedResult}, headers: true},
	{name: "computed", headers: true, results: []*engine.Result{{
		Columns: []engine.Column{{Name: "id"}, {Name: "count"}, {Name: "ratio"}, {Name: "label"}, {Name: "flag"}, {Name: "id"}},
		Rows: [][]any{
			{int64(1), int64(3), 0.25, []byte("bytes"), true, "a"},
			{int64(2), nil, math.NaN(), []byte("tab\there"), false, "b"},
			{int64(3), int64(-7), math.Inf(-1), nil, nil, nil},
		},
	}}},
	{name: "empty", results: []*engine.Result{emptyResult}, headers: true},
	{name: "message", results: []*engine.Result{messageResult}, headers: true},
	{name: "sequence", results: []*engine.Result{smallResult, messageResult, emptyResult, smallResult}, headers: true},
	{name: "noheaders", results: []*engine.Result{smallResult, emptyResult}, headers: false},
	{name: "returning", headers: true, results: []*engine.Result{{
		Columns: []engine.Column{{Name: "id", Type: "integer"}, {Name: "name", Type: "string"}},
		Rows:    [][]any{{int64(164), "custom-image"}},
		Message: "1 image created",
	}}},
}

// print runs results through a Printer and returns what went to Out and Info.
func print(t *testing.T, format shell.Format, headers bool, results []*engine.Result) (out, info string) {
	t.Helper()
	var o, i bytes.Buffer
	p := &shell.Printer{Out: &o, Info: &i, Format: format, Headers: headers}
	for _, res := range results {
		if err := p.Print(res); err != nil {
			t.Fatalf("Print() = %v", err)
		}
	}
	return o.String(), i.String()
}

func TestPrintGolden(t *testing.T) {
	for _, tc := range formatCases {
		for _, format := range shell.Formats() {
			t.Run(tc.name+"/"+string(format), func(t *testing.T) {
				out, info := print(t, format, tc.headers, tc.results)
				dir := filepath.Join("testdata", "format", tc.name)
				checkGolden(t, filepath.Join(dir, string(format)+".golden"), out)
				checkGolden(t, filepath.Join(dir, string(format)+".info.golden"), info)
			})
		}
	}
}

// checkGolden compares got with the file; a missing file stands for "".
// With -update it writes the file instead (and removes it for "").
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if got == "" {
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			return
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test ./shell -update to accept)\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

func TestJSONIsValidAndExact(t *testing.T) {
	for _, tc := range formatCases {
		t.Run(tc.name, func(t *testing.T) {
			out, _ := print(t, shell.FormatJSON, true, tc.results)
			dec := json.NewDecoder(strings.NewReader(out))
			dec.UseNumber()
			docs := 0
			for {
				var doc []map[string]any
				err := dec.Decode(&doc)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("json output does not parse: %v\n%s", err, out)
				}
				docs++
			}
			// One document per result: a result without rows (a write's
			// message) is [].
			if want := len(tc.results); docs != want {
				t.Errorf("json printed %d documents, want %d (one per result)", docs, want)
			}

			out, _ = print(t, shell.FormatJSONL, true, tc.results)
			for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if line != "" && !json.Valid([]byte(line)) {
					t.Errorf("jsonl line is not JSON: %s", line)
				}
			}
		})
	}
}

func TestJSONTypedValues(t *testing.T) {
	out, _ := print(t, shell.FormatJSONL, true, []*engine.Result{typedResult})
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if got, want := len(lines), len(typedResult.Rows); got != want {
		t.Fatalf("jsonl printed %d lines, want %d", got, want)
	}
	for i, want := range []string{
		`{"id":9007199254740993,"name":"Ubuntu 24.04 (LTS) x64","size_gigabytes":0.5,"public":true,"regions":["nyc1","sfo2"],"meta":{"a":1,"b":[true,null],"c":{}},"description":"plain","score":-1}`,
		`{"id":-42,"name":"日本語イメージ","size_gigabytes":20,"public":false,"regions":[],"meta":{"spaced":[1,2]},"description":"line1\nline2 | a, \"q\"\ttab","score":1e+21}`,
		`{"id":42,"name":"café ñ","size_gigabytes":null,"public":true,"regions":"not json","meta":null,"description":null,"score":1e-7}`,
		`{"id":null,"name":"","size_gigabytes":1234567,"public":false,"regions":null,"meta":{"html":"<b>&</b>"},"description":"\u001b[31mred` + "\u202e" + `","score":null}`,
	} {
		if got := lines[i]; got != want {
			t.Errorf("row %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func TestCSVReadsBack(t *testing.T) {
	out, _ := print(t, shell.FormatCSV, true, []*engine.Result{typedResult})
	records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("csv output does not parse: %v", err)
	}
	if got, want := len(records), len(typedResult.Rows)+1; got != want {
		t.Fatalf("csv has %d records, want %d", got, want)
	}
	if got, want := strings.Join(records[0], ","), "id,name,size_gigabytes,public,regions,meta,description,score"; got != want {
		t.Errorf("header = %q, want %q", got, want)
	}
	if got, want := records[2][6], "line1\nline2 | a, \"q\"\ttab"; got != want {
		t.Errorf("description = %q, want %q", got, want)
	}
	if got, want := records[1][0], "9007199254740993"; got != want {
		t.Errorf("id = %q, want %q", got, want)
	}
	if got, want := records[3][2], ""; got != want {
		t.Errorf("NULL = %q, want %q", got, want)
	}
}

func TestTableRowsStayOnOneLine(t *testing.T) {
	out, _ := print(t, shell.FormatTable, true, []*engine.Result{typedResult})
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	// 3 borders, a header, the rows, the footer.
	if got, want := len(lines), 3+1+len(typedResult.Rows)+1; got != want {
		t.Errorf("table has %d lines, want %d:\n%s", got, want, out)
	}
	if got, want := lines[len(lines)-1], "(4 rows)"; got != want {
		t.Errorf("footer = %q, want %q", got, want)
	}
}

func TestMessageGoesToInfoInMachineFormats(t *testing.T) {
	for _, format := range shell.Formats() {
		out, info := print(t, format, true, []*engine.Result{messageResult})
		machine := format == shell.FormatJSON || format == shell.FormatJSONL || format == shell.FormatCSV
		if format == shell.FormatJSON {
			// A json run is always one document: no rows is [].
			if out != "[]\n" || info != "3 images deleted\n" {
				t.Errorf("%s: out %q, info %q; want [] on out and the message on info", format, out, info)
			}
		} else if machine {
			if out != "" || info != "3 images deleted\n" {
				t.Errorf("%s: out %q, info %q; want the message on info only", format, out, info)
			}
		} else if out != "3 images deleted\n" || info != "" {
			t.Errorf("%s: out %q, info %q; want the message on out only", format, out, info)
		}
	}
	// A nil Info discards the message.
	p := &shell.Printer{Out: io.Discard, Format: shell.FormatJSON}
	if err := p.Print(messageResult); err != nil {
		t.Errorf("Print() with nil Info = %v", err)
	}
}

func TestPrintUnknownFormat(t *testing.T) {
	p := &shell.Printer{Out: io.Discard, Format: "xml"}
	err := p.Print(smallResult)
	if err == nil || !strings.Contains(err.Error(), `"xml"`) {
		t.Errorf("Print() with format xml = %v, want an error naming it", err)
	}
}

func TestPrintZeroPrinterIsTable(t *testing.T) {
	var out bytes.Buffer
	p := &shell.Printer{Out: &out}
	if err := p.Print(nil); err != nil {
		t.Fatal(err)
	}
	if err := p.Print(emptyResult); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "(0 rows)\n"; got != want {
		t.Errorf("zero Printer printed %q, want %q (no headers, no box)", got, want)
	}
}

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    shell.Format
		wantErr string
	}{
		{in: "table", want: shell.FormatTable},
		{in: "JSON", want: shell.FormatJSON},
		{in: " jsonl ", want: shell.FormatJSONL},
		{in: "csv", want: shell.FormatCSV},
		{in: "markdown", want: shell.FormatMarkdown},
		{in: "text", want: shell.FormatText},
		{in: "xml", wantErr: `unknown output format "xml": want one of table, json, jsonl, csv, markdown, text`},
		{in: "", wantErr: `unknown output format "": want one of table, json, jsonl, csv, markdown, text`},
	} {
		got, err := shell.ParseFormat(tc.in)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("ParseFormat(%q) error = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
