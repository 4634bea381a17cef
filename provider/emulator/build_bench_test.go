package emulator_test

import (
	"testing"

	"github.com/apiql/apiql/provider/emulator"
)

func BenchmarkNew100k(b *testing.B) {
	for b.Loop() {
		emulator.New(emulator.Options{Images: 100000})
	}
}
