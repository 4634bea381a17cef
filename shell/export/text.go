package export

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"

	"github.com/apiql/apiql/engine"
)

// csvWriter writes a header line of column names, then one line per row
// (RFC 4180 quoting). NULL is an empty field; arrays and objects are their
// JSON text.
type csvWriter struct {
	w      *csv.Writer
	fields []string
	buf    []byte
}

func newCSVWriter(out *bufio.Writer, cols []engine.Column) (*csvWriter, error) {
	w := &csvWriter{w: csv.NewWriter(out), fields: make([]string, len(cols))}
	for i, c := range cols {
		w.fields[i] = c.Name
	}
	return w, w.w.Write(w.fields)
}

func (w *csvWriter) write(row []any) error {
	w.buf = w.buf[:0]
	ends := make([]int, len(w.fields))
	for i := range w.fields {
		if i < len(row) {
			w.buf = appendText(w.buf, row[i])
		}
		ends[i] = len(w.buf)
	}
	text := string(w.buf)
	start := 0
	for i, end := range ends {
		w.fields[i] = text[start:end]
		start = end
	}
	return w.w.Write(w.fields)
}

func (w *csvWriter) close() error {
	w.w.Flush()
	return w.w.Error()
}

// jsonlWriter writes one JSON object per row, keyed by column name, with
// the registry's types: integers and numbers as numbers, booleans as
// booleans, arrays and objects as JSON, NULL as null.
type jsonlWriter struct {
	out   *bufio.Writer
	keys  [][]byte // each column's name as a JSON string and a colon
	kinds []kind
	buf   []byte
}

func newJSONLWriter(out *bufio.Writer, cols []engine.Column) *jsonlWriter {
	w := &jsonlWriter{out: out, keys: make([][]byte, len(cols)), kinds: make([]kind, len(cols))}
	for i, c := range cols {
		k, _ := json.Marshal(c.Name)
		w.keys[i] = append(k, ':')
		w.kinds[i] = columnKind(c.Type)
	}
	return w
}

func (w *jsonlWriter) write(row []any) error {
	b := append(w.buf[:0], '{')
	for i, key := range w.keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, key...)
		var v any
		if i < len(row) {
			v = row[i]
		}
		b = appendJSON(b, w.kinds[i], v)
	}
	b = append(b, '}', '\n')
	w.buf = b
	_, err := w.out.Write(b)
	return err
}

func (w *jsonlWriter) close() error { return nil }

// appendJSON appends v as a JSON value for a column of kind k. A value its
// column's type does not fit (an integer column holding "n/a") is written
// by its own type.
func appendJSON(b []byte, k kind, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return appendBool(b, x)
	case int64:
		if k == kindBool && (x == 0 || x == 1) {
			return appendBool(b, x == 1)
		}
		if k == kindString {
			return appendJSONString(b, appendText(nil, x))
		}
		return appendText(b, x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...)
		}
		if k == kindString {
			return appendJSONString(b, appendFloat(nil, x))
		}
		return appendFloat(b, x)
	case string, []byte:
		if k == kindJSON {
			if raw, ok := jsonText(v); ok {
				return appendCompact(b, raw)
			}
		}
		return appendJSONString(b, appendText(nil, v))
	}
	return appendJSONString(b, appendText(nil, v))
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// appendCompact appends valid JSON without insignificant space.
func appendCompact(b []byte, raw []byte) []byte {
	buf := bytes.NewBuffer(b)
	if err := json.Compact(buf, raw); err != nil {
		return append(b, raw...)
	}
	return buf.Bytes()
}

// appendJSONString appends s as a JSON string, escaping as encoding/json
// does but leaving <, > and & alone.
func appendJSONString(b []byte, s []byte) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
			i++
		case c < 0x20:
			switch c {
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
		case c < 0x80:
			b = append(b, c)
			i++
		default:
			r, size := decodeRune(s[i:])
			if r == 0xFFFD && size == 1 {
				b = append(b, `\ufffd`...)
			} else if r == '\u2028' || r == '\u2029' {
				b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
		}
	}
	return append(b, '"')
}
