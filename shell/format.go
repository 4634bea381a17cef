package shell

import (
	"bufio"
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

// Printer writes statement results in one output format. Call Print or
// PrintRows once per statement, and Close after the last; the Printer keeps
// the output of several statements well formed.
//
// Rows are printed as they are read (PrintRows streams): json, jsonl, csv
// and text hold one row at a time. table and markdown hold a window of the
// first 1,000 rows to size the columns (and to decide whether a computed
// column is numeric, hence right-aligned); a result that fits the window
// prints exactly sized, and the rows after the window print with the
// window's widths, a longer cell pushing its row's later cells right.
//
// What each format prints:
//
//   - table: a box with a header row, cells padded to their display width
//     (East Asian wide characters count as two columns), numeric columns
//     right-aligned, then a "(N rows)" line. NULL prints as null, booleans as
//     true and false, NaN and infinities as NaN, Inf and -Inf, arrays and
//     objects as compact JSON. Newlines, tabs and other control characters
//     in a cell print escaped (\n, \t, \x1b, and bidirectional-override
//     characters as \u202e), so a row is always one line, and a backslash
//     as \\, so an escape is never mistaken for the same characters in data. Long cells are not
//     truncated. A value whose text is the NULL marker (the string 'null')
//     prints in single quotes ('null'), and one already in quotes gets one
//     more pair, so NULL is never mistaken for a value.
//   - json: per statement, one JSON array of objects, keys in column order,
//     indented by two spaces and ending in a newline; zero rows print []. Values
//     follow the column's registry type: integer and number columns print JSON
//     numbers (int64 exactly), boolean columns true/false (also from 0/1),
//     array and object columns their JSON embedded (or a string when the text
//     is not valid JSON), NULL null. Columns without a registry type print by
//     the Go type of the value. NaN and infinities print null. A repeated
//     column name gets a suffix (id, id_2) so keys stay unique. With Several,
//     the whole output is one array holding an object per statement (see
//     Several).
//   - jsonl: one compact JSON object per row and line, typed as json.
//   - csv: RFC 4180 fields (lines end in \n), a header row, arrays and
//     objects as JSON text. NULL is an empty field and the empty string a
//     quoted one (""), as PostgreSQL's CSV does; a field is quoted when it
//     holds a comma, a quote, a line break or leading space. Control
//     characters (ESC included) are kept raw: csv is for programs.
//   - markdown: a GitHub table, cells padded for reading; "|" in a cell is
//     escaped as \| and a newline becomes <br>, backslash and other
//     control characters are escaped as in table; numeric columns are right-aligned (---:). NULL
//     prints as null, and a value that reads as the NULL marker is quoted
//     as in table. Without headers the header row is left empty, because a
//     GitHub table needs one.
//   - text: tab-separated values with a header row; backslash, tab, newline
//     and carriage return in a cell print as \\, \t, \n and \r, other
//     control characters as \xNN (or \uNNNN), and NULL as \N (as in
//     PostgreSQL's text COPY format), which no value prints as.
//
// Null changes the NULL marker of table, markdown, csv and text (json and
// jsonl always print null). In table, markdown and csv a value equal to the
// marker is still told apart (quoted); in text it is not: choose a marker
// that no value holds.
//
// Without headers, a result with zero rows prints nothing in csv, markdown
// and text, and only its "(0 rows)" line in table.
//
// A result that only carries a Message (a statement that returned no rows but
// did something) prints the message as a line on Out for table, markdown and
// text, and on Info for json, jsonl and csv, so that Out stays parseable
// (json prints the statement's empty array of rows, []: every json run is one
// document). A
// Message that comes with rows prints after them, by the same rule.
//
// Several results in a row: table, markdown, text and csv separate them with
// a blank line, json prints one complete array per statement (or, with
// Several, one array of statements), jsonl simply continues with more lines.
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
	// Null, when set, is what NULL prints as in table, markdown, csv and
	// text; nil keeps each format's marker (null, null, an empty field, \N).
	Null *string
	// Several makes the json output of a run of several statements one JSON
	// document: an array with one object per statement printed,
	//
	//	[
	//	  {
	//	    "statement": 1,
	//	    "rows": [ ...one object per row, as without Several... ]
	//	  },
	//	  {
	//	    "statement": 2,
	//	    "rows": [],
	//	    "message": "3 images deleted"
	//	  }
	//	]
	//
	// ("message" only when the statement has one; a statement that failed
	// before any row has no element, one that failed among its rows has
	// the rows printed before); Close ends the array,
	// and a run that printed no statement prints []. Other formats ignore
	// it.
	Several bool

	printed bool // something has been written on Out: separate the next result
	opened  bool // Several: the outer array is open
	n       int  // statements printed
}

// Print writes one statement's result. A nil res prints as an empty result.
// The error is the first write error, or an unknown Format.
func (p *Printer) Print(res *engine.Result) error {
	if res == nil {
		res = &engine.Result{}
	}
	return p.PrintRows(res.Stream())
}

// PrintRows writes one statement's rows as it reads them, until they end;
// it does not close them. When the rows end with an error (rows.Err), what
// was printed is closed off well formed (the array ended, the box drawn),
// and the error is left to the caller. The error returned is the first
// write error, or an unknown Format.
func (p *Printer) PrintRows(rows *engine.Rows) error {
	return p.PrintStatement(0, rows)
}

// PrintStatement is PrintRows for statement n of the run (its number in
// the json output with Several); 0 numbers statements in the order they
// are printed.
func (p *Printer) PrintStatement(n int, rows *engine.Rows) error {
	if rows == nil {
		rows = (&engine.Result{}).Stream()
	}
	format := p.Format
	if format == "" {
		format = FormatTable
	}
	if _, err := ParseFormat(string(format)); err != nil {
		return err
	}
	p.n++
	if n <= 0 {
		n = p.n
	}
	w := bufio.NewWriterSize(p.Out, 64<<10)
	var err error
	switch format {
	case FormatJSON, FormatJSONL, FormatCSV:
		err = p.printMachine(w, format, n, rows)
		if err == nil {
			err = w.Flush()
		}
		if err == nil {
			err = p.info(rows.Message)
		}
	default:
		err = p.printHuman(w, format, rows)
		if err == nil {
			err = w.Flush()
		}
	}
	return err
}

// Close ends the output: with Several, the json array of statements. It
// writes nothing in other cases.
func (p *Printer) Close() error {
	if !p.Several || p.Format != FormatJSON {
		return nil
	}
	var err error
	switch {
	case p.opened:
		_, err = io.WriteString(p.Out, "\n]\n")
	default:
		_, err = io.WriteString(p.Out, "[]\n")
	}
	p.opened = false
	p.Several = false
	return err
}

// printMachine writes rows in json, jsonl or csv to w.
func (p *Printer) printMachine(w *bufio.Writer, format Format, n int, rows *engine.Rows) error {
	if format == FormatJSON && p.Several {
		return p.printStatementJSON(w, n, rows)
	}
	if len(rows.Columns) == 0 {
		// Message only: it goes to Info. A json run still prints a
		// document: the statement's (empty) array of rows.
		if format == FormatJSON {
			_, err := w.WriteString("[]\n")
			return err
		}
		return nil
	}
	switch format {
	case FormatJSON:
		return writeJSON(w, rows, "")
	case FormatJSONL:
		return writeJSONL(w, rows)
	}
	first := rows.Next()
	if !p.Headers && !first {
		return nil
	}
	p.separate(w)
	return writeCSV(w, rows, first, p.Headers, p.Null)
}

// printStatementJSON writes one statement's element of the Several array.
func (p *Printer) printStatementJSON(w *bufio.Writer, n int, rows *engine.Rows) error {
	if p.opened {
		w.WriteString(",\n")
	} else {
		w.WriteString("[\n")
		p.opened = true
	}
	fmt.Fprintf(w, "  {\n    \"statement\": %d,\n    \"rows\": ", n)
	if err := writeJSON(w, rows, "    "); err != nil {
		return err
	}
	if rows.Message != "" {
		w.WriteString(",\n    \"message\": ")
		w.Write(appendJSONString(nil, rows.Message))
	}
	w.WriteString("\n  }")
	return nil
}

// printHuman writes rows in table, markdown or text to w, message included.
func (p *Printer) printHuman(w *bufio.Writer, format Format, rows *engine.Rows) error {
	var first bool
	if len(rows.Columns) > 0 {
		first = rows.Next()
	}
	hasTable := len(rows.Columns) > 0 && (p.Headers || first || format == FormatTable)
	if !hasTable && rows.Message == "" {
		return nil
	}
	p.separate(w)
	if hasTable {
		var err error
		switch format {
		case FormatTable:
			err = writeTable(w, rows, first, p.Headers, p.nullMarker("null"))
		case FormatMarkdown:
			err = writeMarkdown(w, rows, first, p.Headers, p.nullMarker("null"))
		case FormatText:
			err = writeText(w, rows, first, p.Headers, p.nullMarker(`\N`))
		}
		if err != nil {
			return err
		}
	}
	if rows.Message != "" {
		if hasTable && format == FormatMarkdown {
			// A line right after a GitHub table would be read as one more row.
			w.WriteByte('\n')
		}
		w.WriteString(messageLine(rows.Message))
	}
	return nil
}

// nullMarker is what NULL prints as: Null, or the format's default.
func (p *Printer) nullMarker(def string) string {
	if p.Null != nil {
		return *p.Null
	}
	return def
}

// separate writes the blank line between two results, when an earlier
// result printed something, and notes that this one prints.
func (p *Printer) separate(w *bufio.Writer) {
	if p.printed {
		w.WriteByte('\n')
	}
	p.printed = true
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
	return TerminalText(strings.TrimRight(msg, "\r\n")) + "\n"
}

// rowCount is the footer of a table: "(1 row)", "(3 rows)".
func rowCount(n int) string {
	if n == 1 {
		return "(1 row)\n"
	}
	return fmt.Sprintf("(%d rows)\n", n)
}

// writeErr returns w's write error, if one happened: a printer that
// streams checks it now and then, so that a closed pipe stops it.
func writeErr(w *bufio.Writer) error {
	_, err := w.Write(nil)
	return err
}
