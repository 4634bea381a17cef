package pgserve_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/registry"
	"github.com/apiql/apiql/shell/pgserve"
	"github.com/jackc/pgx/v5"
)

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestTLS(t *testing.T) {
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := pgserve.New(pgserve.Config{
		Engine:   engine.Options{Registry: reg},
		Password: testPassword,
		TLS:      &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}, MinVersion: tls.VersionTLS12},
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, "postgres://apiql:"+testPassword+"@"+host+":"+port+"/apiql?sslmode=require")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, ok := c.PgConn().Conn().(*tls.Conn); !ok {
		t.Fatalf("connection is %T, not TLS", c.PgConn().Conn())
	}
	var v string
	if err := c.QueryRow(ctx, "SELECT version()").Scan(&v); err != nil || !strings.Contains(v, "apiql") {
		t.Fatalf("version() over TLS: %q, %v", v, err)
	}
	checkServerVersion(t, c)
	// sslmode=disable on the same server: no TLS, a plain session.
	p, err := pgx.Connect(ctx, "postgres://apiql:"+testPassword+"@"+host+":"+port+"/apiql?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	if _, ok := p.PgConn().Conn().(*tls.Conn); ok {
		t.Fatal("sslmode=disable got TLS")
	}
	checkServerVersion(t, p)
}

// TestServerVersion: the server_version a client gets at startup (libpq
// and pgjdbc read their server's version from it) is the one SHOW,
// pg_settings and version() answer, and server_version_num matches it.
func TestServerVersion(t *testing.T) {
	e := newEnv(t, envOpts{})
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			checkServerVersion(t, e.connect(t, m.simple))
		})
	}
}

func checkServerVersion(t *testing.T, c *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	got := c.PgConn().ParameterStatus("server_version")
	var show, setting, num, version string
	if err := c.QueryRow(ctx, "SHOW server_version").Scan(&show); err != nil {
		t.Fatal(err)
	}
	if err := c.QueryRow(ctx, "SELECT setting FROM pg_catalog.pg_settings WHERE name = 'server_version'").Scan(&setting); err != nil {
		t.Fatal(err)
	}
	if err := c.QueryRow(ctx, "SELECT current_setting('server_version_num'), version()").Scan(&num, &version); err != nil {
		t.Fatal(err)
	}
	var major, minor int
	if _, err := fmt.Sscanf(got, "%d.%d", &major, &minor); err != nil || got != show || got != setting ||
		num != fmt.Sprintf("%d%04d", major, minor) || !strings.HasPrefix(version, "PostgreSQL "+got+" ") {
		t.Errorf("startup server_version %q; SHOW %q, pg_settings %q, server_version_num %q, version() %q", got, show, setting, num, version)
	}
}

func TestNewRefusesNoPassword(t *testing.T) {
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pgserve.New(pgserve.Config{Engine: engine.Options{Registry: reg}}); err == nil {
		t.Fatal("a server without a password was made")
	}
}

// TestOpeningRequests: a GSSENCRequest and, without a certificate, an
// SSLRequest are each refused with 'N', and the startup message that
// follows is answered (with an authentication request), as Postgres does.
func TestOpeningRequests(t *testing.T) {
	e := newEnv(t, envOpts{})
	nc, err := net.DialTimeout("tcp", e.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	one := make([]byte, 1)
	for _, code := range []uint32{80877104, 80877103} {
		req := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 8), code)
		if _, err := nc.Write(req); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(nc, one); err != nil || one[0] != 'N' {
			t.Fatalf("request %d: answer %q, %v", code, one, err)
		}
	}
	body := binary.BigEndian.AppendUint32(nil, 196608) // protocol 3.0
	body = append(body, "user\x00apiql\x00database\x00apiql\x00\x00"...)
	if _, err := nc.Write(append(binary.BigEndian.AppendUint32(nil, uint32(4+len(body))), body...)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(nc, one); err != nil || one[0] != 'R' {
		t.Fatalf("startup: answer %q, %v", one, err)
	}
}
