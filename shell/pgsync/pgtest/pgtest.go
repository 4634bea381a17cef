// Package pgtest runs a private PostgreSQL server for tests and
// benchmarks: a cluster initialized in a temporary folder, listening on a
// free loopback port, with password authentication, torn down by Stop.
// Nothing is mocked: it runs Debian's (or any) PostgreSQL binaries, found
// under /usr/lib/postgresql/*/bin or on PATH.
//
// When the binaries are missing, tests are skipped, except under CI=true,
// where a missing server is a failure (.ci/run installs it).
//
// As root, initdb and postgres refuse to run: the cluster then runs as
// the user postgres (or nobody), which owns the temporary folder.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// User and Password are the cluster's superuser and its password.
const (
	User     = "apiql"
	Password = "pg-secret-Zq7"
)

// Cluster is a running private PostgreSQL server.
type Cluster struct {
	// Host and Port are where it listens.
	Host string
	Port int
	dir  string
	cmd  *exec.Cmd
	// exited is closed when the server process has exited.
	exited chan struct{}
	cred   *syscall.Credential
	mu     sync.Mutex
	dbs    int
}

var (
	shared     *Cluster
	sharedErr  error
	sharedOnce sync.Once
)

// DB returns the URL of a new, empty database on the test binary's shared
// cluster, starting the cluster on first use. It skips the test when no
// PostgreSQL server is installed (fails under CI=true).
func DB(tb testing.TB) string {
	tb.Helper()
	sharedOnce.Do(func() { shared, sharedErr = Start() })
	if sharedErr != nil {
		if errors.Is(sharedErr, errNoServer) && os.Getenv("CI") != "true" {
			tb.Skip(sharedErr)
		}
		tb.Fatal(sharedErr)
	}
	url, err := shared.NewDatabase()
	if err != nil {
		tb.Fatal(err)
	}
	return url
}

// Private starts a cluster for one test, stopped when the test ends (for
// packages without a TestMain that calls StopShared). Like DB, it skips
// when no server is installed, unless CI=true.
func Private(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := Start()
	if err != nil {
		if errors.Is(err, errNoServer) && os.Getenv("CI") != "true" {
			tb.Skip(err)
		}
		tb.Fatal(err)
	}
	tb.Cleanup(c.Stop)
	return c
}

// StopShared stops the shared cluster, if DB started one. Call it from
// TestMain after m.Run.
func StopShared() {
	if shared != nil {
		shared.Stop()
	}
}

var errNoServer = errors.New("no PostgreSQL server installed (apt-get install postgresql)")

// binDir finds the folder of initdb and postgres: the newest
// /usr/lib/postgresql/N/bin, else PATH.
func binDir() (string, error) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(matches, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(matches[i]))))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(matches[j]))))
		return vi > vj
	})
	if len(matches) > 0 {
		return filepath.Dir(matches[0]), nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errNoServer
}

// Start initializes and starts a cluster.
func Start() (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	// As root the cluster runs as another user, who must reach the folder:
	// /tmp is world-traversable where $TMPDIR may not be.
	base := ""
	if os.Geteuid() == 0 {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, "apiql-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Host: "127.0.0.1", dir: dir}
	if os.Geteuid() == 0 {
		if c.cred, err = unprivileged(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		if err := os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	fail := func(err error) (*Cluster, error) {
		c.Stop()
		return nil, err
	}
	pwfile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwfile, []byte(Password+"\n"), 0o600); err != nil {
		return fail(err)
	}
	if c.cred != nil {
		os.Chown(pwfile, int(c.cred.Uid), int(c.cred.Gid))
	}
	initdb := c.command(filepath.Join(bin, "initdb"), "-D", filepath.Join(dir, "data"), "-U", User,
		"--pwfile", pwfile, "--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C", "--no-sync")
	if out, err := initdb.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("initdb: %v\n%s", err, out))
	}
	// A free port: taken from the kernel, released, then given to postgres.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	c.Port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	logf, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		return fail(err)
	}
	defer logf.Close()
	c.cmd = c.command(filepath.Join(bin, "postgres"), "-D", filepath.Join(dir, "data"),
		"-p", strconv.Itoa(c.Port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+dir,
		"-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off", "-c", "max_connections=200")
	c.cmd.Stdout, c.cmd.Stderr = logf, logf
	if err := c.cmd.Start(); err != nil {
		return fail(fmt.Errorf("starting postgres: %w", err))
	}
	c.exited = make(chan struct{})
	go func() { c.cmd.Wait(); close(c.exited) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return c, nil
		}
		select {
		case <-c.exited:
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			return fail(fmt.Errorf("postgres exited: %s", log))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("postgres did not accept connections within 60s: %v", err))
		}
	}
}

// unprivileged returns the credentials of the user postgres, else nobody.
func unprivileged() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root, and there is no user postgres or nobody to run PostgreSQL as")
}

func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd
}

// URL is the address of database db, with the superuser's password.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", User, Password, c.Host, c.Port, db)
}

// NewDatabase creates an empty database and returns its URL.
func (c *Cluster) NewDatabase() (string, error) {
	c.mu.Lock()
	c.dbs++
	name := "t" + strconv.Itoa(c.dbs)
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	return c.URL(name), nil
}

// Stop shuts the server down (fast shutdown) and removes its folder.
func (c *Cluster) Stop() {
	if c.exited != nil {
		c.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-c.exited:
		case <-time.After(20 * time.Second):
			c.cmd.Process.Kill()
			<-c.exited
		}
	}
	if c.dir != "" && strings.Contains(c.dir, "apiql-pg-") {
		os.RemoveAll(c.dir)
	}
}
