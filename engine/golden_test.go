package engine_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/registry"
	"github.com/apiql/apiql/shell"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/queries")

// env is an emulator and a session pointed at it.
type env struct {
	emu  *emulator.Server
	srv  *httptest.Server
	sess *engine.Session
}

// newEnv starts an emulator with images sample images and opens a
// session on it. opts may adjust the session's options.
func newEnv(t testing.TB, images int, opts func(*engine.Options)) *env {
	t.Helper()
	return newEnvWith(t, emulator.Options{Images: images, Token: "test-token"}, opts)
}

// newEnvWith is newEnv with the emulator's options given whole; the token
// must be "test-token".
func newEnvWith(t testing.TB, eo emulator.Options, opts func(*engine.Options)) *env {
	t.Helper()
	emu := emulator.New(eo)
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	e := &env{emu: emu, srv: srv}
	e.sess = newEnvOn(t, e, opts)
	return e
}

// newEnvOn opens a session on e's emulator; opts may adjust its options
// (Client is set when opts runs).
func newEnvOn(t testing.TB, e *env, opts func(*engine.Options)) *engine.Session {
	t.Helper()
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"DIGITALOCEAN_API_URL": e.srv.URL, "DIGITALOCEAN_TOKEN": "test-token"}
	o := engine.Options{
		Registry: reg,
		Client:   &provider.Client{Getenv: func(k string) string { return vars[k] }, Retry: provider.RetryPolicy{Retries: 2}},
	}
	if opts != nil {
		opts(&o)
	}
	sess, err := engine.NewSession(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return sess
}

// run runs src and renders every statement's result (as a table), error
// and the requests it sent, the way the golden files hold them.
func (e *env) run(t testing.TB, src string) string {
	t.Helper()
	var out bytes.Buffer
	err := e.sess.Run(context.Background(), src, func(o engine.Outcome) bool {
		fmt.Fprintf(&out, "-- statement %d: %s\n", o.N, o.Statement.FirstLine(100))
		if o.Err != nil {
			fmt.Fprintf(&out, "error: %v\n", o.Err)
		} else {
			p := &shell.Printer{Out: &out, Info: &out, Format: shell.FormatTable, Headers: true}
			if err := p.Print(o.Result); err != nil {
				t.Fatal(err)
			}
		}
		out.WriteString(requestLog(e.emu))
		out.WriteString("\n")
		e.emu.ResetRequests()
		return true
	})
	if err != nil {
		fmt.Fprintf(&out, "error: %v\n", err)
	}
	// The emulator's links carry its address, a new port every run.
	return strings.ReplaceAll(out.String(), e.srv.URL, "http://emulator")
}

// requestLog renders the emulator's request log, sorted (fan-out calls run
// concurrently, in no fixed order).
func requestLog(emu *emulator.Server) string {
	var lines []string
	for _, r := range emu.Requests() {
		line := r.Method + " " + r.Path
		if q := r.Query.Encode(); q != "" {
			line += "?" + q
		}
		if len(r.Body) > 0 {
			line += " " + string(r.Body)
		}
		lines = append(lines, fmt.Sprintf("%s -> %d", line, r.Status))
	}
	sort.Strings(lines)
	if len(lines) == 0 {
		return "requests: none\n"
	}
	return "requests:\n  " + strings.Join(lines, "\n  ") + "\n"
}

// TestGolden runs every testdata/queries/*.sql file against a fresh
// emulator with 40 images and compares with its .golden file.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("../testdata/queries/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden query files found")
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sql")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, 40, nil)
			got := e.run(t, string(src))
			golden := strings.TrimSuffix(f, ".sql") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./engine -run TestGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from its golden file (-want +got):\n%s", name, diff(string(want), got))
			}
		})
	}
}

// diff is a small line diff: the lines only in want (-) and only in got (+).
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	i, j := 0, 0
	for i < len(w) || j < len(g) {
		switch {
		case i < len(w) && j < len(g) && w[i] == g[j]:
			i++
			j++
		case j < len(g) && (i >= len(w) || !containsFrom(w, i, g[j])):
			fmt.Fprintf(&b, "+%s\n", g[j])
			j++
		default:
			fmt.Fprintf(&b, "-%s\n", w[i])
			i++
		}
	}
	return b.String()
}

func containsFrom(lines []string, from int, s string) bool {
	for _, l := range lines[from:] {
		if l == s {
			return true
		}
	}
	return false
}
