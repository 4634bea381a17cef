package main

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/apiql/apiql/provider/emulator"
)

// helperEnv makes the test binary act as apiql: see TestHelperProcess.
const helperEnv = "APIQL_TEST_HELPER"

// TestHelperProcess is not a test: started by tests with helperEnv set, it
// runs apiql with the arguments after "--" in a process of its own (the
// shell on a pseudo-terminal, the emulator), where an interrupt or Ctrl-C
// is a real SIGINT.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		return
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Exit(Run(args, os.Stdin, os.Stdout, os.Stderr))
}

// terminal is apiql running on a pseudo-terminal, and what it has shown.
type terminal struct {
	t      *testing.T
	pty    *os.File
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    bytes.Buffer
	mark   int // offset in the cleaned screen text after the last match
	exited chan struct{}
	err    error // the process's exit, once exited is closed
}

// startShell starts `apiql shell args...` on a pseudo-terminal with env
// added to a clean environment and HOME set to home.
func startShell(t *testing.T, home string, env []string, args ...string) *terminal {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperProcess$", "--", "shell"}, args...)...)
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name == "HOME" || name == "XDG_STATE_HOME" || name == "APIQL_REGISTRY" || strings.HasPrefix(name, "DIGITALOCEAN_") {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, helperEnv+"=1", "HOME="+home, "TERM=xterm")
	cmd.Env = append(cmd.Env, env...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	term := &terminal{t: t, pty: f, cmd: cmd, exited: make(chan struct{})}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			term.mu.Lock()
			term.out.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() {
		term.err = cmd.Wait()
		close(term.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-term.exited:
		default:
			cmd.Process.Kill()
			<-term.exited
		}
		f.Close()
	})
	return term
}

// ansi matches the terminal control sequences the line editor draws with.
var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|[\x08]`)

// screen is what the terminal received, control sequences removed.
func (tm *terminal) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return ansi.ReplaceAllString(tm.out.String(), "")
}

// expect waits until want shows on the screen after the last match, and
// returns how long it waited.
func (tm *terminal) expect(want string, timeout time.Duration) time.Duration {
	tm.t.Helper()
	start := time.Now()
	for {
		s := tm.screen()
		if i := strings.Index(s[tm.mark:], want); i >= 0 {
			tm.mark += i + len(want)
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			tm.t.Fatalf("waited %v for %q; the screen since the last match:\n%s", timeout, want, s[tm.mark:])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// expectAny waits until one of wants shows on the screen after the last
// match, and returns it.
func (tm *terminal) expectAny(timeout time.Duration, wants ...string) string {
	tm.t.Helper()
	start := time.Now()
	for {
		s := tm.screen()[tm.mark:]
		first, at := "", -1
		for _, w := range wants {
			if i := strings.Index(s, w); i >= 0 && (at < 0 || i < at) {
				first, at = w, i
			}
		}
		if at >= 0 {
			tm.mark += at + len(first)
			return first
		}
		if time.Since(start) > timeout {
			tm.t.Fatalf("waited %v for one of %q; the screen since the last match:\n%s", timeout, wants, s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// since returns the screen after the last match.
func (tm *terminal) since() string { return tm.screen()[tm.mark:] }

// send types keys.
func (tm *terminal) send(keys string) {
	tm.t.Helper()
	if _, err := tm.pty.Write([]byte(keys)); err != nil {
		tm.t.Fatalf("typing %q: %v", keys, err)
	}
}

// wait waits for the process to exit and returns its exit code.
func (tm *terminal) wait(timeout time.Duration) int {
	tm.t.Helper()
	select {
	case <-tm.exited:
	case <-time.After(timeout):
		tm.t.Fatalf("the shell did not exit within %v; the screen since the last match:\n%s", timeout, tm.since())
	}
	var ee *exec.ExitError
	if errors.As(tm.err, &ee) {
		return ee.ExitCode()
	}
	if tm.err != nil {
		tm.t.Fatalf("the shell: %v", tm.err)
	}
	return 0
}

const (
	prompt     = "apiql> "
	contPrompt = "   ...> "
)

// TestShellTerminal drives `apiql shell --sandbox` through a real
// pseudo-terminal: a multi-line statement recalled from history as one
// line, Tab completion, Ctrl-C at the prompt, a meta-command, an error, the
// history file, Ctrl-D.
func TestShellTerminal(t *testing.T) {
	home := t.TempDir()
	tm := startShell(t, home, nil, "--sandbox")
	tm.expect("type .help for help", 10*time.Second)
	tm.expect("sandbox", time.Second)
	tm.expect(prompt, 5*time.Second)

	// A statement over two lines runs once the second ends it.
	tm.send("SELECT count(*) AS n\r")
	tm.expect(contPrompt, 5*time.Second)
	tm.send("FROM digitalocean.images.images;\r")
	tm.expect("| 60 |", 5*time.Second)
	tm.expect("(1 row)", time.Second)
	tm.expect(prompt, time.Second)

	// Up recalls it as one line.
	tm.send("\x1b[A")
	tm.expect(prompt+"SELECT count(*) AS n FROM digitalocean.images.images;", 5*time.Second)
	tm.send("\r")
	tm.expect("| 60 |", 5*time.Second)
	tm.expect("(1 row)", time.Second)
	tm.expect(prompt, time.Second)

	// Tab completes the service name at the dot.
	tm.send("SHOW RESOURCES IN digitalocean.ima\t")
	tm.expect("digitalocean.images", 5*time.Second)
	tm.send(";\r")
	tm.expect("digitalocean.images.images", 5*time.Second)
	tm.expect(prompt, 5*time.Second)

	// Ctrl-C at the prompt forgets the unfinished statement.
	tm.send("SELECT 'lost'\r")
	tm.expect(contPrompt, 5*time.Second)
	tm.send("\x03")
	tm.expect(prompt, 5*time.Second)
	tm.send("SELECT 'fresh' AS f;\r")
	tm.expect("| fresh |", 5*time.Second)
	tm.expect(prompt, time.Second)
	if strings.Contains(tm.screen(), "error") {
		t.Errorf("an error showed:\n%s", tm.screen())
	}

	// A meta-command, and an error that the shell survives.
	tm.send(".output jsonl\r")
	tm.expect(prompt, 5*time.Second)
	tm.send("SELECT nosuch FROM digitalocean.images.images;\r")
	tm.expect("error: ", 5*time.Second)
	tm.expect(prompt, 5*time.Second)
	tm.send("SELECT 1 AS one;\r")
	tm.expect(`{"one":1}`, 5*time.Second)
	tm.expect(prompt, time.Second)

	// Ctrl-D on an empty line leaves, with status 0.
	tm.send("\x04")
	if code := tm.wait(5 * time.Second); code != 0 {
		t.Errorf("exit code %d after Ctrl-D, want 0", code)
	}

	data, err := os.ReadFile(filepath.Join(home, ".local", "state", "apiql", "history"))
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	want := "SELECT count(*) AS n FROM digitalocean.images.images;\n" +
		"SHOW RESOURCES IN digitalocean.images;\n" +
		"SELECT 'fresh' AS f;\n" +
		".output jsonl\n" +
		"SELECT nosuch FROM digitalocean.images.images;\n" +
		"SELECT 1 AS one;\n"
	if got := string(data); got != want {
		t.Errorf("history file:\n%s\nwant:\n%s", got, want)
	}
}

// slowServer serves the emulator; started tells when a request comes in,
// aborted counts the requests whose client went away before the answer.
type slowServer struct {
	*httptest.Server
	emu     *emulator.Server
	started chan struct{}
	aborted atomic.Int32
}

func newSlowServer(t *testing.T) *slowServer {
	s := &slowServer{emu: emulator.New(emulator.Options{Images: 60, Token: "sandbox"}), started: make(chan struct{}, 100)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case s.started <- struct{}{}:
		default:
		}
		s.emu.ServeHTTP(w, r)
		if r.Context().Err() != nil {
			s.aborted.Add(1)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// cancelSlowStatement starts a shell on srv, runs a statement that waits on
// a slow API, presses Ctrl-C and checks that the statement is cancelled,
// its request abandoned, and the prompt back within a second or so.
func cancelSlowStatement(t *testing.T, srv *slowServer) *terminal {
	tm := startShell(t, t.TempDir(), []string{"DIGITALOCEAN_API_URL=" + srv.URL, "DIGITALOCEAN_TOKEN=sandbox"})
	tm.expect(prompt, 10*time.Second)

	srv.emu.SetFaults(emulator.Faults{Latency: 3 * time.Second})
	tm.send("SELECT count(*) AS n FROM digitalocean.images.images;\r")
	select {
	case <-srv.started:
	case <-time.After(5 * time.Second):
		t.Fatalf("the statement sent no request; the screen:\n%s", tm.since())
	}
	tm.send("\x03")
	sent := time.Now()
	tm.expect("cancelled", 3*time.Second)
	tm.expect(prompt, 3*time.Second)
	if d := time.Since(sent); d > 1500*time.Millisecond {
		t.Errorf("the prompt came back %v after Ctrl-C, want within a second or so", d)
	}
	deadline := time.Now().Add(2 * time.Second)
	for srv.aborted.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if srv.aborted.Load() == 0 {
		t.Error("the request was not abandoned")
	}
	srv.emu.SetFaults(emulator.Faults{})
	return tm
}

// TestShellTerminalCancel checks that Ctrl-C while a statement waits on a
// slow API cancels that statement, not the shell.
func TestShellTerminalCancel(t *testing.T) {
	tm := cancelSlowStatement(t, newSlowServer(t))

	// The shell goes on.
	tm.send("SHOW PROVIDERS;\r")
	tm.expect("digitalocean", 5*time.Second)
	tm.expect(prompt, time.Second)

	tm.send("\x04")
	if code := tm.wait(5 * time.Second); code != 0 {
		t.Errorf("exit code %d after Ctrl-D, want 0", code)
	}
}

// TestShellTerminalCancelThenSelect checks that the session still answers
// SELECTs after a cancelled one: its SQLite database must survive the
// cancellation.
func TestShellTerminalCancelThenSelect(t *testing.T) {
	tm := cancelSlowStatement(t, newSlowServer(t))
	tm.send("SELECT count(*) AS n FROM digitalocean.images.images;\r")
	if got := tm.expectAny(5*time.Second, "| 60 |", "error: "); got != "| 60 |" {
		t.Errorf("after a cancelled SELECT, the next one failed:\n%s", tm.screen()[tm.mark-len(got):])
	}
	tm.expect(prompt, 5*time.Second)
	tm.send("\x04")
	if code := tm.wait(5 * time.Second); code != 0 {
		t.Errorf("exit code %d after Ctrl-D, want 0", code)
	}
}

// TestShellPiped runs the shell over a pipe: no banner or prompts on
// stdout, errors on stderr, exit code 1 when something failed.
func TestShellPiped(t *testing.T) {
	var stdout, stderr bytes.Buffer
	in := strings.NewReader(".output csv\nSELECT count(*) AS n\nFROM digitalocean.images.images;\nSELECT nosuch FROM digitalocean.images.images;\n")
	t.Setenv("HOME", t.TempDir())
	code := Run([]string{"shell", "--sandbox"}, in, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if got, want := stdout.String(), "n\n60\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	if !strings.Contains(stderr.String(), "no such column: nosuch") {
		t.Errorf("stderr = %q, want the error", stderr.String())
	}
}

func TestShellUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Run([]string{"shell", "--help"}, nil, &stdout, &stderr); code != 0 {
		t.Errorf("shell --help: exit code %d, want 0", code)
	}
	for _, want := range []string{"Usage: apiql shell", "Examples:", "apiql shell --sandbox", "-sandbox", "-o format"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("shell --help output (stdout) lacks %q:\n%s", want, stdout.String())
		}
	}
	stderr.Reset()
	if code := Run([]string{"shell", "SELECT 1"}, nil, &stdout, &stderr); code != 2 {
		t.Errorf("shell with an argument: exit code %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "apiql exec") {
		t.Errorf("shell with an argument: %q, want a hint at apiql exec", stderr.String())
	}
}
