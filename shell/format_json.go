package shell

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/apiql/apiql/engine"
)

// writeJSON writes rows as one indented JSON array of objects, each line
// after the first prefixed with base; at the top level (base "") the array
// ends in a newline.
func writeJSON(w *bufio.Writer, rows *engine.Rows, base string) error {
	keys := jsonKeys(rows.Columns)
	vals := make([]value, len(rows.Columns))
	n := 0
	for rows.Next() {
		if n == 0 {
			w.WriteString("[\n")
		} else {
			w.WriteString(",\n")
		}
		n++
		rowValues(rows.Columns, rows.Row(), vals)
		w.WriteString(base)
		w.WriteString("  {")
		for j, v := range vals {
			if j > 0 {
				w.WriteByte(',')
			}
			w.WriteByte('\n')
			w.WriteString(base)
			w.WriteString("    ")
			w.WriteString(keys[j])
			w.WriteString(": ")
			writeJSONValue(w, v, base+"    ")
		}
		if len(vals) > 0 {
			w.WriteByte('\n')
			w.WriteString(base)
			w.WriteString("  ")
		}
		w.WriteByte('}')
		if n%256 == 0 {
			if err := writeErr(w); err != nil {
				return err
			}
		}
	}
	if n == 0 {
		w.WriteString("[]")
	} else {
		w.WriteByte('\n')
		w.WriteString(base)
		w.WriteByte(']')
	}
	if base == "" {
		w.WriteByte('\n')
	}
	return writeErr(w)
}

// writeJSONL writes rows as one compact JSON object per line.
func writeJSONL(w *bufio.Writer, rows *engine.Rows) error {
	rw, err := NewRowWriter(w, FormatJSONL, rows.Columns, false, nil)
	if err != nil {
		return err
	}
	for rows.Next() {
		if err := rw.WriteRow(rows.Row()); err != nil {
			return err
		}
	}
	return writeErr(w)
}

// writeJSONValue writes v as JSON. A non-empty indent re-indents embedded JSON
// to sit at that depth.
func writeJSONValue(w *bufio.Writer, v value, indent string) {
	switch v.kind {
	case kindNull, kindNonFinite:
		w.WriteString("null")
	case kindBool, kindNumber:
		w.WriteString(v.text)
	case kindString:
		w.Write(appendJSONString(nil, v.text))
	case kindJSON:
		if indent == "" || len(v.text) < 2 {
			w.WriteString(v.text)
			return
		}
		var buf bytes.Buffer
		if err := json.Indent(&buf, []byte(v.text), indent, "  "); err != nil {
			w.WriteString(v.text)
			return
		}
		w.Write(buf.Bytes())
	}
}

// jsonKeys returns the quoted object keys for the columns, made unique: a
// name seen before gets the first free suffix _2, _3, ...
func jsonKeys(cols []engine.Column) []string {
	taken := make(map[string]bool, len(cols))
	for _, c := range cols {
		taken[c.Name] = false
	}
	keys := make([]string, len(cols))
	for j, c := range cols {
		name := c.Name
		if taken[name] {
			for n := 2; ; n++ {
				candidate := name + "_" + strconv.Itoa(n)
				if _, exists := taken[candidate]; !exists {
					name = candidate
					break
				}
			}
		}
		taken[name] = true
		keys[j] = string(appendJSONString(nil, name))
	}
	return keys
}

// appendJSONString appends s as a JSON string. Unlike encoding/json it leaves
// <, > and & alone; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			// Valid JSON, but not valid JavaScript: escape as encoding/json does.
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
