package export

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/apiql/apiql/registry"
)

// kind is how a column's values are written.
type kind uint8

const (
	kindUnknown kind = iota // a computed column whose values have not been seen
	kindInt
	kindDouble
	kindBool
	kindString
	kindJSON
	kindBytes // a computed column of BLOBs
)

func (k kind) String() string {
	return [...]string{"unknown", "integer", "double", "boolean", "string", "JSON", "blob"}[k]
}

// columnKind maps a result column's registry type to a kind; a computed
// column ("") is kindUnknown until its values are seen.
func columnKind(typ string) kind {
	switch typ {
	case registry.TypeInteger:
		return kindInt
	case registry.TypeNumber:
		return kindDouble
	case registry.TypeBoolean:
		return kindBool
	case registry.TypeArray, registry.TypeObject:
		return kindJSON
	case "":
		return kindUnknown
	}
	return kindString
}

// valueKind is the kind a computed column's value suggests.
func valueKind(v any) kind {
	switch v.(type) {
	case int64, int:
		return kindInt
	case float64:
		return kindDouble
	case bool:
		return kindBool
	case []byte:
		return kindBytes
	}
	return kindString
}

// asInt converts v for an integer column.
func asInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			return int64(x), nil
		}
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil {
			return n, nil
		}
	case []byte:
		if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("%s is not an integer", describe(v))
}

// asDouble converts v for a double column.
func asDouble(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case int64:
		return float64(x), nil
	case int:
		return float64(x), nil
	case string:
		if f, err := strconv.ParseFloat(x, 64); err == nil {
			return f, nil
		}
	case []byte:
		if f, err := strconv.ParseFloat(string(x), 64); err == nil {
			return f, nil
		}
	}
	return 0, fmt.Errorf("%s is not a number", describe(v))
}

// asBool converts v for a boolean column.
func asBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case int64:
		if x == 0 || x == 1 {
			return x == 1, nil
		}
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			return b, nil
		}
	}
	return false, fmt.Errorf("%s is not a boolean", describe(v))
}

// appendText appends v as text: numbers as JSON writes them, booleans as
// true and false.
func appendText(b []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		return append(b, x...)
	case []byte:
		return append(b, x...)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case float64:
		return appendFloat(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case nil:
		return b
	}
	return fmt.Append(b, v)
}

// appendFloat formats f as encoding/json does (shortest form; exponent only
// below 1e-6 and from 1e21 on); NaN and infinities as NaN, Inf and -Inf.
func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Inf"...)
	case math.IsInf(f, -1):
		return append(b, "-Inf"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// 1e-07 becomes 1e-7, as in encoding/json.
		if n := len(b); n-start >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// validUTF8 returns b, or a copy of it with each byte that is not part of
// valid UTF-8 replaced by U+FFFD, as encoding/json and apiql exec -o json
// do: Parquet's UTF8 columns must hold UTF-8, and readers (DuckDB,
// pyarrow) refuse the whole file otherwise.
func validUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			out = append(out, "\uFFFD"...)
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}

// jsonText returns v's text when it is valid JSON in UTF-8.
func jsonText(v any) ([]byte, bool) {
	var b []byte
	switch x := v.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return nil, false
	}
	return b, utf8.Valid(b) && json.Valid(b)
}

// describe names a value in an error: its SQL type and a short form.
func describe(v any) string {
	const max = 40
	switch x := v.(type) {
	case string:
		if len(x) > max {
			x = x[:max] + "..."
		}
		return fmt.Sprintf("the text %q", x)
	case []byte:
		return describe(string(x))
	case float64:
		return "the real number " + string(appendFloat(nil, x))
	case int64:
		return "the integer " + strconv.FormatInt(x, 10)
	case bool:
		return "the boolean " + strconv.FormatBool(x)
	}
	return fmt.Sprintf("%v", v)
}

func decodeRune(b []byte) (rune, int) { return utf8.DecodeRune(b) }
