package shell

import (
	"bufio"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/apiql/apiql/engine"
)

// tableWindow is how many rows table and markdown hold to size their
// columns; later rows print with the widths of the window.
const tableWindow = 1000

// grid lays a result out as text cells with column widths and alignment,
// sized from its first rows (the window) and streaming the rest.
type grid struct {
	rows    *engine.Rows
	cell    func(value) string
	header  []string
	window  [][]string
	widths  []int
	numeric []bool
	vals    []value
}

// newGrid reads the window (first is whether rows.Next has already been
// called and returned true) and sizes the columns from the header and the
// window.
func newGrid(rows *engine.Rows, first bool, cell func(value) string, headerText func(string) string, minWidth int) *grid {
	cols := rows.Columns
	g := &grid{
		rows:   rows,
		cell:   cell,
		header: make([]string, len(cols)),
		widths: make([]int, len(cols)),
		vals:   make([]value, len(cols)),
	}
	var typed [][]value
	for ok := first; ok; ok = len(typed) < tableWindow && rows.Next() {
		vals := make([]value, len(cols))
		rowValues(cols, rows.Row(), vals)
		typed = append(typed, vals)
	}
	g.numeric = numericColumns(cols, typed)
	for j, col := range cols {
		g.header[j] = headerText(col.Name)
		g.widths[j] = max(minWidth, displayWidth(g.header[j]))
	}
	g.window = make([][]string, len(typed))
	for i, vals := range typed {
		g.window[i] = g.cells(vals)
	}
	return g
}

func (g *grid) cells(vals []value) []string {
	cells := make([]string, len(vals))
	for j, v := range vals {
		cells[j] = g.cell(v)
		g.widths[j] = max(g.widths[j], displayWidth(cells[j]))
	}
	return cells
}

// each calls fn with the cells of every row, the window's then the rest,
// and returns how many rows there were, or the first write error.
func (g *grid) each(w *bufio.Writer, fn func([]string)) (int, error) {
	n := 0
	for _, cells := range g.window {
		fn(cells)
		n++
	}
	if len(g.window) < tableWindow {
		return n, nil
	}
	for g.rows.Next() {
		rowValues(g.rows.Columns, g.rows.Row(), g.vals)
		cells := make([]string, len(g.vals))
		for j, v := range g.vals {
			cells[j] = g.cell(v)
		}
		fn(cells)
		n++
		if n%256 == 0 {
			if err := writeErr(w); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// line writes one row of a box or GitHub table.
func (g *grid) line(w *bufio.Writer, cells []string, align []bool) {
	w.WriteByte('|')
	for j, c := range cells {
		w.WriteByte(' ')
		w.WriteString(pad(c, g.widths[j], align != nil && align[j]))
		w.WriteString(" |")
	}
	w.WriteByte('\n')
}

// writeTable writes rows as a box:
//
//	+--------+-----------+
//	| name   | slug      |
//	+--------+-----------+
//	| Ubuntu | ubuntu-24 |
//	+--------+-----------+
//	(1 row)
func writeTable(w *bufio.Writer, rows *engine.Rows, first, headers bool, null string) error {
	g := newGrid(rows, first, func(v value) string { return tableCell(v, null) }, escapeTSV, 0)
	if !headers {
		for j := range g.widths {
			g.widths[j] = 0
			for _, row := range g.window {
				g.widths[j] = max(g.widths[j], displayWidth(row[j]))
			}
		}
	}
	var border strings.Builder
	border.WriteByte('+')
	for _, width := range g.widths {
		border.WriteString(strings.Repeat("-", width+2))
		border.WriteByte('+')
	}
	border.WriteByte('\n')
	if headers {
		w.WriteString(border.String())
		g.line(w, g.header, nil)
		w.WriteString(border.String())
	} else if len(g.window) > 0 {
		w.WriteString(border.String())
	}
	n, err := g.each(w, func(cells []string) { g.line(w, cells, g.numeric) })
	if err != nil {
		return err
	}
	if n > 0 {
		w.WriteString(border.String())
	}
	w.WriteString(rowCount(n))
	return writeErr(w)
}

// writeMarkdown writes rows as a GitHub table:
//
//	| name   | size |
//	| ------ | ---: |
//	| Ubuntu |   20 |
func writeMarkdown(w *bufio.Writer, rows *engine.Rows, first, headers bool, null string) error {
	g := newGrid(rows, first, func(v value) string { return markdownCell(v, null) }, markdownText, 3)
	if !headers {
		for j := range g.header {
			g.header[j] = ""
		}
	}
	g.line(w, g.header, nil)
	w.WriteByte('|')
	for j, width := range g.widths {
		w.WriteByte(' ')
		if g.numeric[j] {
			w.WriteString(strings.Repeat("-", width-1) + ":")
		} else {
			w.WriteString(strings.Repeat("-", width))
		}
		w.WriteString(" |")
	}
	w.WriteByte('\n')
	if _, err := g.each(w, func(cells []string) { g.line(w, cells, g.numeric) }); err != nil {
		return err
	}
	return writeErr(w)
}

// writeText writes rows as tab-separated lines.
func writeText(w *bufio.Writer, rows *engine.Rows, first, headers bool, null string) error {
	if headers {
		for j, col := range rows.Columns {
			if j > 0 {
				w.WriteByte('\t')
			}
			w.WriteString(escapeTSV(col.Name))
		}
		w.WriteByte('\n')
	}
	vals := make([]value, len(rows.Columns))
	for n, ok := 1, first; ok; n, ok = n+1, rows.Next() {
		rowValues(rows.Columns, rows.Row(), vals)
		for j, v := range vals {
			if j > 0 {
				w.WriteByte('\t')
			}
			w.WriteString(textField(v, null))
		}
		w.WriteByte('\n')
		if n%256 == 0 {
			if err := writeErr(w); err != nil {
				return err
			}
		}
	}
	return writeErr(w)
}

// writeCSV writes rows as RFC 4180 records (first: rows.Next has returned
// true already). NULL is null unquoted; a value whose text is null is
// quoted, so that the two read back apart (the empty string is "").
func writeCSV(w *bufio.Writer, rows *engine.Rows, first, headers bool, null *string) error {
	rw, err := NewRowWriter(w, FormatCSV, rows.Columns, headers, null)
	if err != nil {
		return err
	}
	for ok := first; ok; ok = rows.Next() {
		if err := rw.WriteRow(rows.Row()); err != nil {
			return err
		}
	}
	return writeErr(w)
}

// csvField writes one field, quoted when force is set or when it needs
// quotes as encoding/csv decides: a comma, quote or line break in it, a
// leading space, or the text \. alone.
func csvField(w *bufio.Writer, s string, force bool) {
	if !force && !csvNeedsQuotes(s) {
		w.WriteString(s)
		return
	}
	w.WriteByte('"')
	w.WriteString(strings.ReplaceAll(s, `"`, `""`))
	w.WriteByte('"')
}

func csvNeedsQuotes(s string) bool {
	if s == "" {
		return false
	}
	if s == `\.` || strings.ContainsAny(s, ",\"\r\n") {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}
