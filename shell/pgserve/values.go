package pgserve

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	wire "github.com/jeroenrinzema/psql-wire"
)

// Type oids used on the wire.
const (
	oidBool   = 16
	oidInt8   = 20
	oidText   = 25
	oidJSON   = 114
	oidFloat8 = 701
)

// value converts v, as the engine or SQLite gives it, to the Go type pgx's
// codec for oid encodes.
func value(oid uint32, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch oid {
	case oidInt8:
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
		case []byte:
			if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
				return n, nil
			}
		}
		return nil, fmt.Errorf("value %v is not an integer", v)
	case oidFloat8:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
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
		return nil, fmt.Errorf("value %v is not a number", v)
	case oidBool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case string:
			if b, ok := parseBool(x); ok {
				return b, nil
			}
		}
		return nil, fmt.Errorf("value %v is not a boolean", v)
	case oidJSON:
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		}
		b, err := json.Marshal(v)
		return string(b), err
	}
	return text(v), nil
}

// text is the text form of a value.
func text(v any) string {
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

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "t", "true", "on", "yes", "y", "1":
		return true, true
	case "f", "false", "off", "no", "n", "0":
		return false, true
	}
	return false, false
}

// paramValue decodes parameter p, of type oid, to a Go value: int64,
// float64, bool, string or nil.
func paramValue(p wire.Parameter, oid uint32) (any, error) {
	raw := p.Value()
	if raw == nil {
		return nil, nil
	}
	if p.Format() == wire.BinaryFormat {
		v, err := p.Scan(oid)
		if err != nil {
			return nil, fmt.Errorf("cannot read a binary parameter of type %s: %w", pgTypeName(oid), err)
		}
		switch x := v.(type) {
		case int16:
			return int64(x), nil
		case int32:
			return int64(x), nil
		case int64, float64, bool, string:
			return x, nil
		case float32:
			return float64(x), nil
		case []byte:
			return string(x), nil
		}
		return fmt.Sprint(v), nil
	}
	s := string(raw)
	switch oid {
	case oidInt8, 21, 23, 26:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid input syntax for type bigint: %q", s)
		}
		return n, nil
	case oidFloat8, 700, 1700:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, fmt.Errorf("invalid input syntax for type double precision: %q", s)
		}
		return f, nil
	case oidBool:
		b, ok := parseBool(s)
		if !ok {
			return nil, fmt.Errorf("invalid input syntax for type boolean: %q", s)
		}
		return b, nil
	}
	return s, nil
}

// literal writes a parameter value as an SQL literal.
func literal(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		if x {
			return "TRUE"
		}
		return "FALSE"
	}
	return quoteString(text(v))
}

// sampleLiteral stands for a parameter of type oid while a statement is
// described, before its values are known.
func sampleLiteral(oid uint32) string {
	switch oid {
	case oidInt8, 21, 23, 26:
		return "1"
	case oidFloat8, 700, 1700:
		return "1.5"
	case oidBool:
		return "TRUE"
	}
	return "'x'"
}
