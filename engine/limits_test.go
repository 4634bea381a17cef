package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/apiql/apiql/engine"
)

// TestMemoryLimits: SQLite works under the session's memory limit, and a
// statement that would pass it (one huge value, or a computation that
// needs more memory) fails with an error naming the bound and the flag
// that raises it, while the session stays usable.
func TestMemoryLimits(t *testing.T) {
	e := newEnv(t, 40, func(o *engine.Options) { o.MemoryLimit = 32 << 20 })
	t.Cleanup(func() {
		// The heap limit is process-wide: give the other tests the default.
		s := newEnvOn(t, e, nil)
		if err := s.Run(context.Background(), "SELECT 1", func(engine.Outcome) bool { return true }); err != nil {
			t.Error(err)
		}
	})
	for _, tc := range []struct {
		sql  string
		want []string // in the error; none: the statement succeeds
	}{
		{"SELECT length(printf('%.*c', 900000000, 'x'))", []string{"a value passed 8 MiB", "--memory-limit"}},
		{"SELECT length(zeroblob(100000000))", []string{"a value passed 8 MiB"}},
		{"SELECT length(printf('%.*c', 1000000, 'x'))", nil},
		{"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5000000) SELECT count(*) FROM (SELECT DISTINCT printf('%050d', x) FROM c)",
			[]string{"more memory than apiql lets SQLite use (32 MiB)", "--memory-limit"}},
		{"SELECT count(*) FROM digitalocean.images.images", nil},
	} {
		var got error
		err := e.sess.Run(context.Background(), tc.sql, func(o engine.Outcome) bool { got = o.Err; return true })
		if err != nil {
			t.Fatal(err)
		}
		if len(tc.want) == 0 {
			if got != nil {
				t.Errorf("%s: %v", tc.sql, got)
			}
			continue
		}
		if got == nil {
			t.Errorf("%s: no error", tc.sql)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(got.Error(), w) {
				t.Errorf("%s: error %q does not say %q", tc.sql, got, w)
			}
		}
	}
}

// TestStatementTimeoutStopsSQL: a query that never ends (a recursive CTE
// without a bound) is stopped at the statement timeout with an error that
// says so and names the flag, and the next statement runs.
func TestStatementTimeoutStopsSQL(t *testing.T) {
	e := newEnv(t, 5, func(o *engine.Options) { o.StatementTimeout = 50 * time.Millisecond })
	var errs []error
	err := e.sess.Run(context.Background(), "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c; SELECT 1",
		func(o engine.Outcome) bool { errs = append(errs, o.Err); return true })
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 2 || errs[0] == nil || errs[1] != nil {
		t.Fatalf("errors %v, want the first statement stopped and the second run", errs)
	}
	msg := errs[0].Error()
	for _, w := range []string{"took longer than 50ms and was stopped", "raise --statement-timeout"} {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not say %q", msg, w)
		}
	}
	if strings.Contains(msg, "context") {
		t.Errorf("error %q shows Go's context error", msg)
	}
}
