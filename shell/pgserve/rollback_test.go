package pgserve_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestRollbackWarns: a ROLLBACK after writes in a transaction block undoes
// nothing (each write went to the API when it ran), and says so: psql
// shows a WARNING with how many writes were sent; a block without writes,
// or a COMMIT, says nothing. The images the writes made are still there.
func TestRollbackWarns(t *testing.T) {
	e := newEnv(t, envOpts{images: 5, allowWrites: true})
	bin, err := exec.LookPath("psql")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("psql is missing in CI: .ci/run installs postgresql-client")
		}
		t.Skip("psql is not installed")
	}
	host, port, _ := net.SplitHostPort(e.addr)
	run := func(script string) string {
		t.Helper()
		cmd := exec.Command(bin, "-h", host, "-p", port, "-U", "apiql", "-d", "apiql", "-X", "-v", "ON_ERROR_STOP=1")
		cmd.Env = append(os.Environ(), "PGPASSWORD="+testPassword, "PGSSLMODE=disable", "PGCONNECT_TIMEOUT=10")
		cmd.Stdin = strings.NewReader(script)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("psql: %v\n%s", err, out)
		}
		return string(out)
	}
	insert := func(name string) string {
		return "INSERT INTO digitalocean_images.images (data__name, data__region, data__url) VALUES ('" + name + "', 'nyc3', 'https://e/" + name + ".img');\n"
	}
	for _, tc := range []struct {
		name, script, want string // want "" : no warning
	}{
		{"two writes", "BEGIN;\n" + insert("rb1") + "SELECT count(*) FROM digitalocean_images.images;\n" + insert("rb2") + "ROLLBACK;\n",
			"WARNING:  ROLLBACK undoes nothing: 2 API write(s) of this transaction block were already sent and cannot be undone"},
		{"writes before BEGIN are not counted", insert("rb3") + "BEGIN;\n" + insert("rb4") + "ROLLBACK;\n",
			"WARNING:  ROLLBACK undoes nothing: 1 API write(s)"},
		{"no writes", "BEGIN;\nSELECT count(*) FROM digitalocean_images.images;\nROLLBACK;\n", ""},
		{"commit", "BEGIN;\n" + insert("rb5") + "COMMIT;\n", ""},
		{"rollback outside a block", insert("rb6") + "ROLLBACK;\n", ""},
	} {
		out := run(tc.script)
		if tc.want == "" {
			if strings.Contains(out, "WARNING") {
				t.Errorf("%s: a warning:\n%s", tc.name, out)
			}
			continue
		}
		if !strings.Contains(out, tc.want) || !strings.Contains(out, "HINT:  apiql serve has no transactions") {
			t.Errorf("%s: psql shows no warning %q:\n%s", tc.name, tc.want, out)
		}
		if strings.Count(out, "WARNING") != 1 {
			t.Errorf("%s: %d warnings, want 1:\n%s", tc.name, strings.Count(out, "WARNING"), out)
		}
	}
	var made []string
	for _, im := range e.emu.Images() {
		if strings.HasPrefix(im.Name, "rb") {
			made = append(made, im.Name)
		}
	}
	if strings.Join(made, ",") != "rb1,rb2,rb3,rb4,rb5,rb6" {
		t.Errorf("images made: %v, want every one (nothing is undone)", made)
	}

	// The extended protocol (pgx): the notice reaches the client too.
	var notices []string
	cfg, err := pgconn.ParseConfig(e.dsn())
	if err != nil {
		t.Fatal(err)
	}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { notices = append(notices, n.Severity+": "+n.Message) }
	ctx := context.Background()
	c, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	for _, q := range []string{"BEGIN", "INSERT INTO digitalocean_images.images (data__name, data__region, data__url) VALUES ($1, 'nyc3', 'https://e/x.img')", "ROLLBACK"} {
		var args [][]byte
		if strings.Contains(q, "$1") {
			args = [][]byte{[]byte("rb7")}
		}
		if _, err := c.ExecParams(ctx, q, args, nil, nil, nil).Close(); err != nil {
			var pe *pgconn.PgError
			errors.As(err, &pe)
			t.Fatalf("%s: %v", q, err)
		}
	}
	if len(notices) != 1 || !strings.HasPrefix(notices[0], "WARNING: ROLLBACK undoes nothing: 1 API write(s)") {
		t.Errorf("notices %q, want the rollback warning", notices)
	}
}
