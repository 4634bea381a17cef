package jsonspan_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/apiql/apiql/provider/jsonspan"
)

func TestObject(t *testing.T) {
	doc := ` { "a" : 1, "b":"x\"y", "c\u0041": [1, {"d": "]}"}], "e": {"f": null}, "g": true } `
	var got []string
	err := jsonspan.Object([]byte(doc), func(k, v []byte) bool {
		got = append(got, string(k)+"="+string(v))
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `a=1|b="x\"y"|cA=[1, {"d": "]}"}]|e={"f": null}|g=true`
	if strings.Join(got, "|") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, "|"), want)
	}
}

func TestMalformed(t *testing.T) {
	for _, doc := range []string{``, `[`, `{`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,`, `{"a":"x`, `{"a":[1,2}`, `{"a":{"b":1}`, `{1:2}`, `{"a" 1}`, `{"a":1 "b":2}`} {
		err := jsonspan.Object([]byte(doc), func(k, v []byte) bool { return true })
		if err == nil {
			t.Errorf("Object(%q) = nil, want an error", doc)
		}
	}
	for _, doc := range []string{``, `{`, `[1,`, `[1 2]`, `[{"a":1}`, `["x]`} {
		if _, err := jsonspan.Array([]byte(doc)); err == nil {
			t.Errorf("Array(%q) = nil error", doc)
		}
	}
}

func TestArray(t *testing.T) {
	elems, err := jsonspan.Array([]byte(` [ {"id": 1}, "s,]", [2, 3] , null ] `))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range elems {
		got = append(got, string(e))
	}
	if g, w := strings.Join(got, "|"), `{"id": 1}|"s,]"|[2, 3]|null`; g != w {
		t.Errorf("got %s, want %s", g, w)
	}
	if elems, err := jsonspan.Array([]byte(`[]`)); err != nil || len(elems) != 0 {
		t.Errorf("[] = %v, %v", elems, err)
	}
}

func TestStringAndCompact(t *testing.T) {
	if s, ok := jsonspan.String([]byte(`"a\nb\u00e9"`)); !ok || s != "a\nbé" {
		t.Errorf("String = %q, %v", s, ok)
	}
	if _, ok := jsonspan.String([]byte(`12`)); ok {
		t.Error("String(12) ok")
	}
	if got := jsonspan.Compact([]byte(`[ "a b", 1 ]`)); got != `["a b",1]` {
		t.Errorf("Compact = %s", got)
	}
}

// FuzzObject checks that Object never panics and agrees with encoding/json
// on the members of valid objects.
func FuzzObject(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"images":[{"id":1,"tags":null}],"links":{"pages":{}}}`, `{"a":"\"}"}`, `{`, `[1]`, `null`, ` null `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var keys []string
		err := jsonspan.Object(data, func(k, v []byte) bool {
			keys = append(keys, string(k))
			if !json.Valid(v) && json.Valid(data) {
				t.Errorf("member %q value %q is not valid JSON in a valid document", k, v)
			}
			return true
		})
		// json.Unmarshal into a map accepts null (the map stays nil): only
		// a document that makes a map is an object.
		var m map[string]json.RawMessage
		if json.Unmarshal(data, &m) == nil && m != nil && err != nil {
			t.Errorf("valid object %q: %v", data, err)
		}
	})
}
