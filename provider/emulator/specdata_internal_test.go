package emulator

import "testing"

// BenchmarkIndexSpec indexes the embedded spec data, as the first request
// for a resource served from the spec does (once per process).
func BenchmarkIndexSpec(b *testing.B) {
	for b.Loop() {
		if len(indexSpec(specData)) < 600 {
			b.Fatal("too few operations")
		}
	}
}

func TestTopLevelArray(t *testing.T) {
	cases := []struct {
		line, key string
		want      bool
	}{
		{`{"op":"GET /v2/x","status":200,"body":{"links":{},"xs":[{"id":1}]}}`, "xs", true},
		{`{"op":"GET /v2/x","status":200,"body":{"x":{"xs":[1]}}}`, "xs", false},
		{`{"op":"GET /v2/x","status":200,"body":{"a":"\"xs\":[","xs":{}}}`, "xs", false},
		{`{"op":"GET /v2/x","status":200,"body":{"a":"q\\","xs":[]}}`, "xs", true},
		{`{"op":"DELETE /v2/x","status":204}`, "xs", false},
	}
	for _, c := range cases {
		if got := topLevelArray([]byte(c.line), c.key); got != c.want {
			t.Errorf("topLevelArray(%s, %s) = %v, want %v", c.line, c.key, got, c.want)
		}
	}
}
