package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/registry"
)

// acme is a made-up second provider (testdata/registry/good/acme): its own
// paths, response keys, pagination and auth. Nothing in engine/ or
// provider/ knows it: these tests prove the registry is all there is.
type acme struct {
	mu       sync.Mutex
	requests []string
	widgets  []map[string]any
	// parts, when set, are each widget's parts (by id; a widget not in the
	// map has none); else every widget has the same two parts.
	parts map[int][]map[string]any
	// suppliers are each part's suppliers, by sku.
	suppliers map[string][]map[string]any
	// latency is added to every request.
	latency time.Duration
}

func (a *acme) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.requests = append(a.requests, r.Method+" "+r.URL.RequestURI())
	a.mu.Unlock()
	time.Sleep(a.latency)
	if r.Header.Get("Authorization") != "Bearer acme-key" {
		w.WriteHeader(401)
		fmt.Fprint(w, `{"id":"unauthorized","message":"who are you?"}`)
		return
	}
	switch {
	case r.Method == "GET" && r.URL.Path == "/api/widgets":
		q := r.URL.Query()
		var p, limit int
		fmt.Sscan(q.Get("p"), &p)
		fmt.Sscan(q.Get("limit"), &limit)
		p = max(p, 1)
		var match []map[string]any
		for _, wd := range a.widgets {
			if c := q.Get("color"); c == "" || wd["color"] == c {
				match = append(match, wd)
			}
		}
		start, end := min((p-1)*limit, len(match)), min(p*limit, len(match))
		next := ""
		if end < len(match) {
			next = fmt.Sprintf("http://%s/api/widgets?p=%d&limit=%d&color=%s", r.Host, p+1, limit, q.Get("color"))
		}
		json.NewEncoder(w).Encode(map[string]any{"items": match[start:end], "paging": map[string]any{"next_url": next, "total": len(match)}})
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/api/widgets/") && strings.HasSuffix(r.URL.Path, "/parts"):
		if a.parts == nil {
			fmt.Fprint(w, `{"parts":[{"sku":"bolt-m4","quantity":12,"weight_kg":0.004},{"sku":"gear-9","quantity":1,"weight_kg":0.25}]}`)
			return
		}
		var id int
		fmt.Sscan(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/widgets/"), "/parts"), &id)
		known := false
		for _, wd := range a.widgets {
			known = known || fmt.Sprint(wd["id"]) == fmt.Sprint(id)
		}
		if !known {
			w.WriteHeader(404)
			fmt.Fprint(w, `{"id":"not_found","message":"no such widget"}`)
			return
		}
		parts := a.parts[id]
		if parts == nil {
			parts = []map[string]any{}
		}
		json.NewEncoder(w).Encode(map[string]any{"parts": parts})
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/api/parts/") && strings.HasSuffix(r.URL.Path, "/suppliers"):
		sku := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/parts/"), "/suppliers")
		sup := a.suppliers[sku]
		if sup == nil {
			sup = []map[string]any{}
		}
		json.NewEncoder(w).Encode(map[string]any{"suppliers": sup})
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/api/widgets/") && strings.HasSuffix(r.URL.Path, "/lots"):
		// A lot of a part the widget has: widget 2 has no gear, so
		// /api/widgets/2/parts/gear/lots is 404.
		var id int
		var sku string
		segs := strings.Split(r.URL.Path, "/") // "", api, widgets, id, parts, sku, lots
		if len(segs) == 7 {
			fmt.Sscan(segs[3], &id)
			sku = segs[5]
		}
		for _, p := range a.parts[id] {
			if p["sku"] == sku {
				json.NewEncoder(w).Encode(map[string]any{"lots": []map[string]any{
					{"lot": fmt.Sprintf("%d-%s-1", id, sku), "made": "2026-01-02T03:04:05Z"}}})
				return
			}
		}
		w.WriteHeader(404)
		fmt.Fprint(w, `{"id":"not_found","message":"no such part of that widget"}`)
	case r.Method == "DELETE" && strings.HasPrefix(r.URL.Path, "/api/widgets/") && strings.Contains(r.URL.Path, "/parts/"):
		w.WriteHeader(204)
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/api/widgets/") && !strings.Contains(r.URL.Path[len("/api/widgets/"):], "/"):
		for _, wd := range a.widgets {
			if fmt.Sprint(wd["id"]) == r.URL.Path[len("/api/widgets/"):] {
				json.NewEncoder(w).Encode(map[string]any{"widget": wd})
				return
			}
		}
		w.WriteHeader(404)
		fmt.Fprint(w, `{"id":"not_found","message":"no such widget"}`)
	default:
		w.WriteHeader(404)
		fmt.Fprint(w, `{"id":"not_found","message":"no such thing"}`)
	}
}

func newAcme(t testing.TB) (*acme, *engine.Session) {
	t.Helper()
	a := &acme{}
	colors := []string{"red", "green", "blue"}
	for i := 1; i <= 120; i++ {
		a.widgets = append(a.widgets, map[string]any{"id": i, "name": fmt.Sprintf("w-%03d", i), "color": colors[i%3], "tags": []string{"t" + colors[i%3]}, "active": i%2 == 0})
	}
	return a, newAcmeSession(t, a, nil)
}

// newAcmeSession serves a and opens a session on it; opts may adjust the
// session's options.
func newAcmeSession(t testing.TB, a *acme, opts func(*engine.Options)) *engine.Session {
	t.Helper()
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	reg, err := registry.Load("../testdata/registry/good")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ACME_API_URL": srv.URL, "ACME_TOKEN": "acme-key"}
	o := engine.Options{Registry: reg, Client: &provider.Client{Getenv: func(k string) string { return env[k] }}}
	if opts != nil {
		opts(&o)
	}
	sess, err := engine.NewSession(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return sess
}

func runOne(t testing.TB, sess *engine.Session, sql string) engine.Outcome {
	t.Helper()
	var out engine.Outcome
	if err := sess.Run(context.Background(), sql, func(o engine.Outcome) bool { out = o; return true }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOtherProviderSelect(t *testing.T) {
	a, sess := newAcme(t)
	o := runOne(t, sess, "SELECT color, count(*) AS n, sum(active) AS active FROM acme.widgets.widgets WHERE color = 'red' GROUP BY color")
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	if got := fmt.Sprint(o.Result.Rows); got != "[[red 40 20]]" {
		t.Errorf("rows %s, want [[red 40 20]]", got)
	}
	// color is pushed as the list's filter; 40 red widgets are one page of 50.
	if got, want := strings.Join(a.requests, "\n"), "GET /api/widgets?color=red&limit=50"; got != want {
		t.Errorf("requests:\n%s\nwant:\n%s", got, want)
	}
	a.requests = nil
	o = runOne(t, sess, "SELECT count(*) FROM acme.widgets.widgets")
	if o.Err != nil || fmt.Sprint(o.Result.Rows) != "[[120]]" {
		t.Fatalf("count: %v %v", o.Result, o.Err)
	}
	if len(a.requests) != 3 {
		t.Errorf("%d requests for 120 widgets at 50 a page, want 3: %v", len(a.requests), a.requests)
	}
}

func TestMissingRequiredParamSendsNothing(t *testing.T) {
	a, sess := newAcme(t)
	o := runOne(t, sess, "SELECT sku FROM acme.parts.parts")
	if o.Err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"widget_id", "SHOW METHODS IN acme.parts.parts"} {
		if !strings.Contains(o.Err.Error(), want) {
			t.Errorf("error %q does not mention %q", o.Err, want)
		}
	}
	if len(a.requests) != 0 {
		t.Errorf("requests sent: %v", a.requests)
	}
	o = runOne(t, sess, "SELECT p.widget_id, p.sku, p.quantity FROM acme.parts.parts p WHERE p.widget_id IN (7, 9) ORDER BY 1, 2")
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	if got, want := fmt.Sprint(o.Result.Rows), "[[7 bolt-m4 12] [7 gear-9 1] [9 bolt-m4 12] [9 gear-9 1]]"; got != want {
		t.Errorf("rows %s, want %s", got, want)
	}
}
