package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestServeRefuses(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--addr", "0.0.0.0:5433"}, "without TLS"},
		{[]string{"serve", "--addr", "10.0.0.1:5433"}, "only loopback addresses are served in the clear"},
		{[]string{"serve", "--tls-cert", "cert.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"serve", "--addr", "127.0.0.1"}, "host:port"},
		{[]string{"serve", "extra"}, `unexpected argument "extra"`},
		{[]string{"serve", "--addr", "0.0.0.0:5433", "--tls-cert", "missing.pem", "--tls-key", "missing.key"}, "loading the TLS key pair"},
	} {
		r := runApiql(t, "", tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("apiql %q: want exit 2 and %q:\n%v", tc.args, tc.want, r)
		}
	}
}

// TestServeSandbox runs `apiql serve --sandbox` in a process of its own
// with no password set: it prints a generated password once, serves a pgx
// client with it, and stops cleanly on an interrupt.
func TestServeSandbox(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "--", "serve", "--sandbox", "--addr", "127.0.0.1:0")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "APIQL_SERVE_PASSWORD=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, helperEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 16)
	var all strings.Builder
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			all.WriteString(sc.Text() + "\n")
			select {
			case lines <- sc.Text():
			default:
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	var addr, password string
	deadline := time.After(20 * time.Second)
	for addr == "" || password == "" {
		select {
		case l := <-lines:
			if m := regexp.MustCompile(`^apiql serving the Postgres protocol at (127\.0\.0\.1:\d+) \(read-only\)$`).FindStringSubmatch(l); m != nil {
				addr = m[1]
			}
			if m := regexp.MustCompile(`^password \(generated, shown once; set APIQL_SERVE_PASSWORD to choose it\): (\S+)$`).FindStringSubmatch(l); m != nil {
				password = m[1]
			}
		case <-deadline:
			t.Fatalf("no address and password printed; stderr:\n%s", stderr.String())
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, "postgres://apiql:"+password+"@"+addr+"/apiql?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := c.QueryRow(ctx, "SELECT count(*) FROM digitalocean_images.images").Scan(&n); err != nil || n != 60 {
		t.Fatalf("count = %d, %v", n, err)
	}
	t.Logf("served %d images at %s", n, addr)
	c.Close(ctx)
	if _, err := pgx.Connect(ctx, "postgres://apiql:wrong@"+addr+"/apiql?sslmode=disable"); err == nil {
		t.Fatal("a wrong password was accepted")
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	<-drained
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v; stderr:\n%s", err, stderr.String())
	}
	if got := strings.Count(all.String()+stderr.String(), password); got != 1 {
		t.Fatalf("the password shows %d times, want once:\n%s%s", got, all.String(), stderr.String())
	}
}
