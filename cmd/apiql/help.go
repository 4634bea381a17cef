package main

import (
	"fmt"
	"io"
)

const mainUsage = `apiql answers SQL over cloud APIs.

Usage: apiql <command> [flags] [arguments]

Commands:
  exec       run statements given as an argument, in a query file (-i) or on stdin
  shell      an interactive SQL shell
  emulator   serve the built-in DigitalOcean API emulator
  serve      serve apiql over the Postgres protocol, for psql, BI tools and drivers
  export     write statements' results to Parquet, CSV or JSON Lines files
  sync       copy whole resources into PostgreSQL tables (a run per call)
  registry   regenerate the registry from the pinned OpenAPI spec, or measure its coverage
  version    print apiql's version
  help       help on a command: apiql help exec

Examples:
  apiql exec --sandbox "SHOW RESOURCES IN digitalocean.images"
  apiql exec --sandbox "SELECT name, slug FROM digitalocean.images.images WHERE type = 'distribution'"
  apiql shell --sandbox

Authentication: DIGITALOCEAN_TOKEN (or DIGITALOCEAN_ACCESS_TOKEN); DIGITALOCEAN_API_URL
points apiql at another endpoint. --sandbox needs neither.
`

// helpOutput is where a subcommand's flag package writes: stdout when help
// was asked for (it is the answer), stderr for usage errors.
func helpOutput(args []string, stdout, stderr io.Writer) io.Writer {
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help":
			return stdout
		case "--":
			return stderr
		}
	}
	return stderr
}

// runHelp is `apiql help [command]`.
func runHelp(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, mainUsage)
		return 0
	}
	switch args[0] {
	case "exec", "shell", "emulator", "serve", "export", "sync":
		return Run([]string{args[0], "--help"}, nil, stdout, stdout)
	case "registry":
		return runRegistry([]string{"--help"}, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "Usage: apiql version\n\nPrints apiql's version.")
		return 0
	}
	fmt.Fprintf(stderr, "apiql help: unknown command %q\n  hint: apiql help lists the commands\n", args[0])
	return 2
}
