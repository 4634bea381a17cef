package shell

import (
	"bufio"
	"fmt"

	"github.com/apiql/apiql/engine"
)

// RowWriter writes rows one at a time in jsonl or csv exactly as Printer
// does (see Printer for the formats): the same typing of values by their
// column's registry type, the same unique keys (id, id_2), the same CSV
// quoting and NULL marker. It is for front ends that write rows elsewhere
// than a Printer's output, such as apiql export's files.
type RowWriter struct {
	w      *bufio.Writer
	format Format
	cols   []engine.Column
	keys   []string // jsonl: each column's quoted, unique key
	marker string   // csv: what NULL is written as
	vals   []value
	buf    []byte // jsonl: a string value, quoted
}

// NewRowWriter starts writing rows with the given columns to w in format,
// jsonl or csv. In csv, headers writes the header line at once and null,
// when set, is what NULL is written as (else an empty field); jsonl
// ignores both. Nothing is flushed: the caller flushes w.
func NewRowWriter(w *bufio.Writer, format Format, cols []engine.Column, headers bool, null *string) (*RowWriter, error) {
	rw := &RowWriter{w: w, format: format, cols: cols, vals: make([]value, len(cols))}
	switch format {
	case FormatJSONL:
		rw.keys = jsonKeys(cols)
	case FormatCSV:
		if null != nil {
			rw.marker = *null
		}
		if headers {
			for j, col := range cols {
				if j > 0 {
					w.WriteByte(',')
				}
				csvField(w, col.Name, false)
			}
			w.WriteByte('\n')
		}
	default:
		return nil, fmt.Errorf("rows are written one at a time in jsonl or csv, not %q", format)
	}
	return rw, nil
}

// WriteRow writes one row: its values as engine results hold them, typed
// by their columns. A row shorter than the columns is padded with NULLs.
// The error is w's, once it has failed.
func (rw *RowWriter) WriteRow(row []any) error {
	rowValues(rw.cols, row, rw.vals)
	w := rw.w
	if rw.format == FormatJSONL {
		w.WriteByte('{')
		for j, v := range rw.vals {
			if j > 0 {
				w.WriteByte(',')
			}
			w.WriteString(rw.keys[j])
			w.WriteByte(':')
			if v.kind == kindString {
				// As writeJSONValue, without a new buffer per value.
				rw.buf = appendJSONString(rw.buf[:0], v.text)
				w.Write(rw.buf)
				continue
			}
			writeJSONValue(w, v, "")
		}
		w.WriteString("}\n")
		return writeErr(w)
	}
	for j, v := range rw.vals {
		if j > 0 {
			w.WriteByte(',')
		}
		if v.kind == kindNull {
			csvField(w, rw.marker, false)
		} else {
			csvField(w, v.text, v.text == rw.marker)
		}
	}
	w.WriteByte('\n')
	return writeErr(w)
}
