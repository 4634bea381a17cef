package shell

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apiql/apiql/engine"
)

// valueKind is what a cell is once its column type and Go type are reconciled.
type valueKind uint8

const (
	kindNull      valueKind = iota
	kindBool                // text is "true" or "false"
	kindNumber              // text is a JSON number literal
	kindNonFinite           // NaN or an infinity: text is "NaN", "Inf" or "-Inf"; JSON null
	kindString              // text is the string
	kindJSON                // text is compact, valid JSON
)

// value is one cell, ready for any output format.
type value struct {
	kind valueKind
	text string
}

// rowValues fills dst with the cells of row, typed by column. A row
// shorter than the columns is padded with NULLs; extra values are ignored.
func rowValues(cols []engine.Column, row []any, dst []value) {
	for j, col := range cols {
		dst[j] = value{}
		if j < len(row) {
			dst[j] = columnValue(col.Type, row[j])
		}
	}
}

// numericColumns reports, per column, whether it holds numbers: typed integer
// or number, or untyped with only numbers (and NULLs) in the given rows.
func numericColumns(cols []engine.Column, rows [][]value) []bool {
	numeric := make([]bool, len(cols))
	for j, col := range cols {
		switch col.Type {
		case "integer", "number":
			numeric[j] = true
		case "":
			seen := false
			all := true
			for _, row := range rows {
				switch row[j].kind {
				case kindNull:
				case kindNumber, kindNonFinite:
					seen = true
				default:
					all = false
				}
			}
			numeric[j] = seen && all
		}
	}
	return numeric
}

// columnValue types v by its column's registry type, falling back on its Go type
// when the two disagree (an integer column holding "n/a" prints as a string).
func columnValue(typ string, v any) value {
	if v == nil {
		return value{}
	}
	switch typ {
	case "integer", "number":
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case []byte:
			s = string(x)
		default:
			return goValue(v)
		}
		if isJSONNumber(s, typ == "integer") {
			return value{kindNumber, s}
		}
		return value{kindString, s}
	case "boolean":
		switch x := v.(type) {
		case int64:
			return boolValue(x != 0)
		case float64:
			return boolValue(x != 0)
		case string:
			switch strings.ToLower(x) {
			case "true", "1":
				return boolValue(true)
			case "false", "0":
				return boolValue(false)
			}
		}
	case "array", "object":
		switch x := v.(type) {
		case string:
			if val, ok := rawJSON([]byte(x)); ok {
				return val
			}
		case []byte:
			if val, ok := rawJSON(x); ok {
				return val
			}
		}
	case "string":
		switch x := v.(type) {
		case string:
			return value{kindString, x}
		case []byte:
			return value{kindString, string(x)}
		case int64, float64, bool:
			return value{kindString, goValue(v).text}
		}
	}
	return goValue(v)
}

// goValue types v by its Go type.
func goValue(v any) value {
	switch x := v.(type) {
	case nil:
		return value{}
	case bool:
		return boolValue(x)
	case int64:
		return value{kindNumber, strconv.FormatInt(x, 10)}
	case int:
		return value{kindNumber, strconv.Itoa(x)}
	case int32:
		return value{kindNumber, strconv.FormatInt(int64(x), 10)}
	case uint64:
		return value{kindNumber, strconv.FormatUint(x, 10)}
	case float64:
		return floatValue(x)
	case float32:
		return floatValue(float64(x))
	case string:
		return value{kindString, x}
	case json.RawMessage:
		if val, ok := rawJSON(x); ok {
			return val
		}
		return value{kindString, string(x)}
	case json.Number:
		if isJSONNumber(string(x), false) {
			return value{kindNumber, string(x)}
		}
		return value{kindString, string(x)}
	case []byte:
		return value{kindString, string(x)}
	}
	// Anything else (not produced by the engine today): its JSON form when it
	// has one, else its fmt form.
	b, err := json.Marshal(v)
	if err == nil {
		var s string
		if json.Unmarshal(b, &s) == nil {
			return value{kindString, s}
		}
		if val, ok := rawJSON(b); ok {
			return val
		}
	}
	return value{kindString, fmt.Sprint(v)}
}

func boolValue(b bool) value {
	if b {
		return value{kindBool, "true"}
	}
	return value{kindBool, "false"}
}

// floatValue formats f as encoding/json does: shortest form, exponent only
// below 1e-6 and from 1e21 on (0.5, 20, 1234567, 1e+21, 1e-7).
func floatValue(f float64) value {
	switch {
	case math.IsNaN(f):
		return value{kindNonFinite, "NaN"}
	case math.IsInf(f, 1):
		return value{kindNonFinite, "Inf"}
	case math.IsInf(f, -1):
		return value{kindNonFinite, "-Inf"}
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b := strconv.AppendFloat(nil, f, format, -1, 64)
	if format == 'e' {
		// 1e-07 becomes 1e-7, as in encoding/json.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return value{kindNumber, string(b)}
}

// rawJSON returns b compacted as a JSON value, if b is valid JSON in UTF-8.
func rawJSON(b []byte) (value, bool) {
	if !utf8.Valid(b) || !json.Valid(b) {
		return value{}, false
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return value{}, false
	}
	return value{kindJSON, buf.String()}, true
}

// isJSONNumber reports whether s is a JSON number literal; with integer, one
// without fraction or exponent. Integers beyond int64 are accepted as they are.
func isJSONNumber(s string, integer bool) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - start
	}
	switch n := digits(); {
	case n == 0:
		return false
	case n > 1 && s[i-n] == '0':
		return false // leading zero
	}
	if integer {
		return i == len(s)
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
