// Command gen writes the emulator's spec data: go run ./internal/specgen/gen
// -spec SPEC -out FILE, from provider/emulator (go generate does it).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/apiql/apiql/provider/emulator/internal/specgen"
)

func main() {
	spec := flag.String("spec", "", "the OpenAPI spec to read")
	out := flag.String("out", "", "the file to write")
	flag.Parse()
	if *spec == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: gen -spec SPEC -out FILE")
		os.Exit(2)
	}
	b, err := os.ReadFile(*spec)
	if err == nil {
		b, err = specgen.Generate(b)
	}
	if err == nil {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
