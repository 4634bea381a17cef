package shell

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/apiql/apiql/engine"
)

// Format names an output format for results.
type Format string

// The output formats. See Printer for what each one prints.
const (
	FormatTable    Format = "table"
	FormatJSON     Format = "json"
	FormatJSONL    Format = "jsonl"
	FormatCSV      Format = "csv"
	FormatMarkdown Format = "markdown"
	FormatText     Format = "text"
)

// Formats returns every output format, in the order help text should list them.
func Formats() []Format {
	return []Format{FormatTable, FormatJSON, FormatJSONL, FormatCSV, FormatMarkdown, FormatText}
}

// ParseFormat returns the format named by s (case-insensitive, surrounding
// space ignored). An unknown name is an error that lists the valid ones.
func ParseFormat(s string) (Format, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for _, f := range Formats() {
		if name == string(f) {
			return f, nil
		}
	}
	names := make([]string, 0, len(Formats()))
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return "", fmt.Errorf("unknown output format %q: want one of %s", s, strings.Join(names, ", "))
}

// Printer writes statement results in one output format. Call Print once per
// statement; the Printer keeps the output of several statements well formed.
//
// What each format prints:
//
//   - table: a box with a header row, cells padded to their display width
//     (East Asian wide characters count as two columns), numeric columns
//     right-aligned, then a "(N rows)" line. NULL prints as null, booleans as
//     true and false, NaN and infinities as NaN, Inf and -Inf, arrays and
//     objects as compact JSON. Newlines, tabs and other control characters
//     in a cell print escaped (\n, \t, \x1b, and bidirectional-override
//     characters as \u202e), so a row is always one line. Long cells are not
//     truncated.
//   - json: per statement, one JSON array of objects, keys in column order,
//     indented by two spaces and ending in a newline; zero rows print []. Values
//     follow the column's registry type: integer and number columns print JSON
//     numbers (int64 exactly), boolean columns true/false (also from 0/1),
//     array and object columns their JSON embedded (or a string when the text
//     is not valid JSON), NULL null. Columns without a registry type print by
//     the Go type of the value. NaN and infinities print null. A repeated
//     column name gets a suffix (id, id_2) so keys stay unique.
//   - jsonl: one compact JSON object per row and line, typed as json.
//   - csv: RFC 4180 fields (encoding/csv, lines end in \n), a header row,
//     NULL as an empty field, arrays and objects as JSON text.
//   - markdown: a GitHub table, cells padded for reading; "|" in a cell is
//     escaped as \| and a newline becomes <br>, other characters are left
//     alone; numeric columns are right-aligned (---:). NULL prints as null.
//     Without headers the header row is left empty, because a GitHub table
//     needs one.
//   - text: tab-separated values with a header row; NULL is an empty field and
//     backslash, tab, newline and carriage return in a cell print as \\, \t,
//     \n and \r.
//
// Without headers, a result with zero rows prints nothing in csv, markdown
// and text, and only its "(0 rows)" line in table.
//
// A result that only carries a Message (a statement that returned no rows but
// did something) prints the message as a line on Out for table, markdown and
// text, and on Info for json, jsonl and csv, so that Out stays parseable. A
// Message that comes with rows prints after them, by the same rule.
//
// Several results in a row: table, markdown, text and csv separate them with
// a blank line, json prints one complete array per statement, jsonl simply
// continues with more lines.
type Printer struct {
	// Out receives the results.
	Out io.Writer
	// Info receives messages in the machine formats (json, jsonl, csv),
	// typically stderr. Nil discards them.
	Info io.Writer
	// Format is the output format; "" means table.
	Format Format
	// Headers prints a header row in table, csv, markdown and text.
	// Callers should default it to true (the -H flag turns it off).
	Headers bool

	printed bool // something has been written on Out: separate the next result
}

// Print writes one statement's result. A nil res prints as an empty result.
// The error is the first write error, or an unknown Format.
func (p *Printer) Print(res *engine.Result) error {
	if res == nil {
		res = &engine.Result{}
	}
	format := p.Format
	if format == "" {
		format = FormatTable
	}
	switch format {
	case FormatJSON, FormatJSONL, FormatCSV:
		if err := p.printMachine(format, res); err != nil {
			return err
		}
		return p.info(res.Message)
	case FormatTable, FormatMarkdown, FormatText:
		return p.printHuman(format, res)
	default:
		_, err := ParseFormat(string(format))
		return err
	}
}

// printMachine writes the rows of res in json, jsonl or csv to Out.
func (p *Printer) printMachine(format Format, res *engine.Result) error {
	if len(res.Columns) == 0 && res.Message != "" {
		return nil // message only: it goes to Info
	}
	var body bytes.Buffer
	w := &body
	switch format {
	case FormatJSON:
		writeJSON(w, res)
	case FormatJSONL:
		writeJSONL(w, res)
	case FormatCSV:
		if len(res.Columns) > 0 && (p.Headers || len(res.Rows) > 0) {
			if err := writeCSV(w, res, p.Headers); err != nil {
				return err
			}
		}
	}
	return p.write(body.Bytes(), format == FormatCSV)
}

// printHuman writes res in table, markdown or text to Out, message included.
func (p *Printer) printHuman(format Format, res *engine.Result) error {
	var body bytes.Buffer
	w := &body
	hasTable := len(res.Columns) > 0 && (p.Headers || len(res.Rows) > 0 || format == FormatTable)
	if hasTable {
		switch format {
		case FormatTable:
			writeTable(w, res, p.Headers)
		case FormatMarkdown:
			writeMarkdown(w, res, p.Headers)
		case FormatText:
			writeText(w, res, p.Headers)
		}
	}
	if res.Message != "" {
		if hasTable && format == FormatMarkdown {
			// A line right after a GitHub table would be read as one more row.
			w.WriteByte('\n')
		}
		w.WriteString(messageLine(res.Message))
	}
	return p.write(body.Bytes(), true)
}

// write writes one result's output on Out, after a blank line when separate
// is set and an earlier result printed something.
func (p *Printer) write(body []byte, separate bool) error {
	if len(body) == 0 {
		return nil
	}
	if separate && p.printed {
		if _, err := io.WriteString(p.Out, "\n"); err != nil {
			return err
		}
	}
	p.printed = true
	_, err := p.Out.Write(body)
	return err
}

// info writes a message line on Info, if there is a message and an Info.
func (p *Printer) info(msg string) error {
	if msg == "" || p.Info == nil {
		return nil
	}
	_, err := io.WriteString(p.Info, messageLine(msg))
	return err
}

func messageLine(msg string) string {
	return strings.TrimRight(msg, "\r\n") + "\n"
}

// rowCount is the footer of a table: "(1 row)", "(3 rows)".
func rowCount(n int) string {
	if n == 1 {
		return "(1 row)\n"
	}
	return fmt.Sprintf("(%d rows)\n", n)
}
