package engine_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/apiql/apiql/engine"
)

// A parameter marker in a query has no value outside apiql serve: a clear
// error, before any request, not SQLite's "sql: expected 1 arguments".
func TestQueryParamHasNoValue(t *testing.T) {
	e := newEnv(t, 10, nil)
	for _, sql := range []string{
		"SELECT count(*) FROM digitalocean.images.images WHERE size_gigabytes > $1",
		"SELECT name FROM digitalocean.images.images WHERE id = ?",
		"SELECT name FROM digitalocean.images.images WHERE id = :id",
		"SELECT $1",
	} {
		e.emu.ResetRequests()
		o := e.exec(t, sql)
		var ee *engine.Error
		if o.Err == nil || !strings.Contains(o.Err.Error(), "has no value") || !errors.As(o.Err, &ee) || !strings.Contains(ee.Hint, "{{ .name }}") {
			t.Errorf("%s: got %v, want an error that the parameter has no value, with a hint", sql, o.Err)
		}
		if n := len(e.emu.Requests()); n != 0 {
			t.Errorf("%s: %d requests sent", sql, n)
		}
	}
}
