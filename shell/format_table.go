package shell

import (
	"bytes"
	"encoding/csv"
	"strings"

	"github.com/apiql/apiql/engine"
)

// grid is a result laid out as text cells, with column widths and alignment.
type grid struct {
	header  []string
	rows    [][]string
	widths  []int
	numeric []bool
}

func newGrid(res *engine.Result, cell func(value) string, headerText func(string) string, minWidth int) *grid {
	vals := cellValues(res)
	g := &grid{
		header:  make([]string, len(res.Columns)),
		rows:    make([][]string, len(vals)),
		widths:  make([]int, len(res.Columns)),
		numeric: numericColumns(res, vals),
	}
	for j, col := range res.Columns {
		g.header[j] = headerText(col.Name)
		g.widths[j] = max(minWidth, displayWidth(g.header[j]))
	}
	for i, row := range vals {
		cells := make([]string, len(row))
		for j, v := range row {
			cells[j] = cell(v)
			g.widths[j] = max(g.widths[j], displayWidth(cells[j]))
		}
		g.rows[i] = cells
	}
	return g
}

// writeTable writes res as a box:
//
//	+--------+-----------+
//	| name   | slug      |
//	+--------+-----------+
//	| Ubuntu | ubuntu-24 |
//	+--------+-----------+
//	(1 row)
func writeTable(w *bytes.Buffer, res *engine.Result, headers bool) {
	g := newGrid(res, tableCell, func(s string) string { return escapeControls(s, nil) }, 0)
	if !headers {
		for j := range g.widths {
			g.widths[j] = 0
			for _, row := range g.rows {
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
	line := func(cells []string, align []bool) {
		w.WriteByte('|')
		for j, c := range cells {
			w.WriteByte(' ')
			w.WriteString(pad(c, g.widths[j], align != nil && align[j]))
			w.WriteString(" |")
		}
		w.WriteByte('\n')
	}
	if headers {
		w.WriteString(border.String())
		line(g.header, nil)
		w.WriteString(border.String())
	} else if len(g.rows) > 0 {
		w.WriteString(border.String())
	}
	for _, row := range g.rows {
		line(row, g.numeric)
	}
	if len(g.rows) > 0 {
		w.WriteString(border.String())
	}
	w.WriteString(rowCount(len(g.rows)))
}

// writeMarkdown writes res as a GitHub table:
//
//	| name   | size |
//	| ------ | ---: |
//	| Ubuntu |   20 |
func writeMarkdown(w *bytes.Buffer, res *engine.Result, headers bool) {
	g := newGrid(res, markdownCell, markdownText, 3)
	if !headers {
		for j := range g.header {
			g.header[j] = ""
		}
	}
	line := func(cells []string, align []bool) {
		w.WriteByte('|')
		for j, c := range cells {
			w.WriteByte(' ')
			w.WriteString(pad(c, g.widths[j], align != nil && align[j]))
			w.WriteString(" |")
		}
		w.WriteByte('\n')
	}
	line(g.header, nil)
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
	for _, row := range g.rows {
		line(row, g.numeric)
	}
}

// writeText writes res as tab-separated lines.
func writeText(w *bytes.Buffer, res *engine.Result, headers bool) {
	if headers {
		for j, col := range res.Columns {
			if j > 0 {
				w.WriteByte('\t')
			}
			w.WriteString(escapeTSV(col.Name))
		}
		w.WriteByte('\n')
	}
	for _, row := range cellValues(res) {
		for j, v := range row {
			if j > 0 {
				w.WriteByte('\t')
			}
			w.WriteString(textField(v))
		}
		w.WriteByte('\n')
	}
}

// writeCSV writes res as RFC 4180 records.
func writeCSV(w *bytes.Buffer, res *engine.Result, headers bool) error {
	cw := csv.NewWriter(w)
	record := make([]string, len(res.Columns))
	if headers {
		for j, col := range res.Columns {
			record[j] = col.Name
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	for _, row := range cellValues(res) {
		for j, v := range row {
			record[j] = v.text // NULL's text is ""
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
