package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/apiql/apiql/registry/openapigen"
)

const registryUsage = `Usage: apiql registry gen [flags]       regenerate the registry's service files
       apiql registry coverage [flags]  what of the spec the registry reaches, and what not

Run from the repository's root. gen writes one file a service into -out from
the pinned OpenAPI spec and the hand-written overrides (-check: write nothing,
fail when the committed files differ); coverage counts the spec's operations
mapped to a SQL verb and lists the others with the reason.

Flags:
`

// runRegistry is `apiql registry gen|coverage`.
func runRegistry(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "gen" && args[0] != "coverage") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, registryUsage)
			return 0
		}
		fmt.Fprint(stderr, "apiql registry: expected gen or coverage\n  hint: apiql help registry\n")
		return 2
	}
	sub := args[0]
	fs := flag.NewFlagSet("registry "+sub, flag.ContinueOnError)
	fs.SetOutput(helpOutput(args[1:], stdout, stderr))
	fs.Usage = func() { fmt.Fprint(fs.Output(), registryUsage); fs.PrintDefaults() }
	spec := fs.String("spec", openapigen.DefaultSpec, "the OpenAPI document")
	overrides := fs.String("overrides", openapigen.DefaultOverrides, "the overrides file (\"\" for none)")
	out := fs.String("out", openapigen.DefaultOut, "gen: the folder of service files")
	check := fs.Bool("check", false, "gen: write nothing; exit 1 when the files in -out differ")
	if err := fs.Parse(args[1:]); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "apiql registry %s: unexpected argument %q\n  hint: apiql help registry\n", sub, fs.Arg(0))
		return 2
	}
	res, err := openapigen.GenerateFiles(*spec, *overrides)
	if err != nil {
		fmt.Fprintf(stderr, "apiql registry %s: %v\n  hint: run it from the repository's root, or give -spec and -overrides\n", sub, err)
		return 1
	}
	if sub == "coverage" {
		fmt.Fprint(stdout, res.CoverageReport())
		return 0
	}
	files := res.Files()
	if *check {
		diff, err := openapigen.Diff(files, *out)
		if err != nil {
			fmt.Fprintf(stderr, "apiql registry gen: %v\n", err)
			return 1
		}
		if len(diff) > 0 {
			fmt.Fprintf(stderr, "apiql registry gen: %s differ from the spec's registry: %s\n  hint: run apiql registry gen\n", *out, strings.Join(diff, ", "))
			return 1
		}
		fmt.Fprintf(stdout, "%d service files in %s are up to date\n", len(files), *out)
		return 0
	}
	if err := openapigen.Write(files, *out); err != nil {
		fmt.Fprintf(stderr, "apiql registry gen: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %d service files to %s\n", len(files), *out)
	return 0
}
