package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/registry"
)

// TestListsAnsweredAsTheSpecSays: every list of the registry that needs no
// path parameter is answered with the top-level keys the spec's answer
// has: exactly those where it has keys beside the array other than links
// and meta ({"vector_dbs": [...], "total": n}, no links nor meta), else
// the array, links and meta.
func TestListsAnsweredAsTheSpecSays(t *testing.T) {
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	spec := specAnswers(t)
	c := start(t, emulator.Options{Images: 5, Registry: reg})
	n := 0
	for _, svc := range reg.Provider("digitalocean").Services {
		for _, res := range svc.Resources() {
			for _, m := range res.Methods {
				if m.HTTPMethod != "GET" || m.ResponseKey == "" || strings.Contains(m.Path, "{") || len(m.RequiredParams()) > 0 {
					continue
				}
				ex, ok := spec["GET "+m.Path]
				if !ok || !slices.Contains(keysOf(ex), m.ResponseKey) {
					continue
				}
				r := c.do(http.MethodGet, m.Path, "")
				if r.status != http.StatusOK {
					continue // a hand-made handler's answer to a bare GET, checked elsewhere
				}
				got := decodeMap(t, r.body)
				if _, isList := got[m.ResponseKey].([]any); !isList {
					continue // one object
				}
				n++
				want := keysOf(ex)
				beside := slices.ContainsFunc(want, func(k string) bool { return k != m.ResponseKey && k != "links" && k != "meta" })
				if !beside {
					// The paged lists' schemas have links and meta, though
					// some examples leave one out.
					want = []string{m.ResponseKey, "links", "meta"}
					sort.Strings(want)
				}
				if g := keysOf(got); fmt.Sprint(g) != fmt.Sprint(want) {
					t.Errorf("GET %s answers the keys %v, the spec %v", m.Path, g, keysOf(ex))
				}
			}
		}
	}
	if n < 50 {
		t.Fatalf("only %d lists checked", n)
	}
}

// TestListBesideCounts: a list whose spec answer counts it beside the
// array counts what it answers, filtered and paged.
func TestListBesideCounts(t *testing.T) {
	c := start(t, emulator.Options{Images: 5})
	r := c.do(http.MethodPost, "/v2/vector-databases", `{"name":"two","project_id":"4de7ac8b-495b-4884-9a69-1050c6793cd6","region":"tor1","size":"small"}`)
	if r.status != http.StatusCreated && r.status != http.StatusOK {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	for _, tt := range []struct {
		path  string
		items int
		want  string
	}{
		{"/v2/vector-databases", 2, "total=2"},
		{"/v2/vector-databases?per_page=1", 1, "total=2"},
		{"/v2/vector-databases?per_page=1&page=3", 0, "total=2"},
		{"/v2/customers/my/invoices?per_page=1", 1, "invoice_preview=%v links=%v meta=map[total:%d]"},
	} {
		got := decodeMap(t, c.getJSONRaw(tt.path))
		var key string
		var counts []string
		for _, k := range keysOf(got) {
			if arr, ok := got[k].([]any); ok {
				key = k
				if len(arr) != tt.items {
					t.Errorf("GET %s: %d items, want %d", tt.path, len(arr), tt.items)
				}
				continue
			}
			counts = append(counts, fmt.Sprintf("%s=%v", k, got[k]))
		}
		want := tt.want
		if strings.Contains(want, "%d") {
			all := decodeMap(t, c.getJSONRaw(strings.Split(tt.path, "?")[0]))
			n := len(all[key].([]any))
			if n < 2 {
				t.Fatalf("GET %s: %d items, the test needs 2 or more", tt.path, n)
			}
			if strings.Contains(want, "invoice_preview") {
				want = fmt.Sprintf(want, got["invoice_preview"], got["links"], n)
			} else {
				want = fmt.Sprintf(want, n, n)
			}
		}
		if g := strings.Join(counts, " "); g != want {
			t.Errorf("GET %s: %s, want %s", tt.path, g, want)
		}
	}
}

// specAnswers are the spec's example answers (provider/emulator's spec
// data), by operation: "GET /v2/vector-databases".
func specAnswers(t *testing.T) map[string]map[string]any {
	t.Helper()
	data, err := os.ReadFile("specdata.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var op struct {
			Op   string         `json:"op"`
			Body map[string]any `json:"body"`
		}
		if json.Unmarshal([]byte(line), &op) == nil && op.Body != nil {
			out[strings.ReplaceAll(op.Op, "{}", "")] = op.Body
		}
	}
	return out
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
