package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/registry"
)

// TestConnectionsMaskEveryToken: a statement quoting one connection's token
// is sent through every connection; no connection's client may print or
// return either token (each used to mask only its own).
func TestConnectionsMaskEveryToken(t *testing.T) {
	toks := map[string]string{"prod": "prod-secret-token-0123456789", "staging": "staging-secret-token-9876543210"}
	env := map[string]string{}
	var cfg strings.Builder
	cfg.WriteString("connections:\n  digitalocean:\n")
	for i, name := range []string{"prod", "staging"} {
		srv := httptest.NewServer(emulator.New(emulator.Options{Token: toks[name], Seed: int64(i + 1)}))
		t.Cleanup(srv.Close)
		v := "DO_TOKEN_" + strings.ToUpper(name)
		env[v] = toks[name]
		fmt.Fprintf(&cfg, "    %s: { token_env: %s, api_url: %q }\n", name, v, srv.URL)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	conns, err := provider.LoadConnections(path, true)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, sql string
		dry       bool
	}{
		{"read quoting prod's token", "SELECT count(*) FROM digitalocean.volumes.volumes WHERE name = '%[1]s'", false},
		{"read quoting staging's token", "SELECT count(*) FROM digitalocean.volumes.volumes WHERE name = '%[2]s'", false},
		{"a read that fails, quoting both", "SELECT * FROM digitalocean.volumes.volumes WHERE volume_id = '%[1]s-%[2]s'", false},
		{"dry-run write through staging quoting prod's", "DELETE FROM digitalocean.snapshots.snapshots WHERE connection = 'staging' AND snapshot_id = '%[1]s'", true},
		{"dry-run write through prod quoting staging's", "DELETE FROM digitalocean.snapshots.snapshots WHERE connection = 'prod' AND snapshot_id = '%[2]s'", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var debug lockedBuffer // the connections' requests log at once
			var dry bytes.Buffer
			opts := engine.Options{
				Registry:        reg,
				Client:          &provider.Client{Getenv: func(k string) string { return env[k] }, Retry: provider.RetryPolicy{Retries: 0}, Debug: &debug},
				Connections:     conns,
				ConnectionScope: []string{engine.AllConnections},
			}
			if tt.dry {
				opts.DryRun = &dry
			}
			sess, err := engine.NewSession(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			var out strings.Builder
			err = sess.Run(context.Background(), fmt.Sprintf(tt.sql, toks["prod"], toks["staging"]), func(o engine.Outcome) bool {
				if o.Err != nil {
					fmt.Fprintf(&out, "error: %v\n", o.Err)
				}
				if o.Result != nil {
					fmt.Fprintln(&out, o.Result.Columns, o.Result.Rows)
				}
				return true
			})
			if err != nil {
				fmt.Fprintf(&out, "run: %v\n", err)
			}
			if debug.Len() == 0 && dry.Len() == 0 {
				t.Fatalf("no request was logged: the test proves nothing (out %q)", out.String())
			}
			for where, text := range map[string]string{"--debug": debug.String(), "--dry-run": dry.String(), "outcome": out.String()} {
				for name, tok := range toks {
					if strings.Contains(text, tok) {
						t.Errorf("%s shows %s's token:\n%s", where, name, text)
					}
				}
			}
			if !tt.dry && strings.Count(debug.String(), "***") < 2*strings.Count(debug.String(), "\n") {
				t.Errorf("--debug lines do not mask the quoted token:\n%s", debug.String())
			}
		})
	}
}

// lockedBuffer is a bytes.Buffer several goroutines may write at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) Len() int { return len(l.String()) }
