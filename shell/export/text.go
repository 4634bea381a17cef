package export

import (
	"bufio"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/shell"
)

// textWriter writes CSV or JSON Lines exactly as apiql exec -o csv and
// -o jsonl print them (shell.RowWriter): values typed by their column's
// registry type (a boolean column's "true" or 1 is true), unique JSON
// keys (id, id_2), CSV's NULL an empty field (or --null's marker) and the
// empty string "", arrays and objects as JSON.
type textWriter struct{ rw *shell.RowWriter }

func newTextWriter(out *bufio.Writer, format Format, cols []engine.Column, null *string) (*textWriter, error) {
	f := shell.FormatCSV
	if format == JSONL {
		f = shell.FormatJSONL
	}
	rw, err := shell.NewRowWriter(out, f, cols, true, null)
	if err != nil {
		return nil, err
	}
	return &textWriter{rw}, nil
}

func (w *textWriter) write(row []any) error { return w.rw.WriteRow(row) }

func (w *textWriter) close() error { return nil }

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
