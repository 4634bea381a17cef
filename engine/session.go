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
}

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
	s := &Session{opts: opts, reg: opts.Registry, cl: opts.Client, cache: map[string]*cached{}}
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
	Result    *Result
	Err       error
	Elapsed   time.Duration
	// Requests, Pages and Bytes count the HTTP traffic of the statement.
	Requests, Pages, Bytes int64
}

// Run splits src into statements and runs them in order, calling fn after
// each. Run stops when fn returns false, and returns the first split error
// (an unterminated string, say) before running anything.
func (s *Session) Run(ctx context.Context, src string, fn func(Outcome) bool) error {
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
		res, err := s.Exec(sctx, st)
		if err != nil && sctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			msg := fmt.Sprintf("the statement took longer than %v and was stopped", s.opts.StatementTimeout)
			var e *Error
			if errors.As(err, &e) && e.Err == nil {
				msg += ": " + e.Msg // what a write had done by then
			}
			err = errorf(-1, "raise --statement-timeout", "%s", msg)
		}
		cancel()
		o := Outcome{N: i + 1, Statement: st, Result: res, Elapsed: time.Since(start)}
		st1 := s.stats()
		o.Requests, o.Pages, o.Bytes = st1[0]-st0[0], st1[1]-st0[1], st1[2]-st0[2]
		if err != nil {
			o.Err = locate(err, i+1, st, src)
		}
		if !fn(o) {
			break
		}
	}
	return nil
}

func (s *Session) stats() [3]int64 {
	st := s.cl.Stats()
	return [3]int64{st.Requests.Load(), st.Pages.Load(), st.Bytes.Load()}
}

func asLexError(err error, le **sqltext.Error) bool {
	e, ok := err.(*sqltext.Error)
	if ok {
		*le = e
	}
	return ok
}

// Exec runs one statement.
func (s *Session) Exec(ctx context.Context, st sqltext.Statement) (*Result, error) {
	if len(st.Tokens) > 0 && st.Tokens[0].Is("WITH") && st.Kind != sqltext.Select {
		if t, ok := writeInQuery(st); ok {
			return nil, writeInWithError(t)
		}
	}
	switch st.Kind {
	case sqltext.Select:
		return s.query(ctx, st)
	case sqltext.Show:
		return s.show(st)
	case sqltext.Describe:
		return s.describe(st)
	case sqltext.Insert:
		return s.insert(ctx, st)
	case sqltext.Update:
		return s.update(ctx, st)
	case sqltext.Delete:
		return s.delete(ctx, st)
	case sqltext.Exec:
		return s.exec(ctx, st)
	}
	word := ""
	if len(st.Tokens) > 0 {
		word = st.Tokens[0].Text
	}
	return nil, errorf(0, "statements are SELECT, INSERT, UPDATE, DELETE, EXEC, SHOW and DESCRIBE",
		"%q statements are not supported", word)
}

// nextTable returns a fresh table name.
func (s *Session) nextTable() string {
	s.tableSeq++
	return fmt.Sprintf("apiql_%d", s.tableSeq)
}

var sessionSeq atomic.Int64
