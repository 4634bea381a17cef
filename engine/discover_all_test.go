package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/registry"
)

// TestDiscoveryCoversTheRegistry: SHOW SERVICES, SHOW RESOURCES, DESCRIBE
// and SHOW METHODS answer for every service and resource of the embedded
// registry (the whole DigitalOcean API), with a row per service, resource,
// field and method, and send no request.
func TestDiscoveryCoversTheRegistry(t *testing.T) {
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	sess, err := engine.NewSession(context.Background(), engine.Options{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	run := func(sql string) *engine.Result {
		t.Helper()
		var out engine.Outcome
		if err := sess.Run(context.Background(), sql, func(o engine.Outcome) bool { out = o; return true }); err != nil || out.Err != nil || out.Result == nil {
			t.Fatalf("%s: %v %v", sql, err, out.Err)
		}
		return out.Result
	}
	names := func(res *engine.Result, col string) []string {
		i := -1
		for j, c := range res.Columns {
			if strings.EqualFold(c.Name, col) {
				i = j
			}
		}
		if i < 0 {
			t.Fatalf("no column %s in %v", col, res.Columns)
		}
		var out []string
		for _, r := range res.Rows {
			out = append(out, fmt.Sprint(r[i]))
		}
		return out
	}
	p := reg.Provider("digitalocean")
	if got, want := len(run("SHOW SERVICES IN digitalocean").Rows), len(p.Services); got != want {
		t.Errorf("SHOW SERVICES: %d rows, want %d", got, want)
	}
	resources, methods := 0, 0
	for _, s := range p.Services {
		if got, want := len(run("SHOW RESOURCES IN digitalocean."+s.Name).Rows), len(s.Resources()); got != want {
			t.Errorf("SHOW RESOURCES IN digitalocean.%s: %d rows, want %d", s.Name, got, want)
		}
		for _, r := range s.Resources() {
			resources++
			cols := strings.Join(names(run("DESCRIBE "+r.ID()), "name"), ",")
			for _, f := range r.Fields {
				if !strings.Contains(","+cols+",", ","+f.Name+",") {
					t.Errorf("DESCRIBE %s lacks field %s", r.ID(), f.Name)
				}
			}
			got := names(run("SHOW METHODS IN "+r.ID()), "MethodName")
			var want []string
			for _, m := range r.Methods {
				want = append(want, m.Name)
				methods++
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("SHOW METHODS IN %s: %q, want %q", r.ID(), got, want)
			}
		}
	}
	t.Logf("%d resources, %d methods", resources, methods)
	if resources < 250 || methods < 630 {
		t.Errorf("walked %d resources and %d methods: want the whole API", resources, methods)
	}
}
