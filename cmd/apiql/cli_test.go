package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiql/apiql/provider/emulator"
)

// TestHelp: apiql help, help on each command and --help on each command
// print a usage with examples and exit 0.
func TestHelp(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"help"}, []string{"Usage: apiql <command>", "exec", "shell", "emulator", "version", "Examples:", "DIGITALOCEAN_TOKEN", "--sandbox"}},
		{[]string{"--help"}, []string{"Usage: apiql <command>", "Examples:"}},
		{[]string{"-h"}, []string{"Usage: apiql <command>", "Examples:"}},
		{[]string{"help", "exec"}, []string{"Usage: apiql exec", "Examples:", "apiql exec --sandbox", "-i FILE",
			"-o format", "json, jsonl, csv, markdown, text", "-H", "-f FILE", "-continue-on-error", "-dry-run", "-read-only",
			"-timing", "-debug", "-var KEY=VALUE", "-vars FILE", "-sandbox", "-max-response-size SIZE", "(default 64MiB)", "-max-retry-wait", "(default 1m0s)"}},
		{[]string{"exec", "--help"}, []string{"Usage: apiql exec", "Examples:", "-continue-on-error"}},
		{[]string{"exec", "-h"}, []string{"Usage: apiql exec", "Examples:"}},
		{[]string{"help", "shell"}, []string{"Usage: apiql shell", "Examples:", "apiql shell --sandbox", "-o format"}},
		{[]string{"shell", "--help"}, []string{"Usage: apiql shell", "Examples:"}},
		{[]string{"help", "emulator"}, []string{"Usage: apiql emulator", "Examples:", "-addr ADDR", "-images", "-token", "DIGITALOCEAN_API_URL"}},
		{[]string{"emulator", "--help"}, []string{"Usage: apiql emulator", "Examples:"}},
		{[]string{"help", "export"}, []string{"Usage: apiql export", "Examples:", "-format", "-out DIR", "-name NAME"}},
		{[]string{"help", "sync"}, []string{"Usage: apiql sync", "Examples:", "-to URL", "-mode", "-schema-prefix P", "-all", "-parallel", "PGPASSWORD"}},
		{[]string{"help", "version"}, []string{"Usage: apiql version"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runApiql(t, "", tt.args...)
			if r.code != 0 {
				t.Errorf("exit code %d, want 0", r.code)
			}
			out := r.stdout + r.stderr
			for _, s := range tt.want {
				if !strings.Contains(out, s) {
					t.Errorf("help lacks %q:\n%s", s, out)
				}
			}
			// `apiql help X` is read with a pager: all of it on stdout.
			if tt.args[0] == "help" && r.stderr != "" {
				t.Errorf("stderr %q, want the help on stdout", r.stderr)
			}
		})
	}
}

// TestHelpUnknown: help on a command that does not exist exits 2.
func TestHelpUnknown(t *testing.T) {
	r := runApiql(t, "", "help", "frobnicate")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) || !strings.Contains(r.stderr, "apiql help") {
		t.Errorf("want exit code 2 and a hint:\n%v", r)
	}
}

// TestVersion: apiql version and --version print the version and exit 0.
func TestVersion(t *testing.T) {
	for _, arg := range []string{"version", "--version"} {
		r := runApiql(t, "", arg)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%s: %v", arg, r)
		}
		if want := "apiql " + version + "\n"; r.stdout != want || version == "" {
			t.Errorf("%s: stdout %q, want %q", arg, r.stdout, want)
		}
	}
}

// TestCLIUnknownCommand: an unknown command exits 2 with a hint; statements
// or flags given without a command get the exec command line to use.
func TestCLIUnknownCommand(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"frob"}, "hint: apiql help lists the commands"},
		{[]string{"sell"}, "hint: apiql help lists the commands"},
		{[]string{"SELECT 1"}, `hint: statements go after a command: apiql exec "SELECT 1"`},
		{[]string{"--sandbox", "-o", "json", "SELECT name FROM x WHERE a = 'b'"}, `apiql exec --sandbox -o json "SELECT name FROM x WHERE a = 'b'"`},
		{[]string{"-o", "csv", `SELECT "$HOME"`}, `apiql exec -o csv "SELECT \"\$HOME\""`},
	}
	for _, tt := range tests {
		r := runApiql(t, "", tt.args...)
		if r.code != 2 || r.stdout != "" {
			t.Errorf("apiql %q: exit code %d, stdout %q; want 2 and nothing", tt.args, r.code, r.stdout)
		}
		if !strings.Contains(r.stderr, "unknown command") || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("apiql %q: stderr lacks %q:\n%s", tt.args, tt.want, r.stderr)
		}
	}
}

// The token of the secret tests: what a real DigitalOcean token looks like.
const (
	secretToken = "dop_v1_SECRET5f3e9a0b7c1d2e4f60718293a4b5c6d7e8f9012345678abcdef0123456789ab"
	wrongToken  = "dop_v1_WRONG0a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcdef0123456789abcd"
)

// secretFragments are pieces of the tokens that must not show either.
var secretFragments = []string{secretToken, wrongToken, "SECRET5f3e9a0b7c1d", "WRONG0a1b2c3d4e5f"}

// assertNoSecret fails when any of the streams shows a token or a piece of one.
func assertNoSecret(t *testing.T, r cliRun) {
	t.Helper()
	for name, s := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
		for _, f := range secretFragments {
			if strings.Contains(s, f) {
				t.Errorf("the token (%s) is on %s:\n%s", f, name, s)
			}
		}
	}
}

// TestSecretNeverPrinted runs apiql against an emulator that takes a
// real-looking token, with --debug, --dry-run and --timing, failing
// statements and every output format, and checks that no stream shows the
// token, while --debug does log each request with "Bearer ***".
func TestSecretNeverPrinted(t *testing.T) {
	srv := newTestAPI(t, secretToken)
	const (
		list = "SELECT id, name, regions, tags, public FROM digitalocean.images.images ORDER BY id LIMIT 3"
		// victim is a private snapshot: deletable.
		victim = "(SELECT id FROM digitalocean.images.images WHERE public = 0 AND type = 'snapshot' ORDER BY id LIMIT 1)"
	)
	tests := []struct {
		name  string
		token string // DIGITALOCEAN_TOKEN, when not secretToken
		args  []string
		stdin string
		code  int
		// debug: stderr must show requests with the token masked.
		debug bool
		want  []string // on stdout or stderr
	}{
		{name: "table", args: []string{"--debug", "--timing", list}, debug: true, want: []string{"(3 rows)", "statement 1: 3 rows, "}},
		{name: "json", args: []string{"--debug", "-o", "json", list}, debug: true},
		{name: "jsonl", args: []string{"--debug", "-o", "jsonl", list}, debug: true},
		{name: "csv", args: []string{"--debug", "-o", "csv", list}, debug: true},
		{name: "csv -H", args: []string{"--debug", "-o", "csv", "-H", list}, debug: true},
		{name: "markdown", args: []string{"--debug", "-o", "markdown", list}, debug: true},
		{name: "text", args: []string{"--debug", "-o", "text", list}, debug: true},
		{name: "get", args: []string{"--debug", "-o", "json", "SELECT name FROM digitalocean.images.images WHERE image_id IN (100012, 100021)"}, debug: true},
		{name: "exec _get", args: []string{"--debug", "EXEC digitalocean.images.images._get @image_id = 100012"}, debug: true},
		{name: "dry-run delete", args: []string{"--debug", "--dry-run", "--timing", "DELETE FROM digitalocean.images.images WHERE image_id IN " + victim},
			debug: true, want: []string{"Authorization: Bearer ***"}},
		{name: "dry-run insert", args: []string{"--dry-run", "-o", "json", "INSERT INTO digitalocean.images.images (data__name, data__url, data__region) VALUES ('n', 'https://example.com/n.img', 'nyc3')"},
			want: []string{"POST ", "Authorization: Bearer ***"}},
		{name: "dry-run update", args: []string{"--dry-run", "--debug", "UPDATE digitalocean.images.images SET data__name = 'y' WHERE image_id IN " + victim},
			debug: true, want: []string{"PUT ", "Authorization: Bearer ***"}},
		{name: "401 wrong token", token: wrongToken, args: []string{"--debug", "--timing", "-o", "json", list}, code: 1, debug: true, want: []string{"401"}},
		{name: "401 wrong token, write", token: wrongToken, args: []string{"--debug", "DELETE FROM digitalocean.images.images WHERE image_id = 100012"}, code: 1, debug: true, want: []string{"401"}},
		{name: "404", args: []string{"--debug", "--timing", "EXEC digitalocean.images.images._get @image_id = 1"}, code: 1, debug: true, want: []string{"404"}},
		{name: "404 delete", args: []string{"--debug", "-o", "csv", "DELETE FROM digitalocean.images.images WHERE image_id = 1"}, code: 1, debug: true, want: []string{"404"}},
		{name: "422", args: []string{"--debug", "-o", "jsonl", "INSERT INTO digitalocean.images.images (data__name, data__url, data__region) VALUES ('n', 'https://example.com/n.img', 'atlantis1')"},
			code: 1, debug: true, want: []string{"422", "atlantis1"}},
		{name: "syntax error", args: []string{"--debug", "--timing", "-o", "markdown", "SELEC * FROM digitalocean.images.images"}, code: 1, want: []string{"statement 1"}},
		{name: "SQL error after a fetch", args: []string{"--debug", "--continue-on-error", "-o", "text", list + "; SELECT nosuch FROM digitalocean.images.images; " + list},
			code: 1, debug: true, want: []string{"no such column"}},
		{name: "missing param", args: []string{"--debug", "DELETE FROM digitalocean.images.images"}, code: 1},
		{name: "undefined variable", args: []string{"--debug", "SELECT '{{ .token }}'"}, code: 1},
		{name: "query file on stdin", args: []string{"--debug", "--timing", "-i", "-", "-o", "csv"}, stdin: list + ";\n" + list + ";\n", debug: true},
		{name: "read-only", args: []string{"--debug", "--read-only", "DELETE FROM digitalocean.images.images WHERE image_id = 100012"}, code: 1, want: []string{"read-only"}},
		{name: "show and describe", args: []string{"--debug", "SHOW PROVIDERS; SHOW METHODS IN digitalocean.images.images; DESCRIBE digitalocean.images.images"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := secretToken
			if tt.token != "" {
				token = tt.token
			}
			t.Setenv("DIGITALOCEAN_TOKEN", token)
			srv.ResetRequests()
			before := len(srv.Images())
			r := runApiql(t, tt.stdin, append([]string{"exec"}, tt.args...)...)
			assertNoSecret(t, r)
			if r.code != tt.code {
				t.Errorf("exit code %d, want %d\n%v", r.code, tt.code, r)
			}
			for _, s := range tt.want {
				if !strings.Contains(r.stdout+r.stderr, s) {
					t.Errorf("output lacks %q:\n%v", s, r)
				}
			}
			if tt.debug {
				if !regexp.MustCompile(`(?m)^apiql: (GET|POST|PUT|DELETE) http://127\.0\.0\.1:\d+/v2/\S+ \(Authorization: Bearer \*\*\*\)$`).MatchString(r.stderr) {
					t.Errorf("--debug logs no request with a masked token:\n%s", r.stderr)
				}
			}
			// The token was really used (and only the right one works).
			for _, req := range srv.Requests() {
				if req.Authorized != (token == secretToken) {
					t.Errorf("%s %s: authorized %v with token %.14s...", req.Method, req.Path, req.Authorized, token)
				}
				if strings.Contains(strings.Join(tt.args, " "), "--dry-run") && req.Method != http.MethodGet {
					t.Errorf("--dry-run sent %s %s", req.Method, req.Path)
				}
			}
			if after := len(srv.Images()); after != before {
				t.Errorf("%d images, was %d: something was changed", after, before)
			}
		})
	}
}

// TestSecretAPIEchoesToken: an API that echoes the Authorization header in
// its error message must not get the token printed.
func TestSecretAPIEchoesToken(t *testing.T) {
	var requests atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		json.NewEncoder(w).Encode(map[string]string{"id": "forbidden", "message": "token not allowed: " + r.Header.Get("Authorization")})
	}))
	defer ts.Close()
	t.Setenv("DIGITALOCEAN_API_URL", ts.URL)
	t.Setenv("DIGITALOCEAN_TOKEN", secretToken)
	t.Setenv("DIGITALOCEAN_ACCESS_TOKEN", "")
	for _, format := range []string{"table", "json", "csv"} {
		r := runApiql(t, "", "exec", "--debug", "--timing", "-o", format, "SELECT id FROM digitalocean.images.images")
		if r.code != 1 || !strings.Contains(r.stderr, "403") {
			t.Errorf("-o %s: want exit code 1 and the 403:\n%v", format, r)
		}
		assertNoSecret(t, r)
	}
	if requests.Load() == 0 {
		t.Error("no request reached the API")
	}
}

// TestSecretMissingToken: without a token, the error names both variables
// and --sandbox, and no request is sent.
func TestSecretMissingToken(t *testing.T) {
	srv := newTestAPI(t, "")
	for _, args := range [][]string{
		{"exec", "SELECT id FROM digitalocean.images.images"},
		{"exec", "-o", "json", "SELECT 1 AS one; SELECT name FROM digitalocean.images.images WHERE image_id = 100012"},
		{"exec", "DELETE FROM digitalocean.images.images WHERE image_id = 100012"},
		{"exec", "--dry-run", "DELETE FROM digitalocean.images.images WHERE image_id = 100012"},
		{"exec", "EXEC digitalocean.images.images._get @image_id = 100012"},
	} {
		r := runApiql(t, "", args...)
		if r.code != 1 {
			t.Errorf("%q: exit code %d, want 1", args, r.code)
		}
		for _, want := range []string{"DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN", "--sandbox"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%q: stderr lacks %q:\n%s", args, want, r.stderr)
			}
		}
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("%q: %d requests reached the API, want none", args, n)
		}
	}
	// DIGITALOCEAN_ACCESS_TOKEN alone is enough.
	t.Setenv("DIGITALOCEAN_ACCESS_TOKEN", "some-other-token")
	if r := runApiql(t, "", "exec", "-o", "csv", "SELECT count(*) AS n FROM digitalocean.images.images"); r.code != 0 || r.stdout != "n\n60\n" {
		t.Errorf("with DIGITALOCEAN_ACCESS_TOKEN: %v", r)
	}
}

// TestCLIEmulatorUsage: apiql emulator's bad usage and a busy address fail
// at once (serving is tested in TestCLIEmulatorServes).
func TestCLIEmulatorUsage(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"emulator", "--bogus"}, 2, "-bogus"},
		{[]string{"emulator", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"emulator", "--images", "many"}, 2, "-images"},
		{[]string{"emulator", "--addr", busy.Addr().String()}, 1, busy.Addr().String()},
	}
	for _, tt := range tests {
		r := runApiql(t, "", tt.args...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("apiql %q: want exit code %d and %q:\n%v", tt.args, tt.code, tt.want, r)
		}
	}
}

// TestCLIEmulatorServes runs `apiql emulator --addr 127.0.0.1:0` in a
// process of its own: it says where it serves, answers with the given token
// and sample size, and stops cleanly (exit 0) on an interrupt.
func TestCLIEmulatorServes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "--", "emulator", "--addr", "127.0.0.1:0", "--images", "7", "--token", "tok")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Read the first line, then drain stdout until the process ends; only
	// then may Wait be called.
	lines := make(chan string, 1)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, stdout)
	}()
	var first string
	select {
	case first = <-lines:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the emulator did not say where it serves; stderr:\n%s", stderr.String())
	}
	m := regexp.MustCompile(`^emulator serving 7 images at (http://127\.0\.0\.1:\d+) \(accepting the token given with --token\)$`).FindStringSubmatch(first)
	if m == nil {
		cmd.Process.Kill()
		t.Fatalf("first line %q, want where it serves", first)
	}
	url := m[1]

	get := func(token string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodGet, url+"/v2/images?per_page=5", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, _ := get(""); code != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", code)
	}
	code, body := get("tok")
	var page struct {
		Images []json.RawMessage   `json:"images"`
		Meta   struct{ Total int } `json:"meta"`
	}
	if err := json.Unmarshal(body, &page); code != http.StatusOK || err != nil || page.Meta.Total != 7 || len(page.Images) != 5 {
		t.Errorf("GET /v2/images?per_page=5: %d, %d images of %d (%v)", code, len(page.Images), page.Meta.Total, err)
	}

	// apiql itself, pointed at it.
	t.Setenv("DIGITALOCEAN_API_URL", url)
	t.Setenv("DIGITALOCEAN_TOKEN", "tok")
	if r := runApiql(t, "", "exec", "-o", "csv", "SELECT count(*) AS n FROM digitalocean.images.images"); r.code != 0 || r.stdout != "n\n7\n" {
		t.Errorf("apiql exec against the emulator: %v", r)
	}

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { <-drained; waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Errorf("after an interrupt: %v, want exit code 0; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the emulator did not stop on an interrupt")
	}
}

// TestCLIEmulatorListenAndServe: the server apiql emulator runs stops when
// its context ends.
func TestCLIEmulatorListenAndServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- emulator.ListenAndServe(ctx, "127.0.0.1:0", emulator.Options{Images: 3, NoRequestLog: true}, func(url string) { ready <- url })
	}()
	var url string
	select {
	case url = <-ready:
	case err := <-errc:
		t.Fatal(err)
	}
	resp, err := http.Get(url + "/v2/images")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("ListenAndServe after cancel: %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ListenAndServe did not return after cancel")
	}
}
