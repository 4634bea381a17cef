package engine_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/registry"
)

// accounts are three emulators, each its own account with its own token
// and data, and a session whose config names them prod, staging and lab.
type accounts struct {
	emu  map[string]*emulator.Server
	sess *engine.Session
	env  map[string]string
}

func newAccounts(t *testing.T, env map[string]string, scope []string) *accounts {
	t.Helper()
	a := &accounts{emu: map[string]*emulator.Server{}, env: map[string]string{}}
	var cfg strings.Builder
	cfg.WriteString("connections:\n  digitalocean:\n")
	for i, name := range []string{"prod", "staging", "lab"} {
		tok := "tok-" + name
		emu := emulator.New(emulator.Options{Images: 5 + 4*i, Token: tok, Seed: int64(i + 1)})
		srv := httptest.NewServer(emu)
		t.Cleanup(srv.Close)
		a.emu[name] = emu
		v := "DO_TOKEN_" + strings.ToUpper(name)
		a.env[v] = tok
		fmt.Fprintf(&cfg, "    %s: { token_env: %s, api_url: %q }\n", name, v, srv.URL)
	}
	for k, v := range env {
		a.env[k] = v
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
	getenv := func(k string) string { return a.env[k] }
	sess, err := engine.NewSession(context.Background(), engine.Options{
		Registry:        reg,
		Client:          &provider.Client{Getenv: getenv, Retry: provider.RetryPolicy{Retries: 0}},
		Connections:     conns,
		ConnectionScope: scope,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	a.sess = sess
	return a
}

func (a *accounts) run(t *testing.T, src string) engine.Outcome {
	t.Helper()
	return (&env{sess: a.sess}).exec(t, src)
}

func (a *accounts) requests() map[string]int {
	out := map[string]int{}
	for n, e := range a.emu {
		out[n] = len(e.Requests())
		e.ResetRequests()
	}
	return out
}

func rowsText(res *engine.Result) []string {
	var out []string
	for _, r := range res.Rows {
		out = append(out, fmt.Sprint(r...))
	}
	return out
}

func TestConnectionsRead(t *testing.T) {
	a := newAccounts(t, nil, nil)
	count := func(name string) int { return len(a.emu[name].Images()) }
	tests := []struct {
		name string
		sql  string
		want []string
		// calls: requests each emulator must have received.
		calls map[string]int
	}{
		{"one connection", "SELECT connection, count(*) FROM digitalocean.images.images WHERE connection = 'staging' GROUP BY 1",
			[]string{fmt.Sprint("staging", count("staging"))}, map[string]int{"staging": 1}},
		{"count per connection", "SELECT connection, count(*) FROM digitalocean.images.images WHERE connection IN ('prod', 'lab') GROUP BY 1 ORDER BY 1",
			[]string{fmt.Sprint("lab", count("lab")), fmt.Sprint("prod", count("prod"))}, map[string]int{"prod": 1, "lab": 1}},
		{"union across connections", `SELECT 'p', count(*) FROM digitalocean.images.images WHERE connection = 'prod'
			UNION ALL SELECT 's', count(*) FROM digitalocean.images.images WHERE connection = 'staging'`,
			[]string{fmt.Sprint("p", count("prod")), fmt.Sprint("s", count("staging"))}, map[string]int{"prod": 1, "staging": 1}},
		{"an OR of connections reads those it names", "SELECT count(*) FROM digitalocean.images.images WHERE connection = 'lab' OR connection = 'prod'",
			[]string{fmt.Sprint(count("lab") + count("prod"))}, map[string]int{"prod": 1, "lab": 1}},
		{"an OR with another column reads every connection", "SELECT count(*) FROM digitalocean.images.images WHERE connection = 'lab' OR id < 0",
			[]string{fmt.Sprint(count("lab"))}, map[string]int{"prod": 1, "staging": 1, "lab": 1}},
		{"a function of the column under such an OR too", "SELECT count(*) FROM digitalocean.images.images WHERE coalesce(connection, '') = 'lab' OR id < 0",
			[]string{fmt.Sprint(count("lab"))}, map[string]int{"prod": 1, "staging": 1, "lab": 1}},
		{"a HAVING on the connection reads every connection", "SELECT connection, count(*) FROM digitalocean.images.images GROUP BY 1 HAVING upper(connection) = 'LAB'",
			[]string{fmt.Sprint("lab", count("lab"))}, map[string]int{"prod": 1, "staging": 1, "lab": 1}},
		{"a HAVING through a CASE too", "SELECT connection, count(*) FROM digitalocean.images.images GROUP BY 1 HAVING CASE WHEN upper(connection) = 'LAB' THEN 1 ELSE 0 END = 1",
			[]string{fmt.Sprint("lab", count("lab"))}, map[string]int{"prod": 1, "staging": 1, "lab": 1}},
		{"two conjuncts: their common connections", "SELECT count(*) FROM digitalocean.images.images WHERE connection IN ('lab', 'prod') AND connection = 'prod'",
			[]string{fmt.Sprint(count("prod"))}, map[string]int{"prod": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a.requests()
			o := a.run(t, tt.sql)
			if o.Err != nil {
				t.Fatal(o.Err)
			}
			if got := rowsText(o.Result); strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("rows %q, want %q", got, tt.want)
			}
			got := a.requests()
			for _, n := range []string{"prod", "staging", "lab"} {
				if got[n] != tt.calls[n] {
					t.Errorf("%s received %d requests, want %d", n, got[n], tt.calls[n])
				}
			}
		})
	}
}

func TestConnectionsJoinWithin(t *testing.T) {
	a := newAccounts(t, nil, []string{engine.AllConnections})
	// Each image joined to the images of the same connection with the
	// same type: computed by hand from each emulator's data.
	want := map[string]int{}
	for n, e := range a.emu {
		byType := map[string]int{}
		for _, im := range e.Images() {
			byType[im.Type]++
		}
		for _, c := range byType {
			want[n] += c * c
		}
	}
	o := a.run(t, `SELECT a.connection, count(*) FROM digitalocean.images.images a
		JOIN digitalocean.images.images b ON a.connection = b.connection AND a.type = b.type GROUP BY 1 ORDER BY 1`)
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	var wantRows []string
	names := []string{"lab", "prod", "staging"}
	for _, n := range names {
		wantRows = append(wantRows, fmt.Sprint(n, want[n]))
	}
	if got := rowsText(o.Result); strings.Join(got, "|") != strings.Join(wantRows, "|") {
		t.Errorf("rows %q, want %q", got, wantRows)
	}
	// Without a filter, the scope (all) is read: every row says where it came from.
	o = a.run(t, "SELECT DISTINCT connection FROM digitalocean.images.images ORDER BY 1")
	if got := rowsText(o.Result); strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("connections %q, want %q", got, names)
	}
	// SELECT * is the fields: the connection is named when wanted.
	o = a.run(t, "SELECT * FROM digitalocean.images.images WHERE connection = 'prod' LIMIT 1")
	for _, c := range o.Result.Columns {
		if c.Name == "connection" {
			t.Errorf("SELECT * has the connection column")
		}
	}
}

func TestConnectionsWrite(t *testing.T) {
	a := newAccounts(t, nil, nil)
	private := func(name string) int {
		for _, im := range a.emu[name].Images() {
			if !im.Public {
				return im.ID
			}
		}
		t.Fatalf("%s has no private image", name)
		return 0
	}
	id := private("staging")
	a.requests()
	o := a.run(t, fmt.Sprintf("DELETE FROM digitalocean.images.images WHERE connection = 'staging' AND image_id = %d", id))
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	got := a.requests()
	if got["staging"] != 1 || got["prod"] != 0 || got["lab"] != 0 {
		t.Errorf("requests %v: want one to staging, none elsewhere", got)
	}
	for _, im := range a.emu["staging"].Images() {
		if im.ID == id {
			t.Errorf("image %d still in staging", id)
		}
	}
	// EXEC and INSERT name theirs too.
	o = a.run(t, fmt.Sprintf(`EXEC digitalocean.images.images.update @connection = 'lab' @image_id = %d @@json = '{"name": "renamed"}'`, private("lab")))
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	o = a.run(t, `INSERT INTO digitalocean.images.images (connection, data__name, data__region, data__url) VALUES ('prod', 'base', 'nyc3', 'https://example.com/a.qcow2')`)
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	got = a.requests()
	if got["staging"] != 0 || got["prod"] != 1 || got["lab"] != 1 {
		t.Errorf("requests %v: want one to prod, one to lab", got)
	}

	// Refused before any call: several connections, an unknown one.
	for _, tt := range []struct{ sql, want string }{
		{fmt.Sprintf("DELETE FROM digitalocean.images.images WHERE connection IN ('prod', 'lab') AND image_id = %d", id), "exactly one connection; this one names prod, lab"},
		{`INSERT INTO digitalocean.images.images (connection, data__name, data__region, data__url) VALUES ('prod', 'a', 'nyc3', 'https://e.com/a'), ('lab', 'b', 'nyc3', 'https://e.com/b')`, "names prod, lab"},
		{fmt.Sprintf("DELETE FROM digitalocean.images.images WHERE connection = 'qa' AND image_id = %d", id), `digitalocean has no connection "qa" (it has default, lab, prod, staging)`},
		{fmt.Sprintf("DELETE FROM digitalocean.images.images WHERE image_id = %d AND (connection = 'prod' OR connection = 'lab')", id), "and name one connection (connection = '<name>')"},
		{fmt.Sprintf("DELETE FROM digitalocean.images.images WHERE image_id = %d AND connection LIKE 'p%%'", id), "and name one connection (connection = '<name>')"},
		{"SELECT count(*) FROM digitalocean.images.images WHERE connection = 'qa'", `no connection "qa"`},
		{"SELECT count(*) FROM digitalocean.images.images WHERE connection = 1", "a connection's name, not 1"},
		{"SELECT count(*) FROM digitalocean.images.images WHERE connection = 'nope' OR connection = 'prod'", `no connection "nope"`},
		{"SELECT count(*) FROM digitalocean.images.images WHERE 'nope' = connection OR id < 0", `no connection "nope"`},
		{"SELECT count(*) FROM digitalocean.images.images i WHERE i.connection NOT IN ('prod', 'qa') OR i.id < 0", `no connection "qa"`},
		{"SELECT connection, count(*) FROM digitalocean.images.images GROUP BY 1 HAVING connection = 'nope'", `no connection "nope"`},
	} {
		o := a.run(t, tt.sql)
		if o.Err == nil || !strings.Contains(o.Err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.sql, o.Err, tt.want)
		}
	}
	if got := a.requests(); got["prod"]+got["lab"]+got["staging"] != 0 {
		t.Errorf("refused statements sent requests: %v", got)
	}

	// A session that reads all connections names the one it writes to.
	all := newAccounts(t, nil, []string{engine.AllConnections})
	o = all.run(t, "DELETE FROM digitalocean.images.images WHERE image_id = 1")
	if o.Err == nil || !strings.Contains(o.Err.Error(), "reads several connections") {
		t.Errorf("write with scope all: %v", o.Err)
	}
}

func TestConnectionsFailures(t *testing.T) {
	// A missing token fails the statement naming the connection, before
	// any request.
	a := newAccounts(t, map[string]string{"DO_TOKEN_LAB": ""}, []string{engine.AllConnections})
	o := a.run(t, "SELECT count(*) FROM digitalocean.images.images")
	if o.Err == nil || !strings.Contains(o.Err.Error(), `no API token for connection "lab"`) || !strings.Contains(o.Err.Error(), "DO_TOKEN_LAB") {
		t.Errorf("missing token: %v", o.Err)
	}
	if got := a.requests(); got["prod"]+got["lab"]+got["staging"] != 0 {
		t.Errorf("requests sent: %v", got)
	}
	// A refused token (401) on one connection fails the statement: no
	// partial result, and the error names the connection, not the token.
	a = newAccounts(t, map[string]string{"DO_TOKEN_STAGING": "wrong-token-value"}, []string{engine.AllConnections})
	o = a.run(t, "SELECT connection, count(*) FROM digitalocean.images.images GROUP BY 1")
	if o.Err == nil || o.Result != nil {
		t.Fatalf("401 on one connection: result %v, error %v", o.Result, o.Err)
	}
	if msg := o.Err.Error(); !strings.Contains(msg, "connection staging: ") || !strings.Contains(msg, "401") || strings.Contains(msg, "wrong-token-value") {
		t.Errorf("401 error: %s", msg)
	}
	// Its hint points at that connection's token, not the environment's.
	var e *engine.Error
	if !errors.As(o.Err, &e) || !strings.Contains(e.Hint, "check connection staging's token (env DO_TOKEN_STAGING, in the config file ") || strings.Contains(e.Hint, "wrong-token-value") {
		t.Errorf("401 hint: %v", e)
	}
	// So does an EXEC's.
	o = a.run(t, "EXEC digitalocean.images.images._get @connection = 'staging' @image_id = 1")
	if !errors.As(o.Err, &e) || !strings.Contains(e.Hint, "check connection staging's token (env DO_TOKEN_STAGING") {
		t.Errorf("EXEC 401 hint: %v", o.Err)
	}
}

func TestShowConnections(t *testing.T) {
	// A password in an API URL is a secret too.
	a := newAccounts(t, map[string]string{"DO_TOKEN_LAB": "", "DIGITALOCEAN_TOKEN": "env-token-secret", "DIGITALOCEAN_API_URL": "http://apiql:url-secret@127.0.0.1:9"}, nil)
	o := a.run(t, "SHOW CONNECTIONS")
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	var got []string
	for _, r := range o.Result.Rows {
		got = append(got, fmt.Sprintf("%v %v %v %v %v", r[0], r[1], r[2], r[3], r[5]))
		for _, v := range r {
			if s := fmt.Sprint(v); strings.Contains(s, "tok-") || strings.Contains(s, "secret") {
				t.Errorf("SHOW CONNECTIONS shows a token: %v", r)
			}
		}
	}
	sort.Strings(got)
	want := []string{
		"digitalocean default env DIGITALOCEAN_TOKEN or DIGITALOCEAN_ACCESS_TOKEN true true",
		"digitalocean lab env DO_TOKEN_LAB false false",
		"digitalocean prod env DO_TOKEN_PROD true false",
		"digitalocean staging env DO_TOKEN_STAGING true false",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("SHOW CONNECTIONS:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, r := range o.Result.Rows {
		if r[1] == "default" && r[4] != "http://apiql:xxxxx@127.0.0.1:9" {
			t.Errorf("default's api_url %v, want the password redacted", r[4])
		}
	}
}

// TestConnectionsWriteSubquery: a write that names no connection is
// refused when its subquery read another account, before any write is
// sent; naming the connection sends it there alone.
func TestConnectionsWriteSubquery(t *testing.T) {
	a := newAccounts(t, nil, []string{"prod"})
	sub := "SELECT id FROM digitalocean.images.images WHERE connection = '%s' AND type IN ('snapshot', 'custom') AND NOT public ORDER BY id LIMIT 1"
	for _, tt := range []struct {
		sql  string
		want string // the error, or "" for none
		sent map[string]int
	}{
		{"DELETE FROM digitalocean.images.images WHERE image_id IN (" + fmt.Sprintf(sub, "lab") + ")",
			"the subquery reads connection lab, but the write names none and would go to prod", map[string]int{"lab": 1}},
		{"UPDATE digitalocean.images.images SET data__name = 'x' WHERE image_id IN (" + fmt.Sprintf(sub, "staging") + ")",
			"the subquery reads connection staging", map[string]int{"staging": 1}},
		{"DELETE FROM digitalocean.images.images WHERE image_id IN (SELECT id FROM digitalocean.images.images WHERE type IN ('snapshot', 'custom') AND connection IN ('prod', 'lab') ORDER BY id LIMIT 1)",
			"the subquery reads connection lab", map[string]int{"lab": 1, "prod": 1}},
		{"DELETE FROM digitalocean.images.images WHERE image_id IN (" + fmt.Sprintf(sub, "lab") + ") AND connection = 'lab'",
			"", map[string]int{"lab": 2}},
		{"DELETE FROM digitalocean.images.images WHERE image_id IN (" + fmt.Sprintf(sub, "prod") + ")",
			"", map[string]int{"prod": 2}},
	} {
		a.requests()
		o := a.run(t, tt.sql)
		switch {
		case tt.want == "" && o.Err != nil:
			t.Errorf("%s: %v", tt.sql, o.Err)
		case tt.want != "" && (o.Err == nil || !strings.Contains(o.Err.Error(), tt.want)):
			t.Errorf("%s: error %v, want %q", tt.sql, o.Err, tt.want)
		}
		got := a.requests()
		for _, n := range []string{"prod", "staging", "lab"} {
			if got[n] != tt.sent[n] {
				t.Errorf("%s: requests %v, want %v", tt.sql, got, tt.sent)
				break
			}
		}
	}
}

// TestConnectionsReadWhere: a WHERE condition about the connection column
// alone, in any form (OR, <>, LIKE, a function of it), reads the
// connections it holds for and no other: a connection left out is not
// called and needs no token; the counts are each account's own.
func TestConnectionsReadWhere(t *testing.T) {
	a := newAccounts(t, map[string]string{"DO_TOKEN_STAGING": ""}, nil)
	n := func(name string) string { return fmt.Sprint(len(a.emu[name].Images())) }
	for _, tt := range []struct {
		where string
		want  []string // connection count, in order
	}{
		{"connection = 'prod' OR connection = 'lab'", []string{"lab" + n("lab"), "prod" + n("prod")}},
		{"(connection = 'prod' OR connection = 'lab') AND id > 0", []string{"lab" + n("lab"), "prod" + n("prod")}},
		{"connection <> 'staging'", []string{"lab" + n("lab"), "prod" + n("prod")}},
		{"connection NOT IN ('staging')", []string{"lab" + n("lab"), "prod" + n("prod")}},
		{"connection LIKE 'pro%'", []string{"prod" + n("prod")}},
		{"upper(connection) = 'LAB'", []string{"lab" + n("lab")}},
		{"connection = 'lab' AND connection LIKE 'l%'", []string{"lab" + n("lab")}},
	} {
		a.requests()
		o := a.run(t, "SELECT connection, count(*) FROM digitalocean.images.images WHERE "+tt.where+" GROUP BY 1 ORDER BY 1")
		if o.Err != nil {
			t.Errorf("%s: %v", tt.where, o.Err)
			continue
		}
		if got := rowsText(o.Result); strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: rows %v, want %v", tt.where, got, tt.want)
		}
		if got := a.requests(); got["staging"] != 0 {
			t.Errorf("%s: %d requests to staging, which the condition leaves out", tt.where, got["staging"])
		}
	}
	// A condition about other columns too decides nothing: every
	// connection is read, and staging's missing token fails the statement.
	o := a.run(t, "SELECT count(*) FROM digitalocean.images.images WHERE connection = 'prod' OR id > 0")
	if o.Err == nil || !strings.Contains(o.Err.Error(), `no API token for connection "staging"`) {
		t.Errorf("OR with another column: %v", o.Err)
	}
}

// TestConnectionsInSubqueryOfParents: alerts WHERE app_id IN (SELECT id
// FROM apps) over three accounts, staging holding an app the others do
// not: each app's alerts are listed through the account whose apps row
// holds its id, never through another (which would answer 404 and, a list
// under a parent, fail the statement).
func TestConnectionsInSubqueryOfParents(t *testing.T) {
	a := newAccounts(t, nil, []string{engine.AllConnections})
	req := httptest.NewRequest("POST", "/v2/apps", strings.NewReader(`{"spec":{"name":"staging-only"}}`))
	req.Header.Set("Authorization", "Bearer tok-staging")
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	a.emu["staging"].ServeHTTP(rec, req)
	if rec.Code != 200 && rec.Code != 201 {
		t.Fatalf("creating an app: %d %s", rec.Code, rec.Body)
	}
	a.requests()
	// Each account's apps, as its emulator holds them.
	apps := map[string][]string{}
	o := a.run(t, "SELECT connection, id FROM digitalocean.apps.apps ORDER BY 1, 2")
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	for _, r := range o.Result.Rows {
		apps[fmt.Sprint(r[0])] = append(apps[fmt.Sprint(r[0])], fmt.Sprint(r[1]))
	}
	if len(apps["staging"]) <= len(apps["prod"]) || len(apps["prod"]) == 0 {
		t.Fatalf("the accounts do not differ as the test needs: %v", apps)
	}
	a.requests()
	o = a.run(t, "SELECT connection, count(*) FROM digitalocean.apps.alerts WHERE app_id IN (SELECT id FROM digitalocean.apps.apps) GROUP BY 1 ORDER BY 1")
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	if len(o.Result.Rows) == 0 {
		t.Error("no alerts")
	}
	for name, emu := range a.emu {
		var got, want []string
		for _, r := range emu.Requests() {
			if r.Status != 200 {
				t.Errorf("%s answered %d to %s %s", name, r.Status, r.Method, r.Path)
			}
			if strings.HasSuffix(r.Path, "/alerts") {
				got = append(got, r.Path)
			}
		}
		for _, id := range apps[name] {
			want = append(want, "/v2/apps/"+id+"/alerts")
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: alerts listed %v, want %v (its own apps')", name, got, want)
		}
	}
}
