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
