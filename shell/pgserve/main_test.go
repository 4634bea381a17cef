package pgserve_test

import (
	"context"
	"os"
	"testing"

	"github.com/apiql/apiql/shell/pgsync/pgtest"
	"github.com/jackc/pgx/v5"
)

// TestMain stops the PostgreSQL server that tests comparing apiql with
// the real thing start (pgtest.DB).
func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

// postgres connects to a new database on a private PostgreSQL server,
// after running setup there; it skips when no server is installed.
func postgres(t *testing.T, setup ...string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, pgtest.DB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	for _, s := range setup {
		if _, err := c.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return c
}
