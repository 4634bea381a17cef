package pgsync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/registry"
	"github.com/apiql/apiql/shell/pgsync"
	"github.com/apiql/apiql/shell/pgsync/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

// env is an emulator, a registry and a fresh PostgreSQL database.
type env struct {
	emu     *emulator.Server
	url     string // the API's
	reg     *registry.Registry
	db      string // the database's URL
	retries int
	conn    *pgx.Conn
}

func newEnv(t *testing.T, images int) *env { return newEnvTB(t, images) }

func newEnvTB(t testing.TB, images int) *env {
	t.Helper()
	emu := emulator.New(emulator.Options{Images: images, Token: "test-token"})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{emu: emu, url: srv.URL, reg: reg, db: pgtest.DB(t), retries: 2}
	e.conn, err = pgx.Connect(context.Background(), e.db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.conn.Close(context.Background()) })
	return e
}

func (e *env) open(ctx context.Context) (*engine.Session, func(), error) {
	vars := map[string]string{"DIGITALOCEAN_API_URL": e.url, "DIGITALOCEAN_TOKEN": "test-token"}
	sess, err := engine.NewSession(ctx, engine.Options{
		Registry: e.reg,
		ReadOnly: true,
		Stream:   true, // as apiql sync and export run
		Client:   &provider.Client{Getenv: func(k string) string { return vars[k] }, Retry: provider.RetryPolicy{Retries: e.retries, Base: time.Millisecond, Max: 5 * time.Millisecond}},
	})
	if err != nil {
		return nil, nil, err
	}
	return sess, func() { sess.Close() }, nil
}

func (e *env) resources(t *testing.T, ids ...string) []*registry.Resource {
	return e.resourcesTB(t, ids...)
}

func (e *env) resourcesTB(t testing.TB, ids ...string) []*registry.Resource {
	t.Helper()
	var out []*registry.Resource
	for _, id := range ids {
		r, err := e.reg.Resource(id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func (e *env) sync(t *testing.T, ctx context.Context, mode pgsync.Mode, ids ...string) *pgsync.Run {
	t.Helper()
	run, err := pgsync.Sync(ctx, pgsync.Options{URL: e.db, Mode: mode, Resources: e.resources(t, ids...), Open: e.open, Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if run.RecordErr != nil {
		t.Fatal(run.RecordErr)
	}
	return run
}

func (e *env) int(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := e.conn.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (e *env) text(t *testing.T, q string, args ...any) string {
	t.Helper()
	var s *string
	if err := e.conn.QueryRow(context.Background(), q, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if s == nil {
		return "<null>"
	}
	return *s
}

// columns returns a table's columns and their types, in order.
func (e *env) columns(t *testing.T, table string) string {
	t.Helper()
	return e.text(t, `SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
		FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`, table)
}

// engineRows is the engine's own answer, to compare the tables with.
func (e *env) engineRows(t *testing.T, sql string) *engine.Result {
	t.Helper()
	sess, closeSess, err := e.open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer closeSess()
	var res *engine.Result
	sess.Run(context.Background(), sql, func(o engine.Outcome) bool {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		res = o.Result
		return true
	})
	return res
}

func checkTable(t *testing.T, run *pgsync.Run, want map[string]int64) {
	t.Helper()
	if run.Outcome() != "succeeded" {
		for _, tb := range run.Tables {
			t.Logf("%s: %v", tb.Resource, tb.Err)
		}
		t.Fatalf("run %d: %s", run.ID, run.Outcome())
	}
	for _, tb := range run.Tables {
		if tb.Rows != want[tb.Resource] {
			t.Errorf("%s: %d rows, want %d", tb.Resource, tb.Rows, want[tb.Resource])
		}
	}
}

func TestReplace(t *testing.T) {
	e := newEnv(t, 300)
	ctx := context.Background()
	run1 := e.sync(t, ctx, pgsync.Replace, "digitalocean.images.images", "digitalocean.regions.regions")
	nRegions := int64(len(e.engineRows(t, "SELECT * FROM digitalocean.regions.regions").Rows))
	checkTable(t, run1, map[string]int64{"digitalocean.images.images": 300, "digitalocean.regions.regions": nRegions})

	// Typed columns from the registry, then apiql's own.
	want := "id bigint, name text, description text, created_at timestamp with time zone, distribution text, error_message text, " +
		"min_disk_size bigint, public boolean, regions jsonb, size_gigabytes double precision, slug text, status text, " +
		"tags jsonb, type text, _apiql_run bigint, _apiql_synced_at timestamp with time zone, _apiql_connection text"
	if got := e.columns(t, "digitalocean_images.images"); got != want {
		t.Errorf("columns:\n%s\nwant:\n%s", got, want)
	}
	// Every value as the engine reads it.
	res := e.engineRows(t, "SELECT id, name, min_disk_size, public, regions, size_gigabytes, tags, slug FROM digitalocean.images.images ORDER BY id")
	rows, err := e.conn.Query(ctx, `SELECT id, name, min_disk_size, public, regions::text, size_gigabytes, tags::text, slug
		FROM digitalocean_images.images ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		for j, v := range vals {
			w := res.Rows[i][j]
			if j == 4 || j == 6 { // jsonb comes back normalized: compare as JSON
				v, w = normJSON(t, v), normJSON(t, w)
			}
			if fmt.Sprint(v) != fmt.Sprint(w) {
				t.Fatalf("row %d column %s: %v in PostgreSQL, %v from the engine", i+1, res.Columns[j].Name, v, w)
			}
		}
		i++
	}
	rows.Close()
	if i != 300 {
		t.Fatalf("%d rows, want 300", i)
	}
	// created_at (format date-time): the API's RFC 3339 text, as the
	// instant it names.
	stamps := e.engineRows(t, "SELECT id, created_at FROM digitalocean.images.images ORDER BY id")
	trows, err := e.conn.Query(ctx, `SELECT id, created_at FROM digitalocean_images.images ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	i = 0
	for trows.Next() {
		var id int64
		var at *time.Time
		if err := trows.Scan(&id, &at); err != nil {
			t.Fatal(err)
		}
		text, _ := stamps.Rows[i][1].(string)
		want, perr := time.Parse(time.RFC3339Nano, text)
		if perr != nil || at == nil || !at.Equal(want) || fmt.Sprint(stamps.Rows[i][0]) != fmt.Sprint(id) {
			t.Fatalf("image %d: created_at %v in PostgreSQL, %q from the engine (%v)", id, at, text, perr)
		}
		i++
	}
	trows.Close()
	if i != 300 {
		t.Fatalf("%d created_at values, want 300", i)
	}
	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images WHERE _apiql_run = $1 AND _apiql_connection = 'default'`, run1.ID); got != 300 {
		t.Errorf("%d rows of run %d from connection default, want 300", got, run1.ID)
	}

	// The run is recorded.
	var outcome string
	var counts map[string]int64
	var resources []string
	if err := e.conn.QueryRow(ctx, `SELECT outcome, row_counts, resources FROM public._apiql_runs WHERE id = $1 AND ended_at >= started_at`, run1.ID).Scan(&outcome, &counts, &resources); err != nil {
		t.Fatal(err)
	}
	if outcome != "succeeded" || counts["digitalocean.images.images"] != 300 || counts["digitalocean.regions.regions"] != nRegions || len(resources) != 2 {
		t.Errorf("_apiql_runs: %s %v %v", outcome, counts, resources)
	}

	// A second run leaves exactly the latest rows; a reader polling the
	// table meanwhile sees the old rows or the new ones, never fewer.
	e.emu.SetFaults(emulator.Faults{Latency: 20 * time.Millisecond})
	var private any
	for _, r := range res.Rows {
		if r[3] == false {
			private = r[0]
			break
		}
	}
	req := httptest.NewRequest("DELETE", "/v2/images/"+fmt.Sprint(private), nil)
	req.Header.Set("Authorization", "Bearer test-token")
	rec := httptest.NewRecorder()
	e.emu.ServeHTTP(rec, req)
	if rec.Code != 204 {
		t.Fatalf("deleting an image in the emulator: %d", rec.Code)
	}
	seen := map[int64]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c, err := pgx.Connect(ctx, e.db)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(ctx)
		for {
			select {
			case <-stop:
				return
			default:
			}
			var n int64
			if err := c.QueryRow(ctx, `SELECT count(*) FROM digitalocean_images.images`).Scan(&n); err != nil {
				t.Error(err)
				return
			}
			seen[n] = true
			time.Sleep(2 * time.Millisecond)
		}
	}()
	run2 := e.sync(t, ctx, pgsync.Replace, "digitalocean.images.images")
	close(stop)
	wg.Wait()
	checkTable(t, run2, map[string]int64{"digitalocean.images.images": 299})
	for n := range seen {
		if n != 300 && n != 299 {
			t.Errorf("a reader saw %d rows during the second run (want 300, then 299)", n)
		}
	}
	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images WHERE _apiql_run = $1`, run2.ID); got != 299 {
		t.Errorf("%d rows of run %d, want 299 (and none of run %d)", got, run2.ID, run1.ID)
	}
	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images`); got != 299 {
		t.Errorf("%d rows after the second run, want 299", got)
	}
}

func normJSON(t *testing.T, v any) string {
	if v == nil {
		return "<nil>"
	}
	var x any
	if err := json.Unmarshal([]byte(fmt.Sprint(v)), &x); err != nil {
		t.Fatalf("%v: %v", v, err)
	}
	b, _ := json.Marshal(x)
	return string(b)
}

func TestSnapshot(t *testing.T) {
	e := newEnv(t, 120)
	ctx := context.Background()
	run1 := e.sync(t, ctx, pgsync.Snapshot, "digitalocean.images.images")
	checkTable(t, run1, map[string]int64{"digitalocean.images.images": 120})
	run2 := e.sync(t, ctx, pgsync.Snapshot, "digitalocean.images.images")
	checkTable(t, run2, map[string]int64{"digitalocean.images.images": 120})

	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images`); got != 240 {
		t.Errorf("%d rows after two snapshot runs, want 240", got)
	}
	if got := e.int(t, `SELECT count(DISTINCT _apiql_run) FROM digitalocean_images.images`); got != 2 {
		t.Errorf("%d runs in the table, want 2", got)
	}
	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images_latest WHERE _apiql_run = $1`, run2.ID); got != 120 {
		t.Errorf("images_latest: %d rows of run %d, want 120", got, run2.ID)
	}
	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images_latest`); got != 120 {
		t.Errorf("images_latest: %d rows, want 120", got)
	}
	// History: the first run's rows are still there to query.
	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images WHERE _apiql_run = $1`, run1.ID); got != 120 {
		t.Errorf("run %d: %d rows, want 120", run1.ID, got)
	}
	// A failed snapshot run adds nothing and leaves the view on run 2.
	e.retries = 0
	e.emu.SetFaults(emulator.Faults{ServerErrorEvery: 1})
	run3, err := pgsync.Sync(ctx, pgsync.Options{URL: e.db, Mode: pgsync.Snapshot, Resources: e.resources(t, "digitalocean.images.images"), Open: e.open})
	if err != nil {
		t.Fatal(err)
	}
	if run3.Outcome() != "failed" {
		t.Fatalf("run 3 %s, want failed", run3.Outcome())
	}
	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images_latest WHERE _apiql_run = $1`, run2.ID); got != 120 {
		t.Errorf("after a failed run, images_latest holds %d rows of run %d, want 120", got, run2.ID)
	}
	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images`); got != 240 {
		t.Errorf("after a failed run, %d rows, want 240", got)
	}
}

func TestSchemaFollowsTheRegistry(t *testing.T) {
	e := newEnv(t, 60)
	ctx := context.Background()
	checkTable(t, e.sync(t, ctx, pgsync.Replace, "digitalocean.images.images"), map[string]int64{"digitalocean.images.images": 60})

	// The registry gains a field, loses one, and widens another.
	images, _ := e.reg.Resource("digitalocean.images.images")
	if got := e.columns(t, "digitalocean_images.images"); !strings.Contains(got, "created_at timestamp with time zone") {
		t.Errorf("created_at is not timestamptz: %s", got)
	}
	var kept []*registry.Field
	for _, f := range images.Fields {
		switch f.Name {
		case "error_message":
			continue // lost
		case "min_disk_size":
			f.Type = registry.TypeNumber // bigint -> double precision: converts
		}
		kept = append(kept, f)
	}
	images.Fields = append(kept, &registry.Field{Name: "vpc_note", Type: registry.TypeString})
	run := e.sync(t, ctx, pgsync.Replace, "digitalocean.images.images")
	checkTable(t, run, map[string]int64{"digitalocean.images.images": 60})
	cols := e.columns(t, "digitalocean_images.images")
	for _, want := range []string{"error_message text", "min_disk_size double precision", "vpc_note text"} {
		if !strings.Contains(cols, want) {
			t.Errorf("columns lack %q: %s", want, cols)
		}
	}
	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images WHERE vpc_note IS NULL AND error_message IS NULL AND pg_typeof(min_disk_size) = 'double precision'::regtype`); got != 60 {
		t.Errorf("%d rows with the new column NULL, the lost one NULL and the widened one a number; want 60", got)
	}

	// A change PostgreSQL cannot convert (text 'available' to bigint)
	// fails before any row is written: the table keeps the last run's rows.
	images.Field("status").Type = registry.TypeInteger
	requests := len(e.emu.Requests())
	bad, err := pgsync.Sync(ctx, pgsync.Options{URL: e.db, Resources: e.resources(t, "digitalocean.images.images"), Open: e.open})
	if err != nil {
		t.Fatal(err)
	}
	if bad.Outcome() != "failed" || bad.Tables[0].Err == nil {
		t.Fatalf("run with an unconvertible type: %s, %v", bad.Outcome(), bad.Tables[0].Err)
	}
	msg := bad.Tables[0].Err.Error()
	for _, want := range []string{"column status", "digitalocean_images.images", "text", "bigint", "cannot convert", "DROP COLUMN"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q: %s", want, msg)
		}
	}
	if n := len(e.emu.Requests()) - requests; n != 0 {
		t.Errorf("%d API requests sent for a table whose schema failed, want 0", n)
	}
	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images WHERE _apiql_run = $1`, run.ID); got != 60 {
		t.Errorf("after the failed run, %d rows of the previous run, want 60", got)
	}
	if got := e.text(t, `SELECT outcome || ': ' || error FROM public._apiql_runs WHERE id = $1`, bad.ID); !strings.HasPrefix(got, "failed: digitalocean.images.images: column status") {
		t.Errorf("_apiql_runs says %q", got)
	}
}

func TestFailureMidSyncRollsBack(t *testing.T) {
	e := newEnv(t, 1000)
	ctx := context.Background()
	first := e.sync(t, ctx, pgsync.Replace, "digitalocean.images.images", "digitalocean.regions.regions")
	checkTable(t, first, map[string]int64{"digitalocean.images.images": 1000, "digitalocean.regions.regions": first.Tables[1].Rows})

	// The images' third page fails with a 500, and retries are off: the
	// images' transaction is rolled back; regions (one page) commit.
	e.retries = 0
	e.emu.SetFaults(emulator.Faults{ServerErrorEvery: 3})
	run, err := pgsync.Sync(ctx, pgsync.Options{URL: e.db, Resources: e.resources(t, "digitalocean.images.images"), Open: e.open})
	if err != nil {
		t.Fatal(err)
	}
	if run.Outcome() != "failed" || run.Tables[0].Err == nil || !strings.Contains(run.Tables[0].Err.Error(), "500") {
		t.Fatalf("run: %s, %v; want failed with the API's 500", run.Outcome(), run.Tables[0].Err)
	}
	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images`); got != 1000 {
		t.Errorf("%d rows after a failed run, want the previous 1000", got)
	}
	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images WHERE _apiql_run = $1`, run.ID); got != 0 {
		t.Errorf("%d rows of the failed run, want 0", got)
	}
	if got := e.text(t, `SELECT outcome FROM public._apiql_runs WHERE id = $1`, run.ID); got != "failed" {
		t.Errorf("_apiql_runs outcome %q, want failed", got)
	}
	if got := e.int(t, `SELECT count(*) FROM public._apiql_run_tables WHERE run = $1`, run.ID); got != 0 {
		t.Errorf("%d tables recorded as committed by the failed run, want 0", got)
	}
}

// waitIdleInTransaction waits until a sync's worker holds its transaction
// open (it is fetching from the API: its DELETE done, before its COPY or
// within it, as the rows stream in), and returns its backend pid.
func waitIdleInTransaction(t *testing.T, e *env) int32 {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var pid int32
		err := e.conn.QueryRow(context.Background(), `SELECT pid FROM pg_stat_activity
			WHERE application_name = 'apiql sync' AND datname = current_database()
			AND ((state = 'idle in transaction' AND query LIKE 'DELETE FROM%') OR query ILIKE 'copy%') LIMIT 1`).Scan(&pid)
		if err == nil {
			return pid
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no sync transaction seen")
	return 0
}

func TestInterruptRollsBack(t *testing.T) {
	e := newEnv(t, 600)
	ctx := context.Background()
	checkTable(t, e.sync(t, ctx, pgsync.Replace, "digitalocean.images.images"), map[string]int64{"digitalocean.images.images": 600})

	// Ctrl-C while the API is slow: the context ends mid-fetch.
	e.emu.SetFaults(emulator.Faults{Latency: 300 * time.Millisecond})
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan *pgsync.Run)
	go func() {
		run, err := pgsync.Sync(cctx, pgsync.Options{URL: e.db, Resources: e.resources(t, "digitalocean.images.images"), Open: e.open})
		if err != nil {
			t.Error(err)
		}
		done <- run
	}()
	waitIdleInTransaction(t, e)
	cancel()
	run := <-done
	if run == nil {
		return
	}
	if run.Outcome() != "failed" || !run.Interrupted || !strings.Contains(run.Tables[0].Err.Error(), "interrupted") {
		t.Fatalf("run: %s, %v", run.Outcome(), run.Tables[0].Err)
	}
	if run.RecordErr != nil {
		t.Fatal(run.RecordErr)
	}
	if got := e.text(t, `SELECT outcome || ': ' || error FROM public._apiql_runs WHERE id = $1 AND ended_at IS NOT NULL`, run.ID); !strings.HasPrefix(got, "failed: interrupted") {
		t.Errorf("_apiql_runs says %q", got)
	}
	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images`); got != 600 {
		t.Errorf("%d rows after an interrupted run, want the previous 600", got)
	}
}

func TestLostConnectionRollsBack(t *testing.T) {
	e := newEnv(t, 600)
	ctx := context.Background()
	checkTable(t, e.sync(t, ctx, pgsync.Replace, "digitalocean.images.images"), map[string]int64{"digitalocean.images.images": 600})

	// The worker's connection is killed while it fetches.
	e.emu.SetFaults(emulator.Faults{Latency: 300 * time.Millisecond})
	done := make(chan *pgsync.Run)
	go func() {
		run, err := pgsync.Sync(ctx, pgsync.Options{URL: e.db, Resources: e.resources(t, "digitalocean.images.images"), Open: e.open})
		if err != nil {
			t.Error(err)
		}
		done <- run
	}()
	pid := waitIdleInTransaction(t, e)
	if _, err := e.conn.Exec(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	run := <-done
	if run == nil {
		return
	}
	if run.Outcome() != "failed" || run.Tables[0].Err == nil {
		t.Fatalf("run: %s, %v", run.Outcome(), run.Tables[0].Err)
	}
	if strings.Contains(run.Tables[0].Err.Error(), pgtest.Password) {
		t.Errorf("the error shows the password: %v", run.Tables[0].Err)
	}
	if got := e.text(t, `SELECT outcome FROM public._apiql_runs WHERE id = $1`, run.ID); got != "failed" {
		t.Errorf("_apiql_runs outcome %q, want failed", got)
	}
	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images`); got != 600 {
		t.Errorf("%d rows after a lost connection, want the previous 600", got)
	}
}

func TestPasswordNeverShown(t *testing.T) {
	e := newEnv(t, 10)
	wrong := strings.Replace(e.db, pgtest.Password, "Wr0ng-pa55word", 1)
	_, err := pgsync.Sync(context.Background(), pgsync.Options{URL: wrong, Resources: e.resources(t, "digitalocean.regions.regions"), Open: e.open})
	if err == nil || strings.Contains(err.Error(), "Wr0ng-pa55word") || !strings.Contains(err.Error(), "connecting to PostgreSQL") {
		t.Errorf("wrong password: error %v", err)
	}
	closed := "postgres://apiql:S3cret%2Fpw@127.0.0.1:1/db?connect_timeout=2"
	_, err = pgsync.Sync(context.Background(), pgsync.Options{URL: closed, Resources: e.resources(t, "digitalocean.regions.regions"), Open: e.open})
	if err == nil || strings.Contains(err.Error(), "S3cret") {
		t.Errorf("unreachable server: error %v", err)
	}
	for _, bad := range []string{"postgres://apiql:S3cret@127.0.0.1:notaport/db", "postgres://apiql:S3 cret@127.0.0.1/db", "postgres://apiql:S3cret%ZZ@127.0.0.1/db", "postgres://apiql:S3cret@[::1/db"} {
		_, err = pgsync.Sync(context.Background(), pgsync.Options{URL: bad, Resources: e.resources(t, "digitalocean.regions.regions"), Open: e.open})
		if err == nil || strings.Contains(err.Error(), "S3") {
			t.Errorf("bad URL %s: error %v", pgsync.MaskURL(bad), err)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"postgres://u:p%40ss@h:5432/db?sslmode=disable", "postgres://u:***@h:5432/db?sslmode=disable"},
		{"postgresql://u@h/db", "postgresql://u@h/db"},
		{"postgres://h/db?user=u&password=pw", "postgres://h/db?password=***&user=u"},
		{"host=h user=u password=s3cr3t dbname=db", "host=h user=u password=*** dbname=db"},
		{"host=h password='a b' dbname=db", "host=h password=*** dbname=db"},
		// URLs that do not parse: the password is masked all the same.
		{"postgres://apiql:hunter2-secret@127.0.0.1:notaport/inv", "postgres://apiql:***@127.0.0.1:notaport/inv"},
		{"postgres://apiql:pg secret@127.0.0.1:5432/inv", "postgres://apiql:***@127.0.0.1:5432/inv"},
		{"postgres://apiql:pg-secret%ZZ@127.0.0.1/inv", "postgres://apiql:***@127.0.0.1/inv"},
		{"postgresql://apiql:s3cr3t@[::1/inv", "postgresql://apiql:***@[::1/inv"},
		{"postgres://apiql:p@ss@h:x/db", "postgres://apiql:***@h:x/db"},
		{"postgres://h:x/db?user=u&password=s3cr3t", "postgres://h:x/db?user=u&password=***"},
	} {
		if got := pgsync.MaskURL(tc.in); got != tc.want {
			t.Errorf("MaskURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestAllAndResourcesNeedingAParent(t *testing.T) {
	reg, err := registry.Load("../../testdata/registry/good")
	if err != nil {
		t.Fatal(err)
	}
	sync, skipped := pgsync.All(reg)
	var names []string
	for _, r := range sync {
		if err := pgsync.Check(r); err != nil {
			t.Errorf("%s is synced but: %v", r.ID(), err)
		}
		names = append(names, r.ID())
	}
	for _, r := range skipped {
		err := pgsync.Check(r)
		if err == nil || !strings.Contains(err.Error(), r.ID()) || !strings.Contains(err.Error(), "cannot be synced") {
			t.Errorf("%s: %v", r.ID(), err)
		}
	}
	// A resource whose reads all need a parent's id is skipped, named with
	// the parameter it needs.
	regions, _ := reg.Resource("digitalocean.regions.regions")
	for _, m := range regions.Methods {
		m.Params = append(m.Params, &registry.Param{Name: "account_id", In: registry.InPath, Required: true})
	}
	if err := pgsync.Check(regions); err == nil || !strings.Contains(err.Error(), "list needs account_id") {
		t.Errorf("resource needing a parent: %v", err)
	}
	_, skipped = pgsync.All(reg)
	found := false
	for _, r := range skipped {
		found = found || r == regions
	}
	if !found {
		t.Error("--all does not skip a resource whose reads need a parent's id")
	}

	// A resource without fields has nothing to store: skipped too, and
	// refused by Sync before anything is written.
	images, _ := reg.Resource("digitalocean.images.images")
	images.Fields = nil
	if err := pgsync.Check(images); err == nil || !strings.Contains(err.Error(), "declares no fields") {
		t.Errorf("fieldless resource: %v", err)
	}
	if sync, _ := pgsync.All(reg); len(sync) > 0 {
		for _, r := range sync {
			if r == images {
				t.Error("--all keeps a resource without fields")
			}
		}
	}
	if _, err := pgsync.Sync(context.Background(), pgsync.Options{URL: "postgres://u:secret@127.0.0.1:1/db", Resources: []*registry.Resource{images}}); err == nil || !strings.Contains(err.Error(), "declares no fields") || strings.Contains(err.Error(), "secret") {
		t.Errorf("Sync of a fieldless resource: %v", err)
	}
	sort.Strings(names)
	for _, want := range []string{"digitalocean.images.images", "digitalocean.regions.regions"} {
		if i := sort.SearchStrings(names, want); i == len(names) || names[i] != want {
			t.Errorf("--all lacks %s: %v", want, names)
		}
	}
	if len(sync)+len(skipped) == 0 {
		t.Fatal("no resources")
	}
}

func TestConnections(t *testing.T) {
	// Two accounts, each its own emulator: replace rewrites only the rows
	// of the connections it read.
	emus := map[string]*emulator.Server{}
	urls := map[string]string{}
	for name, n := range map[string]int{"prod": 30, "staging": 50} {
		emus[name] = emulator.New(emulator.Options{Images: n, Seed: int64(n), Token: "tok-" + name})
		srv := httptest.NewServer(emus[name])
		t.Cleanup(srv.Close)
		urls[name] = srv.URL
	}
	cfg := t.TempDir() + "/config.yaml"
	os.WriteFile(cfg, []byte(fmt.Sprintf("connections:\n  digitalocean:\n    prod: {token_env: PROD_TOKEN, api_url: %q}\n    staging: {token_env: STAGING_TOKEN, api_url: %q}\n", urls["prod"], urls["staging"])), 0o600)
	conns, err := provider.LoadConnections(cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	db := pgtest.DB(t)
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	env := map[string]string{"PROD_TOKEN": "tok-prod", "STAGING_TOKEN": "tok-staging"}
	images, _ := reg.Resource("digitalocean.images.images")
	sync := func(scope ...string) *pgsync.Run {
		t.Helper()
		run, err := pgsync.Sync(context.Background(), pgsync.Options{URL: db, Resources: []*registry.Resource{images},
			Open: func(ctx context.Context) (*engine.Session, func(), error) {
				s, err := engine.NewSession(ctx, engine.Options{Registry: reg, ReadOnly: true, Connections: conns, ConnectionScope: scope,
					Client: &provider.Client{Getenv: func(k string) string { return env[k] }, Retry: provider.RetryPolicy{Retries: 1}}})
				if err != nil {
					return nil, nil, err
				}
				return s, func() { s.Close() }, nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		if run.Outcome() != "succeeded" {
			t.Fatalf("run %d: %v", run.ID, run.Tables[0].Err)
		}
		return run
	}
	counts := func() string {
		t.Helper()
		var s string
		if err := conn.QueryRow(context.Background(), `SELECT string_agg(_apiql_connection || '=' || n, ' ' ORDER BY _apiql_connection)
			FROM (SELECT _apiql_connection, count(*) n FROM digitalocean_images.images GROUP BY 1) c`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	sync("all")
	if got := counts(); got != "prod=30 staging=50" {
		t.Errorf("after syncing all connections: %s", got)
	}
	// prod loses an image; a sync of prod alone leaves staging's rows.
	var id any
	sess, _ := engine.NewSession(context.Background(), engine.Options{Registry: reg, Connections: conns, ConnectionScope: []string{"prod"},
		Client: &provider.Client{Getenv: func(k string) string { return env[k] }}})
	sess.Run(context.Background(), "SELECT id FROM digitalocean.images.images WHERE public = false AND type = 'custom' LIMIT 1", func(o engine.Outcome) bool {
		if o.Err == nil && len(o.Result.Rows) == 1 {
			id = o.Result.Rows[0][0]
		}
		return true
	})
	sess.Close()
	req := httptest.NewRequest("DELETE", fmt.Sprintf("/v2/images/%v", id), nil)
	req.Header.Set("Authorization", "Bearer tok-prod")
	rec := httptest.NewRecorder()
	emus["prod"].ServeHTTP(rec, req)
	if rec.Code != 204 {
		t.Fatalf("deleting image %v: %d", id, rec.Code)
	}
	run := sync("prod")
	if got := counts(); got != "prod=29 staging=50" {
		t.Errorf("after syncing prod alone: %s", got)
	}
	var n int
	conn.QueryRow(context.Background(), `SELECT count(*) FROM digitalocean_images.images WHERE _apiql_connection = 'prod' AND _apiql_run = $1`, run.ID).Scan(&n)
	if n != 29 {
		t.Errorf("%d prod rows of run %d, want 29", n, run.ID)
	}
}

func TestChildResourcesThroughTheirParent(t *testing.T) {
	// An app's alerts are listed per app (GET /v2/apps/{app_id}/alerts):
	// synced once per row of apps.apps, with app_id stored beside the fields.
	e := newEnv(t, 10)
	ctx := context.Background()
	alerts, err := e.reg.Resource("digitalocean.apps.alerts")
	if err != nil {
		t.Skip("the registry has no digitalocean.apps.alerts")
	}
	if err := pgsync.Check(alerts); err != nil {
		t.Fatal(err)
	}
	want := e.engineRows(t, "SELECT id, app_id FROM digitalocean.apps.alerts WHERE app_id IN (SELECT id FROM digitalocean.apps.apps) ORDER BY id")
	if len(want.Rows) == 0 {
		t.Fatal("the emulator has no app alerts to sync")
	}
	run := e.sync(t, ctx, pgsync.Replace, "digitalocean.apps.alerts")
	checkTable(t, run, map[string]int64{"digitalocean.apps.alerts": int64(len(want.Rows))})
	cols := e.columns(t, "digitalocean_apps.alerts")
	if !strings.Contains(cols, "app_id text, _apiql_run bigint") {
		t.Errorf("columns: %s; want app_id (the parent's id) before apiql's", cols)
	}
	got := e.text(t, `SELECT string_agg(id || ' ' || app_id, ', ' ORDER BY id) FROM digitalocean_apps.alerts`)
	var w []string
	for _, r := range want.Rows {
		w = append(w, fmt.Sprint(r[0], " ", r[1]))
	}
	if got != strings.Join(w, ", ") {
		t.Errorf("rows %s, want %s", got, strings.Join(w, ", "))
	}
}

// A text column the registry now types date-time is converted in place:
// RFC 3339 text to the instant, an empty string to NULL; text PostgreSQL
// cannot read as a time fails the resource before any row is written,
// naming the column.
func TestTextBecomesTimestamptz(t *testing.T) {
	e := newEnv(t, 20)
	ctx := context.Background()
	images, _ := e.reg.Resource("digitalocean.images.images")
	created := images.Field("created_at")
	if created.Format != registry.FormatDateTime {
		t.Fatalf("created_at format %q, want %q", created.Format, registry.FormatDateTime)
	}
	created.Format = "" // an older registry: a plain string
	run1 := e.sync(t, ctx, pgsync.Snapshot, "digitalocean.images.images")
	if got := e.columns(t, "digitalocean_images.images"); !strings.Contains(got, "created_at text") {
		t.Fatalf("created_at is not text: %s", got)
	}
	first := e.int(t, `SELECT min(id) FROM digitalocean_images.images`)
	want := e.text(t, `SELECT created_at FROM digitalocean_images.images WHERE id <> $1 ORDER BY id LIMIT 1`, first)
	second := e.int(t, `SELECT id FROM digitalocean_images.images WHERE id <> $1 ORDER BY id LIMIT 1`, first)
	if _, err := e.conn.Exec(ctx, `UPDATE digitalocean_images.images SET created_at = '' WHERE id = $1`, first); err != nil {
		t.Fatal(err)
	}

	created.Format = registry.FormatDateTime
	e.sync(t, ctx, pgsync.Snapshot, "digitalocean.images.images")
	if got := e.columns(t, "digitalocean_images.images"); !strings.Contains(got, "created_at timestamp with time zone") {
		t.Fatalf("created_at is not timestamptz: %s", got)
	}
	// The first run's rows, converted.
	if got := e.text(t, `SELECT coalesce(created_at::text, 'NULL') FROM digitalocean_images.images WHERE _apiql_run = $1 AND id = $2`, run1.ID, first); got != "NULL" {
		t.Errorf("the empty created_at became %s, want NULL", got)
	}
	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images WHERE _apiql_run = $1 AND id = $2 AND created_at = $3::timestamptz`, run1.ID, second, want); got != 1 {
		t.Errorf("created_at %q of image %d was not converted to its instant", want, second)
	}
	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images WHERE created_at IS NOT NULL`); got != 39 {
		t.Errorf("%d rows with a created_at, want 39 (20 per run, less the emptied one)", got)
	}

	// Back to text (timestamptz converts to text), then text that is no time.
	created.Format = ""
	run3 := e.sync(t, ctx, pgsync.Snapshot, "digitalocean.images.images")
	if _, err := e.conn.Exec(ctx, `UPDATE digitalocean_images.images SET created_at = 'yesterday noon' WHERE id = $1 AND _apiql_run = $2`, second, run3.ID); err != nil {
		t.Fatal(err)
	}
	created.Format = registry.FormatDateTime
	requests := len(e.emu.Requests())
	bad, err := pgsync.Sync(ctx, pgsync.Options{URL: e.db, Mode: pgsync.Snapshot, Resources: e.resources(t, "digitalocean.images.images"), Open: e.open})
	if err != nil {
		t.Fatal(err)
	}
	if bad.Outcome() != "failed" || bad.Tables[0].Err == nil {
		t.Fatalf("run with unconvertible text: %s, %v", bad.Outcome(), bad.Tables[0].Err)
	}
	msg := bad.Tables[0].Err.Error()
	for _, w := range []string{"column created_at", "digitalocean_images.images", "text", "timestamptz", "cannot convert", "yesterday noon", "DROP COLUMN"} {
		if !strings.Contains(msg, w) {
			t.Errorf("error lacks %q: %s", w, msg)
		}
	}
	if n := len(e.emu.Requests()) - requests; n != 0 {
		t.Errorf("%d API requests sent for a table whose schema failed, want 0", n)
	}
	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images`); got != 60 {
		t.Errorf("%d rows after the failed run, want the three runs' 60", got)
	}
	if got := e.columns(t, "digitalocean_images.images"); !strings.Contains(got, "created_at text") {
		t.Errorf("created_at changed type in a failed run: %s", got)
	}
}

// TestAPIFailureToldNotCOPYs: when a page fails mid-sync, COPY stops
// because the rows failed, and the error told is the API's (with its hint
// when it has one), not PostgreSQL's "COPY from stdin failed" wrapper.
func TestAPIFailureToldNotCOPYs(t *testing.T) {
	e := newEnv(t, 1000)
	e.retries = 0
	for _, tc := range []struct {
		name   string
		faults emulator.Faults
		want   string // in the error
		hint   string // in the error's hint, "" for none
	}{
		{"500", emulator.Faults{ServerErrorEvery: 3}, "500 server_error", ""},
		{"429", emulator.Faults{RateLimitEvery: 4}, "429 too_many_requests", "rate limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.emu.SetFaults(tc.faults)
			defer e.emu.SetFaults(emulator.Faults{})
			run, err := pgsync.Sync(context.Background(), pgsync.Options{URL: e.db, Resources: e.resources(t, "digitalocean.images.images"), Open: e.open})
			if err != nil {
				t.Fatal(err)
			}
			terr := run.Tables[0].Err
			if run.Outcome() != "failed" || terr == nil {
				t.Fatalf("run %s, %v: want failed", run.Outcome(), terr)
			}
			msg := terr.Error()
			if !strings.Contains(msg, "GET /v2/images (page ") || !strings.Contains(msg, tc.want) || strings.Contains(msg, "COPY") || strings.Contains(msg, "SQLSTATE") {
				t.Errorf("error %q: want the API's %q, not PostgreSQL's COPY error", msg, tc.want)
			}
			var ee *engine.Error
			if !errors.As(terr, &ee) {
				t.Fatalf("error %q (%T) is no *engine.Error", msg, terr)
			}
			if !strings.Contains(ee.Hint, tc.hint) || (tc.hint == "") != (ee.Hint == "") {
				t.Errorf("hint %q, want one with %q", ee.Hint, tc.hint)
			}
		})
	}
}

// TestResourceNamedTwice: a resource named twice (in any case) is synced
// once, in either mode; the run succeeds and its record matches what was
// committed. A snapshot run whose table fails commits none of its rows and
// leaves TABLE_latest on the previous run.
func TestResourceNamedTwice(t *testing.T) {
	e := newEnv(t, 300)
	ctx := context.Background()
	for _, mode := range []pgsync.Mode{pgsync.Replace, pgsync.Snapshot} {
		t.Run(string(mode), func(t *testing.T) {
			run := e.sync(t, ctx, mode, "digitalocean.images.images", "DigitalOcean.Images.IMAGES", "digitalocean.regions.regions", "digitalocean.images.images")
			if len(run.Tables) != 2 {
				t.Fatalf("%d tables, want 2 (images once, regions)", len(run.Tables))
			}
			checkTable(t, run, map[string]int64{"digitalocean.images.images": 300, "digitalocean.regions.regions": run.Tables[1].Rows})
			if got := e.text(t, `SELECT outcome || ' ' || coalesce(error, '-') || ' ' || (row_counts->>'digitalocean.images.images') FROM public._apiql_runs WHERE id = $1`, run.ID); got != "succeeded - 300" {
				t.Errorf("_apiql_runs: %q, want succeeded - 300", got)
			}
			if got := e.text(t, `SELECT string_agg(resource || ' ' || rows, ', ' ORDER BY resource) FROM public._apiql_run_tables WHERE run = $1`, run.ID); got != fmt.Sprintf("digitalocean.images.images 300, digitalocean.regions.regions %d", run.Tables[1].Rows) {
				t.Errorf("_apiql_run_tables: %q", got)
			}
			if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images WHERE _apiql_run = $1`, run.ID); got != 300 {
				t.Errorf("%d rows of run %d, want 300", got, run.ID)
			}
			if mode == pgsync.Snapshot {
				if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images_latest WHERE _apiql_run = $1`, run.ID); got != 300 {
					t.Errorf("images_latest: %d rows of run %d, want 300", got, run.ID)
				}
			}
		})
	}

	// A failed snapshot run: recorded failed, nothing of it committed, the
	// latest view still on the previous run.
	prev := e.int(t, `SELECT max(id) FROM public._apiql_runs`)
	e.retries = 0
	e.emu.SetFaults(emulator.Faults{ServerErrorEvery: 2})
	defer e.emu.SetFaults(emulator.Faults{})
	run, err := pgsync.Sync(ctx, pgsync.Options{URL: e.db, Mode: pgsync.Snapshot, Resources: e.resources(t, "digitalocean.images.images", "digitalocean.images.images"), Open: e.open})
	if err != nil {
		t.Fatal(err)
	}
	if run.Outcome() != "failed" || len(run.Tables) != 1 {
		t.Fatalf("run %s with %d tables, want failed with 1", run.Outcome(), len(run.Tables))
	}
	if got := e.text(t, `SELECT outcome FROM public._apiql_runs WHERE id = $1`, run.ID); got != "failed" {
		t.Errorf("_apiql_runs outcome %q, want failed", got)
	}
	for q, want := range map[string]int64{
		`SELECT count(*) FROM digitalocean_images.images WHERE _apiql_run = $1`:        0,
		`SELECT count(*) FROM public._apiql_run_tables WHERE run = $1`:                 0,
		`SELECT count(*) FROM digitalocean_images.images_latest WHERE _apiql_run = $1`: 0,
	} {
		if got := e.int(t, q, run.ID); got != want {
			t.Errorf("%s: %d, want %d", q, got, want)
		}
	}
	if got := e.int(t, `SELECT count(*) FROM digitalocean_images.images_latest WHERE _apiql_run = $1`, prev); got != 300 {
		t.Errorf("images_latest: %d rows of the previous run %d, want 300", got, prev)
	}
}

// rewrite serves h, replacing each pair's old by its new, once, in the
// answers to GET path.
type rewrite struct {
	h     http.Handler
	path  string
	pairs []string // old, new, old, new ...
}

func (rw *rewrite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	rw.h.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if r.Method == "GET" && r.URL.Path == rw.path {
		for i := 0; i+1 < len(rw.pairs); i += 2 {
			body = bytes.Replace(body, []byte(rw.pairs[i]), []byte(rw.pairs[i+1]), 1)
		}
	}
	for k, v := range rec.Header() {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(rec.Code)
	w.Write(body)
}

// TestValuesPostgreSQLRefuses: a NUL in a string (text or inside JSON) is
// stored as U+FFFD, as the README says, rather than failing the resource
// with PostgreSQL's "invalid byte sequence"; a value of a jsonb column
// that is not JSON fails the resource with an error that names it, the
// column and the row's id, with a hint, not PostgreSQL's bare "invalid
// input syntax for type json".
func TestValuesPostgreSQLRefuses(t *testing.T) {
	e := newEnv(t, 10)
	ctx := context.Background()
	emu := e.url
	via := func(pairs ...string) {
		srv := httptest.NewServer(&rewrite{h: e.emu, path: "/v2/regions", pairs: pairs})
		t.Cleanup(srv.Close)
		e.url = srv.URL
	}

	// The first region's name and features hold NULs.
	via(`"name":"`, `"name":"New\u0000York`, `"features":["`, `"features":["a\u0000b","`)
	run := e.sync(t, ctx, pgsync.Replace, "digitalocean.regions.regions")
	checkTable(t, run, map[string]int64{"digitalocean.regions.regions": run.Tables[0].Rows})
	if got := e.int(t, `SELECT count(*) FROM digitalocean_regions.regions WHERE name LIKE 'New'||chr(65533)||'York%' AND features->>0 = 'a'||chr(65533)||'b'`); got != 1 {
		t.Errorf("%d rows with the NULs as U+FFFD, want 1", got)
	}

	// An array field sent as text that is not JSON.
	e.url = emu
	via(`"features":[`, `"features":"n/a","x":[`)
	run, err := pgsync.Sync(ctx, pgsync.Options{URL: e.db, Resources: e.resources(t, "digitalocean.regions.regions"), Open: e.open})
	if err != nil {
		t.Fatal(err)
	}
	terr := run.Tables[0].Err
	if run.Outcome() != "failed" || terr == nil {
		t.Fatalf("run %s, %v: want failed", run.Outcome(), terr)
	}
	var ee *engine.Error
	msg := terr.Error()
	if !errors.As(terr, &ee) || ee.Hint == "" || strings.Contains(msg, "SQLSTATE") || strings.Contains(msg, "COPY") ||
		!strings.Contains(msg, "digitalocean.regions.regions, row 1 (slug ") || !strings.Contains(msg, `column features (jsonb): "n/a" is not JSON`) {
		t.Errorf("error %q: want the resource, row, id and column, with a hint", msg)
	}
	if got := e.int(t, `SELECT count(*) FROM digitalocean_regions.regions WHERE _apiql_run = $1`, run.ID); got != 0 {
		t.Errorf("%d rows of the failed run, want 0", got)
	}
}
