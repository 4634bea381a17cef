package pgserve

import (
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net"
)

// The codes of the requests a client may open a connection with before
// its startup message.
const (
	sslRequestCode    = 80877103
	gssencRequestCode = 80877104
)

// pgConn is an accepted connection as the protocol library sees it. It
// answers the client's opening requests itself (GSSENCRequest: no;
// SSLRequest: TLS when the server has a certificate), so that TLS runs
// here, under it; and it corrects the server_version that psql-wire
// (v0.20) always reports as "150000", which libpq and pgjdbc read as major
// version 150000 (psycopg2's server_version was 1500000000), to the
// version the catalog answers (pgVersionShort).
type pgConn struct {
	net.Conn             // the TCP connection
	tlsCfg   *tls.Config // nil: no TLS
	inner    net.Conn    // where reads and writes go: the connection, or TLS over it
	pending  []byte      // the startup message's first bytes, read ahead
	opened   bool        // the opening requests are answered
	wrong    []byte      // psql-wire's server_version ParameterStatus
	right    []byte      // the one sent instead
	started  bool        // ReadyForQuery went out: no more ParameterStatus to correct
	openErr  error
}

func newPgConn(c net.Conn, tlsCfg *tls.Config) *pgConn {
	return &pgConn{Conn: c, inner: c, tlsCfg: tlsCfg,
		wrong: parameterStatus("server_version", "150000"), right: parameterStatus("server_version", pgVersionShort)}
}

// parameterStatus is the ParameterStatus message of name = value.
func parameterStatus(name, value string) []byte {
	body := name + "\x00" + value + "\x00"
	b := make([]byte, 5, 5+len(body))
	b[0] = 'S'
	binary.BigEndian.PutUint32(b[1:], uint32(4+len(body)))
	return append(b, body...)
}

// open answers the requests that come before the startup message and
// keeps the startup message's first 8 bytes for psql-wire. A cancel
// request and the startup message go to psql-wire as they came.
func (c *pgConn) open() error {
	for range 3 { // GSSENCRequest, SSLRequest, then the startup message
		head := make([]byte, 8)
		if _, err := io.ReadFull(c.inner, head); err != nil {
			return err
		}
		length, code := binary.BigEndian.Uint32(head[:4]), binary.BigEndian.Uint32(head[4:])
		switch {
		case length == 8 && code == gssencRequestCode:
			if _, err := c.inner.Write([]byte{'N'}); err != nil {
				return err
			}
		case length == 8 && code == sslRequestCode:
			if c.inner != c.Conn || c.tlsCfg == nil {
				if _, err := c.inner.Write([]byte{'N'}); err != nil {
					return err
				}
				continue
			}
			if _, err := c.inner.Write([]byte{'S'}); err != nil {
				return err
			}
			c.inner = tls.Server(c.Conn, c.tlsCfg)
		default:
			c.pending = head
			return nil
		}
	}
	return fmt.Errorf("pgserve: no startup message after the opening requests")
}

func (c *pgConn) Read(b []byte) (int, error) {
	if !c.opened {
		c.opened = true
		c.openErr = c.open()
	}
	if c.openErr != nil {
		return 0, c.openErr
	}
	if len(c.pending) > 0 {
		n := copy(b, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.inner.Read(b)
}

func (c *pgConn) Write(b []byte) (int, error) {
	if !c.started && len(b) > 0 {
		switch {
		case b[0] == 'Z':
			c.started = true
		case bytes.Equal(b, c.wrong):
			if _, err := c.inner.Write(c.right); err != nil {
				return 0, err
			}
			return len(b), nil
		}
	}
	return c.inner.Write(b)
}

// Close closes TLS (with its close_notify) and the connection.
func (c *pgConn) Close() error {
	return c.inner.Close()
}
