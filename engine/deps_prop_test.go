package engine_test

import (
	"database/sql"
	"fmt"
	"math/rand"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
)

// dependentForms are queries over widgets ({W}) and their parts ({P}), whose
// parts are fetched through the widgets: by a join or a subquery.
var dependentForms = []string{
	"SELECT w.id, w.color, p.sku, p.quantity FROM {W} w JOIN {P} p ON p.widget_id = w.id",
	"SELECT w.id, p.sku FROM {W} w LEFT JOIN {P} p ON p.widget_id = w.id",
	"SELECT w.id, p.sku FROM {W} w JOIN {P} p ON p.widget_id = w.id WHERE w.color = '%s'",
	"SELECT w.id, p.sku FROM {W} w LEFT JOIN {P} p ON w.id = p.widget_id WHERE w.color = '%s'",
	"SELECT p.widget_id, p.sku FROM {P} p WHERE p.widget_id IN (SELECT id FROM {W} WHERE color = '%s')",
	"SELECT w.color, count(p.sku), sum(p.quantity) FROM {W} w LEFT JOIN {P} p ON w.id = p.widget_id GROUP BY w.color",
	"SELECT w.id, p.sku FROM {W} w, {P} p WHERE p.widget_id = w.id AND p.quantity > 5",
	"WITH a AS (SELECT id FROM {W} WHERE active) SELECT a.id, p.sku FROM a JOIN {P} p ON p.widget_id = a.id",
	"SELECT w.id, (SELECT count(*) FROM {P} p WHERE p.widget_id = w.id) FROM {W} w",
	"SELECT w.id FROM {W} w WHERE EXISTS (SELECT 1 FROM {P} p WHERE p.widget_id = w.id AND p.quantity > 3)",
	"SELECT w.id, p.sku FROM {W} w JOIN {P} p ON p.widget_id = w.id WHERE w.name LIKE '%%1%%' AND p.quantity >= 2 AND w.color <> '%s'",
}

// TestDependentJoinProperty: a dependent fetch gives the same rows as
// fetching every widget's parts by hand (one statement per widget) and
// running the same query in a plain SQLite database, over random data;
// and every widget request is sent before any parts request.
func TestDependentJoinProperty(t *testing.T) {
	rng := rand.New(rand.NewSource(14))
	colors := []string{"red", "green", "blue"}
	skus := []string{"bolt", "gear", "nut", "washer"}
	for iter := 0; iter < 25; iter++ {
		a := &acme{parts: map[int][]map[string]any{}}
		n := rng.Intn(12)
		for i := 1; i <= n; i++ {
			id := 10 + i*7
			a.widgets = append(a.widgets, map[string]any{"id": id, "name": fmt.Sprintf("w%d", id), "color": colors[rng.Intn(3)], "tags": []string{}, "active": rng.Intn(2) == 0})
			for k := rng.Intn(4); k > 0; k-- {
				a.parts[id] = append(a.parts[id], map[string]any{"sku": skus[rng.Intn(len(skus))], "quantity": rng.Intn(10), "weight_kg": 0.5})
			}
		}
		sess := newAcmeSession(t, a, nil)
		ref := byHand(t, sess)
		for _, form := range dependentForms {
			q := form
			if strings.Contains(q, "%s") {
				q = fmt.Sprintf(q, colors[rng.Intn(3)])
			}
			a.requests = nil
			o := runOne(t, sess, strings.NewReplacer("{W}", "acme.widgets.widgets", "{P}", "acme.parts.parts").Replace(q))
			if o.Err != nil {
				t.Fatalf("%s: %v", q, o.Err)
			}
			got := sortedRows(o.Result.Rows)
			want := sortedRows(queryRows(t, ref, strings.NewReplacer("{W}", "w_all", "{P}", "p_all").Replace(q)))
			if got != want {
				t.Errorf("iteration %d, %s:\n got %s\nwant %s", iter, q, got, want)
			}
			lastParent, firstChild := -1, len(a.requests)
			for i, r := range a.requests {
				if strings.HasSuffix(strings.SplitN(r, "?", 2)[0], "/parts") {
					firstChild = min(firstChild, i)
				} else {
					lastParent = i
				}
			}
			if lastParent > firstChild {
				t.Errorf("%s: a widget request after a parts request: %v", q, a.requests)
			}
		}
	}
}

// byHand fetches every widget, then each widget's parts with one
// statement per widget, into a plain SQLite database: w_all and p_all.
func byHand(t *testing.T, sess *engine.Session) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	for _, ddl := range []string{
		"CREATE TABLE w_all (id INTEGER, name TEXT, color TEXT, tags TEXT, active INTEGER)",
		"CREATE TABLE p_all (widget_id INTEGER, sku TEXT, quantity INTEGER, weight_kg REAL)",
	} {
		if _, err := db.Exec(ddl); err != nil {
			t.Fatal(err)
		}
	}
	ws := runOne(t, sess, "SELECT id, name, color, tags, active FROM acme.widgets.widgets")
	if ws.Err != nil {
		t.Fatal(ws.Err)
	}
	for _, w := range ws.Result.Rows {
		if _, err := db.Exec("INSERT INTO w_all VALUES (?, ?, ?, ?, ?)", w...); err != nil {
			t.Fatal(err)
		}
		ps := runOne(t, sess, fmt.Sprintf("SELECT widget_id, sku, quantity, weight_kg FROM acme.parts.parts WHERE widget_id = %d", w[0]))
		if ps.Err != nil {
			t.Fatal(ps.Err)
		}
		for _, p := range ps.Result.Rows {
			if _, err := db.Exec("INSERT INTO p_all VALUES (?, ?, ?, ?)", p...); err != nil {
				t.Fatal(err)
			}
		}
	}
	return db
}

func queryRows(t *testing.T, db *sql.DB, q string) [][]any {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, vals)
	}
	return out
}

// sortedRows renders rows as a sorted multiset.
func sortedRows(rows [][]any) string {
	var lines []string
	for _, r := range rows {
		var vs []string
		for _, v := range r {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			vs = append(vs, fmt.Sprint(v))
		}
		lines = append(lines, strings.Join(vs, "|"))
	}
	sort.Strings(lines)
	return fmt.Sprintf("%d rows %q", len(lines), lines)
}

// BenchmarkDependentJoin200Latency20ms is the dependent-fetch target: 200
// parents at 20 ms per request, joined to their children (one call each),
// at concurrency 1 and 8. The target is concurrency 8 at most a quarter of
// concurrency 1.
func BenchmarkDependentJoin200Latency20ms(b *testing.B) {
	for _, c := range []int{1, 8} {
		b.Run(fmt.Sprintf("concurrency=%d", c), func(b *testing.B) {
			a := &acme{parts: map[int][]map[string]any{}, latency: 20 * time.Millisecond}
			for i := 1; i <= 200; i++ {
				a.widgets = append(a.widgets, map[string]any{"id": i, "name": fmt.Sprintf("w%d", i), "color": "red", "tags": []string{}, "active": true})
				a.parts[i] = []map[string]any{{"sku": "bolt", "quantity": i, "weight_kg": 0.5}}
			}
			sess := newAcmeSession(b, a, func(o *engine.Options) {
				o.Concurrency = c
				o.Client.Concurrency = c
				o.Client.HTTP = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * c}}
				o.Client.Retry = provider.RetryPolicy{}
			})
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				o := runOne(b, sess, "SELECT count(*), sum(p.quantity) FROM acme.widgets.widgets w JOIN acme.parts.parts p ON p.widget_id = w.id")
				if o.Err != nil {
					b.Fatal(o.Err)
				}
				if got := fmt.Sprint(o.Result.Rows); got != "[[200 20100]]" {
					b.Fatalf("rows %s, want [[200 20100]]", got)
				}
			}
		})
	}
}
