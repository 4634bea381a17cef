package provider

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestReadBody: the body comes back whole up to the limit, whatever the
// chunks it was read in; one byte over is counted (limit+1) and dropped; a
// read error comes back with what was read before it.
func TestReadBody(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB: several chunks
	broken := errors.New("connection reset")
	for _, tc := range []struct {
		name   string
		body   io.Reader
		length int64 // announced; -1 unknown
		limit  int64
		want   string // the body returned; "<nil>" for none
		n      int64
		err    error
	}{
		{"empty", strings.NewReader(""), -1, 10, "", 0, nil},
		{"small", strings.NewReader("abc"), -1, 10, "abc", 3, nil},
		{"at the limit", strings.NewReader("0123456789"), -1, 10, "0123456789", 10, nil},
		{"one over", strings.NewReader("0123456789x"), -1, 10, "<nil>", 11, nil},
		{"endless", endless{}, -1, 3 << 20, "<nil>", 3<<20 + 1, nil},
		{"chunks", strings.NewReader(big), -1, 2 << 20, big, 1 << 20, nil},
		{"announced", strings.NewReader(big), 1 << 20, 2 << 20, big, 1 << 20, nil},
		{"longer than announced", strings.NewReader(big), 1000, 2 << 20, big, 1 << 20, nil},
		{"longer than announced, over", strings.NewReader(big), 1000, 5000, "<nil>", 5001, nil},
		{"broken", io.MultiReader(strings.NewReader(big), errReader{broken}), -1, 2 << 20, big, 1 << 20, broken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, n, err := readBody(tc.body, tc.length, tc.limit)
			got := string(b)
			if b == nil {
				got = "<nil>"
			}
			if got != tc.want || n != tc.n || !errors.Is(err, tc.err) {
				t.Fatalf("readBody = %.20q (%d bytes), %d, %v; want %.20q (%d bytes), %d, %v", got, len(got), n, err, tc.want, len(tc.want), tc.n, tc.err)
			}
			if b != nil && int64(cap(b)) > max(n, firstChunk)+1 {
				t.Errorf("cap %d for %d bytes: the body keeps unused memory", cap(b), n)
			}
		})
	}
}

type endless struct{}

func (endless) Read(p []byte) (int, error) {
	copy(p, bytes.Repeat([]byte{'x'}, len(p)))
	return len(p), nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
