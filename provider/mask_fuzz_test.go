package provider_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/apiql/apiql/provider"
)

// FuzzMaskJSON: masking a token in a JSON text keeps it valid JSON, leaves
// keys and non-strings alone, and leaves no string value holding the token
// (its decoded value, escapes and all).
func FuzzMaskJSON(f *testing.F) {
	f.Add([]byte(`{"a":"x tok-0123456789 y","tok-0123456789":1}`), "tok-0123456789")
	f.Add([]byte(`[{"id":12345678,"n":"12345678"},"12345678x"]`), "12345678")
	f.Add([]byte(`{"a":"q\"tok-0123456789"}`), "tok-0123456789")
	f.Add([]byte(`"abcdefgh"`), "abcdefgh")
	f.Add([]byte(`{"a":"esc \u0074ok-0123456789"}`), "tok-0123456789")
	f.Fuzz(func(t *testing.T, data []byte, token string) {
		out := provider.MaskJSON(data, token)
		if len(token) < 8 && !bytes.Equal(out, data) {
			t.Fatalf("a short token %q changed %q into %q", token, data, out)
		}
		if !json.Valid(data) {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("MaskJSON(%q, %q) = %q: not JSON", data, token, out)
		}
		plain := len(token) >= 8 && strings.Trim(token, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == ""
		if !plain {
			return
		}
		var walk func(v any)
		walk = func(v any) {
			switch x := v.(type) {
			case string:
				if strings.Contains(x, token) {
					t.Fatalf("MaskJSON(%q, %q) = %q: the value %q holds the token", data, token, out, x)
				}
			case []any:
				for _, e := range x {
					walk(e)
				}
			case map[string]any:
				for _, e := range x {
					walk(e)
				}
			}
		}
		v, in := decode(t, out), decode(t, data)
		walk(v)
		// Keys stay as they were.
		if keys(in) != keys(v) {
			t.Fatalf("keys changed: %q -> %q", data, out)
		}
	})
}

// decode decodes a valid JSON text, numbers as json.Number (1E1000 is
// valid JSON, but no float64).
func decode(t *testing.T, data []byte) any {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%q: %v", data, err)
	}
	return v
}

// keys lists the object keys of a decoded JSON value, depth first.
func keys(v any) string {
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			ks := make([]string, 0, len(x))
			for k := range x {
				ks = append(ks, k)
			}
			sortStrings(ks)
			for _, k := range ks {
				b.WriteString(k + "\x00")
				walk(x[k])
			}
		}
	}
	walk(v)
	return b.String()
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
