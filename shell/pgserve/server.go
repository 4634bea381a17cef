// Package pgserve serves apiql over the Postgres wire protocol (v3), so
// that psql, BI tools and any Postgres driver can query it. It is a front
// end, a peer of the shell: each connection gets its own engine.Session;
// the catalog clients read on connect (pg_catalog, information_schema) is
// built from the registry and answered by SQLite without calling the API.
// The protocol itself is github.com/jeroenrinzema/psql-wire.
package pgserve

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
	wire "github.com/jeroenrinzema/psql-wire"
	pgerror "github.com/jeroenrinzema/psql-wire/errors"
	"github.com/jeroenrinzema/psql-wire/pkg/types"
)

// Config configures a Server.
type Config struct {
	// Engine is the template of each connection's session options;
	// Registry is required. ReadOnly is set from AllowWrites.
	Engine engine.Options
	// Password is the one password clients log in with (any user name),
	// checked with SCRAM-SHA-256. Required.
	Password string
	// TLS, when set, lets clients upgrade to TLS (sslmode=require).
	TLS *tls.Config
	// AllowWrites lets INSERT, UPDATE, DELETE and EXEC of writing methods
	// run; without it every session is read-only.
	AllowWrites bool
	// Version is apiql's version, shown by version().
	Version string
	// Logger receives the protocol library's log; nil discards it.
	Logger *slog.Logger
	// Secrets are values no error a client sees may show (the API tokens
	// of the environment): they are masked (***), as is the password.
	Secrets []string
	// MoreSecrets, when set, gives more such values, asked for each error:
	// tokens known only once something has run (the token commands'
	// outputs; asking may run them).
	MoreSecrets func() []string
}

// Server is a Postgres wire protocol server over apiql.
type Server struct {
	cfg     Config
	wire    *wire.Server
	catalog *catalog
	catDB   *sql.DB

	mu      sync.Mutex
	conns   map[int32]*conn // by process id, for cancel requests
	pending map[string]*conn
	raw     map[string]net.Conn // the TCP connection of each remote address
	pg      map[string]*pgConn  // what psql-wire writes to, of each remote address
	nextPID int32
}

// New makes a server. It refuses a configuration without a password.
func New(cfg Config) (*Server, error) {
	if cfg.Engine.Registry == nil {
		return nil, errors.New("pgserve: no registry")
	}
	if cfg.Password == "" {
		return nil, errors.New("pgserve: a password is required")
	}
	cfg.Engine.ReadOnly = !cfg.AllowWrites
	// A client takes an error after rows as the statement's failure (the
	// protocol's ErrorResponse ends the result), so a scan's rows may
	// stream as the pages arrive.
	cfg.Engine.Stream = true
	if cfg.Engine.ReadOnlyHint == "" {
		cfg.Engine.ReadOnlyHint = "the server is read-only: restart apiql serve with --allow-writes to let clients change resources"
	}
	cat, err := newCatalog(cfg.Engine.Registry, cfg.AllowWrites)
	if err != nil {
		return nil, err
	}
	db, err := openCatalogDB(cat)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, catalog: cat, catDB: db, conns: map[int32]*conn{}, pending: map[string]*conn{}, raw: map[string]net.Conn{}, pg: map[string]*pgConn{}, nextPID: 1000}
	sc, err := newSCRAM(cfg.Password)
	if err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	opts := []wire.OptionFn{
		wire.Logger(logger),
		wire.SessionAuthStrategy(sc.strategy()),
		wire.GlobalParameters(wire.Parameters{
			"standard_conforming_strings":   "on",
			"DateStyle":                     "ISO, MDY",
			"TimeZone":                      "UTC",
			"integer_datetimes":             "on",
			"IntervalStyle":                 "postgres",
			"application_name":              "",
			"default_transaction_read_only": map[bool]string{true: "off", false: "on"}[cfg.AllowWrites],
		}),
		wire.BackendKeyData(s.backendKey),
		wire.SessionMiddleware(s.startSession),
		wire.CloseConn(s.closeSession),
		wire.CancelRequest(s.cancelRequest),
		wire.ErrorSanitizer(s.sanitize),
		wire.TxStatus(func(ctx context.Context) types.ServerStatus {
			c, ok := ctx.Value(connKey{}).(*conn)
			if ok && c.inTx {
				return types.ServerTransactionBlock
			}
			if ok && c.portals != nil {
				// Outside a transaction block, ReadyForQuery ends the
				// implicit transaction and with it the portals.
				c.portals.Close()
			}
			return types.ServerIdle
		}),
		wire.Portals(func() wire.PortalCache { return &portalCache{} }),
		wire.ExtendTypes(registerFloat8),
	}
	// TLS is not psql-wire's: pgConn answers SSLRequest (see startup.go).
	w, err := wire.NewServer(s.parse, opts...)
	if err != nil {
		return nil, err
	}
	s.wire = w
	return s, nil
}

// Serve accepts connections on ln until Close.
func (s *Server) Serve(ln net.Listener) error {
	return s.wire.Serve(&listener{Listener: ln, s: s})
}

// Close stops accepting connections and closes the open ones.
func (s *Server) Close() error {
	err := s.wire.Close()
	s.mu.Lock()
	for _, c := range s.raw {
		c.Close()
	}
	s.mu.Unlock()
	s.catDB.Close()
	return err
}

// sanitize masks the secrets in every error sent to a client: an error
// that quotes a statement's text or an API's answer never shows a token.
func (s *Server) sanitize(err error) error {
	d := pgerror.Flatten(err)
	secrets := append([]string{s.cfg.Password}, s.cfg.Secrets...)
	if s.cfg.MoreSecrets != nil {
		secrets = append(secrets, s.cfg.MoreSecrets()...)
	}
	mask := func(text string) string {
		for _, sec := range secrets {
			if sec != "" {
				text = provider.Mask(text, sec)
			}
		}
		return text
	}
	out := pgerror.WithCode(errors.New(mask(d.Message)), d.Code)
	if d.Hint != "" {
		out = pgerror.WithHint(out, mask(d.Hint))
	}
	if d.Detail != "" {
		out = pgerror.WithDetail(out, mask(d.Detail))
	}
	return pgerror.WithSeverity(out, d.Severity)
}

// Sessions returns how many client sessions are open.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// listener records each accepted TCP connection, so that a statement can
// notice its client has gone.
type listener struct {
	net.Listener
	s *Server
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.s.mu.Lock()
	pc := newPgConn(&trackedConn{Conn: c, s: l.s}, l.s.cfg.TLS)
	l.s.raw[c.RemoteAddr().String()] = c
	l.s.pg[c.RemoteAddr().String()] = pc
	l.s.mu.Unlock()
	return pc, nil
}

type trackedConn struct {
	net.Conn
	s    *Server
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.s.mu.Lock()
		delete(c.s.raw, c.RemoteAddr().String())
		delete(c.s.pg, c.RemoteAddr().String())
		c.s.mu.Unlock()
	})
	return c.Conn.Close()
}

// backendKey gives the connection its process id and secret for cancel
// requests, and creates its state.
func (s *Server) backendKey(ctx context.Context) (int32, int32) {
	var b [4]byte
	_, _ = rand.Read(b[:])
	secret := int32(binary.BigEndian.Uint32(b[:]))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextPID++
	c := &conn{s: s, pid: s.nextPID, secret: secret, settings: map[string]string{}}
	if addr := wire.RemoteAddress(ctx); addr != nil {
		c.raw = s.raw[addr.String()]
		c.out = s.pg[addr.String()]
		s.pending[addr.String()] = c
	}
	params := wire.ClientParameters(ctx)
	c.user = params[wire.ParamUsername]
	if c.user == "" {
		c.user = "apiql"
	}
	if app := params[wire.ParamApplicationName]; app != "" {
		c.settings["application_name"] = app
	}
	s.conns[c.pid] = c
	return c.pid, c.secret
}

type connKey struct{}

// startSession opens the connection's engine session.
func (s *Server) startSession(ctx context.Context) (context.Context, error) {
	addr := wire.RemoteAddress(ctx)
	if addr == nil {
		return ctx, errors.New("pgserve: connection without an address")
	}
	s.mu.Lock()
	c := s.pending[addr.String()]
	delete(s.pending, addr.String())
	s.mu.Unlock()
	if c == nil {
		return ctx, errors.New("pgserve: connection without backend key")
	}
	sess, err := engine.NewSession(ctx, s.cfg.Engine)
	if err != nil {
		return ctx, err
	}
	c.sess = sess
	return context.WithValue(ctx, connKey{}, c), nil
}

func (s *Server) closeSession(ctx context.Context) error {
	c, ok := ctx.Value(connKey{}).(*conn)
	if !ok {
		return nil
	}
	c.cancel()
	s.mu.Lock()
	delete(s.conns, c.pid)
	s.mu.Unlock()
	return c.sess.Close()
}

// cancelRequest cancels the running statement of the connection whose
// process id and secret match.
func (s *Server) cancelRequest(ctx context.Context, pid, secret int32) error {
	s.mu.Lock()
	c := s.conns[pid]
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	var a, b [4]byte
	binary.BigEndian.PutUint32(a[:], uint32(c.secret))
	binary.BigEndian.PutUint32(b[:], uint32(secret))
	if subtle.ConstantTimeCompare(a[:], b[:]) != 1 {
		return nil
	}
	c.cancel()
	return nil
}

// parse turns a query into prepared statements. In the simple protocol
// the statements run in order as soon as they are parsed (each is run as
// far as its columns when the one before has finished, so that its columns
// can be sent first); in the extended protocol the statement is described
// here and runs at Execute.
func (s *Server) parse(ctx context.Context, q wire.Query) (wire.PreparedStatements, error) {
	c, ok := ctx.Value(connKey{}).(*conn)
	if !ok {
		return nil, errors.New("pgserve: no session")
	}
	texts, err := splitPG(q.Query)
	if err != nil {
		return nil, hinted("42601", "", "syntax error: "+err.Error())
	}
	if q.SimpleQuery {
		if len(texts) == 0 {
			texts = []string{""}
		}
		stmts := make([]*wire.PreparedStatement, len(texts))
		runs := make([]*run, len(texts))
		start := func(i int) error {
			r, err := c.start(ctx, texts[i], nil, nil)
			if err != nil {
				return pgError(err)
			}
			runs[i] = r
			wire.WithColumns(r.columns)(stmts[i])
			return nil
		}
		for i := range texts {
			stmts[i] = wire.NewStatement(func(ctx context.Context, w wire.DataWriter, _ []wire.Parameter) error {
				if err := runs[i].send(ctx, w); err != nil {
					return pgError(err)
				}
				if i+1 < len(texts) {
					return start(i + 1)
				}
				return nil
			})
		}
		if err := start(0); err != nil {
			return nil, err
		}
		return stmts, nil
	}
	if len(texts) > 1 {
		return nil, hinted("42601", "send one statement per Parse, or use the simple query protocol", "cannot insert multiple commands into a prepared statement")
	}
	text := ""
	if len(texts) == 1 {
		text = texts[0]
	}
	p, err := c.prepare(ctx, text, q.ParameterOIDs)
	if err != nil {
		return nil, pgError(err)
	}
	stmt := wire.NewStatement(func(ctx context.Context, w wire.DataWriter, params []wire.Parameter) error {
		r, err := c.start(ctx, text, p, params)
		if err != nil {
			return pgError(err)
		}
		return pgError(r.send(ctx, w))
	}, wire.WithColumns(p.columns), wire.WithParameters(p.params))
	return wire.Prepared(stmt), nil
}

// ListenCheck refuses to serve addr without TLS unless it is a loopback
// address: a password sent over an open network needs TLS.
func ListenCheck(addr string, withTLS bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %v (write host:port, e.g. 127.0.0.1:5433)", addr, err)
	}
	if withTLS || isLoopback(host) {
		return nil
	}
	return fmt.Errorf("refusing to listen on %s without TLS: only loopback addresses are served in the clear; give --tls-cert and --tls-key, or listen on 127.0.0.1", addr)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
