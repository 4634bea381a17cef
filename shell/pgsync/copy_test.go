package pgsync

import (
	"strings"
	"testing"
	"time"
)

// A date-time field's value: RFC 3339 text becomes a time.Time for COPY, an
// empty string NULL, anything else an error that shows the value.
func TestConvertTimestamptz(t *testing.T) {
	at := time.Date(2020, 3, 13, 19, 20, 47, 0, time.UTC)
	tests := []struct {
		in      any
		want    any // a time.Time or nil
		wantErr string
	}{
		{"2020-03-13T19:20:47.373Z", at.Add(373 * time.Millisecond), ""},
		{"2020-03-13T19:20:47Z", at, ""},
		{"2020-03-13t19:20:47z", at, ""}, // RFC 3339 allows t and z in lower case
		{"2020-03-13T21:20:47+02:00", at, ""},
		{[]byte("2020-03-13T19:20:47Z"), at, ""},
		{at, at, ""},
		{"", nil, ""},
		{"  ", nil, ""},
		{nil, nil, ""},
		{"yesterday", nil, `"yesterday" is not an RFC 3339 date-time`},
		{"2020-03-13 19:20:47", nil, `"2020-03-13 19:20:47" is not an RFC 3339 date-time`},
		{int64(1584127247), nil, "1584127247 is not an RFC 3339 date-time"},
	}
	for _, tt := range tests {
		got, err := convert("timestamptz", tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("convert(%#v)=%v, %v; want error %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("convert(%#v): %v", tt.in, err)
			continue
		}
		if tt.want == nil {
			if got != nil {
				t.Errorf("convert(%#v)=%#v, want NULL", tt.in, got)
			}
			continue
		}
		if g, ok := got.(time.Time); !ok || !g.Equal(tt.want.(time.Time)) {
			t.Errorf("convert(%#v)=%#v, want %v", tt.in, got, tt.want)
		}
	}
}

// Text and JSON text as PostgreSQL can hold them: NUL (and bytes that are
// not UTF-8) become U+FFFD; JSON's \u0000 escape becomes \ufffd, an
// escaped backslash before u0000 is left alone; a jsonb value that is not
// JSON is an error.
func TestConvertNULAndJSON(t *testing.T) {
	tests := []struct {
		typ     string
		in      any
		want    any
		wantErr string
	}{
		{"text", "plain", "plain", ""},
		{"text", "a\x00b\x00", "a\uFFFDb\uFFFD", ""},
		{"text", "a\xffb", "a\uFFFDb", ""},
		{"text", []byte("x\x00"), "x\uFFFD", ""},
		{"jsonb", `["a\u0000b", {"k\u0000": 1}]`, `["a\ufffdb", {"k\ufffd": 1}]`, ""},
		{"jsonb", `["a\\u0000b"]`, `["a\\u0000b"]`, ""},
		{"jsonb", `["a\\\u0000"]`, `["a\\\ufffd"]`, ""},
		{"jsonb", `{"a":1}`, `{"a":1}`, ""},
		{"jsonb", "n/a", nil, `"n/a" is not JSON`},
		{"jsonb", "", nil, `"" is not JSON`},
	}
	for _, tt := range tests {
		got, err := convert(tt.typ, tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("convert(%s, %q)=%q, %v; want error %q", tt.typ, tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("convert(%s, %q)=%q, %v; want %q", tt.typ, tt.in, got, err, tt.want)
		}
	}
}
