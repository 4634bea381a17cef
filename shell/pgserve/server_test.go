package pgserve_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/registry"
	"github.com/apiql/apiql/shell/pgserve"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	testPassword = "s3cret-pw"
	testToken    = "test-token-must-not-leak"
)

// env is a server on a loopback port over an emulator.
type env struct {
	emu  *emulator.Server
	srv  *pgserve.Server
	addr string
	// canceled counts the API requests whose context ended before the
	// emulator answered (cancelled statements, gone clients).
	canceled atomic.Int64
	requests atomic.Int64
}

type envOpts struct {
	images      int
	latency     time.Duration
	allowWrites bool
}

func newEnv(t testing.TB, o envOpts) *env {
	t.Helper()
	e := &env{}
	e.emu = emulator.New(emulator.Options{Images: o.images, Latency: o.latency, Token: testToken})
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.requests.Add(1)
		e.emu.ServeHTTP(w, r)
		if r.Context().Err() != nil {
			e.canceled.Add(1)
		}
	}))
	t.Cleanup(api.Close)
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"DIGITALOCEAN_API_URL": api.URL, "DIGITALOCEAN_TOKEN": testToken}
	client := &provider.Client{Getenv: func(k string) string { return vars[k] }, Retry: provider.RetryPolicy{Retries: 0}}
	e.srv, err = pgserve.New(pgserve.Config{
		Engine:      engine.Options{Registry: reg, Client: client},
		Password:    testPassword,
		AllowWrites: o.allowWrites,
		Version:     "test",
		Secrets:     []string{testToken},
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.addr = ln.Addr().String()
	go e.srv.Serve(ln)
	t.Cleanup(func() { e.srv.Close() })
	return e
}

func (e *env) dsn() string {
	host, port, _ := net.SplitHostPort(e.addr)
	return fmt.Sprintf("postgres://apiql:%s@%s:%s/apiql?sslmode=disable", testPassword, host, port)
}

func (e *env) connect(t testing.TB, simple bool) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(e.dsn())
	if err != nil {
		t.Fatal(err)
	}
	if simple {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

var modes = []struct {
	name   string
	simple bool
}{{"simple", true}, {"extended", false}}

func TestQueryTypes(t *testing.T) {
	e := newEnv(t, envOpts{images: 60})
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := e.connect(t, m.simple)
			ctx := context.Background()
			var n int64
			if err := c.QueryRow(ctx, "SELECT count(*) FROM digitalocean_images.images").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 60 {
				t.Fatalf("count(*) = %d, want 60", n)
			}
			// Columns are named as Postgres names them, in both protocols.
			named, err := c.Query(ctx, "SELECT count(*), max(size_gigabytes) AS Biggest, 1 + 1, type FROM digitalocean_images.images GROUP BY type")
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, fd := range named.FieldDescriptions() {
				names = append(names, fd.Name)
			}
			// A field read as it is names its table and column (pgjdbc's
			// getTableName); a computed column none.
			nfds := named.FieldDescriptions()
			if len(nfds) == 4 && (nfds[0].TableOID != 0 || nfds[3].TableOID == 0 || nfds[3].TableAttributeNumber == 0) {
				t.Errorf("table of count: %d; of type: %d, column %d", nfds[0].TableOID, nfds[3].TableOID, nfds[3].TableAttributeNumber)
			}
			named.Close()
			if strings.Join(names, ",") != "count,biggest,?column?,type" {
				t.Errorf("column names %v, want count, biggest, ?column?, type", names)
			}
			// The three-part name answers the same.
			var n3 int64
			if err := c.QueryRow(ctx, "SELECT count(*) FROM digitalocean.images.images").Scan(&n3); err != nil || n3 != n {
				t.Fatalf("three-part count = %d, %v; want %d", n3, err, n)
			}
			rows, err := c.Query(ctx, "SELECT id, name, public, size_gigabytes, regions, error_message FROM digitalocean_images.images ORDER BY id LIMIT 5")
			if err != nil {
				t.Fatal(err)
			}
			fds := rows.FieldDescriptions()
			wantOIDs := []uint32{20, 25, 16, 701, 114, 25}
			for i, fd := range fds {
				if fd.DataTypeOID != wantOIDs[i] {
					t.Errorf("column %s: type oid %d, want %d", fd.Name, fd.DataTypeOID, wantOIDs[i])
				}
			}
			got := 0
			for rows.Next() {
				var (
					id      int64
					name    string
					public  bool
					size    *float64
					regions []string
					errMsg  *string
				)
				if err := rows.Scan(&id, &name, &public, &size, &regions, &errMsg); err != nil {
					t.Fatal(err)
				}
				if id == 0 || name == "" {
					t.Errorf("row %d: id %d name %q", got, id, name)
				}
				got++
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if got != 5 {
				t.Fatalf("%d rows, want 5", got)
			}
			// NULL comes as NULL.
			var null *string
			if err := c.QueryRow(ctx, "SELECT nullif(name, name) AS gone FROM digitalocean_images.images LIMIT 1").Scan(&null); err != nil {
				t.Fatal(err)
			}
			if null != nil {
				t.Fatalf("nullif(name, name) = %q, want NULL", *null)
			}
		})
	}
}

func TestParams(t *testing.T) {
	e := newEnv(t, envOpts{images: 60})
	c := e.connect(t, false)
	ctx := context.Background()
	var first struct {
		id   int64
		name string
	}
	if err := c.QueryRow(ctx, "SELECT id, name FROM digitalocean_images.images ORDER BY id LIMIT 1").Scan(&first.id, &first.name); err != nil {
		t.Fatal(err)
	}
	var name string
	if err := c.QueryRow(ctx, "SELECT name FROM digitalocean_images.images WHERE id = $1", first.id).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if name != first.name {
		t.Fatalf("by id $1: %q, want %q", name, first.name)
	}
	var n int64
	if err := c.QueryRow(ctx, "SELECT count(*) FROM digitalocean_images.images WHERE name = $1 AND id = $2", first.name, first.id).Scan(&n); err != nil || n != 1 {
		t.Fatalf("two params: %d, %v", n, err)
	}
	rows, err := c.Query(ctx, "SELECT id FROM digitalocean_images.images ORDER BY id LIMIT $1", 3)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) != 3 {
		t.Fatalf("LIMIT $1: %v, %v", ids, err)
	}
	// IN lists are typed by their column; a parameter nothing types
	// takes the client's value as it comes.
	rows, err = c.Query(ctx, "SELECT id FROM digitalocean_images.images WHERE id IN ($1, $2) ORDER BY id", first.id, int64(-1))
	if err != nil {
		t.Fatal(err)
	}
	if ids, err := pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil || len(ids) != 1 || ids[0] != first.id {
		t.Fatalf("IN ($1, $2): %v, %v", ids, err)
	}
	var echoed string
	if err := c.QueryRow(ctx, "SELECT $1 || '!'", 42).Scan(&echoed); err != nil || echoed != "42!" {
		t.Fatalf("untyped $1: %q, %v", echoed, err)
	}
	// A string that looks like SQL stays a value.
	if err := c.QueryRow(ctx, "SELECT count(*) FROM digitalocean_images.images WHERE name = $1", "x' OR '1'='1").Scan(&n); err != nil || n != 0 {
		t.Fatalf("quoted param: %d, %v", n, err)
	}
	// Catalog queries take parameters too.
	var schema string
	if err := c.QueryRow(ctx, "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname = $1", "digitalocean_images").Scan(&schema); err != nil {
		t.Fatal(err)
	}
}

func TestDescribeSendsNoRequest(t *testing.T) {
	e := newEnv(t, envOpts{images: 60})
	c := e.connect(t, false)
	before := e.requests.Load()
	sd, err := c.Prepare(context.Background(), "q", "SELECT id, name, tags, count(*) OVER () AS n FROM digitalocean_images.images WHERE id = $1")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.requests.Load() - before; got != 0 {
		t.Fatalf("describing sent %d requests, want 0", got)
	}
	var names []string
	var oids []uint32
	for _, f := range sd.Fields {
		names = append(names, f.Name)
		oids = append(oids, f.DataTypeOID)
	}
	if got, want := strings.Join(names, ","), "id,name,tags,n"; got != want {
		t.Fatalf("columns %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(oids[:3]), "[20 25 114]"; got != want {
		t.Fatalf("types %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(sd.ParamOIDs), "[20]"; got != want {
		t.Fatalf("param types %s, want %s", got, want)
	}
	// Computed columns are typed by their expressions, so that a BI tool
	// sees numbers where they are numbers.
	sd, err = c.Prepare(context.Background(), "agg", "SELECT type, count(*) AS n, sum(size_gigabytes) AS gb, max(id) AS top FROM digitalocean_images.images GROUP BY type")
	if err != nil {
		t.Fatal(err)
	}
	oids = oids[:0]
	for _, f := range sd.Fields {
		oids = append(oids, f.DataTypeOID)
	}
	if got, want := fmt.Sprint(oids), "[25 20 701 20]"; got != want {
		t.Fatalf("aggregate types %s, want %s", got, want)
	}
	if got := e.requests.Load() - before; got != 0 {
		t.Fatalf("describing sent %d requests, want 0", got)
	}
	rows, err := c.Query(context.Background(), "agg")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var (
			typ   string
			n     int64
			gb    float64
			topID int64
		)
		if err := rows.Scan(&typ, &n, &gb, &topID); err != nil {
			t.Fatal(err)
		}
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
}

func pgErr(t *testing.T, err error) *pgconn.PgError {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is no Postgres error", err, err)
	}
	return pe
}

func TestErrors(t *testing.T) {
	e := newEnv(t, envOpts{images: 60})
	cases := []struct {
		sql, code, msg, hint string
	}{
		{"SELECT nmae FROM digitalocean_images.images", "42703", "no such column: nmae", "DESCRIBE <resource> lists a resource's columns"},
		{"SELECT * FROM digitalocean.images.imagez", "42P01", "imagez", ""},
		{"SELECT FROM WHERE digitalocean_images.images", "42601", "syntax error", ""},
		{"DELETE FROM digitalocean.images.images WHERE image_id = 1", "25006", "", ""},
		{"VACUUM", "0A000", "VACUUM is not supported", "apiql serve answers"},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := e.connect(t, m.simple)
			for _, tc := range cases {
				_, err := c.Exec(context.Background(), tc.sql)
				if err == nil {
					t.Fatalf("%s: no error", tc.sql)
				}
				pe := pgErr(t, err)
				if pe.Code != tc.code || !strings.Contains(pe.Message, tc.msg) || !strings.Contains(pe.Hint, tc.hint) {
					t.Errorf("%s:\n got %s %q hint %q\nwant %s %q hint %q", tc.sql, pe.Code, pe.Message, pe.Hint, tc.code, tc.msg, tc.hint)
				}
				if strings.Contains(pe.Message+pe.Hint+pe.Detail, testToken) {
					t.Errorf("%s: the error shows the API token", tc.sql)
				}
				// The connection still works after an error.
				var one int64
				if err := c.QueryRow(context.Background(), "SELECT 1").Scan(&one); err != nil || one != 1 {
					t.Fatalf("after %s: SELECT 1 = %d, %v", tc.sql, one, err)
				}
			}
		})
	}
}

func TestAuth(t *testing.T) {
	e := newEnv(t, envOpts{images: 5})
	for _, pw := range []string{"", "wrong", testPassword + "x"} {
		dsn := strings.Replace(e.dsn(), testPassword, pw, 1)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := pgx.Connect(ctx, dsn)
		cancel()
		if err == nil {
			c.Close(context.Background())
			t.Fatalf("password %q accepted", pw)
		}
		if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code != "28P01" {
			t.Fatalf("password %q: code %s, want 28P01", pw, pe.Code)
		}
	}
}

func TestListenCheck(t *testing.T) {
	for _, tc := range []struct {
		addr string
		tls  bool
		ok   bool
	}{
		{"127.0.0.1:5433", false, true},
		{"localhost:5433", false, true},
		{"[::1]:5433", false, true},
		{"0.0.0.0:5433", false, false},
		{":5433", false, false},
		{"10.1.2.3:5433", false, false},
		{"0.0.0.0:5433", true, true},
	} {
		err := pgserve.ListenCheck(tc.addr, tc.tls)
		if (err == nil) != tc.ok {
			t.Errorf("ListenCheck(%q, tls=%v) = %v", tc.addr, tc.tls, err)
		}
	}
}

func TestWritesAllowed(t *testing.T) {
	e := newEnv(t, envOpts{images: 10, allowWrites: true})
	c := e.connect(t, true)
	var id int64
	if err := c.QueryRow(context.Background(), "SELECT id FROM digitalocean_images.images WHERE type IN ('snapshot', 'custom') AND public = false ORDER BY id LIMIT 1").Scan(&id); err != nil {
		t.Fatal(err)
	}
	tag, err := c.Exec(context.Background(), fmt.Sprintf("DELETE FROM digitalocean.images.images WHERE image_id = %d", id))
	if err != nil {
		t.Fatal(err)
	}
	if tag.String() != "DELETE 1" {
		t.Fatalf("tag %q, want DELETE 1", tag)
	}
	// The extended protocol, with the id as a parameter.
	x := e.connect(t, false)
	if err := x.QueryRow(context.Background(), "SELECT id FROM digitalocean_images.images WHERE type IN ('snapshot', 'custom') AND public = false ORDER BY id LIMIT 1").Scan(&id); err != nil {
		t.Fatal(err)
	}
	tag, err = x.Exec(context.Background(), "DELETE FROM digitalocean.images.images WHERE image_id = $1", id)
	if err != nil {
		t.Fatal(err)
	}
	if tag.String() != "DELETE 1" {
		t.Fatalf("extended: tag %q, want DELETE 1", tag)
	}
	var left int64
	if err := x.QueryRow(context.Background(), "SELECT count(*) FROM digitalocean_images.images WHERE id = $1", id).Scan(&left); err != nil || left != 0 {
		t.Fatalf("deleted image still listed: %d, %v", left, err)
	}
}

// TestSimpleQueryStopsAtError runs several statements in one simple query:
// the results before the failing one arrive, then its error, and nothing
// after it runs.
func TestSimpleQueryStopsAtError(t *testing.T) {
	e := newEnv(t, envOpts{images: 5})
	c := e.connect(t, true)
	before := e.requests.Load()
	rr := c.PgConn().Exec(context.Background(), "SELECT 1 AS a; SELECT nmae FROM digitalocean_images.images; SELECT count(*) FROM digitalocean_images.images")
	results, err := rr.ReadAll()
	if err == nil {
		t.Fatal("no error")
	}
	if pe := pgErr(t, err); pe.Code != "42703" {
		t.Fatalf("code %s %q", pe.Code, pe.Message)
	}
	if len(results) == 0 || len(results[0].Rows) != 1 || string(results[0].Rows[0][0]) != "1" {
		t.Fatalf("first statement's result: %+v", results)
	}
	if n := e.requests.Load() - before; n != 0 {
		t.Fatalf("%d API requests: the statement after the error ran", n)
	}
}

func TestSessionStatements(t *testing.T) {
	e := newEnv(t, envOpts{images: 5})
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := e.connect(t, m.simple)
			ctx := context.Background()
			// pgx's Ping (Grafana's health check) sends a query of only a comment.
			if err := c.Ping(ctx); err != nil {
				t.Fatalf("ping: %v", err)
			}
			if _, err := c.Exec(ctx, "BEGIN"); err != nil {
				t.Fatal(err)
			}
			if st := c.PgConn().TxStatus(); st != 'T' {
				t.Fatalf("after BEGIN: transaction status %c, want T", st)
			}
			if _, err := c.Exec(ctx, "COMMIT"); err != nil {
				t.Fatal(err)
			}
			if st := c.PgConn().TxStatus(); st != 'I' {
				t.Fatalf("after COMMIT: transaction status %c, want I", st)
			}
			for _, s := range []string{"BEGIN", "SET application_name = 'tests'", "SET search_path TO public", "COMMIT", "ROLLBACK", "SET TIME ZONE 'UTC'", "DISCARD ALL"} {
				if _, err := c.Exec(ctx, s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			for q, want := range map[string]string{
				"SHOW application_name":                 "tests",
				"SHOW TRANSACTION ISOLATION LEVEL":      "read committed",
				"SHOW standard_conforming_strings":      "on",
				"SELECT current_database()":             "apiql",
				"SELECT current_schema()":               "public",
				"SELECT current_setting('search_path')": "public",
			} {
				var got string
				if err := c.QueryRow(ctx, q).Scan(&got); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				if got != want {
					t.Errorf("%s = %q, want %q", q, got, want)
				}
			}
			var v string
			if err := c.QueryRow(ctx, "SELECT version()").Scan(&v); err != nil || !strings.HasPrefix(v, "PostgreSQL 15") {
				t.Fatalf("version() = %q, %v", v, err)
			}
		})
	}
}

func TestTokenNeverReachesClient(t *testing.T) {
	e := newEnv(t, envOpts{images: 5})
	c := e.connect(t, true)
	ctx := context.Background()
	// An error that quotes a statement holding the token shows it masked.
	for _, q := range []string{
		"SELECT 'a' ~ '(" + testToken + "'",
		"SELECT 'a' ~ $$(" + testToken + "$$ AS matched",
		"SELECT * FROM digitalocean.images.images WHERE private = '" + testToken + "'",
	} {
		_, err := c.Exec(ctx, q)
		pe := pgErr(t, err)
		if strings.Contains(pe.Message+pe.Hint+pe.Detail, testToken) || !strings.Contains(pe.Message, "***") {
			t.Fatalf("%s: error %q shows the token or masks nothing", q, pe.Message)
		}
	}
	for _, q := range []string{
		"SELECT * FROM pg_catalog.pg_settings",
		"SELECT * FROM information_schema.columns",
		"SELECT * FROM pg_catalog.pg_description",
		"SHOW ALL",
	} {
		rows, err := c.Query(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(fmt.Sprint(vals...), testToken) {
				t.Fatalf("%s shows the token", q)
			}
		}
		if rows.Err() != nil {
			t.Fatal(rows.Err())
		}
	}
}

func TestCancelRequest(t *testing.T) {
	e := newEnv(t, envOpts{images: 60, latency: 3 * time.Second})
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := e.connect(t, m.simple)
			before := e.canceled.Load()
			sent := e.requests.Load()
			go func() {
				// Cancel once the statement's API request is in flight.
				for deadline := time.Now().Add(5 * time.Second); e.requests.Load() == sent && time.Now().Before(deadline); {
					time.Sleep(10 * time.Millisecond)
				}
				_ = c.PgConn().CancelRequest(context.Background())
			}()
			start := time.Now()
			_, err := c.Exec(context.Background(), "SELECT count(*) FROM digitalocean_images.images")
			if err == nil {
				t.Fatal("cancelled statement succeeded")
			}
			if pe := pgErr(t, err); pe.Code != "57014" {
				t.Fatalf("code %s %q, want 57014", pe.Code, pe.Message)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("cancel took %v: the API call was not stopped", d)
			}
			waitFor(t, func() bool { return e.canceled.Load() > before }, "the API request to be cancelled")
			// The connection serves the next statement.
			var one int64
			if err := c.QueryRow(context.Background(), "SELECT 1").Scan(&one); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestClientGoneMidStatement(t *testing.T) {
	e := newEnv(t, envOpts{images: 60, latency: 3 * time.Second})
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			cfg, err := pgx.ParseConfig(e.dsn())
			if err != nil {
				t.Fatal(err)
			}
			if m.simple {
				cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
			}
			c, err := pgx.ConnectConfig(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			raw := c.PgConn().Conn()
			before := e.canceled.Load()
			sent := e.requests.Load()
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, _ = c.Exec(context.Background(), "SELECT count(*) FROM digitalocean_images.images")
			}()
			waitFor(t, func() bool { return e.requests.Load() > sent }, "the statement's API request")
			// Drop the TCP connection, as a killed client does.
			_ = raw.Close()
			waitFor(t, func() bool { return e.canceled.Load() > before }, "the gone client's API request to be cancelled")
			<-done
		})
	}
}

func TestConcurrentSessions(t *testing.T) {
	e := newEnv(t, envOpts{images: 60})
	const n = 100
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			c, err := pgx.Connect(ctx, e.dsn())
			if err != nil {
				errs <- err
				return
			}
			defer c.Close(ctx)
			// Each session has its own settings and its own SQLite.
			if _, err := c.Exec(ctx, fmt.Sprintf("SET application_name = 'client-%d'", i)); err != nil {
				errs <- err
				return
			}
			var cnt int64
			if err := c.QueryRow(ctx, "SELECT count(*) FROM digitalocean_images.images WHERE public = $1", false).Scan(&cnt); err != nil {
				errs <- err
				return
			}
			var app string
			if err := c.QueryRow(ctx, "SHOW application_name").Scan(&app); err != nil || app != fmt.Sprintf("client-%d", i) {
				errs <- fmt.Errorf("session %d sees application_name %q (%v)", i, app, err)
				return
			}
			if cnt == 0 || cnt >= 60 {
				errs <- fmt.Errorf("session %d: %d private images", i, cnt)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCleanClose: a client that leaves releases its session; closing the
// server ends the sessions still open.
func TestCleanClose(t *testing.T) {
	e := newEnv(t, envOpts{images: 5})
	ctx := context.Background()
	var conns []*pgx.Conn
	for range 3 {
		c, err := pgx.Connect(ctx, e.dsn())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Exec(ctx, "SELECT count(*) FROM digitalocean_images.images"); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	if n := e.srv.Sessions(); n != 3 {
		t.Fatalf("%d sessions, want 3", n)
	}
	conns[0].Close(ctx)
	waitFor(t, func() bool { return e.srv.Sessions() == 2 }, "the closed client's session to end")
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return e.srv.Sessions() == 0 }, "the sessions to end when the server closes")
	if _, err := conns[1].Exec(ctx, "SELECT 1"); err == nil {
		t.Fatal("a client of a closed server ran a statement")
	}
}

// TestAPIFailureAfterRows: a page that fails after rows went out (a scan
// streams them as pages arrive) ends the result with an error: the client
// sees the statement fail, not a short result.
func TestAPIFailureAfterRows(t *testing.T) {
	e := newEnv(t, envOpts{images: 1000})
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := e.connect(t, m.simple)
			// Page 1 answers; the next request (page 2, 3, ...) is a 500.
			e.emu.SetFaults(emulator.Faults{ServerErrorEvery: 2})
			defer e.emu.SetFaults(emulator.Faults{})
			rows, err := c.Query(context.Background(), "SELECT id, slug FROM digitalocean_images.images")
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			err = rows.Err()
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || !strings.Contains(pe.Message, "500") {
				t.Fatalf("after %d rows: %v; want the API's 500 as the statement's error", n, err)
			}
			if n >= 1000 {
				t.Errorf("%d rows: the failed page's rows cannot all be there", n)
			}
			// The connection goes on.
			var one int
			if err := c.QueryRow(context.Background(), "SELECT 1").Scan(&one); err != nil || one != 1 {
				t.Errorf("after the failure: %v", err)
			}
		})
	}
}
