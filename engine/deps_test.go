package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/shell"
)

// depsAcme is the acme test provider with widgets, each with its own parts
// (or none), and parts with suppliers: the parent/child data the dependent
// fetches are tested on.
func depsAcme() *acme {
	a := &acme{parts: map[int][]map[string]any{}, suppliers: map[string][]map[string]any{}}
	colors := []string{"red", "green", "blue"}
	for i := 1; i <= 6; i++ {
		a.widgets = append(a.widgets, map[string]any{"id": i, "name": fmt.Sprintf("w-%d", i), "color": colors[i%3], "tags": []string{}, "active": i%2 == 0})
	}
	part := func(sku string, q int) map[string]any {
		return map[string]any{"sku": sku, "quantity": q, "weight_kg": 0.5}
	}
	a.parts[1] = []map[string]any{part("bolt", 12), part("gear", 1)}
	a.parts[2] = []map[string]any{part("bolt", 3)}
	a.parts[3] = []map[string]any{part("gear", 7), part("nut", 40)}
	a.parts[4] = []map[string]any{part("nut", 100)}
	a.parts[5] = []map[string]any{part("gear", 2), part("nut", 5)}
	a.suppliers["bolt"] = []map[string]any{{"name": "Bolt Co", "country": "US"}}
	a.suppliers["gear"] = []map[string]any{{"name": "Gears GmbH", "country": "DE"}, {"name": "Cogs Ltd", "country": "UK"}}
	return a
}

// maxCallsRE reads a golden file's `-- max-calls: N` setting.
var maxCallsRE = regexp.MustCompile(`(?m)^-- max-calls: (\d+)$`)

// TestAcmeGolden runs every testdata/queries/acme/*.sql file against the
// acme test server (depsAcme) and compares the results, errors and
// requests of each statement with its .golden file.
func TestAcmeGolden(t *testing.T) {
	files, err := filepath.Glob("../testdata/queries/acme/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden query files: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sql")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			a := depsAcme()
			sess := newAcmeSession(t, a, func(o *engine.Options) {
				if m := maxCallsRE.FindSubmatch(src); m != nil {
					o.MaxCalls, _ = strconv.Atoi(string(m[1]))
				}
			})
			got := runAcme(t, a, sess, string(src))
			golden := strings.TrimSuffix(f, ".sql") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./engine -run TestAcmeGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from its golden file (-want +got):\n%s", name, diff(string(want), got))
			}
		})
	}
}

// runAcme runs src and renders each statement's result or error, its
// calls per resource and the requests it sent, sorted.
func runAcme(t testing.TB, a *acme, sess *engine.Session, src string) string {
	t.Helper()
	var out bytes.Buffer
	err := sess.Run(context.Background(), src, func(o engine.Outcome) bool {
		fmt.Fprintf(&out, "-- statement %d: %s\n", o.N, o.Statement.FirstLine(100))
		if o.Err != nil {
			fmt.Fprintf(&out, "error: %v\n", o.Err)
		} else {
			p := &shell.Printer{Out: &out, Info: &out, Format: shell.FormatTable, Headers: true}
			if err := p.Print(o.Result); err != nil {
				t.Fatal(err)
			}
		}
		var calls []string
		for _, c := range o.Calls {
			calls = append(calls, fmt.Sprintf("%s %d", c.Resource, c.Calls))
		}
		if len(calls) > 0 {
			fmt.Fprintf(&out, "calls: %s\n", strings.Join(calls, ", "))
		}
		a.mu.Lock()
		reqs := append([]string(nil), a.requests...)
		a.requests = nil
		a.mu.Unlock()
		sort.Strings(reqs)
		if len(reqs) == 0 {
			out.WriteString("requests: none\n")
		} else {
			out.WriteString("requests:\n  " + strings.Join(reqs, "\n  ") + "\n")
		}
		out.WriteString("\n")
		return true
	})
	if err != nil {
		fmt.Fprintf(&out, "error: %v\n", err)
	}
	return out.String()
}

// TestDependentJoinAcrossConnections: with two accounts, a child is
// fetched through the connection its parent row came from (the other
// account has no such parent: the API would answer 404).
func TestDependentJoinAcrossConnections(t *testing.T) {
	servers, sess := acmeAccounts(t, [][]int{{1, 2}, {3}})
	o := runOne(t, sess, "SELECT w.connection, w.id, p.sku FROM acme.widgets.widgets w JOIN acme.parts.parts p ON p.widget_id = w.id AND p.connection = w.connection ORDER BY 1, 2")
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	if got, want := fmt.Sprint(o.Result.Rows), "[[prod 1 prod-1] [prod 2 prod-2] [staging 3 staging-3]]"; got != want {
		t.Errorf("rows %s, want %s", got, want)
	}
	for name, want := range map[string]string{
		"prod":    "GET /api/widgets/1/parts GET /api/widgets/2/parts GET /api/widgets?limit=50",
		"staging": "GET /api/widgets/3/parts GET /api/widgets?limit=50",
	} {
		reqs := append([]string(nil), servers[name].requests...)
		sort.Strings(reqs)
		if got := strings.Join(reqs, " "); got != want {
			t.Errorf("%s: requests %q, want %q", name, got, want)
		}
	}
	// Two parameters joined to one parent's rows: each (widget, sku) pair
	// through the connection of the part row that holds it.
	for _, a := range servers {
		a.requests = nil
	}
	o = runOne(t, sess, `SELECT l.connection, l.lot FROM acme.widgets.widgets w
		JOIN acme.parts.parts p ON p.widget_id = w.id AND p.connection = w.connection
		JOIN acme.parts.lots l ON l.widget_id = p.widget_id AND l.sku = p.sku AND l.connection = p.connection ORDER BY 1, 2`)
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	if got, want := fmt.Sprint(o.Result.Rows), "[[prod 1-prod-1-1] [prod 2-prod-2-1] [staging 3-staging-3-1]]"; got != want {
		t.Errorf("lots %s, want %s", got, want)
	}
	for name, want := range map[string]string{
		"prod":    "GET /api/widgets/1/parts GET /api/widgets/1/parts/prod-1/lots GET /api/widgets/2/parts GET /api/widgets/2/parts/prod-2/lots GET /api/widgets?limit=50",
		"staging": "GET /api/widgets/3/parts GET /api/widgets/3/parts/staging-3/lots GET /api/widgets?limit=50",
	} {
		reqs := append([]string(nil), servers[name].requests...)
		sort.Strings(reqs)
		if got := strings.Join(reqs, " "); got != want {
			t.Errorf("%s: requests %q, want %q", name, got, want)
		}
	}
}

// acmeAccounts starts an acme server per account, prod and staging, with
// the widgets ids[0] and ids[1] (each with one part, sku <account>-<id>),
// and a session whose config names them, reading all connections.
func acmeAccounts(t *testing.T, ids [][]int) (map[string]*acme, *engine.Session) {
	t.Helper()
	servers := map[string]*acme{}
	var cfg strings.Builder
	cfg.WriteString("connections:\n  acme:\n")
	env := map[string]string{}
	for i, name := range []string{"prod", "staging"} {
		a := &acme{parts: map[int][]map[string]any{}}
		for _, id := range ids[i] {
			a.widgets = append(a.widgets, map[string]any{"id": id, "name": fmt.Sprintf("w-%d", id), "color": "red", "tags": []string{}, "active": true})
			a.parts[id] = []map[string]any{{"sku": fmt.Sprintf("%s-%d", name, id), "quantity": id, "weight_kg": 1}}
		}
		srv := httptest.NewServer(a)
		t.Cleanup(srv.Close)
		servers[name] = a
		v := "ACME_TOKEN_" + strings.ToUpper(name)
		env[v] = "acme-key"
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
	sess := newAcmeSession(t, &acme{}, func(o *engine.Options) {
		o.Connections = conns
		o.ConnectionScope = []string{engine.AllConnections}
		o.Client.Getenv = func(k string) string { return env[k] }
	})
	return servers, sess
}

// TestDependentSubqueryAcrossConnections: with two accounts, a parameter
// bound from an uncorrelated IN (SELECT col FROM parent) over a resource of
// the same provider sends each value through the connections of the parent
// rows that hold it, as a join does (the other account has no such parent:
// it would answer 404). A literal list, and a subquery whose values are no
// one resource's rows (a CTE, GROUP BY), still go through every connection.
// prod has widgets 1, 2, 4; staging 3, 4.
func TestDependentSubqueryAcrossConnections(t *testing.T) {
	servers, sess := acmeAccounts(t, [][]int{{1, 2, 4}, {3, 4}})
	const list = "GET /api/widgets?limit=50"
	tests := []struct {
		name, sql, rows string
		// requests each account received, sorted.
		prod, staging string
		explain       string
	}{
		{"each value through its parent row's connection",
			"SELECT connection, widget_id, sku FROM acme.parts.parts WHERE widget_id IN (SELECT id FROM acme.widgets.widgets) ORDER BY 1, 2",
			"[[prod 1 prod-1] [prod 2 prod-2] [prod 4 prod-4] [staging 3 staging-3] [staging 4 staging-4]]",
			"GET /api/widgets/1/parts GET /api/widgets/2/parts GET /api/widgets/4/parts " + list,
			"GET /api/widgets/3/parts GET /api/widgets/4/parts " + list,
			"widget_id from the subquery (SELECT id FROM acme.widgets.widgets), each value through the connection of the acme.widgets.widgets rows that hold it; connections prod, staging"},
		{"an alias, a qualified column, DISTINCT and a filter",
			"SELECT p.connection, p.widget_id FROM acme.parts.parts p WHERE p.widget_id IN (SELECT DISTINCT w.id FROM acme.widgets.widgets AS w WHERE w.id <> 2 ORDER BY w.id) ORDER BY 1, 2",
			"[[prod 1] [prod 4] [staging 3] [staging 4]]",
			"GET /api/widgets/1/parts GET /api/widgets/4/parts " + list,
			"GET /api/widgets/3/parts GET /api/widgets/4/parts " + list, ""},
		{"the parent read through one connection: its values through that one",
			"SELECT connection, widget_id FROM acme.parts.parts WHERE widget_id IN (SELECT id FROM acme.widgets.widgets WHERE connection = 'staging') ORDER BY 1, 2",
			"[[staging 3] [staging 4]]",
			"", "GET /api/widgets/3/parts GET /api/widgets/4/parts " + list, ""},
		{"a literal list: every connection",
			"SELECT connection, widget_id FROM acme.parts.parts WHERE widget_id IN (4) ORDER BY 1, 2",
			"[[prod 4] [staging 4]]",
			"GET /api/widgets/4/parts", "GET /api/widgets/4/parts", ""},
		{"a CTE: every connection",
			"WITH s AS (SELECT id FROM acme.widgets.widgets WHERE connection = 'staging' AND id = 4) SELECT connection, widget_id FROM acme.parts.parts WHERE widget_id IN (SELECT id FROM s) ORDER BY 1, 2",
			"[[prod 4] [staging 4]]",
			"GET /api/widgets/4/parts", "GET /api/widgets/4 GET /api/widgets/4/parts",
			"widget_id from the subquery (SELECT id FROM s), each value through every connection; connections prod, staging"},
		{"GROUP BY: every connection",
			"SELECT connection, widget_id FROM acme.parts.parts WHERE widget_id IN (SELECT id FROM acme.widgets.widgets WHERE connection = 'prod' AND id = 4 GROUP BY id) ORDER BY 1, 2",
			"[[prod 4] [staging 4]]",
			"GET /api/widgets/4 GET /api/widgets/4/parts", "GET /api/widgets/4/parts", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, a := range servers {
				a.requests = nil
			}
			o := runOne(t, sess, tt.sql)
			if o.Err != nil {
				t.Fatal(o.Err)
			}
			if got := fmt.Sprint(o.Result.Rows); got != tt.rows {
				t.Errorf("rows %s, want %s", got, tt.rows)
			}
			for name, want := range map[string]string{"prod": tt.prod, "staging": tt.staging} {
				reqs := append([]string(nil), servers[name].requests...)
				sort.Strings(reqs)
				if got := strings.Join(reqs, " "); got != want {
					t.Errorf("%s: requests %q, want %q", name, got, want)
				}
			}
			if tt.explain == "" {
				return
			}
			o = runOne(t, sess, "EXPLAIN "+tt.sql)
			if o.Err != nil {
				t.Fatal(o.Err)
			}
			found := false
			for _, r := range o.Result.Rows {
				found = found || fmt.Sprint(r[4]) == tt.explain
			}
			if !found {
				t.Errorf("EXPLAIN %v: no row says %q", o.Result.Rows, tt.explain)
			}
		})
	}
}
