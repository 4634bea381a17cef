// Package pgvalue converts the values of engine rows (int64, float64,
// bool, string, []byte or nil, as the engine and SQLite give them) to the
// Go values pgx encodes for a PostgreSQL column: one converter for the
// wire protocol (apiql serve) and for COPY (apiql sync).
package pgvalue

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/apiql/apiql/provider/jsonspan"
)

// Type is the PostgreSQL type a value is converted for.
type Type uint8

// The types Convert knows; any other PostgreSQL type takes text.
const (
	Text        Type = iota // string
	Int8                    // bigint: int64
	Float8                  // double precision: float64
	Bool                    // boolean: bool
	JSON                    // json or jsonb: string holding JSON text
	Timestamptz             // timestamp with time zone: time.Time
)

// Rule says what becomes of a value that is not already of its column's
// type.
type Rule uint8

const (
	// Cast converts as a PostgreSQL cast does, for a query's answer: any
	// non-zero integer is true, 'yes', 'on' and the like are booleans
	// (see ParseBool), a non-text value of a JSON column is encoded as
	// JSON, and a boolean in a text column reads t or f.
	Cast Rule = iota
	// Exact keeps only what reads back as the value the API sent, for a
	// stored copy: booleans are true/false, t/f, 1/0 (strconv.ParseBool)
	// and the integers 1 and 0, a JSON column takes JSON text only, and a
	// boolean in a text column reads true or false.
	Exact
)

// Convert returns v as the Go value pgx encodes for a column of type t,
// under rule r: nil stays nil (NULL); a value that does not fit (an
// integer field the API sent as "n/a") is an error that shows it. For
// Timestamptz, an RFC 3339 string is a time.Time and an empty one NULL.
func Convert(t Type, r Rule, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	switch t {
	case Int8:
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
				return int64(x), nil
			}
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case string:
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				return n, nil
			}
		}
		return nil, fmt.Errorf("%s is not an integer", show(v))
	case Float8:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		case string:
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return f, nil
			}
		}
		return nil, fmt.Errorf("%s is not a number", show(v))
	case Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			if r == Cast || x == 0 || x == 1 {
				return x != 0, nil
			}
		case string:
			if r == Cast {
				if b, ok := ParseBool(x); ok {
					return b, nil
				}
			} else if b, err := strconv.ParseBool(x); err == nil {
				return b, nil
			}
		}
		return nil, fmt.Errorf("%s is not a boolean", show(v))
	case Timestamptz:
		// A date-time field: an RFC 3339 string from the API. An empty one
		// (no time yet) is NULL; anything else that does not parse is an
		// error, as for the other types.
		switch x := v.(type) {
		case time.Time:
			return x, nil
		case string:
			if strings.TrimSpace(x) == "" {
				return nil, nil
			}
			if t, ok := ParseRFC3339(x); ok {
				return t, nil
			}
		}
		return nil, fmt.Errorf("%s is not an RFC 3339 date-time (2006-01-02T15:04:05Z)", show(v))
	case JSON:
		if s, ok := v.(string); ok {
			// JSON text, as the engine gives arrays and objects; under
			// Exact, a string that is not JSON (an array field the API sent
			// as "n/a") is an error, not PostgreSQL's. (Valid reads the
			// string's bytes in place: no copy per value.)
			if r == Exact && !jsonspan.Valid(unsafe.Slice(unsafe.StringData(s), len(s))) {
				return nil, fmt.Errorf("%s is not JSON", show(v))
			}
			return s, nil
		}
		if r == Cast {
			b, err := json.Marshal(v)
			return string(b), err
		}
		return nil, fmt.Errorf("%s is not JSON text", show(v))
	}
	if b, ok := v.(bool); ok && r == Exact {
		return strconv.FormatBool(b), nil
	}
	return AsText(v), nil
}

// AsText is PostgreSQL's text form of a value: booleans t and f, numbers in
// their shortest form.
func AsText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		if x {
			return "t"
		}
		return "f"
	}
	return fmt.Sprint(v)
}

// ParseRFC3339 reads an RFC 3339 date-time, spaces around it ignored. As
// RFC 3339 (section 5.6) allows, the T and the Z may be in lower case
// (2020-01-01t00:00:00z), which Go's time.RFC3339 layout refuses.
func ParseRFC3339(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil && strings.ContainsAny(s, "tz") {
		// Only t and z can be letters in an RFC 3339 date-time.
		t, err = time.Parse(time.RFC3339Nano, strings.ToUpper(s))
	}
	return t, err == nil
}

// ParseBool reads a boolean as PostgreSQL's boolean input does: t, true,
// on, yes, y, 1 and f, false, off, no, n, 0, in any case, spaces around
// them ignored. ok is false for anything else.
func ParseBool(s string) (b, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "t", "true", "on", "yes", "y", "1":
		return true, true
	case "f", "false", "off", "no", "n", "0":
		return false, true
	}
	return false, false
}

// show names a value in an error: text quoted and cut at 40 bytes.
func show(v any) string {
	if s, ok := v.(string); ok {
		if len(s) > 40 {
			s = s[:40] + "..."
		}
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}
