package shell_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/registry"
	"github.com/apiql/apiql/shell"
)

func TestStatementComplete(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"SELECT 1;", true},
		{"SELECT 1", false},
		{"SELECT 1;  ", true},
		{"SELECT 1; -- done", true},
		{"SELECT 1 -- not yet;", false},
		{"SELECT 1 /* ; */", false},
		{"SELECT 1 /* not closed;", false},
		{"SELECT ';'", false},
		{"SELECT 'open;", false},
		{"SELECT 'it''s';", true},
		{"SELECT \"col;", false},
		{"SELECT [col;", false},
		{"SELECT `col;", false},
		{"SELECT x'00;", false},
		{"SELECT count(*)\nFROM digitalocean.images.images;", true},
		{"SELECT count(*)\nFROM digitalocean.images.images", false},
		{"SELECT 1; SELECT 2", false},
		{"SELECT 1; SELECT 2;", true},
		{"SELECT 'a\nb';", true},
		{"", true},
		{"-- just a comment", true},
		{"/* just a comment */", true},
		{"SELECT # FROM t;", true},    // a stray character: run it, to see the error
		{"SELECT # FROM t", false},    // ... once the statement is ended
		{"EXEC a.b.c.d @ = 1;", true}, // likewise a bare @
	} {
		if got := shell.StatementComplete(tc.text); got != tc.want {
			t.Errorf("StatementComplete(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

// testServer serves the emulator; started tells when a request comes in.
type testServer struct {
	*httptest.Server
	emu     *emulator.Server
	started chan struct{}
	mu      sync.Mutex
	aborted int // requests whose client went away before the answer
}

func newTestServer(t *testing.T, opts emulator.Options) *testServer {
	t.Helper()
	ts := &testServer{emu: emulator.New(opts), started: make(chan struct{}, 100)}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case ts.started <- struct{}{}:
		default:
		}
		ts.emu.ServeHTTP(w, r)
		if r.Context().Err() != nil {
			ts.mu.Lock()
			ts.aborted++
			ts.mu.Unlock()
		}
	}))
	t.Cleanup(ts.Close)
	return ts
}

func newSession(t *testing.T, url string) *engine.Session {
	t.Helper()
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DIGITALOCEAN_API_URL": url, "DIGITALOCEAN_TOKEN": "sandbox"}
	cl := &provider.Client{Getenv: func(k string) string { return env[k] }, Retry: provider.RetryPolicy{}}
	sess, err := engine.NewSession(context.Background(), engine.Options{Registry: reg, Client: cl})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return sess
}

// runPiped runs a REPL over input that is not a terminal.
func runPiped(t *testing.T, sess *engine.Session, input string, setup func(*shell.REPL)) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	r := &shell.REPL{
		Session: sess,
		Stdin:   strings.NewReader(input),
		Stdout:  &out,
		Stderr:  &errOut,
		Format:  shell.FormatText,
		Headers: true,
		Banner:  "BANNER",
	}
	if setup != nil {
		setup(r)
	}
	err = r.Run(context.Background())
	return out.String(), errOut.String(), err
}

func TestREPLPiped(t *testing.T) {
	srv := newTestServer(t, emulator.Options{Images: 60})
	sess := newSession(t, srv.URL)
	dir := t.TempDir()
	query := filepath.Join(dir, "q.iql")
	if err := os.WriteFile(query, []byte("-- a query file\nSELECT slug FROM digitalocean.images.images\n  WHERE slug = '{{ .slug }}';\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	meta := filepath.Join(dir, "meta.iql")
	if err := os.WriteFile(meta, []byte("SELECT 1;\n.output csv\nSELECT 2;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		input      string
		vars       map[string]any
		wantOut    string
		wantErrOut []string // substrings of stderr, in order
		wantErr    error
	}{
		{
			name:    "multi-line statement",
			input:   "SELECT count(*)\nFROM digitalocean.images.images;\n",
			wantOut: "count(*)\n60\n",
		},
		{
			name:    "several statements on a line, and meta-commands",
			input:   ".headers off\nSELECT 1; SELECT 2;\n.headers on\n.output csv\nSELECT 3 AS n;\n",
			wantOut: "1\n\n2\nn\n3\n",
		},
		{
			name:    "statement without semicolon at the end of input",
			input:   "SELECT 1 AS one",
			wantOut: "one\n1\n",
		},
		{
			name:    "no banner, prompt or echo",
			input:   "\n\n-- a comment\n",
			wantOut: "",
		},
		{
			name:       "errors go on",
			input:      "SELECT nosuch FROM digitalocean.images.images; SELECT 2;\n.nope\n.outptu json\n.output yaml\nSELECT 'after' AS x;\n",
			wantOut:    "x\nafter\n",
			wantErrOut: []string{"error: line 1, column 8", "no such column: nosuch", "1 more statement not run", "unknown command .nope", "did you mean .output?", `unknown output format "yaml"`},
			wantErr:    shell.ErrStatementsFailed,
		},
		{
			name:    "variables",
			input:   ".set greeting hello world\n.vars\nSELECT '{{ .greeting }}' AS g;\n.unset greeting\n.vars\n",
			vars:    map[string]any{"n": int64(3)},
			wantOut: "greeting = \"hello world\"\nn = 3\ng\nhello world\nn = 3\n",
		},
		{
			name:       "undefined variable",
			input:      "SELECT '{{ .missing }}';\n",
			wantErrOut: []string{"error: ", "missing"},
			wantErr:    shell.ErrStatementsFailed,
		},
		{
			name:       "undefined variable's hint names .set, and the input line",
			input:      "SELECT 1 AS a;\n\nSELECT\n  '{{ .missing }}';\n",
			wantOut:    "a\n1\n",
			wantErrOut: []string{"error: ", "stdin line 4: ", `undefined variable "missing"; set it with .set missing VALUE`},
			wantErr:    shell.ErrStatementsFailed,
		},
		{
			name:       "errors of piped input give its line",
			input:      "SELECT 1 AS a;\n\n  SELECT nosuch\nFROM digitalocean.images.images;\nSELECT 2 AS b; SELECT 1/0 AS c, x;\n",
			wantOut:    "a\n1\nb\n2\n",
			wantErrOut: []string{"error: line 3, column 10: no such column: nosuch", "error: line 5, column 33: no such column: x"},
			wantErr:    shell.ErrStatementsFailed,
		},
		{
			name:       "a query file with a meta-command",
			input:      ".read " + meta + "\n",
			wantErrOut: []string{"error: query file " + meta + " line 2: .output is a shell meta-command: meta-commands are for the shell"},
			wantErr:    shell.ErrStatementsFailed,
		},
		{
			name:    "null",
			input:   ".null <none>\nSELECT NULL AS a, '' AS b;\n.null\n.null default\n.null\nSELECT NULL AS a;\n",
			wantOut: "a\tb\n<none>\t\nnull: \"<none>\"\nnull: each format's own (table and markdown: null; csv: an empty field; text: \\N)\na\n\\N\n",
		},
		{
			name:    "read a file with the variables",
			input:   ".set slug debian-12-x64\n.read " + query + "\n",
			wantOut: "slug\ndebian-12-x64\n",
		},
		{
			name:       "read a missing file",
			input:      ".read " + filepath.Join(dir, "nope.iql") + "\n",
			wantErrOut: []string{"error: ", "nope.iql"},
			wantErr:    shell.ErrStatementsFailed,
		},
		{
			name:       "timing",
			input:      ".timing on\nSELECT count(*) AS n FROM digitalocean.images.images;\n.timing\n",
			wantOut:    "n\n60\ntiming: on\n",
			wantErrOut: []string{"1 row, ", ", 1 request, 1 page, ", " KiB"},
		},
		{
			name:    "settings shown",
			input:   ".output\n.headers\n.timing\n",
			wantOut: "output format: text\nheaders: on\ntiming: off\n",
		},
		{
			name:    "quit",
			input:   "SELECT 1 AS a;\n.quit\nSELECT 2 AS b;\n",
			wantOut: "a\n1\n",
		},
		{
			name:    "help",
			input:   ".help\n",
			wantOut: ".output [FORMAT]",
		},
		{
			name:       "connections",
			input:      ".connection\n.connection all\n.connection\n.connections\n.connection 'bad name'\n.connection nope\n.connection\n.connection default\n.connection\n",
			wantOut:    "provider\tname\ttoken_from\ttoken_set\tapi_url\tis_default\ndigitalocean\tdefault\tenv DIGITALOCEAN_TOKEN or DIGITALOCEAN_ACCESS_TOKEN\ttrue\t",
			wantErrOut: []string{"connection: default (each provider's default connection)", "connection: all", `"bad name" is not a connection name`, `no provider has a connection "nope"`, "connection: all", "connection: default"},
			wantErr:    shell.ErrStatementsFailed,
		},
		{
			name:       "cache clear",
			input:      ".cache clear\n.cache\n",
			wantErrOut: []string{"cache cleared", "usage: .cache clear"},
			wantErr:    shell.ErrStatementsFailed,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, err := runPiped(t, sess, tc.input, func(r *shell.REPL) { r.Vars = tc.vars })
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Errorf("Run() = %v, want %v", err, tc.wantErr)
			}
			if tc.name == "help" || tc.name == "connections" {
				if !strings.Contains(out, tc.wantOut) {
					t.Errorf("stdout = %q, want it to hold %q", out, tc.wantOut)
				}
			} else if out != tc.wantOut {
				t.Errorf("stdout = %q, want %q", out, tc.wantOut)
			}
			rest := errOut
			for _, w := range tc.wantErrOut {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Errorf("stderr = %q, want it to hold %q (in order)", errOut, w)
					break
				}
				rest = rest[i+len(w):]
			}
			if len(tc.wantErrOut) == 0 && errOut != "" {
				t.Errorf("stderr = %q, want nothing", errOut)
			}
		})
	}
}

// TestREPLInterrupt checks that an interrupt cancels the running statement,
// whose HTTP request is abandoned, promptly.
func TestREPLInterrupt(t *testing.T) {
	srv := newTestServer(t, emulator.Options{Images: 60, Latency: 5 * time.Second})
	sess := newSession(t, srv.URL)
	interrupts := make(chan os.Signal, 1)
	done := make(chan struct{})
	var (
		out, errOut string
		err         error
	)
	go func() {
		defer close(done)
		out, errOut, err = runPiped(t, sess, "SELECT count(*) FROM digitalocean.images.images;\nSELECT 'never' AS x;\n",
			func(r *shell.REPL) { r.Interrupts = interrupts })
	}()
	select {
	case <-srv.started:
	case <-time.After(5 * time.Second):
		t.Fatal("the statement sent no request")
	}
	sent := time.Now()
	interrupts <- syscall.SIGINT
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("the interrupt did not end the statement")
	}
	if d := time.Since(sent); d > time.Second {
		t.Errorf("the statement ended %v after the interrupt, want within a second", d)
	}
	if !errors.Is(err, shell.ErrInterrupted) {
		t.Errorf("Run() = %v, want ErrInterrupted", err)
	}
	if out != "" || !strings.Contains(errOut, "cancelled") {
		t.Errorf("stdout = %q, stderr = %q; want nothing, and cancelled", out, errOut)
	}
}

// TestREPLMasksSecretsInErrors: an error that quotes a value the user
// typed prints the environment's token masked.
func TestREPLMasksSecretsInErrors(t *testing.T) {
	srv := newTestServer(t, emulator.Options{Images: 5})
	sess := newSession(t, srv.URL)
	const secret = "dop_v1_replsecret0123456789abcdef"
	_, stderr, _ := runPiped(t, sess, "SELECT * FROM digitalocean.images.images WHERE private = '"+secret+"';\n", func(r *shell.REPL) {
		r.Secrets = []string{secret}
	})
	if strings.Contains(stderr, "replsecret") || !strings.Contains(stderr, "private takes true or false, not '***'") {
		t.Errorf("stderr %q: want the error with the token masked", stderr)
	}
}
