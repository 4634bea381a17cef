package pgvalue_test

import (
	"strings"
	"testing"
	"time"

	"github.com/apiql/apiql/shell/pgvalue"
)

// Each type under each rule: what fits becomes the Go value pgx encodes,
// what does not is an error that shows the value.
func TestConvert(t *testing.T) {
	at := time.Date(2020, 3, 13, 19, 20, 47, 0, time.UTC)
	const C, E = pgvalue.Cast, pgvalue.Exact
	tests := []struct {
		typ     pgvalue.Type
		rule    pgvalue.Rule
		in      any
		want    any
		wantErr string
	}{
		{pgvalue.Int8, C, nil, nil, ""},
		{pgvalue.Int8, E, int64(7), int64(7), ""},
		{pgvalue.Int8, C, float64(3), int64(3), ""},
		{pgvalue.Int8, E, true, int64(1), ""},
		{pgvalue.Int8, C, false, int64(0), ""},
		{pgvalue.Int8, E, "42", int64(42), ""},
		{pgvalue.Int8, C, []byte("-5"), int64(-5), ""},
		{pgvalue.Int8, E, 2.5, nil, "2.5 is not an integer"},
		{pgvalue.Int8, C, "n/a", nil, `"n/a" is not an integer`},
		{pgvalue.Int8, E, 1e300, nil, "is not an integer"},
		{pgvalue.Float8, C, 1.5, 1.5, ""},
		{pgvalue.Float8, E, int64(2), float64(2), ""},
		{pgvalue.Float8, C, []byte("0.25"), 0.25, ""},
		{pgvalue.Float8, E, true, nil, "true is not a number"},
		{pgvalue.Float8, C, strings.Repeat("x", 50), nil, `"` + strings.Repeat("x", 40) + `..." is not a number`},
		{pgvalue.Bool, C, true, true, ""},
		{pgvalue.Bool, E, false, false, ""},
		{pgvalue.Bool, C, int64(2), true, ""},
		{pgvalue.Bool, E, int64(2), nil, "2 is not a boolean"},
		{pgvalue.Bool, E, int64(1), true, ""},
		{pgvalue.Bool, C, int64(0), false, ""},
		{pgvalue.Bool, C, " Yes ", true, ""},
		{pgvalue.Bool, C, "off", false, ""},
		{pgvalue.Bool, E, "yes", nil, `"yes" is not a boolean`},
		{pgvalue.Bool, E, "T", true, ""},
		{pgvalue.Bool, E, []byte("false"), false, ""},
		{pgvalue.Bool, C, 1.0, nil, "1 is not a boolean"},
		{pgvalue.JSON, C, `[1]`, `[1]`, ""},
		{pgvalue.JSON, E, []byte(`{}`), `{}`, ""},
		{pgvalue.JSON, C, int64(5), "5", ""},
		{pgvalue.JSON, E, int64(5), nil, "5 is not JSON text"},
		{pgvalue.JSON, E, "n/a", nil, `"n/a" is not JSON`},
		{pgvalue.JSON, E, `{"a":`, nil, `"{\"a\":" is not JSON`},
		{pgvalue.JSON, E, `"n/a"`, `"n/a"`, ""},
		{pgvalue.Timestamptz, E, "2020-03-13T19:20:47Z", at, ""},
		{pgvalue.Timestamptz, E, "  ", nil, ""},
		// RFC 3339 (5.6) allows t and z in lower case.
		{pgvalue.Timestamptz, E, "2020-03-13t19:20:47z", at, ""},
		{pgvalue.Timestamptz, C, "2020-03-13t21:20:47.000+02:00", at, ""},
		{pgvalue.Timestamptz, E, "2020-03-13t19:20:47Z", at, ""},
		{pgvalue.Timestamptz, E, "2020-03-13 19:20:47z", nil, `is not an RFC 3339 date-time`},
		{pgvalue.Timestamptz, E, "2020-03-13x19:20:47z", nil, `is not an RFC 3339 date-time`},
		{pgvalue.Timestamptz, E, "yesterday", nil, `"yesterday" is not an RFC 3339 date-time`},
		{pgvalue.Text, C, "s", "s", ""},
		{pgvalue.Text, E, []byte("b"), "b", ""},
		{pgvalue.Text, C, int64(-3), "-3", ""},
		{pgvalue.Text, E, 0.5, "0.5", ""},
		{pgvalue.Text, C, true, "t", ""},
		{pgvalue.Text, E, true, "true", ""},
		{pgvalue.Text, C, false, "f", ""},
		{pgvalue.Text, E, false, "false", ""},
	}
	for _, tt := range tests {
		got, err := pgvalue.Convert(tt.typ, tt.rule, tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Convert(%d, %d, %#v)=%#v, %v; want error %q", tt.typ, tt.rule, tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Convert(%d, %d, %#v): %v", tt.typ, tt.rule, tt.in, err)
			continue
		}
		if want, ok := tt.want.(time.Time); ok {
			if g, ok := got.(time.Time); !ok || !g.Equal(want) {
				t.Errorf("Convert(%d, %d, %#v)=%#v, want %v", tt.typ, tt.rule, tt.in, got, want)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("Convert(%d, %d, %#v)=%#v, want %#v", tt.typ, tt.rule, tt.in, got, tt.want)
		}
	}
}

func TestParseBool(t *testing.T) {
	for _, s := range []string{"t", "TRUE", " on ", "Yes", "y", "1"} {
		if b, ok := pgvalue.ParseBool(s); !ok || !b {
			t.Errorf("ParseBool(%q)=%v, %v; want true", s, b, ok)
		}
	}
	for _, s := range []string{"f", "False", "OFF", "no", "N", "0"} {
		if b, ok := pgvalue.ParseBool(s); !ok || b {
			t.Errorf("ParseBool(%q)=%v, %v; want false", s, b, ok)
		}
	}
	for _, s := range []string{"", "2", "maybe", "tru"} {
		if _, ok := pgvalue.ParseBool(s); ok {
			t.Errorf("ParseBool(%q) accepted", s)
		}
	}
}
