package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apiql/apiql/engine"
)

// exec runs src, which must hold one statement, and returns its outcome.
func (e *env) exec(t *testing.T, src string) engine.Outcome {
	t.Helper()
	var out engine.Outcome
	n := 0
	err := e.sess.Run(context.Background(), src, func(o engine.Outcome) bool {
		out = o
		n++
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d statements in %q, want 1", n, src)
	}
	return out
}

func TestLimitStopsFetching(t *testing.T) {
	e := newEnv(t, 1000, nil)
	tests := []struct {
		sql      string
		rows     int
		requests int
	}{
		// Plain LIMIT: the first page holds the answer.
		{"SELECT id FROM digitalocean.images.images LIMIT 5", 5, 1},
		{"SELECT id FROM digitalocean.images.images LIMIT 5 OFFSET 300", 5, 2},
		{"SELECT id FROM digitalocean.images.images WHERE private = true LIMIT 3", 3, 1},
		// Anything that needs every row fetches every page.
		{"SELECT id FROM digitalocean.images.images ORDER BY id DESC LIMIT 5", 5, 5},
		{"SELECT count(*) FROM digitalocean.images.images LIMIT 1", 1, 5},
		{"SELECT id FROM digitalocean.images.images WHERE size_gigabytes > 1 LIMIT 5", 5, 5},
		{"SELECT DISTINCT type FROM digitalocean.images.images LIMIT 1", 1, 5},
	}
	for _, tt := range tests {
		e.emu.ResetRequests()
		o := e.exec(t, tt.sql)
		if o.Err != nil {
			t.Fatalf("%s: %v", tt.sql, o.Err)
		}
		if got := len(o.Result.Rows); got != tt.rows {
			t.Errorf("%s: %d rows, want %d", tt.sql, got, tt.rows)
		}
		if got := len(e.emu.Requests()); got != tt.requests {
			t.Errorf("%s: %d requests, want %d", tt.sql, got, tt.requests)
		}
	}
	// ORDER BY id DESC LIMIT 2 is the two largest ids of all pages.
	o := e.exec(t, "SELECT id FROM digitalocean.images.images ORDER BY id DESC LIMIT 2")
	imgs := e.emu.Images()
	if got, want := o.Result.Rows[0][0], int64(imgs[len(imgs)-1].ID); got != want {
		t.Errorf("largest id = %v, want %v", got, want)
	}
}

func TestSelectByIDIsOneRequest(t *testing.T) {
	e := newEnv(t, 1000, nil)
	id := e.emu.Images()[500].ID
	o := e.exec(t, "SELECT name FROM digitalocean.images.images WHERE image_id = "+itoa(id))
	if o.Err != nil || len(o.Result.Rows) != 1 {
		t.Fatalf("got %v, %v", o.Result, o.Err)
	}
	if reqs := e.emu.Requests(); len(reqs) != 1 || reqs[0].Path != "/v2/images/"+itoa(id) {
		t.Errorf("requests %+v, want one GET /v2/images/%d", reqs, id)
	}
	if o.Requests != 1 {
		t.Errorf("Outcome.Requests = %d, want 1", o.Requests)
	}
}

func TestDryRunSendsNoWrites(t *testing.T) {
	var dry bytes.Buffer
	e := newEnv(t, 40, func(o *engine.Options) { o.DryRun = &dry })
	o := e.exec(t, "DELETE FROM digitalocean.images.images WHERE image_id IN (SELECT id FROM digitalocean.images.images WHERE tag_name = 'legacy')")
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	for _, r := range e.emu.Requests() {
		if r.Method != "GET" {
			t.Errorf("dry run sent %s %s", r.Method, r.Path)
		}
	}
	if got := strings.Count(dry.String(), "DELETE http"); got != 5 {
		t.Errorf("dry run printed %d DELETEs, want 5:\n%s", got, dry.String())
	}
	if strings.Contains(dry.String(), "test-token") || !strings.Contains(dry.String(), "Bearer ***") {
		t.Errorf("dry run output must mask the token:\n%s", dry.String())
	}
	if len(e.emu.Images()) != 40 {
		t.Errorf("images were deleted in a dry run")
	}
	o = e.exec(t, `INSERT INTO digitalocean.images.images (data__name, data__region, data__url) VALUES ('a', 'nyc3', 'https://e/x.img')`)
	if o.Err != nil || !strings.Contains(dry.String(), `POST http`) || !strings.Contains(dry.String(), `{"name":"a","region":"nyc3","url":"https://e/x.img"}`) {
		t.Errorf("dry-run insert: %v\n%s", o.Err, dry.String())
	}
}

func TestReadOnlyRefusesWrites(t *testing.T) {
	e := newEnv(t, 40, func(o *engine.Options) { o.ReadOnly = true })
	for _, sql := range []string{
		"DELETE FROM digitalocean.images.images WHERE image_id = 100095",
		"UPDATE digitalocean.images.images SET data__name = 'x' WHERE image_id = 100039",
		"INSERT INTO digitalocean.images.images (data__name, data__region, data__url) VALUES ('a', 'nyc3', 'https://e/x.img')",
		"EXEC digitalocean.images.images.update @image_id = 100039 @name = 'x'",
	} {
		o := e.exec(t, sql)
		if o.Err == nil || !strings.Contains(o.Err.Error(), "read-only") {
			t.Errorf("%s: got %v, want a read-only refusal", sql, o.Err)
		}
	}
	if n := len(e.emu.Requests()); n != 0 {
		t.Errorf("%d requests sent in read-only mode", n)
	}
	// Reads still work, EXEC of a GET method included.
	if o := e.exec(t, "EXEC digitalocean.images.images._get @image_id = 100033"); o.Err != nil {
		t.Errorf("EXEC _get in read-only mode: %v", o.Err)
	}
}

func TestCancelledQueryReturnsError(t *testing.T) {
	e := newEnv(t, 2000, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var got error
	e.sess.Run(ctx, "SELECT count(*) FROM digitalocean.images.images", func(o engine.Outcome) bool {
		got = o.Err
		if o.Result != nil {
			t.Errorf("a cancelled query returned rows: %v", o.Result.Rows)
		}
		return true
	})
	if !errors.Is(got, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", got)
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

func TestCacheTTLReusesRows(t *testing.T) {
	e := newEnv(t, 500, func(o *engine.Options) { o.CacheTTL = time.Minute })
	q := "SELECT count(*) FROM digitalocean.images.images WHERE private = true"
	first := e.exec(t, q)
	n := len(e.emu.Requests())
	if first.Err != nil || n == 0 {
		t.Fatalf("first run: %v, %d requests", first.Err, n)
	}
	second := e.exec(t, q)
	if second.Err != nil || fmt.Sprint(second.Result.Rows) != fmt.Sprint(first.Result.Rows) {
		t.Fatalf("cached run: %v %v, want %v", second.Result, second.Err, first.Result.Rows)
	}
	if got := len(e.emu.Requests()); got != n {
		t.Errorf("cached run sent %d requests", got-n)
	}
	// Other params are another fetch.
	e.exec(t, "SELECT count(*) FROM digitalocean.images.images")
	if got := len(e.emu.Requests()); got == n {
		t.Error("a different parameter set was served from the cache")
	}
	e.sess.ClearCache()
	e.emu.ResetRequests()
	e.exec(t, q)
	if len(e.emu.Requests()) == 0 {
		t.Error("after ClearCache the rows were not fetched again")
	}
}

func TestNoCacheByDefault(t *testing.T) {
	e := newEnv(t, 40, nil)
	e.exec(t, "SELECT count(*) FROM digitalocean.images.images")
	e.exec(t, "SELECT count(*) FROM digitalocean.images.images")
	if got := len(e.emu.Requests()); got != 2 {
		t.Errorf("%d requests for two runs, want 2: no caching unless asked", got)
	}
}

func TestHugeAndEmptyStatements(t *testing.T) {
	e := newEnv(t, 40, nil)
	var b strings.Builder
	b.WriteString("SELECT count(*) FROM digitalocean.images.images WHERE name IN (")
	for i := 0; i < 50000; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "'name-%d'", i)
	}
	b.WriteString(", '12 x64') AND description <> '" + strings.Repeat("x", 1<<20) + "'")
	start := time.Now()
	o := e.exec(t, b.String())
	if o.Err != nil {
		t.Fatalf("a %d-byte statement: %v", b.Len(), o.Err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("a %d-byte statement took %v", b.Len(), d)
	}
	// Nothing but separators and comments is no statement at all.
	n := 0
	if err := e.sess.Run(context.Background(), " ; ;\n-- nothing\n/* here */ ;", func(engine.Outcome) bool { n++; return true }); err != nil || n != 0 {
		t.Errorf("empty text: %d statements, %v", n, err)
	}
	// An unterminated comment is an error with its place, not a hang.
	err := e.sess.Run(context.Background(), "SELECT 1; /* open", func(engine.Outcome) bool { return true })
	if err == nil || !strings.Contains(err.Error(), "line 1, column 11") {
		t.Errorf("unterminated comment: %v", err)
	}
}
