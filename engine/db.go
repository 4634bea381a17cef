package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// driverName is go-sqlite3 registered with apiql's connect hook, which
// installs the guard's authorizer on every connection.
const driverName = "apiql_sqlite3"

var (
	registerOnce sync.Once
)

func registerDriver() {
	registerOnce.Do(func() {
		sql.Register(driverName, &sqlite3.SQLiteDriver{
			ConnectHook: func(c *sqlite3.SQLiteConn) error {
				// The hook cannot see the DSN, so the guard in use is
				// looked up by the session that is opening (see open).
				g, _ := pendingGuard.Load().(*guard)
				if g == nil {
					return fmt.Errorf("apiql: connection opened outside a session")
				}
				c.RegisterAuthorizer(g.authorize)
				// No value (a string a query builds, a page bound for
				// insert) may pass the session's bound.
				c.SetLimit(sqlite3.SQLITE_LIMIT_LENGTH, g.maxLength)
				return nil
			},
		})
	})
}

// pendingGuard hands a session's guard to the connect hook while the
// session opens its one connection.
var (
	pendingGuard atomic.Value
	openMu       sync.Mutex
)

// guard is the authorizer of a session's SQLite connection. While internal
// is false (the user's SQL is running) it refuses everything that writes,
// attaches files, changes the schema or loads code: the user's SQL may read
// the materialized tables and nothing else.
type guard struct {
	// maxLength is the connection's SQLITE_LIMIT_LENGTH, set when it opens.
	maxLength int
	internal  atomic.Bool
	// denied records the last refused action, for the error message.
	denied atomic.Value
}

func (g *guard) authorize(op int, arg1, arg2, arg3 string) int {
	if g.internal.Load() {
		return sqlite3.SQLITE_OK
	}
	switch op {
	case sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqliteRecursive:
		return sqlite3.SQLITE_OK
	case sqlite3.SQLITE_FUNCTION:
		if strings.EqualFold(arg2, "load_extension") {
			g.denied.Store("load_extension()")
			return sqlite3.SQLITE_DENY
		}
		return sqlite3.SQLITE_OK
	case sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH:
		g.denied.Store("ATTACH and DETACH")
	case sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE:
		g.denied.Store("writing to table " + arg1)
	case sqlite3.SQLITE_PRAGMA:
		g.denied.Store("PRAGMA " + arg1)
	default:
		g.denied.Store("changing the database")
	}
	return sqlite3.SQLITE_DENY
}

// open creates the session's private in-memory database and pins its one
// connection.
func (s *Session) open(ctx context.Context) error {
	registerDriver()
	s.guard = &guard{maxLength: int(min(s.memoryLimit()/4, maxValueLength))}
	n := sessionSeq.Add(1)
	// A named in-memory database private to this process and session.
	dsn := fmt.Sprintf("file:apiql_session_%d?mode=memory&cache=private&_foreign_keys=0", n)
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	openMu.Lock()
	pendingGuard.Store(s.guard)
	conn, err := db.Conn(ctx)
	pendingGuard.Store((*guard)(nil))
	openMu.Unlock()
	if err != nil {
		db.Close()
		return err
	}
	s.db, s.conn = db, conn
	// The heap limit is SQLite's, for the whole process; the sessions of
	// one process share the binary's setting. Sorts and temporary indexes
	// stay in memory, under it, rather than in files it does not bound.
	limits := fmt.Sprintf("PRAGMA hard_heap_limit = %d; PRAGMA temp_store = MEMORY", s.memoryLimit())
	if err := s.internal(func() error { _, err := conn.ExecContext(ctx, limits); return err }); err != nil {
		s.Close()
		s.db, s.conn = nil, nil
		return err
	}
	return nil
}

// DefaultMemoryLimit is the memory SQLite may use when Options.MemoryLimit
// is 0: the fetched rows and what the statements over them compute.
const DefaultMemoryLimit = 2 << 30

// maxValueLength bounds one value (string or blob) in SQLite: a quarter of
// the memory limit, and at most 512 MiB.
const maxValueLength = 512 << 20

func (s *Session) memoryLimit() int64 {
	if s.opts.MemoryLimit > 0 {
		return s.opts.MemoryLimit
	}
	return DefaultMemoryLimit
}

// limitError turns SQLite's report of a bound reached into an error that
// says which bound and what to do; other errors come back as they are.
func (s *Session) limitError(err error) error {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code {
	case sqlite3.ErrNomem:
		return errorf(-1, "raise --memory-limit, or fetch and compute less (a WHERE the API applies, fewer columns, a LIMIT)",
			"the statement needs more memory than apiql lets SQLite use (%s)", sizeText(s.memoryLimit()))
	case sqlite3.ErrTooBig:
		return errorf(-1, "a value this large is almost always a runaway expression (printf, replace, zeroblob, group_concat); raise --memory-limit if it is meant",
			"a value passed %s, the largest apiql lets SQLite build (a quarter of --memory-limit, at most %s)", sizeText(int64(s.guard.maxLength)), sizeText(maxValueLength))
	}
	return err
}

// sizeText renders a byte count in the largest whole binary unit.
func sizeText(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// internal runs fn with the guard lifted, for apiql's own statements.
func (s *Session) internal(fn func() error) error {
	s.guard.internal.Store(true)
	defer s.guard.internal.Store(false)
	return fn()
}

func (s *Session) dropTable(ctx context.Context, name string) {
	_ = s.internal(func() error {
		_, err := s.conn.ExecContext(ctx, `DROP VIEW IF EXISTS `+quoteIdent(name+"_v"))
		_, err2 := s.conn.ExecContext(ctx, `DROP TABLE IF EXISTS `+quoteIdent(name))
		if err != nil {
			return err
		}
		return err2
	})
}

// quoteIdent quotes an SQLite identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// sqliteRecursive is SQLITE_RECURSIVE, the authorizer code of a recursive
// CTE, which go-sqlite3 does not export.
const sqliteRecursive = 33
