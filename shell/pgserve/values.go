package pgserve

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apiql/apiql/shell/pgvalue"
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
// codec for oid encodes, as a Postgres cast would (see pgvalue.Cast).
func value(oid uint32, v any) (any, error) {
	t := pgvalue.Text
	switch oid {
	case oidInt8:
		t = pgvalue.Int8
	case oidFloat8:
		t = pgvalue.Float8
	case oidBool:
		t = pgvalue.Bool
	case oidJSON:
		t = pgvalue.JSON
	}
	return pgvalue.Convert(t, pgvalue.Cast, v)
}

// text is the text form of a value.
func text(v any) string { return pgvalue.AsText(v) }

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
		b, ok := pgvalue.ParseBool(s)
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
	case int64, float64:
		return text(x)
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
