package shell_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/shell"
)

// TestSeveralJSONIsOneDocument: json of several statements parses as one
// array with an object per statement.
func TestSeveralJSONIsOneDocument(t *testing.T) {
	for _, tc := range []struct {
		name    string
		results []*engine.Result
		want    string // the statements' numbers, rows and messages, summed up
	}{
		{"none", nil, ""},
		{"sequence", []*engine.Result{smallResult, messageResult, emptyResult}, "1:3 2:0:3 images deleted 3:0"},
		{"returning", []*engine.Result{{Columns: []engine.Column{{Name: "id", Type: "integer"}}, Rows: [][]any{{int64(7)}}, Message: "1 image created"}}, "1:1:1 image created"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, info bytes.Buffer
			p := &shell.Printer{Out: &out, Info: &info, Format: shell.FormatJSON, Headers: true, Several: true}
			for _, res := range tc.results {
				if err := p.Print(res); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
			var doc []struct {
				Statement int              `json:"statement"`
				Rows      []map[string]any `json:"rows"`
				Message   *string          `json:"message"`
			}
			if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
				t.Fatalf("output does not parse as one JSON document: %v\n%s", err, out.String())
			}
			var got []string
			for _, d := range doc {
				s := fmt.Sprintf("%d:%d", d.Statement, len(d.Rows))
				if d.Message != nil {
					s += ":" + *d.Message
				}
				if d.Rows == nil {
					t.Errorf("statement %d has no rows array", d.Statement)
				}
				got = append(got, s)
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("got %q, want %q\n%s", g, tc.want, out.String())
			}
		})
	}
}

// nullish holds NULL and the values that look like it.
var nullish = &engine.Result{
	Columns: []engine.Column{{Name: "v", Type: "string"}},
	Rows:    [][]any{{nil}, {"null"}, {""}, {"'null'"}, {`\N`}, {"NULL"}},
}

// TestNullIsDistinguishable: in table, markdown, csv and text no value
// prints as NULL does, with the default marker and with --null.
func TestNullIsDistinguishable(t *testing.T) {
	cells := func(format shell.Format, out string) []string {
		var got []string
		switch format {
		case shell.FormatCSV:
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			// encoding/csv reads "" and an empty field alike: compare raw lines.
			_ = recs
			got = strings.Split(strings.TrimSuffix(out, "\n"), "\n")[1:]
		case shell.FormatText:
			got = strings.Split(strings.TrimSuffix(out, "\n"), "\n")[1:]
		case shell.FormatTable:
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			for _, l := range lines[3 : len(lines)-2] {
				got = append(got, strings.TrimSpace(strings.Trim(l, "|")))
			}
		case shell.FormatMarkdown:
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			for _, l := range lines[2:] {
				got = append(got, strings.TrimSpace(strings.Trim(l, "|")))
			}
		}
		return got
	}
	for _, null := range []*string{nil, ptr("NULL"), ptr(""), ptr("null")} {
		for _, format := range []shell.Format{shell.FormatTable, shell.FormatMarkdown, shell.FormatCSV, shell.FormatText} {
			if format == shell.FormatText && null != nil {
				continue // documented: text prints the marker as given
			}
			var out bytes.Buffer
			p := &shell.Printer{Out: &out, Format: format, Headers: true, Null: null}
			if err := p.Print(nullish); err != nil {
				t.Fatal(err)
			}
			got := cells(format, out.String())
			if len(got) != len(nullish.Rows) {
				t.Fatalf("%s: %d cells, want %d:\n%s", format, len(got), len(nullish.Rows), out.String())
			}
			for i := 1; i < len(got); i++ {
				if got[i] == got[0] {
					t.Errorf("%s, null %v: value %q prints as NULL does (%q)\n%s", format, deref(null), nullish.Rows[i][0], got[0], out.String())
				}
			}
			if null != nil && got[0] != *null {
				t.Errorf("%s: NULL printed %q, want --null's %q", format, got[0], *null)
			}
		}
	}
}

func ptr(s string) *string { return &s }

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// TestHumanFormatsEscapeControls: no control character from the data
// reaches the terminal in table, markdown or text.
func TestHumanFormatsEscapeControls(t *testing.T) {
	res := &engine.Result{
		Columns: []engine.Column{{Name: "n\x1b[2Jame", Type: "string"}, {Name: "x"}},
		Rows:    [][]any{{"\x1b]0;title\x07red\x1b[31m\u202e\x9b", []byte("a\x00b\x7f")}},
	}
	for _, format := range []shell.Format{shell.FormatTable, shell.FormatMarkdown, shell.FormatText} {
		var out bytes.Buffer
		p := &shell.Printer{Out: &out, Format: format, Headers: true}
		if err := p.Print(res); err != nil {
			t.Fatal(err)
		}
		for _, r := range out.String() {
			if (r < 0x20 && r != '\n' && !(r == '\t' && format == shell.FormatText)) || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x202e {
				t.Errorf("%s prints control character %U:\n%q", format, r, out.String())
			}
		}
	}
	var out bytes.Buffer
	(&shell.Printer{Out: &out, Format: shell.FormatText, Headers: false}).Print(&engine.Result{Columns: []engine.Column{{Name: "v"}}, Rows: [][]any{{`back\slash` + "\x1b"}}})
	if got, want := out.String(), `back\\slash\x1b`+"\n"; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
}

// TestEscapedControlsUnambiguous: in table and markdown the four
// characters \x1b of a value print unlike a real ESC (escaped as \x1b):
// backslash is escaped too, as in the text format. csv keeps both raw.
func TestEscapedControlsUnambiguous(t *testing.T) {
	res := &engine.Result{Columns: []engine.Column{{Name: `a\b`}}, Rows: [][]any{{`\x1b`}, {"\x1b"}}}
	for _, tt := range []struct {
		format shell.Format
		want   string
	}{
		{shell.FormatTable, "+-------+\n| a\\\\b  |\n+-------+\n| \\\\x1b |\n| \\x1b  |\n+-------+\n(2 rows)\n"},
		{shell.FormatMarkdown, "| a\\\\b  |\n| ----- |\n| \\\\x1b |\n| \\x1b  |\n"},
		{shell.FormatCSV, "a\\b\n\\x1b\n\x1b\n"},
	} {
		var out bytes.Buffer
		if err := (&shell.Printer{Out: &out, Format: tt.format, Headers: true}).Print(res); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); got != tt.want {
			t.Errorf("%s:\n%s\nwant\n%s", tt.format, got, tt.want)
		}
	}
}

// streamRows is n rows of (i, name); long gives some rows another name.
func streamRows(n int, long map[int]string) *engine.Result {
	res := &engine.Result{Columns: []engine.Column{{Name: "i", Type: "integer"}, {Name: "name", Type: "string"}}}
	for i := 0; i < n; i++ {
		name := "row"
		if s, ok := long[i]; ok {
			name = s
		}
		res.Rows = append(res.Rows, []any{int64(i), name})
	}
	return res
}

// TestTableWindow: a table longer than its sizing window prints every row,
// sized by the window, with the true count.
func TestTableWindow(t *testing.T) {
	res := streamRows(2500, map[int]string{2000: "a-name-longer-than-the-window-saw"})
	var out bytes.Buffer
	if err := (&shell.Printer{Out: &out, Format: shell.FormatTable, Headers: true}).Print(res); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if got, want := len(lines), 3+2500+2; got != want {
		t.Fatalf("%d lines, want %d", got, want)
	}
	if got, want := lines[len(lines)-1], "(2500 rows)"; got != want {
		t.Errorf("footer %q, want %q", got, want)
	}
	if got, want := lines[3], "|   0 | row  |"; got != want {
		t.Errorf("first row %q, want %q (sized by the window)", got, want)
	}
	if !strings.Contains(out.String(), "| 2000 | a-name-longer-than-the-window-saw |") {
		t.Errorf("the long cell after the window is not printed whole")
	}
}

// TestPrintRowsEndingInError: rows that end in an error still print well
// formed (the rows before it, then the closing), and the error is the
// caller's.
func TestPrintRowsEndingInError(t *testing.T) {
	boom := errors.New("boom")
	for _, format := range shell.Formats() {
		var out bytes.Buffer
		p := &shell.Printer{Out: &out, Format: format, Headers: true}
		res := streamRows(3, nil)
		i := 0
		rows := engine.NewRows(res.Columns, func() ([]any, error) {
			if i < len(res.Rows) {
				i++
				return res.Rows[i-1], nil
			}
			return nil, boom
		}, nil)
		if err := p.PrintRows(rows); err != nil {
			t.Fatalf("%s: PrintRows = %v, want nil (the rows' error is the caller's)", format, err)
		}
		if !errors.Is(rows.Err(), boom) {
			t.Errorf("%s: rows.Err() = %v", format, rows.Err())
		}
		if format == shell.FormatJSON {
			var doc []map[string]any
			if err := json.Unmarshal(out.Bytes(), &doc); err != nil || len(doc) != 3 {
				t.Errorf("json of rows ending in an error: %v, %d rows\n%s", err, len(doc), out.String())
			}
		}
		if format == shell.FormatTable && !strings.HasSuffix(out.String(), "(3 rows)\n") {
			t.Errorf("table of rows ending in an error:\n%s", out.String())
		}
	}
}
