package engine

import (
	"context"
	"database/sql"
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
	internal atomic.Bool
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
	s.guard = &guard{}
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
	return nil
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
