package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/registry"
	"github.com/apiql/apiql/shell"
)

// config holds the flags that exec and shell share.
type config struct {
	registryDirs listFlag
	sandbox      bool
	output       string
	noHeaders    bool
	dryRun       bool
	readOnly     bool
	// readOnlyHint replaces the hint of a write refused in read-only
	// mode, for a command that is read-only whatever its flags (export).
	readOnlyHint string
	retries      int
	timeout      time.Duration
	concurrency  int
	cacheTTL     time.Duration
	// stream is set by the commands whose output undoes itself on a
	// failure (export's file, sync's transaction): see engine.Options.Stream.
	stream       bool
	debug        bool
	vars         listFlag
	varFiles     listFlag
	timing       bool
	stmtTimeout  time.Duration
	sandboxSize  int
	configFile   string
	connection   string
	maxResponse  byteSize
	maxRetryWait time.Duration
	null         optString
	memoryLimit  byteSize
	maxCalls     int
}

// byteSize is a flag of a size in bytes, written 67108864, 64MiB, 512KiB or 1GiB.
type byteSize int64

func (b *byteSize) String() string {
	n := int64(*b)
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + "GiB"
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "KiB"
	}
	return strconv.FormatInt(n, 10)
}

func (b *byteSize) Set(v string) error {
	s := strings.TrimSpace(v)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return fmt.Errorf("want a positive size such as 64MiB, 512KiB or 1GiB, not %q", v)
	}
	*b = byteSize(n * mult)
	return nil
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func (c *config) register(fs *flag.FlagSet) {
	fs.Var(&c.registryDirs, "registry", "add provider folders from `DIR` on top of the built-in registry (repeatable; also APIQL_REGISTRY, a list separated by "+string(os.PathListSeparator)+")")
	fs.BoolVar(&c.sandbox, "sandbox", false, "query the built-in DigitalOcean emulator with its sample data; needs no token")
	fs.IntVar(&c.sandboxSize, "sandbox-images", 60, "number of images in the sandbox's sample data")
	fs.StringVar(&c.output, "o", "", "output `format`: table, json, jsonl, csv, markdown, text (default table)")
	fs.StringVar(&c.output, "output", "", "same as -o")
	fs.BoolVar(&c.noHeaders, "H", false, "omit header rows (csv, text, table, markdown)")
	fs.Var(&c.null, "null", "print NULL as `STRING` in table, markdown, csv and text (default: null in table and markdown, an empty field in csv, \\N in text; json prints null)")
	fs.BoolVar(&c.dryRun, "dry-run", false, "print the HTTP requests that writes would send, and send none")
	fs.BoolVar(&c.readOnly, "read-only", false, "refuse INSERT, UPDATE, DELETE and EXEC of methods that change anything")
	fs.IntVar(&c.retries, "retries", provider.DefaultRetry.Retries, "retries of a failed request (reads on 429, 5xx and connection errors; writes only when provably not sent)")
	fs.DurationVar(&c.timeout, "timeout", 45*time.Second, "timeout of each HTTP request")
	fs.IntVar(&c.concurrency, "concurrency", 8, "pages and calls fetched at once")
	fs.DurationVar(&c.cacheTTL, "cache-ttl", 0, "reuse rows fetched with the same method and params for this long (e.g. 60s); off by default")
	fs.BoolVar(&c.debug, "debug", false, "log each HTTP request to stderr (the token masked)")
	fs.Var(&c.vars, "var", "set a query-file variable: `KEY=VALUE` (repeatable)")
	fs.Var(&c.varFiles, "vars", "read query-file variables from a JSON object `FILE` (repeatable)")
	fs.DurationVar(&c.stmtTimeout, "statement-timeout", 5*time.Minute, "the longest one statement may run, requests, retries and SQL included; raise it for long fetches, 0 for none")
	fs.StringVar(&c.configFile, "config", "", "read named connections (accounts) from `FILE` (default $APIQL_CONFIG, else $XDG_CONFIG_HOME/apiql/config.yaml)")
	fs.StringVar(&c.connection, "connection", "", "the connections a statement reads when it names none: `NAMES` separated by commas, all, or default (each provider's default)")
	c.maxResponse = provider.DefaultMaxResponseSize
	fs.Var(&c.maxResponse, "max-response-size", "the largest response apiql reads, as `SIZE` such as 64MiB or 1GiB; a larger one fails its statement")
	fs.DurationVar(&c.maxRetryWait, "max-retry-wait", provider.DefaultMaxRetryWait, "the longest wait for an API's Retry-After before a retry; an API that asks for longer fails the request at once (waits over 2s are told on stderr)")
	fs.Var(&c.memoryLimit, "memory-limit", "the memory SQLite may use for fetched rows and the SQL over them, e.g. 4GiB (default 2GiB); one value may use a quarter of it")
	fs.BoolVar(&c.timing, "timing", false, "print rows, time, HTTP requests, pages and bytes of each statement to stderr")
	fs.IntVar(&c.maxCalls, "max-calls", engine.DefaultMaxCalls, "the most API calls one statement may make; a statement that needs more is refused before they are sent")
}

// check refuses flag values that cannot work, before anything runs.
func (c *config) check() error {
	switch {
	case c.timeout <= 0:
		return fmt.Errorf("--timeout must be positive, e.g. 45s; got %v", c.timeout)
	case c.stmtTimeout < 0:
		return fmt.Errorf("--statement-timeout must be 0 (none) or positive; got %v", c.stmtTimeout)
	case c.concurrency < 1:
		return fmt.Errorf("--concurrency must be at least 1; got %d", c.concurrency)
	case c.retries < 0:
		return fmt.Errorf("--retries must be 0 or more; got %d", c.retries)
	case c.cacheTTL < 0:
		return fmt.Errorf("--cache-ttl must be 0 (off) or positive; got %v", c.cacheTTL)
	case c.maxRetryWait <= 0:
		return fmt.Errorf("--max-retry-wait must be positive, e.g. 1m; got %v", c.maxRetryWait)
	case c.memoryLimit != 0 && c.memoryLimit < 16<<20:
		return fmt.Errorf("--memory-limit must be at least 16MiB, e.g. 4GiB; got %d bytes", c.memoryLimit)
	case c.maxCalls < 1:
		return fmt.Errorf("--max-calls must be at least 1; got %d", c.maxCalls)
	case c.sandboxSize < 1:
		return fmt.Errorf("--sandbox-images must be at least 1; got %d", c.sandboxSize)
	}
	return nil
}

// format returns the output format; out is where results go.
func (c *config) format(out io.Writer) (shell.Format, error) {
	if c.output == "" {
		// Table everywhere, as StackQL does; scripts choose -o csv, json or text.
		return shell.FormatTable, nil
	}
	return shell.ParseFormat(c.output)
}

// openSession loads the registry, starts the sandbox when asked, and opens
// an engine session. The returned func releases everything.
func (c *config) openSession(ctx context.Context, stderr io.Writer, prog *progress) (*engine.Session, func(), error) {
	opts, cleanup, err := c.engineOptions(stderr, prog)
	if err != nil {
		return nil, nil, err
	}
	sess, err := engine.NewSession(ctx, opts)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return sess, func() { sess.Close(); cleanup() }, nil
}

// engineOptions loads the registry and the connections, starts the
// sandbox when asked, and makes the options of engine sessions. The
// returned func releases them.
func (c *config) engineOptions(stderr io.Writer, prog *progress) (engine.Options, func(), error) {
	// APIQL_REGISTRY first, then --registry; empty entries (as X=$X:dir
	// leaves) are skipped, as in PATH.
	var dirs []string
	for _, d := range append(filepath.SplitList(os.Getenv("APIQL_REGISTRY")), c.registryDirs...) {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	reg, err := registry.Load(dirs...)
	if err != nil {
		return engine.Options{}, nil, err
	}
	for _, p := range reg.Providers {
		if p.Replaces != "" {
			fmt.Fprintf(stderr, "apiql: provider %s comes from the registry folder %s, which replaces the built-in one (SHOW PROVIDERS says so)\n", p.Name, p.Source)
		}
	}
	scope, err := shell.ParseConnectionScope(c.connection)
	if err != nil {
		return engine.Options{}, nil, fmt.Errorf("--%s", err)
	}
	var conns *provider.Connections
	if !c.sandbox {
		// The sandbox reads no config: its one connection is the emulator.
		path, must := provider.ConfigPath(c.configFile, os.Getenv)
		if conns, err = provider.LoadConnections(path, must); err != nil {
			return engine.Options{}, nil, err
		}
		var known []string
		for _, p := range reg.Providers {
			known = append(known, p.Name)
		}
		if err := conns.CheckProviders(known); err != nil {
			return engine.Options{}, nil, err
		}
		for _, w := range conns.Warnings {
			fmt.Fprintln(stderr, "warning: "+w)
		}
	}
	if err := shell.CheckConnectionScope(scope, conns); err != nil {
		return engine.Options{}, nil, fmt.Errorf("--connection: %v", err)
	}
	getenv := os.Getenv
	cleanup := func() {}
	transport := &http.Transport{MaxIdleConnsPerHost: max(c.concurrency, 2) * 2, Proxy: http.ProxyFromEnvironment}
	var allow func(*registry.Provider) error
	if c.sandbox {
		url, stop, err := startSandbox(c.sandboxSize, reg)
		if err != nil {
			return engine.Options{}, nil, fmt.Errorf("starting the sandbox: %w", err)
		}
		cleanup = stop
		getenv = sandboxEnv(reg, url)
		allow = sandboxAllow
		closeSandbox(transport, strings.TrimPrefix(url, "http://"))
	}
	client := &provider.Client{
		Getenv:      getenv,
		Retry:       provider.RetryPolicy{Retries: c.retries, Base: provider.DefaultRetry.Base, Max: provider.DefaultRetry.Max},
		Timeout:     c.timeout,
		Concurrency: c.concurrency,
		HTTP:        &http.Client{Transport: transport},
		Allow:       allow,

		MaxResponseSize: int64(c.maxResponse),
		MaxRetryWait:    c.maxRetryWait,
	}
	if c.retries < 0 {
		client.Retry.Retries = 0
	}
	// The client logs from the goroutines that fetch pages and make calls
	// at once: their writes to stderr take turns.
	log := &syncWriter{w: stderr}
	// --debug lines and --dry-run requests quote URLs and bodies, which
	// may hold a token typed in a statement: any connection's, also one
	// whose token command has not run (the client masks those it knows).
	var logMasked io.Writer = log
	if c.debug || c.dryRun {
		logMasked = maskSecrets(log, allTokens(reg, conns))
	}
	if c.debug {
		client.Debug = logMasked
	}
	client.Notice = func(n provider.Note) { prog.note(log, n) }
	opts := engine.Options{
		Registry:    reg,
		Client:      client,
		ReadOnly:    c.readOnly,
		CacheTTL:    c.cacheTTL,
		Concurrency: c.concurrency,
		Progress:    prog.event,
		MaxCalls:    c.maxCalls,
		Stream:      c.stream,

		StatementTimeout: c.stmtTimeout,
		Connections:      conns,
		ConnectionScope:  scope,
		MemoryLimit:      int64(c.memoryLimit),
	}
	opts.ReadOnlyHint = c.readOnlyHint
	if c.dryRun {
		opts.DryRun = logMasked
	}
	if c.sandbox {
		// The sandbox's token is its own, not the environment's.
		opts.TokenFrom = map[string]string{}
		for _, p := range reg.Providers {
			opts.TokenFrom[p.Name] = "none (the sandbox reads no environment)"
		}
		opts.TokenFrom[sandboxProvider] = "sandbox (built-in emulator)"
	}
	return opts, cleanup, nil
}

// syncWriter serializes the writes to w, so that goroutines may share it.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// sandboxProvider is the provider the built-in emulator stands in for.
const sandboxProvider = "digitalocean"

// sandboxToken is the token the sandbox accepts.
const sandboxToken = "sandbox"

// startSandbox serves the emulator on a loopback port; it serves reg's
// resources of the sandboxed provider.
func startSandbox(images int, reg *registry.Registry) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: emulator.New(emulator.Options{Images: images, Token: sandboxToken, NoRequestLog: true, Registry: reg}), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	// Close, not Shutdown: nothing is in flight when a session ends, and a
	// connection the client dialed but never used would hold Shutdown up.
	stop := func() { srv.Close() }
	return "http://" + ln.Addr().String(), stop, nil
}

// sandboxEnv points the sandboxed provider at the emulator, with the
// sandbox token. The sandbox reads no token and no URL of the real
// environment: every other variable is empty.
func sandboxEnv(reg *registry.Registry, url string) func(string) string {
	over := map[string]string{}
	if p := reg.Provider(sandboxProvider); p != nil {
		if p.BaseURLEnv != "" {
			over[p.BaseURLEnv] = url
		}
		for _, k := range p.Auth.TokenEnv {
			over[k] = sandboxToken
		}
	}
	return func(k string) string { return over[k] }
}

// sandboxAllow refuses, before any request is built, every provider but
// the one the emulator stands in for.
func sandboxAllow(p *registry.Provider) error {
	if p.Name == sandboxProvider {
		return nil
	}
	return fmt.Errorf("--sandbox serves only %s, from the built-in emulator; provider %q is not in the sandbox and nothing is sent to it: run without --sandbox to query it", sandboxProvider, p.Name)
}

// closeSandbox makes t dial the emulator's address only, with no proxy:
// with --sandbox no request leaves the machine, whatever URL it is for.
func closeSandbox(t *http.Transport, emulatorAddr string) {
	t.Proxy = nil
	var d net.Dialer
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr != emulatorAddr {
			return nil, fmt.Errorf("--sandbox sends nothing off this machine: refusing to connect to %s (only the emulator at %s)", addr, emulatorAddr)
		}
		return d.DialContext(ctx, network, addr)
	}
}
