package pgsync_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/registry"
	"github.com/apiql/apiql/shell/pgsync"
	"github.com/apiql/apiql/shell/pgsync/pgtest"
)

// call sends one request to an emulator, as a client of the API would:
// the expected rows are computed from its answers, not through apiql.
func call(t *testing.T, h http.Handler, token, method, path string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return rec.Code, body
}

// items is the array under key of a JSON answer, as objects.
func items(t *testing.T, body map[string]any, key string) []map[string]any {
	t.Helper()
	arr, ok := body[key].([]any)
	if !ok {
		t.Fatalf("no %q array in %v", key, body)
	}
	var out []map[string]any
	for _, x := range arr {
		out = append(out, x.(map[string]any))
	}
	return out
}

func TestChainOfParents(t *testing.T) {
	// A repository's tags need the registry's name and the repository's
	// (GET /v2/registry/{registry_name}/repositories/{repository_name}/tags):
	// read through the registry, then its repositories, then each
	// repository's tags, with registry_name and repository_name stored.
	e := newEnv(t, 10)
	ctx := context.Background()
	tags, err := e.reg.Resource("digitalocean.registry.tags")
	if err != nil {
		t.Fatal(err)
	}
	if err := pgsync.Check(tags); err != nil {
		t.Fatal(err)
	}

	// What the emulator holds, walked with plain HTTP.
	_, body := call(t, e.emu, "test-token", "GET", "/v2/registry")
	name := body["registry"].(map[string]any)["name"].(string)
	_, body = call(t, e.emu, "test-token", "GET", "/v2/registry/"+name+"/repositories?per_page=200")
	var want []string
	repos := items(t, body, "repositories")
	for _, r := range repos {
		repo := r["name"].(string)
		_, body := call(t, e.emu, "test-token", "GET", "/v2/registry/"+name+"/repositories/"+url.PathEscape(repo)+"/tags?per_page=200")
		for _, tg := range items(t, body, "tags") {
			want = append(want, fmt.Sprintf("%s %s %s %s", name, repo, tg["tag"], tg["manifest_digest"]))
		}
	}
	sort.Strings(want)
	if len(want) == 0 {
		t.Fatal("the emulator has no registry tags to sync")
	}

	e.emu.ResetRequests()
	run := e.sync(t, ctx, pgsync.Replace, "digitalocean.registry.tags")
	checkTable(t, run, map[string]int64{"digitalocean.registry.tags": int64(len(want))})
	got := e.text(t, `SELECT string_agg(registry_name || ' ' || repository_name || ' ' || tag || ' ' || manifest_digest, ', ' ORDER BY 1)
		FROM (SELECT * FROM digitalocean_registry.tags ORDER BY registry_name, repository_name, tag) x`)
	if got != strings.Join(want, ", ") {
		t.Errorf("rows %s, want %s", got, strings.Join(want, ", "))
	}
	// registry_name is a field of the tags (the API's, equal to the value
	// sent); repository_name is not, so it has a column of its own, typed
	// as the registry types the parameter.
	if cols := e.columns(t, "digitalocean_registry.tags"); !strings.Contains(cols, "updated_at timestamp with time zone, repository_name text, _apiql_run bigint") {
		t.Errorf("columns: %s; want repository_name (the parent's id) before apiql's", cols)
	}
	// One call per repository of the registry, and the repositories listed
	// once per registry.
	n := map[string]int{}
	for _, r := range e.emu.Requests() {
		switch {
		case strings.HasSuffix(r.Path, "/tags"):
			n["tags"]++
		case strings.HasSuffix(r.Path, "/repositories"):
			n["repositories"]++
		}
	}
	if n["tags"] != len(repos) || n["repositories"] != 1 {
		t.Errorf("calls %v, want %d to the tags and 1 to the repositories", n, len(repos))
	}

	// The statement the engine runs is a join down the chain; EXPLAIN
	// shows a call per distinct (registry, repository) pair.
	stmt, err := pgsync.Statement(tags, []string{"default"})
	if err != nil {
		t.Fatal(err)
	}
	ex := e.engineRows(t, "EXPLAIN "+stmt)
	var plan []string
	for _, r := range ex.Rows {
		plan = append(plan, fmt.Sprint(r...))
	}
	if p := strings.Join(plan, "\n"); !strings.Contains(p, "1 per distinct (t1.registry_name, t1.name)") || !strings.Contains(p, "registry_name from the join to t0.name") {
		t.Errorf("EXPLAIN %s:\n%s", stmt, p)
	}
}

func TestChainsInTheRegistry(t *testing.T) {
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		resource string
		// sql holds parts of the statement a sync runs; empty when the
		// resource is skipped, and why holds parts of the reason.
		sql []string
		why []string
	}{
		// A child whose list needs only its parent's id.
		{resource: "digitalocean.apps.alerts", sql: []string{
			"FROM digitalocean.apps.apps t0 JOIN digitalocean.apps.alerts t1 ON t1.app_id = t0.id AND t1.connection = t0.connection",
			"SELECT t1.*, t1.app_id, t1.connection"}},
		// Two levels: the tags need both ids; the repositories' rows hold
		// the registry_name they were listed with.
		{resource: "digitalocean.registry.tags", sql: []string{
			"JOIN digitalocean.registry.repositories t1 ON t1.registry_name = t0.name AND t1.connection = t0.connection",
			"JOIN digitalocean.registry.tags t2 ON t2.registry_name = t1.registry_name AND t2.repository_name = t1.name AND t2.connection = t1.connection",
			"WHERE t0.connection IN ('prod', 'o''brien') AND t1.connection IN ('prod', 'o''brien') AND t2.connection IN ('prod', 'o''brien')"}},
		// Two levels where the child needs its parent's id only: a run's
		// results, the runs listed per test case.
		{resource: "digitalocean.gen_ai.results", sql: []string{
			"FROM digitalocean.gen_ai.evaluation_test_cases t0 JOIN digitalocean.gen_ai.evaluation_runs t1 ON t1.evaluation_test_case_uuid = t0.test_case_uuid",
			"JOIN digitalocean.gen_ai.results t2 ON t2.evaluation_run_uuid = t1.evaluation_run_uuid"}},
		{resource: "digitalocean.vector_databases.restore", sql: []string{
			"JOIN digitalocean.vector_databases.restore t2 ON t2.id = t1.id AND t2.backup_id = t1.backup_id"}},
		// Still skipped: a repository's name comes from no resource in the
		// registry (the /v2/registries API lists repositories without
		// declaring it their parent), nor does a schema's version, nor a
		// log's type (an enum: every value would be a different table).
		{resource: "digitalocean.registries.tags", why: []string{"list_repository needs registry_name, repository_name", "repository_name comes from no parent resource"}},
		{resource: "digitalocean.databases.versions", why: []string{"version comes from no parent resource"}},
		{resource: "digitalocean.apps.deployments_logs", why: []string{"type comes from no parent resource"}},
	} {
		t.Run(tc.resource, func(t *testing.T) {
			r, err := reg.Resource(tc.resource)
			if err != nil {
				t.Fatal(err)
			}
			stmt, err := pgsync.Statement(r, []string{"prod", "o'brien"})
			cerr := pgsync.Check(r)
			if len(tc.sql) > 0 {
				if err != nil || cerr != nil {
					t.Fatalf("not synced: %v, %v", err, cerr)
				}
				for _, s := range tc.sql {
					if !strings.Contains(stmt, s) {
						t.Errorf("statement %s\nlacks %s", stmt, s)
					}
				}
				return
			}
			if err == nil || cerr == nil {
				t.Fatalf("synced with %s", stmt)
			}
			for _, s := range append(tc.why, tc.resource+" cannot be synced whole") {
				if !strings.Contains(cerr.Error(), s) {
					t.Errorf("reason %q lacks %q", cerr, s)
				}
			}
		})
	}
}

// twoAccounts is prod and staging, each its own emulator, and the engine
// sessions of a sync that reads both.
type twoAccounts struct {
	emus map[string]*emulator.Server
	open func(ctx context.Context) (*engine.Session, func(), error)
}

func newTwoAccounts(t *testing.T, reg *registry.Registry) *twoAccounts {
	a := &twoAccounts{emus: map[string]*emulator.Server{}}
	urls := map[string]string{}
	for name, seed := range map[string]int64{"prod": 1, "staging": 2} {
		a.emus[name] = emulator.New(emulator.Options{Images: 10, Seed: seed, Token: "tok-" + name})
		srv := httptest.NewServer(a.emus[name])
		t.Cleanup(srv.Close)
		urls[name] = srv.URL
	}
	cfg := t.TempDir() + "/config.yaml"
	os.WriteFile(cfg, []byte(fmt.Sprintf("connections:\n  digitalocean:\n    prod: {token_env: PROD_TOKEN, api_url: %q}\n    staging: {token_env: STAGING_TOKEN, api_url: %q}\n", urls["prod"], urls["staging"])), 0o600)
	conns, err := provider.LoadConnections(cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PROD_TOKEN": "tok-prod", "STAGING_TOKEN": "tok-staging"}
	a.open = func(ctx context.Context) (*engine.Session, func(), error) {
		s, err := engine.NewSession(ctx, engine.Options{Registry: reg, ReadOnly: true, Connections: conns, ConnectionScope: []string{engine.AllConnections},
			Client: &provider.Client{Getenv: func(k string) string { return env[k] }, Retry: provider.RetryPolicy{Retries: 1}}})
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	}
	return a
}

func TestChildrenThroughTheirParentsConnection(t *testing.T) {
	// Each account's children are listed through that account, with the
	// ids of its own parents: staging has an app prod does not (prod would
	// answer 404 for it), and both have a registry named alike, whose tags
	// are each account's, once.
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	a := newTwoAccounts(t, reg)
	req := httptest.NewRequest("POST", "/v2/apps", strings.NewReader(`{"spec":{"name":"staging-only"}}`))
	req.Header.Set("Authorization", "Bearer tok-staging")
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	a.emus["staging"].ServeHTTP(rec, req)
	if rec.Code != 200 && rec.Code != 201 {
		t.Fatalf("creating an app: %d %s", rec.Code, rec.Body)
	}
	// What each account holds, from its emulator.
	want := map[string]int{}
	for name, emu := range a.emus {
		_, body := call(t, emu, "tok-"+name, "GET", "/v2/apps?per_page=200")
		for _, app := range items(t, body, "apps") {
			_, body := call(t, emu, "tok-"+name, "GET", "/v2/apps/"+app["id"].(string)+"/alerts")
			want[name+" alerts"] += len(items(t, body, "alerts"))
		}
		_, body = call(t, emu, "tok-"+name, "GET", "/v2/registry")
		reg := body["registry"].(map[string]any)["name"].(string)
		_, body = call(t, emu, "tok-"+name, "GET", "/v2/registry/"+reg+"/repositories?per_page=200")
		for _, r := range items(t, body, "repositories") {
			_, body := call(t, emu, "tok-"+name, "GET", "/v2/registry/"+reg+"/repositories/"+url.PathEscape(r["name"].(string))+"/tags?per_page=200")
			want[name+" tags"] += len(items(t, body, "tags"))
		}
	}
	if want["staging alerts"] <= want["prod alerts"] || want["prod tags"] == 0 {
		t.Fatalf("the accounts do not differ as the test needs: %v", want)
	}

	db := pgtest.DB(t)
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var rs []*registry.Resource
	for _, id := range []string{"digitalocean.apps.alerts", "digitalocean.registry.tags"} {
		r, _ := reg.Resource(id)
		rs = append(rs, r)
	}
	run, err := pgsync.Sync(context.Background(), pgsync.Options{URL: db, Resources: rs, Open: a.open})
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range run.Tables {
		if tb.Err != nil {
			t.Fatalf("%s: %v", tb.Resource, tb.Err)
		}
	}
	got := map[string]int{}
	for _, q := range []string{
		`SELECT _apiql_connection || ' alerts', count(*) FROM digitalocean_apps.alerts GROUP BY 1`,
		`SELECT _apiql_connection || ' tags', count(*) FROM digitalocean_registry.tags GROUP BY 1`,
	} {
		rows, err := conn.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			var n int
			rows.Scan(&k, &n)
			got[k] = n
		}
		rows.Close()
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rows per account %v, want %v", got, want)
	}
	// No account was asked for another's app.
	for name, emu := range a.emus {
		for _, r := range emu.Requests() {
			if r.Status == http.StatusNotFound {
				t.Errorf("%s answered 404 to %s %s", name, r.Method, r.Path)
			}
		}
	}
}

// deleteAfter answers the request it matches from emu's state, then
// deletes del from emu before the client reads the answer: a parent
// removed between the list of the parents and the calls of its children.
type deleteAfter struct {
	emu   *emulator.Server
	match string
	del   []string
	once  sync.Once
}

func (d *deleteAfter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != "GET" || r.URL.Path != d.match {
		d.emu.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	d.emu.ServeHTTP(rec, r)
	d.once.Do(func() {
		for _, p := range d.del {
			req := httptest.NewRequest("DELETE", p, nil)
			req.Header.Set("Authorization", r.Header.Get("Authorization"))
			d.emu.ServeHTTP(httptest.NewRecorder(), req)
		}
	})
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func TestParentGoneOrEmpty(t *testing.T) {
	e := newEnv(t, 10)
	ctx := context.Background()
	_, body := call(t, e.emu, "test-token", "GET", "/v2/apps?per_page=200")
	apps := items(t, body, "apps")
	if len(apps) == 0 {
		t.Fatal("the emulator has no apps")
	}
	first := e.sync(t, ctx, pgsync.Replace, "digitalocean.apps.alerts")
	checkTable(t, first, map[string]int64{"digitalocean.apps.alerts": first.Tables[0].Rows})
	before := e.int(t, `SELECT count(*) FROM digitalocean_apps.alerts`)
	if before == 0 {
		t.Fatal("no alerts")
	}

	// An app deleted after the apps were listed: its alerts' list answers
	// 404, which fails the resource (as it fails a statement), and the
	// table keeps the rows of the last run that succeeded.
	gone := apps[0]["id"].(string)
	d := &deleteAfter{emu: e.emu, match: "/v2/apps", del: []string{"/v2/apps/" + gone}}
	srv := httptest.NewServer(d)
	defer srv.Close()
	e.url = srv.URL
	run, err := pgsync.Sync(ctx, pgsync.Options{URL: e.db, Resources: e.resources(t, "digitalocean.apps.alerts"), Open: e.open})
	if err != nil {
		t.Fatal(err)
	}
	if run.Outcome() != "failed" || run.Tables[0].Err == nil {
		t.Fatalf("run %s, %v; want the resource failed", run.Outcome(), run.Tables[0].Err)
	}
	if msg := run.Tables[0].Err.Error(); !strings.Contains(msg, gone) || !strings.Contains(msg, "404") {
		t.Errorf("error %q does not name the app gone and the 404", msg)
	}
	if n := e.int(t, `SELECT count(*) FROM digitalocean_apps.alerts`); n != before {
		t.Errorf("%d rows after the failed run, want the %d of the last good one", n, before)
	}

	// With no apps left, the alerts table is empty, and the run succeeds.
	for _, a := range apps[1:] {
		if code, _ := call(t, e.emu, "test-token", "DELETE", "/v2/apps/"+a["id"].(string)); code >= 300 {
			t.Fatalf("deleting app %v: %d", a["id"], code)
		}
	}
	run = e.sync(t, ctx, pgsync.Replace, "digitalocean.apps.alerts")
	checkTable(t, run, map[string]int64{"digitalocean.apps.alerts": 0})
	if n := e.int(t, `SELECT count(*) FROM digitalocean_apps.alerts`); n != 0 {
		t.Errorf("%d rows with no apps", n)
	}
}

func TestChildTooManyParents(t *testing.T) {
	// --max-calls bounds a sync as it bounds a statement: a child whose
	// parents need more calls is refused once the parents are in, before
	// any call of the child is sent, with the engine's error.
	for _, tc := range []struct {
		resource string
		max      int
		child    string // the child's paths end so
		want     string
	}{
		{"digitalocean.droplets.kernels", 3, "/kernels", "1 per distinct t0.id"},
		{"digitalocean.registry.tags", 2, "/tags", "1 per distinct (t1.registry_name, t1.name)"},
	} {
		t.Run(tc.resource, func(t *testing.T) {
			e := newEnv(t, 10)
			e.emu.ResetRequests()
			open := func(ctx context.Context) (*engine.Session, func(), error) {
				vars := map[string]string{"DIGITALOCEAN_API_URL": e.url, "DIGITALOCEAN_TOKEN": "test-token"}
				s, err := engine.NewSession(ctx, engine.Options{Registry: e.reg, ReadOnly: true, MaxCalls: tc.max,
					Client: &provider.Client{Getenv: func(k string) string { return vars[k] }, Retry: provider.RetryPolicy{Retries: 1, Base: time.Millisecond}}})
				if err != nil {
					return nil, nil, err
				}
				return s, func() { s.Close() }, nil
			}
			run, err := pgsync.Sync(context.Background(), pgsync.Options{URL: e.db, Resources: e.resources(t, tc.resource), Open: open})
			if err != nil {
				t.Fatal(err)
			}
			terr := run.Tables[0].Err
			if run.Outcome() != "failed" || terr == nil {
				t.Fatalf("run %s; want refused", run.Outcome())
			}
			for _, s := range []string{fmt.Sprintf("more than --max-calls allows (%d)", tc.max), tc.want, "those were not sent"} {
				if !strings.Contains(terr.Error(), s) {
					t.Errorf("error %q lacks %q", terr, s)
				}
			}
			var e2 *engine.Error
			if !errors.As(terr, &e2) || !strings.Contains(e2.Hint, "--max-calls") {
				t.Errorf("error %v: want the engine's, with its hint", terr)
			}
			for _, r := range e.emu.Requests() {
				if strings.HasSuffix(r.Path, tc.child) {
					t.Errorf("%s %s was sent", r.Method, r.Path)
				}
			}
			if n := e.int(t, `SELECT count(*) FROM public._apiql_run_tables`); n != 0 {
				t.Errorf("%d tables committed", n)
			}
		})
	}
}
