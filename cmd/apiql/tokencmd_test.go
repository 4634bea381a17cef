package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// tokenCmdConfig serves an emulator that takes secretToken and writes a
// config whose default connection "prod" reads it from a token_cmd (which
// prints it on stderr too), and whose connection "bad" has a command that
// prints wrongToken on both streams and fails. The environment holds no
// token: the only way apiql learns them is by running the commands.
func tokenCmdConfig(t *testing.T) string {
	t.Helper()
	newTestAPI(t, secretToken)
	t.Setenv("DIGITALOCEAN_TOKEN", "")
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good"), filepath.Join(dir, "bad")
	for f, tok := range map[string]string{good: secretToken, bad: wrongToken} {
		if err := os.WriteFile(f, []byte(tok+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dir, "config.yaml")
	text := fmt.Sprintf("default_connection: prod\nconnections:\n  digitalocean:\n"+
		"    prod: {token_cmd: \"cat %s; cat %s >&2\"}\n"+
		"    bad: {token_cmd: \"cat %s; cat %s >&2; exit 3\"}\n", good, good, bad, bad)
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestTokenCmdNeverShown: a token from a token_cmd (and what a failing
// token command printed) is masked wherever the environment's tokens are:
// in the errors and "in:" lines of exec, export and sync, --debug lines,
// --dry-run requests, the shell's errors, and the errors serve sends its
// clients, also when it is typed in a statement before its connection was
// used (before, these showed it: the masks knew only environment tokens);
// the command's own stderr and a failing command's output are never shown.
func TestTokenCmdNeverShown(t *testing.T) {
	cfg := tokenCmdConfig(t)
	out := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		want string // what stderr must say (the token masked, or the failure)
	}{
		// Typed in a statement that fails before any request: the command
		// has not run for the connection.
		{[]string{"exec", "SELECT * FROM digitalocean.images.images WHERE private = '" + secretToken + "'"}, 1, "not '***'"},
		{[]string{"exec", "SELECT '" + secretToken + "' FROM nosuch"}, 1, "in: SELECT '***"},
		{[]string{"exec", "SELECT '" + wrongToken + "' FROM nosuch"}, 1, "in: SELECT '***"},
		// After the connection was used.
		{[]string{"exec", "SELECT id FROM digitalocean.images.images LIMIT 1; SELECT '" + secretToken + "' FROM nosuch"}, 1, "in: SELECT '***"},
		// The URL of a --debug line; a --dry-run body with the other
		// command's output, through a connection that does not run it.
		{[]string{"exec", "--debug", "SELECT id FROM digitalocean.images.images WHERE image_id = '" + secretToken + "'"}, 0, "/v2/images/*** (Authorization: Bearer ***)"},
		{[]string{"exec", "--dry-run", "INSERT INTO digitalocean.images.images (data__name, data__url, data__region) VALUES ('" + wrongToken + "', 'https://example.com/a.img', 'nyc3')"}, 0, `"name":"***"`},
		// The failing command: how it failed, never what it printed.
		{[]string{"exec", "SELECT id FROM digitalocean.images.images WHERE connection = 'bad'"}, 1, `its token_cmd "cat `},
		{[]string{"export", "--format", "csv", "--out", out, "SELECT '" + secretToken + "' FROM nosuch"}, 1, "in: SELECT '***"},
		{[]string{"export", "--format", "csv", "--out", out, "SELECT id FROM digitalocean.images.images WHERE private = '" + wrongToken + "'"}, 1, "not '***'"},
		{[]string{"sync", "--to", "postgres://apiql@127.0.0.1:1/db", "digitalocean.images." + secretToken}, 2, "digitalocean.images.***"},
		{[]string{"shell"}, 1, "not '***'"},
	} {
		args := append([]string{tc.args[0], "--config", cfg}, tc.args[1:]...)
		stdin := ""
		if tc.args[0] == "shell" {
			t.Setenv("HOME", t.TempDir())
			stdin = "SELECT '" + secretToken + "' FROM nosuch;\nSELECT '" + wrongToken + "' AS x, private FROM digitalocean.images.images WHERE private = '" + wrongToken + "';\n"
		}
		r := runApiql(t, stdin, args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: want exit %d and %q on stderr:\n%v", tc.args, tc.code, tc.want, r)
		}
		assertNoSecret(t, r)
	}
}

// TestTokenCmdNotInHistory: a shell statement that holds a token_cmd's
// token runs but is not saved in the history, as one with the
// environment's token.
func TestTokenCmdNotInHistory(t *testing.T) {
	cfg := tokenCmdConfig(t)
	home := t.TempDir()
	tm := startShell(t, home, []string{"APIQL_CONFIG=" + cfg, "DIGITALOCEAN_API_URL=" + os.Getenv("DIGITALOCEAN_API_URL")})
	tm.expect(prompt, 10*time.Second)
	tm.send("SELECT length('" + secretToken + "') AS n;\r")
	tm.expect("not saved in the history", 5*time.Second)
	tm.expect(prompt, 5*time.Second)
	tm.send("SELECT 2 AS two;\r")
	tm.expect("|   2 |", 5*time.Second)
	tm.expect(prompt, time.Second)
	tm.send("\x04")
	if code := tm.wait(5 * time.Second); code != 0 {
		t.Errorf("exit code %d after Ctrl-D, want 0", code)
	}
	data, err := os.ReadFile(filepath.Join(home, ".local", "state", "apiql", "history"))
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	if got, want := string(data), "SELECT 2 AS two;\n"; got != want {
		t.Errorf("history file = %q, want %q", got, want)
	}
}

// TestTokenCmdServeErrors: the errors apiql serve sends a client mask a
// token_cmd's token typed in a query, whether or not its command has run,
// and the server prints neither token.
func TestTokenCmdServeErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	cfg := tokenCmdConfig(t)
	const password = "serve-test-password"
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "--", "serve", "--config", cfg, "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), helperEnv+"=1", "APIQL_SERVE_PASSWORD="+password)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	addrs := make(chan string, 1)
	var all lockedBuffer
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			all.Write([]byte(sc.Text() + "\n"))
			if m := regexp.MustCompile(`at (127\.0\.0\.1:\d+) `).FindStringSubmatch(sc.Text()); m != nil {
				addrs <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	var addr string
	select {
	case addr = <-addrs:
	case <-time.After(20 * time.Second):
		t.Fatalf("no address printed; stderr:\n%s", stderr.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, "postgres://apiql:"+password+"@"+addr+"/apiql?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	for _, q := range []string{
		"SELECT * FROM digitalocean_images.images WHERE private = '" + secretToken + "'", // before the command ran
		"SELECT count(*) FROM digitalocean_images.images",                                // runs prod's command
		"SELECT id FROM digitalocean_images.images WHERE private = '" + secretToken + "'",
		"SELECT id FROM digitalocean_images.images WHERE private = '" + wrongToken + "'",
		"SELECT id FROM digitalocean_images.images WHERE connection = 'bad'",
	} {
		rows, err := c.Query(ctx, q)
		if err == nil {
			for rows.Next() {
			}
			err = rows.Err()
			rows.Close()
		}
		if strings.Contains(q, "count(*)") {
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error", q)
			continue
		}
		msg := err.Error()
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			msg += "\n" + pe.Detail + "\n" + pe.Hint
		}
		if strings.Contains(msg, secretToken) || strings.Contains(msg, wrongToken) || strings.Contains(msg, "SECRET5f3e") || strings.Contains(msg, "WRONG0a1b") {
			t.Errorf("%s: the error shows a token: %s", q, msg)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	<-drained
	cmd.Wait()
	assertNoSecret(t, cliRun{stdout: all.String(), stderr: stderr.String()})
}

// lockedBuffer is a bytes.Buffer that a process's output goroutine and
// the test may use at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
