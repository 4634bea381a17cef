package pgserve_test

import (
	"context"
	"strings"
	"testing"
)

// A parameter without a value is Postgres's error 42P02, not a NULL: in
// the simple protocol (which binds none) and when the extended protocol
// binds fewer values than the statement uses; no request is sent.
func TestUnboundParam(t *testing.T) {
	e := newEnv(t, envOpts{images: 10})
	cases := []struct{ sql, msg string }{
		{"SELECT count(*) FROM digitalocean_images.images WHERE size_gigabytes > $1", "there is no parameter $1"},
		{"SELECT $1::int", "there is no parameter $1"},
		{"SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname = $1", "there is no parameter $1"},
	}
	ctx := context.Background()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := e.connect(t, m.simple)
			for _, tc := range cases {
				e.emu.ResetRequests()
				var err error
				if m.simple {
					_, err = c.Exec(ctx, tc.sql)
				} else {
					// Parse and Bind with no values: pgx itself would refuse.
					_, err = c.PgConn().ExecParams(ctx, tc.sql, nil, nil, nil, nil).Close()
				}
				if err == nil {
					t.Fatalf("%s: no error", tc.sql)
				}
				pe := pgErr(t, err)
				if pe.Code != "42P02" || !strings.Contains(pe.Message, tc.msg) || strings.Contains(pe.Hint, "pg_catalog") || !strings.Contains(pe.Hint, "write the value") {
					t.Errorf("%s: got %s %q hint %q, want 42P02 %q", tc.sql, pe.Code, pe.Message, pe.Hint, tc.msg)
				}
				if n := len(e.emu.Requests()); n != 0 {
					t.Errorf("%s: %d requests sent", tc.sql, n)
				}
			}
			// Two parameters, one value bound.
			if !m.simple {
				_, err := c.PgConn().ExecParams(ctx, "SELECT count(*) FROM digitalocean_images.images WHERE id = $1 OR id = $2", [][]byte{[]byte("1")}, nil, nil, nil).Close()
				if pe := pgErr(t, err); pe.Code != "42P02" || pe.Message != "there is no parameter $2" {
					t.Errorf("one of two bound: %s %q", pe.Code, pe.Message)
				}
			}
		})
	}
}

// A write refused by a read-only server names serve's flag.
func TestReadOnlyHintNamesServeFlag(t *testing.T) {
	e := newEnv(t, envOpts{images: 10})
	for _, m := range modes {
		c := e.connect(t, m.simple)
		_, err := c.Exec(context.Background(), "DELETE FROM digitalocean.images.images WHERE image_id = 1")
		pe := pgErr(t, err)
		if pe.Code != "25006" || !strings.Contains(pe.Hint, "--allow-writes") || strings.Contains(pe.Hint, "--read-only") {
			t.Errorf("%s: %s %q hint %q, want 25006 with a hint naming --allow-writes", m.name, pe.Code, pe.Message, pe.Hint)
		}
	}
}
