// Package engine runs apiql statements. It splits and classifies the text,
// resolves resource references against the registry, chooses a method per
// reference and what to push down to it, fetches the rows through the
// provider runtime into a private in-memory SQLite database, and runs the
// user's own SQL there. Writes (INSERT, UPDATE, DELETE, EXEC) become checked
// method calls.
package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync/atomic"
	"time"

	"github.com/apiql/apiql/engine/sqltext"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/registry"
)

// Options configure a Session.
type Options struct {
	Registry *registry.Registry
	Client   *provider.Client
	// DryRun, when set, receives the HTTP requests a write would send, and
	// none is sent.
	DryRun io.Writer
	// ReadOnly refuses INSERT, UPDATE, DELETE and EXEC of methods that are
	// not reads.
	ReadOnly bool
	// ReadOnlyHint is the hint of a write refused in read-only mode: how
	// the front end that opened the session allows writes ("restart apiql
	// serve with --allow-writes"). Empty means "run without --read-only to
	// change resources", the flag of exec and shell.
	ReadOnlyHint string
	// CacheTTL, when positive, lets later statements reuse rows fetched with
	// the same method and params for that long.
	CacheTTL time.Duration
	// Concurrency bounds the calls a fan-out (IN lists, writes) makes at
	// once; 0 means 8.
	Concurrency int
	// Progress, when set, is told about fetched pages and rows.
	Progress func(ProgressEvent)
	// StatementTimeout, when positive, bounds each statement: past it the
	// statement's requests are cancelled and it fails.
	StatementTimeout time.Duration
	// Connections are the named connections (accounts) of each provider;
	// nil means each provider's one implicit default.
	Connections *provider.Connections
	// ConnectionScope is the session's initial scope (SetConnectionScope).
	ConnectionScope []string
	// TokenFrom, when it has a provider's name, is what SHOW CONNECTIONS
	// says that provider's token comes from, in place of the environment
	// variable it names (a sandbox reads no environment).
	TokenFrom map[string]string
	// MemoryLimit bounds the memory SQLite may use, in bytes (the fetched
	// rows and the work of the statements over them); 0 means
	// DefaultMemoryLimit. One value may use at most a quarter of it.
	MemoryLimit int64
	// Stream lets a statement that only copies one resource's rows out
	// (SELECT * or plain columns, every condition applied by the API, one
	// call) yield its rows as the pages arrive, before the last page is
	// fetched: a consumer then sees an API failure on a later page as
	// Rows.Err after the rows of the pages before it. Set it where such
	// rows are undone (an export's file, a sync's transaction); without
	// it, rows come only once every page is in.
	Stream bool
	// MaxCalls bounds the API calls one statement may make (a paginated
	// call counts once); a statement whose plan needs more is refused
	// before the calls are sent. 0 means DefaultMaxCalls.
	MaxCalls int
}

// DefaultMaxCalls is MaxCalls when it is not set.
const DefaultMaxCalls = 1000

// ProgressEvent reports a fetch's progress.
type ProgressEvent struct {
	Resource string
	// Pages fetched so far, of TotalPages (0 while not known).
	Pages      int
	TotalPages int
	Rows       int
	Done       bool
}

// Session is one user's connection: its own SQLite database, HTTP client
// and settings. A Session runs one statement at a time; it is not safe for
// concurrent use.
type Session struct {
	opts  Options
	reg   *registry.Registry
	cl    *provider.Client
	db    *sql.DB
	conn  *sql.Conn
	guard *guard

	tableSeq int
	// tableNames maps the current statement's tables to their resources,
	// so that SQLite's messages name resources, not tables.
	tableNames map[string]string
	cache      map[string]*cached
	// scope is the connections read when a statement names none (see
	// SetConnectionScope); clients are the clients of named connections.
	scope   []string
	clients map[string]*provider.Client
	// calls counts the current statement's API calls, callsBy per resource.
	calls   int
	callsBy map[string]int
	// writesDone and writesMaybe count the write calls the session has
	// sent, over its life, that acted (a 2xx) or may have (no answer said).
	writesDone, writesMaybe int
	// readConns, while a write's subquery runs, records the connections
	// its references read, by provider (writeSubqueryConns).
	readConns map[string][]string
}

type cached struct {
	table   string
	fetched time.Time
}

// NewSession opens a session with its own in-memory SQLite database,
// created on first use.
func NewSession(ctx context.Context, opts Options) (*Session, error) {
	if opts.Registry == nil {
		return nil, fmt.Errorf("engine: no registry")
	}
	if opts.Client == nil {
		opts.Client = &provider.Client{Retry: provider.DefaultRetry}
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.Connections == nil {
		opts.Connections, _ = provider.LoadConnections("", false)
	}
	if opts.MaxCalls <= 0 {
		opts.MaxCalls = DefaultMaxCalls
	}
	// Every token the environment holds is masked by every connection's
	// client, not only by the one that sends it.
	opts.Client.AddEnvSecrets(opts.Registry, opts.Connections)
	s := &Session{opts: opts, reg: opts.Registry, cl: opts.Client, cache: map[string]*cached{}, scope: opts.ConnectionScope, clients: map[string]*provider.Client{}, callsBy: map[string]int{}}
	return s, nil
}

// ready opens the session's database on first use, so that statements
// that need none (SHOW, DESCRIBE, EXEC) do not pay for it.
func (s *Session) ready(ctx context.Context) error {
	if s.conn != nil {
		return nil
	}
	return s.open(ctx)
}

// Registry returns the session's registry.
func (s *Session) Registry() *registry.Registry { return s.reg }

// WritesSent returns how many write calls (INSERT, UPDATE, DELETE, or
// EXEC of a method that is not a GET) the session has sent over its life
// that the API did (done) or may have done (maybe: no answer said).
// Nothing undoes them: a front end that offers transactions tells a
// ROLLBACK how many were sent since its BEGIN.
func (s *Session) WritesSent() (done, maybe int) { return s.writesDone, s.writesMaybe }

// Client returns the session's HTTP client.
func (s *Session) Client() *provider.Client { return s.cl }

// ClearCache forgets every cached fetch.
func (s *Session) ClearCache() {
	for k, c := range s.cache {
		s.dropTable(context.Background(), c.table)
		delete(s.cache, k)
	}
}

// Close releases the session's database.
func (s *Session) Close() error {
	if s.conn == nil {
		return nil
	}
	s.conn.Close()
	return s.db.Close()
}

// Outcome is what one statement of a text did.
type Outcome struct {
	// N is the statement's 1-based number in the text.
	N         int
	Statement sqltext.Statement
	// Result is the statement's result, held whole, from Run; nil from
	// RunStream, and nil when the statement failed before any row. A
	// statement that failed after some rows (a write with RETURNING whose
	// later calls failed) has both Result and Err.
	Result *Result
	// RowCount is how many rows the statement yielded.
	RowCount int
	Err      error
	// Elapsed is the statement's time, reading its rows included.
	Elapsed time.Duration
	// Requests, Pages and Bytes count the HTTP traffic of the statement.
	Requests, Pages, Bytes int64
	// Calls counts the statement's API calls per resource (a paginated
	// call once, whatever its pages), in resource order.
	Calls []ResourceCalls
}

// ResourceCalls is the number of API calls a statement made on one resource.
type ResourceCalls struct {
	Resource string
	Calls    int
}

// Run splits src into statements and runs them in order, calling fn after
// each with its result held whole. Run stops when fn returns false, and
// returns the first split error (an unterminated string, say) before
// running anything. RunStream does the same without holding results.
func (s *Session) Run(ctx context.Context, src string, fn func(Outcome) bool) error {
	var res *Result
	return s.RunStream(ctx, src, func(_ Outcome, rows *Rows) error {
		res, _ = rows.Collect()
		return nil
	}, func(o Outcome) bool {
		o.Result, res = res, nil
		if o.Err != nil && o.RowCount == 0 {
			o.Result = nil
		}
		return fn(o)
	})
}

// RunStream splits src into statements and runs them in order, streaming
// each one's rows. For a statement that starts (its Columns and Message
// are known, and no row is read yet), read is called with its rows open
// and with an Outcome that has only N and Statement; it reads what it
// wants (usually every row) and returns nil, or an error to stop the run
// (the output could not be written, say), which RunStream then returns.
// RunStream then closes the rows and calls done with the statement's
// Outcome: its Err is the error that stopped the statement, before its
// rows or among them, and Elapsed and the traffic include reading them.
// RunStream stops when done returns false, and returns the first split
// error before running anything.
func (s *Session) RunStream(ctx context.Context, src string, read func(Outcome, *Rows) error, done func(Outcome) bool) error {
	stmts, err := sqltext.Split(src)
	if err != nil {
		var le *sqltext.Error
		e := &Error{Msg: err.Error(), Err: err}
		if ok := asLexError(err, &le); ok {
			e.Msg = le.Msg
			e.Line, e.Col = sqltext.LineCol(src, le.Pos)
		}
		return e
	}
	for i, st := range stmts {
		st0 := s.stats()
		start := time.Now()
		sctx, cancel := ctx, context.CancelFunc(func() {})
		if s.opts.StatementTimeout > 0 {
			sctx, cancel = context.WithTimeout(ctx, s.opts.StatementTimeout)
		}
		o := Outcome{N: i + 1, Statement: st}
		rows, err := s.Stream(sctx, st)
		if err == nil {
			rerr := read(o, rows)
			if rerr == nil {
				for rows.Next() {
					// Whatever read left unread is still the statement's.
				}
			}
			err = rows.Err()
			o.RowCount = rows.Count()
			rows.Close()
			if rerr != nil {
				cancel()
				return rerr
			}
		}
		if err != nil && sctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			msg := fmt.Sprintf("the statement took longer than %v and was stopped", s.opts.StatementTimeout)
			var e *Error
			if errors.As(err, &e) && e.Err == nil {
				msg += ": " + e.Msg // what a write had done by then
			}
			err = errorf(-1, "raise --statement-timeout", "%s", msg)
		}
		cancel()
		o.Elapsed = time.Since(start)
		o.Calls = s.callsMade()
		st1 := s.stats()
		o.Requests, o.Pages, o.Bytes = st1[0]-st0[0], st1[1]-st0[1], st1[2]-st0[2]
		if err != nil {
			o.Err = locate(err, i+1, st, src)
		}
		if !done(o) {
			break
		}
	}
	return nil
}

func (s *Session) stats() [3]int64 {
	var out [3]int64
	for _, cl := range append([]*provider.Client{s.cl}, s.namedClients()...) {
		st := cl.Stats()
		out[0] += st.Requests.Load()
		out[1] += st.Pages.Load()
		out[2] += st.Bytes.Load()
	}
	return out
}

func asLexError(err error, le **sqltext.Error) bool {
	e, ok := err.(*sqltext.Error)
	if ok {
		*le = e
	}
	return ok
}

// callsMade returns the current statement's calls per resource, sorted.
func (s *Session) callsMade() []ResourceCalls {
	var out []ResourceCalls
	for r, n := range s.callsBy {
		if n > 0 {
			out = append(out, ResourceCalls{Resource: r, Calls: n})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Resource < out[j].Resource })
	return out
}

// Exec runs one statement and returns its result held whole. When the
// statement failed after some rows (see Rows.Err), both are returned.
func (s *Session) Exec(ctx context.Context, st sqltext.Statement) (*Result, error) {
	rows, err := s.Stream(ctx, st)
	if err != nil {
		return nil, err
	}
	return rows.Collect()
}

// Stream runs one statement and returns its rows open: a query's rows
// come from SQLite as it produces them (see Rows). The error is a failure
// before the first row; errors among the rows come from Rows.Err. The
// rows must be closed before the session runs another statement.
func (s *Session) Stream(ctx context.Context, st sqltext.Statement) (*Rows, error) {
	s.calls, s.callsBy = 0, map[string]int{}
	if len(st.Tokens) > 0 && st.Tokens[0].Is("WITH") && st.Kind != sqltext.Select {
		if t, ok := writeInQuery(st); ok {
			return nil, writeInWithError(t)
		}
	}
	switch st.Kind {
	case sqltext.Select:
		return s.query(ctx, st)
	case sqltext.Show:
		return rowsOf(s.show(st))
	case sqltext.Describe:
		return rowsOf(s.describe(st))
	case sqltext.Insert:
		return rowsOf(s.insert(ctx, st))
	case sqltext.Update:
		return rowsOf(s.update(ctx, st))
	case sqltext.Delete:
		return rowsOf(s.delete(ctx, st))
	case sqltext.Exec:
		return rowsOf(s.exec(ctx, st))
	case sqltext.Explain:
		return rowsOf(s.explain(ctx, st))
	}
	word := ""
	if len(st.Tokens) > 0 {
		word = st.Tokens[0].Text
	}
	return nil, errorf(0, "statements are SELECT, INSERT, UPDATE, DELETE, EXEC, SHOW, DESCRIBE and EXPLAIN",
		"%q statements are not supported", word)
}

// nextTable returns a fresh table name.
func (s *Session) nextTable() string {
	s.tableSeq++
	return fmt.Sprintf("apiql_%d", s.tableSeq)
}

var sessionSeq atomic.Int64

// readOnlyHint is the hint of a write refused in read-only mode.
func (s *Session) readOnlyHint() string {
	if s.opts.ReadOnlyHint != "" {
		return s.opts.ReadOnlyHint
	}
	return "run without --read-only to change resources"
}
