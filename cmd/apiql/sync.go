package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/registry"
	"github.com/apiql/apiql/shell/pgsync"
)

const syncUsage = `Usage: apiql sync --to postgres://USER@HOST:PORT/DB [flags] RESOURCE...
       apiql sync --to postgres://USER@HOST:PORT/DB [flags] --all

Fetches whole resources (every page, through the same engine as exec) and
writes them into PostgreSQL with COPY: a schema per provider service
(digitalocean_images), a table per resource (images), a column per field
typed from the registry, plus _apiql_run, _apiql_synced_at and
_apiql_connection. public._apiql_runs records each run.

--mode replace (the default) leaves exactly the latest rows, swapped in one
transaction per table; --mode snapshot appends every run's rows and keeps a
view TABLE_latest of the latest. A failure (API error after retries, lost
connection, Ctrl-C) rolls that table back and marks the run failed (exit 1).
--all syncs every resource that has a list needing no parameter, and every
child resource whose parameters all come from a parent's rows (the registry's
parent:, at any depth: a repository's tags through the registry and its
repositories), called once per distinct ids of a parent row, through that
row's connection, each id kept in a column named after its parameter; the
others (a time range or an enum to choose, a parameter no parent gives) are
skipped, and named with what they need. --max-calls bounds each resource.

Give the password with PGPASSWORD or ~/.pgpass rather than in the URL, which
other users can see in the process list; it is never printed either way.

Examples:
  apiql sync --sandbox --to postgres://apiql@127.0.0.1:5432/inventory digitalocean.images.images
  PGPASSWORD=... apiql sync --to postgres://apiql@db.internal/inventory --all
  apiql sync --to postgres://apiql@127.0.0.1/inventory --mode snapshot --connection all --all

Flags:
`

// runSync is `apiql sync`.
func runSync(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var (
		c        config
		to, mode string
		prefix   string
		all      bool
		parallel int
	)
	fs := newFlags("sync", syncUsage, &c, args, stdout, stderr)
	fs.StringVar(&to, "to", "", "the PostgreSQL database: a postgres:// `URL` or key=value pairs (required)")
	fs.StringVar(&mode, "mode", "replace", "replace (the latest rows only) or snapshot (append every run's rows)")
	fs.StringVar(&prefix, "schema-prefix", "", "put `P` before every schema name (P + digitalocean_images)")
	fs.BoolVar(&all, "all", false, "sync every resource that has a list needing no parameter, and children listed per parent row (chains of any depth)")
	fs.IntVar(&parallel, "parallel", 4, "resources fetched and written at once")
	if code := parseFlags(fs, &c, args, stderr); code >= 0 {
		return code
	}
	usage := func(msg, hint string) int { return usageError(stderr, "sync", msg, hint) }
	if c.output != "" || c.noHeaders || c.dryRun {
		return usage("-o, -H and --dry-run are exec's: sync writes into PostgreSQL", "")
	}
	m, err := pgsync.ParseMode(mode)
	if err != nil {
		return usage(err.Error(), "")
	}
	if to == "" {
		return usage("no database: give --to postgres://USER@HOST:PORT/DB", "the password goes in PGPASSWORD or ~/.pgpass")
	}
	if parallel < 1 {
		return usage(fmt.Sprintf("--parallel must be at least 1; got %d", parallel), "")
	}
	if all == (fs.NArg() > 0) {
		return usage("name the resources to sync (provider.service.resource ...) or give --all, one or the other",
			"apiql exec \"SHOW RESOURCES IN digitalocean.images\" lists a service's resources")
	}
	c.readOnly = true
	c.stream = true // a failure removes the file / rolls the table back

	// Ctrl-C, SIGTERM and SIGHUP stop the sync as they stop exec: the
	// tables being written roll back, the run is recorded as failed, and
	// the exit code is 128 + the signal's number.
	ctx, gotSignal, stop := stoppable(context.Background())
	defer stop()

	// The first session resolves the names; the workers open more.
	first, closeFirst, err := c.openSession(ctx, stderr, nil)
	if err != nil {
		fmt.Fprintf(stderr, "apiql: %v\n", err)
		return 1
	}
	// The names and errors printed from here on may quote a token the
	// user typed (or an API echoed): they print it masked.
	stderr = maskSecrets(stderr, messageSecrets(first))
	stdout = maskSecrets(stdout, messageSecrets(first))
	var (
		mu      sync.Mutex
		closers = []func(){closeFirst}
		spare   = first
	)
	defer func() {
		for _, cl := range closers {
			cl()
		}
	}()
	reg := first.Registry()
	var resources []*registry.Resource
	if all {
		var skipped []*registry.Resource
		resources, skipped = pgsync.All(reg)
		for _, r := range skipped {
			fmt.Fprintf(stderr, "skipped: %v\n", pgsync.Check(r).(*engine.Error).Msg)
		}
	} else {
		for _, id := range fs.Args() {
			r, err := reg.Resource(strings.TrimSpace(id))
			if err != nil {
				fmt.Fprintf(stderr, "apiql sync: %v\n", err)
				return 2
			}
			if err := pgsync.Check(r); err != nil {
				printSyncError(stderr, "apiql sync: ", err)
				return 2
			}
			resources = append(resources, r)
		}
		var again []*registry.Resource
		resources, again = pgsync.Distinct(resources)
		for _, r := range again {
			fmt.Fprintf(stderr, "apiql sync: %s is named more than once: synced once\n", r.ID())
		}
	}
	open := func(ctx context.Context) (*engine.Session, func(), error) {
		mu.Lock()
		defer mu.Unlock()
		if spare != nil {
			s := spare
			spare = nil
			return s, func() {}, nil
		}
		s, cl, err := c.openSession(ctx, stderr, nil)
		if err != nil {
			return nil, nil, err
		}
		closers = append(closers, cl)
		return s, func() {}, nil
	}
	fmt.Fprintf(stdout, "syncing %d %s into %s (%s)\n", len(resources), plural(int64(len(resources)), "resource", "resources"), pgsync.MaskURL(to), m)
	run, err := pgsync.Sync(ctx, pgsync.Options{
		URL: to, Mode: m, SchemaPrefix: prefix, Resources: resources, Parallel: parallel, Open: open,
		Done: func(t pgsync.Table) {
			if t.Err != nil {
				printSyncError(stderr, t.Schema+"."+t.Name+": failed, rolled back: ", t.Err)
				return
			}
			fmt.Fprintf(stdout, "%s.%s: %d %s (%s)\n", t.Schema, t.Name, t.Rows, plural(t.Rows, "row", "rows"), t.Elapsed.Round(time.Millisecond))
		},
	})
	if err != nil {
		fmt.Fprintf(stderr, "apiql sync: %v\n", err)
		var e *engine.Error
		if errors.As(err, &e) && e.Hint != "" {
			fmt.Fprintf(stderr, "  hint: %s\n", e.Hint)
		}
		return 1
	}
	ok := len(run.Tables) - run.Failed
	summary := fmt.Sprintf("run %d %s: %d of %d %s, %d %s, %s", run.ID, run.Outcome(), ok, len(run.Tables),
		plural(int64(len(run.Tables)), "table", "tables"), run.Rows, plural(run.Rows, "row", "rows"), run.Ended.Sub(run.Started).Round(time.Millisecond))
	if run.Interrupted {
		summary += " (interrupted)"
	}
	if run.Outcome() == "succeeded" {
		fmt.Fprintln(stdout, summary)
	} else {
		fmt.Fprintln(stderr, summary)
	}
	if run.RecordErr != nil {
		fmt.Fprintf(stderr, "apiql sync: the run's outcome could not be recorded in public._apiql_runs: %v\n", run.RecordErr)
	}
	if sig := gotSignal(); sig != 0 {
		return 128 + int(sig)
	}
	if run.RecordErr != nil || run.Outcome() != "succeeded" {
		return 1
	}
	return 0
}

// printSyncError prints err after prefix, then its hint, once: an
// *engine.Error's message already ends with it.
func printSyncError(w io.Writer, prefix string, err error) {
	msg := err.Error()
	fmt.Fprintf(w, "%s%s\n", prefix, msg)
	var e *engine.Error
	if errors.As(err, &e) && e.Hint != "" && !strings.Contains(msg, "hint: "+e.Hint) {
		fmt.Fprintf(w, "  hint: %s\n", e.Hint)
	}
}
