// Package pgsync is `apiql sync`: a front end, a peer of the REPL, that
// fetches whole resources through the engine and writes them into
// PostgreSQL with COPY, for a team to query with psql, Grafana or any
// PostgreSQL client without calling the API.
//
// Layout in PostgreSQL:
//
//   - one schema per provider service, PREFIX + provider_service
//     (digitalocean_images), one table per resource (images);
//   - a column per registry field, typed from the registry: bigint, double
//     precision, boolean, text, timestamptz for string fields of format
//     date-time (an empty string is NULL), jsonb for arrays and objects;
//   - then _apiql_run (the run's id), _apiql_synced_at and
//     _apiql_connection (the named connection the row came from);
//   - public._apiql_runs: one row per run (start, end, mode, resources, row
//     counts, outcome, error); public._apiql_run_tables: one row per table a
//     run committed (in the same transaction as its rows).
//
// Each resource is written in its own transaction. Mode replace deletes
// the rows of the connections it read and copies the new ones in that
// transaction, so a reader sees the old rows until the commit and the new
// ones after, never a half-written or empty table. Mode snapshot appends
// and keeps a view TABLE_latest of each connection's latest committed run.
// Any failure (an API error after retries, a lost connection, Ctrl-C)
// rolls the resource's transaction back and marks the run failed.
package pgsync

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/registry"
)

// Mode is how a run writes its rows.
type Mode string

// The modes.
const (
	// Replace leaves exactly the latest rows (per connection read).
	Replace Mode = "replace"
	// Snapshot appends each run's rows; TABLE_latest shows the latest.
	Snapshot Mode = "snapshot"
)

// ParseMode returns the mode named s ("" is Replace).
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(s)); m {
	case "", Replace:
		return Replace, nil
	case Snapshot:
		return m, nil
	}
	return "", fmt.Errorf("unknown mode %q: give replace (the latest rows only) or snapshot (every run's rows)", s)
}

// The columns apiql adds to every table.
const (
	ColRun        = "_apiql_run"
	ColSyncedAt   = "_apiql_synced_at"
	ColConnection = "_apiql_connection"
)

// The bookkeeping tables, in schema public.
const (
	RunsTable      = "_apiql_runs"
	RunTablesTable = "_apiql_run_tables"
)

// Options configure a run.
type Options struct {
	// URL is the PostgreSQL connection string (a postgres:// URL or
	// key=value pairs); PGPASSWORD and ~/.pgpass apply as in psql.
	URL  string
	Mode Mode
	// SchemaPrefix is put before each schema name, as given.
	SchemaPrefix string
	// Resources are synced in this order, Parallel at once.
	Resources []*registry.Resource
	// Parallel is how many resources are fetched and written at once; 0
	// means 4.
	Parallel int
	// Open opens an engine session for one worker; it is called Parallel
	// times (fewer for fewer resources) and each session is used by one
	// worker only. The returned func closes it.
	Open func(ctx context.Context) (*engine.Session, func(), error)
	// Done, when set, is called after each resource (from the workers, one
	// call at a time).
	Done func(Table)
}

// Table is what a run did with one resource.
type Table struct {
	Resource string // provider.service.resource
	Schema   string
	Name     string
	// Rows written (0 when Err is set: the transaction was rolled back).
	Rows    int64
	Elapsed time.Duration
	Err     error
}

// Run is one sync run.
type Run struct {
	ID             int64
	Started, Ended time.Time
	Tables         []Table
	Rows           int64
	Failed         int
	RecordErr      error // the run could not be recorded in _apiql_runs
	Interrupted    bool
}

// Outcome is "succeeded" or "failed".
func (r *Run) Outcome() string {
	if r.Failed > 0 || r.Interrupted {
		return "failed"
	}
	return "succeeded"
}

// Listable returns a resource's select method that needs no parameter (a
// list), if it has one. A resource without one is synced through its
// parents when the registry says where its parameters come from (see
// Check), else not at all.
func Listable(r *registry.Resource) (*registry.Method, bool) {
	for _, m := range r.Methods {
		if m.Verb != registry.VerbSelect {
			continue
		}
		needs := false
		for _, p := range m.Params {
			needs = needs || p.Required
		}
		if !needs {
			return m, true
		}
	}
	return nil, false
}

func uniq(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Distinct returns rs without repeats, in the order first named, and the
// resources that were named again (once each). Two workers syncing one
// table in one run would commit it once and fail on the second record,
// leaving a run marked failed with its rows committed.
func Distinct(rs []*registry.Resource) (out, again []*registry.Resource) {
	seen := map[string]int{}
	for _, r := range rs {
		id := r.ID()
		seen[id]++
		switch seen[id] {
		case 1:
			out = append(out, r)
		case 2:
			again = append(again, r)
		}
	}
	return out, again
}

// Check says why a resource cannot be synced, or returns nil: it needs a
// list method that needs no parameter (see Listable), or a select method
// whose required parameters all come from the rows of a parent that can
// be synced (a chain of any depth, by the registry's parent:), and at
// least one field to store.
func Check(r *registry.Resource) error {
	pl, err := planFor(r)
	if err != nil {
		return err
	}
	if len(r.Fields) == 0 {
		return &engine.Error{Msg: fmt.Sprintf("%s cannot be synced: the registry declares no fields for it", r.ID()),
			Hint: "apiql exec \"EXEC " + r.ID() + "._" + pl.method.Name + "\" shows what its " + pl.method.Name + " method answers"}
	}
	return nil
}

// All returns every resource of reg that can be synced whole, and the
// others (skipped by --all; Check says why).
func All(reg *registry.Registry) (sync, skipped []*registry.Resource) {
	for _, p := range reg.Providers {
		for _, s := range p.Services {
			for _, r := range s.Resources() {
				if Check(r) == nil {
					sync = append(sync, r)
				} else {
					skipped = append(skipped, r)
				}
			}
		}
	}
	return sync, skipped
}

// SchemaName is the PostgreSQL schema of a resource's service.
func SchemaName(prefix string, r *registry.Resource) string {
	return prefix + r.Service.Provider.Name + "_" + r.Service.Name
}

// Sync runs one sync. The error is for a run that could not start (a bad
// URL, PostgreSQL unreachable, a resource that cannot be synced); failures
// of resources are in Run.Tables, and Run.Outcome says whether any
// failed. A resource named more than once is synced once (see Distinct):
// a run writes each table once and records each once.
func Sync(ctx context.Context, o Options) (*Run, error) {
	if o.Parallel <= 0 {
		o.Parallel = 4
	}
	if o.Mode == "" {
		o.Mode = Replace
	}
	o.Resources, _ = Distinct(o.Resources)
	for _, r := range o.Resources {
		if err := Check(r); err != nil {
			return nil, err
		}
	}
	cfg, err := pgx.ParseConfig(o.URL)
	if err != nil {
		return nil, scrubError(o.URL, "the PostgreSQL URL", err)
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "apiql sync"
	}
	connect := func(ctx context.Context) (*pgx.Conn, error) {
		c, err := pgx.ConnectConfig(ctx, cfg.Copy())
		if err != nil {
			return nil, scrubError(o.URL, "connecting to PostgreSQL", err, cfg.Password)
		}
		return c, nil
	}
	ctl, err := connect(ctx)
	if err != nil {
		return nil, err
	}
	defer ctl.Close(context.Background())

	run := &Run{Started: time.Now().UTC()}
	if err := prepare(ctx, ctl, o); err != nil {
		return nil, scrubError(o.URL, "preparing the schemas", err, cfg.Password)
	}
	names := make([]string, len(o.Resources))
	for i, r := range o.Resources {
		names[i] = r.ID()
	}
	err = ctl.QueryRow(ctx, `INSERT INTO public.`+RunsTable+` (started_at, mode, schema_prefix, resources, outcome)
		VALUES ($1, $2, $3, $4, 'running') RETURNING id`, run.Started, string(o.Mode), o.SchemaPrefix, names).Scan(&run.ID)
	if err != nil {
		return nil, scrubError(o.URL, "recording the run", err, cfg.Password)
	}

	jobs := make(chan int)
	run.Tables = make([]Table, len(o.Resources))
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	workers := min(o.Parallel, len(o.Resources))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := &worker{o: o, run: run, connect: connect, password: cfg.Password}
			defer wk.close()
			for i := range jobs {
				t := wk.sync(ctx, o.Resources[i])
				mu.Lock()
				run.Tables[i] = t
				if o.Done != nil {
					o.Done(t)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range o.Resources {
		if ctx.Err() != nil {
			run.Tables[i] = Table{Resource: o.Resources[i].ID(), Schema: SchemaName(o.SchemaPrefix, o.Resources[i]), Name: o.Resources[i].Name, Err: ctx.Err()}
			continue
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	run.Ended = time.Now().UTC()
	run.Interrupted = ctx.Err() != nil
	counts := map[string]int64{}
	var firstErr string
	for _, t := range run.Tables {
		if t.Err != nil {
			run.Failed++
			if firstErr == "" {
				firstErr = t.Resource + ": " + t.Err.Error()
			}
			continue
		}
		counts[t.Resource] = t.Rows
		run.Rows += t.Rows
	}
	if run.Interrupted {
		// The run's error says what stopped it, and a table's own failure
		// before that, if one failed otherwise.
		why := "interrupted (" + stopCause(ctx) + ")"
		if firstErr != "" && !strings.Contains(firstErr, why) {
			why += "; before that, " + firstErr
		}
		firstErr = why
	}
	// The record is written even when the run was interrupted or the
	// control connection was lost: on a fresh connection if need be.
	rctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var errText any
	if firstErr != "" {
		errText = firstErr
	}
	record := func(c *pgx.Conn) error {
		_, err := c.Exec(rctx, `UPDATE public.`+RunsTable+` SET ended_at = $2, outcome = $3, error = $4, row_counts = $5 WHERE id = $1`,
			run.ID, run.Ended, run.Outcome(), errText, counts)
		return err
	}
	if err := record(ctl); err != nil {
		if c, cerr := connect(rctx); cerr == nil {
			err = record(c)
			c.Close(rctx)
		}
		if err != nil {
			run.RecordErr = scrubError(o.URL, "recording the run's outcome", err, cfg.Password)
		}
	}
	return run, nil
}

// prepare creates the bookkeeping tables and the schemas, serialized with
// other runs by an advisory lock (CREATE ... IF NOT EXISTS races).
func prepare(ctx context.Context, c *pgx.Conn, o Options) error {
	tx, err := c.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background())
	stmts := []string{
		`SELECT pg_advisory_xact_lock(hashtext('apiql sync prepare'))`,
		`CREATE TABLE IF NOT EXISTS public.` + RunsTable + ` (
			id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			started_at timestamptz NOT NULL,
			ended_at timestamptz,
			mode text NOT NULL,
			schema_prefix text NOT NULL,
			resources text[] NOT NULL,
			row_counts jsonb NOT NULL DEFAULT '{}',
			outcome text NOT NULL,
			error text)`,
		`CREATE TABLE IF NOT EXISTS public.` + RunTablesTable + ` (
			run bigint NOT NULL REFERENCES public.` + RunsTable + ` (id),
			resource text NOT NULL,
			table_schema text NOT NULL,
			table_name text NOT NULL,
			connections text[] NOT NULL,
			rows bigint NOT NULL,
			committed_at timestamptz NOT NULL,
			PRIMARY KEY (run, resource))`,
	}
	schemas := map[string]bool{}
	for _, r := range o.Resources {
		schemas[SchemaName(o.SchemaPrefix, r)] = true
	}
	var names []string
	for s := range schemas {
		names = append(names, s)
	}
	sort.Strings(names)
	for _, s := range names {
		stmts = append(stmts, `CREATE SCHEMA IF NOT EXISTS `+ident(s))
	}
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// ident quotes a PostgreSQL identifier.
func ident(parts ...string) string {
	return pgx.Identifier(parts).Sanitize()
}

// interrupted is the error of a resource stopped by ctx: Ctrl-C, or the
// cause ctx was cancelled with (a signal, say).
func interrupted(ctx context.Context) error {
	return errors.New("interrupted (" + stopCause(ctx) + "): rolled back")
}

// stopCause says what stopped ctx: its cause when one was given, else
// Ctrl-C.
func stopCause(ctx context.Context) string {
	if c := context.Cause(ctx); c != nil && !errors.Is(c, context.Canceled) {
		return c.Error()
	}
	return "Ctrl-C"
}
