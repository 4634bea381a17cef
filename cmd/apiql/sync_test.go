package main

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/shell/pgsync"
	"github.com/apiql/apiql/shell/pgsync/pgtest"
)

// TestSync runs apiql sync against a private PostgreSQL server.
func TestSync(t *testing.T) {
	pg := pgtest.Private(t)
	newDB := func(t *testing.T) string {
		db, err := pg.NewDatabase()
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	t.Run("command", func(t *testing.T) { testSyncCommand(t, newDB(t)) })
	t.Run("ctrl-c", func(t *testing.T) { testSyncCtrlC(t, newDB(t), syscall.SIGINT) })
	t.Run("sigterm", func(t *testing.T) { testSyncCtrlC(t, newDB(t), syscall.SIGTERM) })
}

func testSyncCommand(t *testing.T, db string) {
	masked := strings.Replace(db, pgtest.Password, "***", 1)

	r := runApiql(t, "", "sync", "--sandbox", "--to", db, "digitalocean.images.images", "digitalocean.regions.regions")
	if r.code != 0 {
		t.Fatal(r)
	}
	for _, want := range []string{"syncing 2 resources into " + masked + " (replace)", "digitalocean_images.images: 60 rows", "digitalocean_regions.regions: ", "run 1 succeeded: 2 of 2 tables"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r)
		}
	}
	if strings.Contains(r.stdout+r.stderr, pgtest.Password) {
		t.Errorf("the password was printed:\n%s", r)
	}

	// --all: every resource with a list that needs no parameter.
	r = runApiql(t, "", "sync", "--sandbox", "--to", db, "--mode", "snapshot", "--schema-prefix", "inv_", "--all")
	if r.code != 0 {
		t.Fatal(r)
	}
	for _, want := range []string{"inv_digitalocean_images.images: 60 rows", "inv_digitalocean_droplets.droplets: ", "run 2 succeeded",
		// Children through their parents, at any depth.
		"inv_digitalocean_apps.alerts: ", "inv_digitalocean_registry.tags: 1 row", "inv_digitalocean_gen_ai.results: "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--all: stdout lacks %q:\n%s", want, r)
		}
	}
	// Skipped, with what they need.
	for _, want := range []string{"skipped: digitalocean.registries.tags cannot be synced whole", "repository_name comes from no parent resource",
		"skipped: digitalocean.monitoring.cpu cannot be synced whole"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("--all: stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM inv_digitalocean_images.images_latest`).Scan(&n); err != nil || n != 60 {
		t.Errorf("images_latest: %d rows (%v), want 60", n, err)
	}

	// Usage errors: nothing is sent or written.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sync", "--sandbox", "digitalocean.images.images"}, "no database"},
		{[]string{"sync", "--sandbox", "--to", db}, "name the resources"},
		{[]string{"sync", "--sandbox", "--to", db, "--all", "digitalocean.images.images"}, "one or the other"},
		{[]string{"sync", "--sandbox", "--to", db, "--mode", "merge", "digitalocean.images.images"}, `unknown mode "merge"`},
		{[]string{"sync", "--sandbox", "--to", db, "digitalocean.images.imgs"}, "imgs"},
	} {
		r := runApiql(t, "", tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stdout+r.stderr, pgtest.Password) {
			t.Errorf("%q: %v\nwant exit 2 and %q", tc.args, r, tc.want)
		}
	}
	// A resource named twice (any case, spaces around): synced once, and
	// said so.
	r = runApiql(t, "", "sync", "--sandbox", "--to", db, "--mode", "snapshot", "digitalocean.images.images", " DigitalOcean.Images.IMAGES ")
	if r.code != 0 || !strings.Contains(r.stdout, "syncing 1 resource into") || strings.Count(r.stdout, "digitalocean_images.images: 60 rows") != 1 ||
		!strings.Contains(r.stderr, "digitalocean.images.images is named more than once: synced once") {
		t.Errorf("a resource named twice: %v", r)
	}

	// A resource that cannot be synced: its hint is printed once.
	r = runApiql(t, "", "sync", "--sandbox", "--to", db, "digitalocean.nfs.access_points")
	if r.code != 2 || !strings.Contains(r.stderr, "digitalocean.nfs.access_points cannot be synced") || strings.Count(r.stderr, "hint:") != 1 {
		t.Errorf("nfs.access_points: %v\nwant exit 2 and one hint", r)
	}

	// A wrong password: refused, and neither password is shown.
	wrong := strings.Replace(db, pgtest.Password, "Not-the-pa55word", 1)
	r = runApiql(t, "", "sync", "--sandbox", "--to", wrong, "digitalocean.regions.regions")
	if r.code != 1 || strings.Contains(r.stdout+r.stderr, "Not-the-pa55word") || !strings.Contains(r.stderr, "connecting to PostgreSQL") {
		t.Errorf("wrong password: %v", r)
	}
}

// testSyncCtrlC interrupts apiql sync (a real SIGINT or SIGTERM to a
// process of its own) while it fetches: the table keeps its previous rows and the run is
// recorded as failed.
func testSyncCtrlC(t *testing.T, db string, sig syscall.Signal) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	emu := emulator.New(emulator.Options{Images: 400, Token: "tok"})
	srv := httptest.NewServer(emu)
	defer srv.Close()
	env := append(os.Environ(), helperEnv+"=1", "DIGITALOCEAN_API_URL="+srv.URL, "DIGITALOCEAN_TOKEN=tok")

	run := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "--", "sync", "--to", db, "digitalocean.images.images")
		cmd.Env = env
		return cmd
	}
	if out, err := run().CombinedOutput(); err != nil {
		t.Fatalf("first sync: %v\n%s", err, out)
	}
	emu.SetFaults(emulator.Faults{Latency: 2 * time.Second})
	cmd := run()
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	deadline := time.Now().Add(20 * time.Second)
	for {
		var n int
		// The transaction has begun: its DELETE is done and the rows
		// are awaited, before the COPY (rows loaded whole first) or
		// within it (rows streamed as the pages arrive).
		conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'apiql sync'
			AND ((state = 'idle in transaction' AND query LIKE 'DELETE FROM%') OR query ILIKE 'copy%')
			AND datname = current_database()`).Scan(&n)
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the sync never started its transaction:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(sig)
	err = cmd.Wait()
	// As exec: 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM).
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 128+int(sig) {
		t.Fatalf("exit %v, want %d:\n%s", err, 128+int(sig), out.String())
	}
	if !strings.Contains(out.String(), "interrupted") || !strings.Contains(out.String(), "run 2 failed") {
		t.Errorf("output:\n%s", out.String())
	}
	var outcome, msg string
	var rows int
	if err := conn.QueryRow(context.Background(), `SELECT outcome, error, (SELECT count(*) FROM digitalocean_images.images) FROM public._apiql_runs WHERE id = 2`).Scan(&outcome, &msg, &rows); err != nil {
		t.Fatal(err)
	}
	if want := map[syscall.Signal]string{syscall.SIGINT: "interrupted (cancelled by SIGINT (Ctrl-C))", syscall.SIGTERM: "interrupted (cancelled by SIGTERM)"}[sig]; !strings.HasPrefix(msg, want) {
		t.Errorf("run 2's error %q, want it to begin %q", msg, want)
	}
	if outcome != "failed" || !strings.HasPrefix(msg, "interrupted") || rows != 400 {
		t.Errorf("after Ctrl-C: run 2 %s (%s), %d rows; want failed, interrupted, the previous 400", outcome, msg, rows)
	}
}

// TestSyncBadURLHidesPassword: a --to URL that does not parse (a bad
// port, a space or a bad escape in the password) is refused without its
// password in any output.
func TestSyncBadURLHidesPassword(t *testing.T) {
	for _, to := range []string{
		"postgres://apiql:hunter2-secret@127.0.0.1:notaport/inv",
		"postgres://apiql:hunter2 secret@127.0.0.1:5432/inv",
		"postgres://apiql:hunter2-secret%ZZ@127.0.0.1/inv",
		"postgres://apiql:hunter2-secret@[::1/inv",
	} {
		r := runApiql(t, "", "sync", "--sandbox", "--to", to, "digitalocean.regions.regions")
		if r.code == 0 || strings.Contains(r.stdout+r.stderr, "hunter2") {
			t.Errorf("%s:\n%v", pgsync.MaskURL(to), r)
		}
	}
}

// TestPrintSyncError: an error's hint is printed once, whether the message
// already ends with it (an *engine.Error, wrapped or not) or not.
func TestPrintSyncError(t *testing.T) {
	ee := &engine.Error{Msg: "it failed", Hint: "do this"}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{ee, "x: it failed\n  hint: do this\n"},
		{fmt.Errorf("wrapped: %w", ee), "x: wrapped: it failed\n  hint: do this\n"},
		{shortError{ee}, "x: it failed\n  hint: do this\n"},
		{errors.New("plain"), "x: plain\n"},
	} {
		var b strings.Builder
		printSyncError(&b, "x: ", tc.err)
		if b.String() != tc.want {
			t.Errorf("%#v: printed %q, want %q", tc.err, b.String(), tc.want)
		}
	}
}

// shortError wraps an *engine.Error but words only its message.
type shortError struct{ e *engine.Error }

func (s shortError) Error() string { return s.e.Msg }
func (s shortError) Unwrap() error { return s.e }
