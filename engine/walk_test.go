package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/registry"
)

// TestEveryResourceSelects walks the whole registry: for every select method
// of the emulated provider, a SELECT binding exactly its required
// parameters (path parameters bound to ids of seeded parents) runs through
// the engine against the emulator and returns rows whose values have the
// registry's types.
func TestEveryResourceSelects(t *testing.T) {
	if testing.Short() {
		t.Skip("walks every resource")
	}
	// The registry apiql runs with: the embedded one, and APIQL_REGISTRY's
	// folders when set (to walk a registry in the making).
	reg, err := registry.Load(filepath.SplitList(os.Getenv("APIQL_REGISTRY"))...)
	if err != nil {
		t.Fatal(err)
	}
	emu := emulator.New(emulator.Options{Images: 60, Token: "test-token", Registry: reg})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	vars := map[string]string{"DIGITALOCEAN_API_URL": srv.URL, "DIGITALOCEAN_TOKEN": "test-token"}
	sess, err := engine.NewSession(context.Background(), engine.Options{
		Registry: reg,
		Client:   &provider.Client{Getenv: func(k string) string { return vars[k] }},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	// The same statements streamed as pages arrive (Options.Stream, as
	// export and sync run them) must answer the same rows.
	streamed, err := engine.NewSession(context.Background(), engine.Options{
		Registry: reg,
		Client:   &provider.Client{Getenv: func(k string) string { return vars[k] }},
		Stream:   true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { streamed.Close() })

	p := reg.Provider("digitalocean")
	if p == nil {
		t.Fatal("no digitalocean provider")
	}
	w := &walker{base: srv.URL, reg: p}
	methods := 0
	var unreachable []string
	for _, svc := range p.Services {
		for _, res := range svc.Resources() {
			for _, m := range res.MethodsFor(registry.VerbSelect) {
				methods++
				t.Run(res.ID()+"."+m.Name, func(t *testing.T) {
					where, err := w.bindings(m)
					if err != nil {
						t.Fatal(err)
					}
					q := "SELECT * FROM " + res.ID() + where
					var out engine.Outcome
					emu.ResetRequests()
					if err := sess.Run(context.Background(), q, func(o engine.Outcome) bool { out = o; return true }); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
					// Another method binding the same parameters may be the
					// one the engine prefers (a get over a list): this one is
					// then out of a SELECT's reach, whatever it answers.
					if chosen := requested(emu, m); chosen != "" {
						unreachable = append(unreachable, res.ID()+"."+m.Name+" (the engine sends "+chosen+")")
						return
					}
					if out.Err != nil {
						t.Fatalf("%s: %v", q, out.Err)
					}
					if out.Result == nil || len(out.Result.Rows) == 0 {
						t.Fatalf("%s: no rows", q)
					}
					var so engine.Outcome
					if err := streamed.Run(context.Background(), q, func(o engine.Outcome) bool { so = o; return true }); err != nil || so.Err != nil {
						t.Fatalf("%s streamed: %v %v", q, err, so.Err)
					}
					if !reflect.DeepEqual(so.Result, out.Result) {
						t.Errorf("%s: streamed result differs:\n%v\nwant\n%v", q, so.Result, out.Result)
					}
					// The result reports JSON columns as array; the registry
					// says which of array and object each field is.
					for _, row := range out.Result.Rows {
						for i, c := range out.Result.Columns {
							typ := c.Type
							if f := res.Field(c.Name); f != nil {
								typ = f.Type
							}
							if msg := typeMismatch(typ, row[i]); msg != "" {
								t.Errorf("%s: column %s (%s): %s", q, c.Name, typ, msg)
							}
						}
					}
				})
			}
		}
	}
	t.Logf("%d select methods walked; %d not reachable by SELECT: %s", methods, len(unreachable), strings.Join(unreachable, "; "))
}

// requested returns "" when the emulator received a GET of m's path, and
// otherwise the GETs it received instead.
func requested(emu *emulator.Server, m *registry.Method) string {
	parts := placeholder.Split(m.Path, -1)
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	re := regexp.MustCompile("^" + strings.Join(parts, "[^/]+") + "$")
	var other []string
	for _, r := range emu.Requests() {
		if r.Method != http.MethodGet {
			continue
		}
		if re.MatchString(r.Path) {
			return ""
		}
		other = append(other, r.Path)
	}
	if len(other) == 0 {
		return ""
	}
	return strings.Join(other, ", ")
}

// typeMismatch says how v is not a value of the registry type typ, or "".
func typeMismatch(typ string, v any) string {
	if v == nil {
		return ""
	}
	ok := true
	switch typ {
	case registry.TypeInteger:
		_, ok = v.(int64)
	case registry.TypeNumber:
		switch v.(type) {
		case int64, float64:
		default:
			ok = false
		}
	case registry.TypeBoolean:
		_, ok = v.(bool)
	case registry.TypeString:
		_, ok = v.(string)
	case registry.TypeArray, registry.TypeObject:
		s, isString := v.(string)
		var x any
		ok = isString && json.Unmarshal([]byte(s), &x) == nil
		if ok && typ == registry.TypeArray {
			_, ok = x.([]any)
		} else if ok {
			_, ok = x.(map[string]any)
		}
	}
	if ok {
		return ""
	}
	return fmt.Sprintf("%T %v", v, v)
}

// walker finds values for methods' required parameters on the emulator.
type walker struct {
	base string
	reg  *registry.Provider
}

var placeholder = regexp.MustCompile(`\{([^}]*)\}`)

// bindings returns the WHERE clause binding m's required parameters: a path
// parameter to the id of the first item of the collection before it (the
// parent), a required query parameter to its first enum value or a sample.
func (w *walker) bindings(m *registry.Method) (string, error) {
	var conj []string
	path := m.Path
	for _, loc := range placeholder.FindAllStringSubmatchIndex(m.Path, -1) {
		name := m.Path[loc[2]:loc[3]]
		prefix := path[:strings.Index(path, "{"+name+"}")]
		prm := m.Param(name)
		// The parent's field: one of the parameter's name first, then (for
		// the method's own item) the field it filters, then the usual ids.
		fields := []string{name}
		if prm != nil && prm.Field != "" && loc[1] == len(m.Path) {
			fields = append(fields, prm.Field)
		}
		v, err := w.parentID(strings.TrimSuffix(prefix, "/"), w.key(strings.TrimSuffix(m.Path[:loc[0]], "/")), fields)
		if err != nil {
			return "", fmt.Errorf("%s: %s: %w", m.Path, name, err)
		}
		if v == "" {
			// No collection names it: any value is served.
			v = "example"
			if prm != nil && (prm.Type == registry.TypeInteger || prm.Type == registry.TypeNumber) {
				v = "1"
			}
		}
		path = strings.Replace(path, "{"+name+"}", v, 1)
		conj = append(conj, name+" = "+literal(prm, v))
	}
	for _, prm := range m.Params {
		if prm.In != registry.InQuery || !prm.Required {
			continue
		}
		// A value the collection's own items hold (share_id of access
		// points), else the first enum value, else a sample.
		v, err := w.parentID(path, m.ResponseKey, []string{prm.Name})
		if err != nil || v == "" || v == "example" {
			v = "example"
		}
		switch {
		case len(prm.Enum) > 0:
			v = prm.Enum[0]
		case v == "example" && (prm.Type == registry.TypeInteger || prm.Type == registry.TypeNumber):
			v = "1"
		}
		conj = append(conj, prm.Name+" = "+literal(prm, v))
	}
	if len(conj) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conj, " AND "), nil
}

func literal(p *registry.Param, v string) string {
	if p != nil && (p.Type == registry.TypeInteger || p.Type == registry.TypeNumber) {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

// key is the response key of the registry's GET select method at a path
// template, or "".
func (w *walker) key(tpl string) string {
	norm := func(p string) string { return placeholder.ReplaceAllString(p, "{}") }
	for _, svc := range w.reg.Services {
		for _, res := range svc.Resources() {
			for _, m := range res.MethodsFor(registry.VerbSelect) {
				if m.HTTPMethod == http.MethodGet && norm(m.Path) == norm(tpl) {
					return m.ResponseKey
				}
			}
		}
	}
	return ""
}

// parentID is the identifier of the first item the collection (or object)
// at the concrete path answers under key (any key when ""): the first of
// its fields named first, id, uuid, name, slug, ip, fingerprint, urn or key
// that it has; "" when there is nothing there.
func (w *walker) parentID(path, key string, first []string) (string, error) {
	req, _ := http.NewRequest(http.MethodGet, w.base+path, nil)
	req.Header.Set("Authorization", "Bearer test-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusNotFound {
		return "", nil
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		return "", fmt.Errorf("GET %s: %v", path, err)
	}
	var item map[string]any
	for k, v := range body {
		if k == "links" || k == "meta" || (key != "" && k != key) {
			continue
		}
		switch x := v.(type) {
		case []any:
			if len(x) > 0 {
				item, _ = x[0].(map[string]any)
			}
		case map[string]any:
			item = x
		}
	}
	for _, f := range append(first, "id", "uuid", "name", "slug", "ip", "fingerprint", "urn", "key") {
		if v := scalar(item[f]); v != "" {
			return v, nil
		}
	}
	// A field the parameter's name ends with: logsink_id names sink_id.
	for k, v := range item {
		if len(first) > 0 && strings.HasSuffix(first[0], k) && (strings.HasSuffix(k, "_id") || strings.HasSuffix(k, "_uuid")) {
			if v := scalar(v); v != "" {
				return v, nil
			}
		}
	}
	return "", nil
}

// scalar is a JSON string or number as text, or "".
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return fmt.Sprint(int64(x))
	}
	return ""
}
