package registry_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
	"testing/fstest"

	"github.com/apiql/apiql/registry"
)

// FuzzLoad feeds arbitrary bytes to the loader as a service file: loading
// must not panic, and must either succeed with a consistent registry or fail
// with LoadErrors only.
func FuzzLoad(f *testing.F) {
	provider, err := os.ReadFile("../testdata/registry/good/acme/provider.yaml")
	if err != nil {
		f.Fatal(err)
	}
	seeds, _ := filepath.Glob("providers/*/services/*.yaml")
	more, _ := filepath.Glob("../testdata/registry/*/acme/services/*.yaml")
	broken, _ := filepath.Glob("../testdata/registry/broken/*/acme/services/*.y*ml")
	for _, file := range append(append(seeds, more...), broken...) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("name: widgets\nresources: {widgets: &r {fields: [{name: id}], methods: {m: *r}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{
			"acme/provider.yaml":          {Data: provider},
			"acme/services/widgets.yaml": {Data: data},
		}
		done := make(chan struct{})
		var reg *registry.Registry
		var err error
		go func() { reg, err = registry.LoadFS(fsys, "fuzz"); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			os.WriteFile("/tmp/gen/hang.yaml", data, 0o644)
			panic("hang")
		}
		if err != nil {
			errs := []error{err}
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				errs = j.Unwrap()
			}
			for _, e := range errs {
				var le *registry.LoadError
				if !errors.As(e, &le) || le.File == "" || le.Msg == "" {
					t.Fatalf("error %q is not a LoadError with a file and a message", e)
				}
			}
			return
		}
		for _, p := range reg.Providers {
			for _, s := range p.Services {
				for _, r := range s.Resources {
					if r.Service != s || s.Provider != p {
						t.Fatalf("%s: back pointers not set", r.Name)
					}
					for _, m := range r.Methods {
						if m.Resource != r || m.Verb == "" || m.HTTPMethod == "" || m.Path == "" {
							t.Fatalf("%s.%s: incomplete method %+v", r.Name, m.Name, m)
						}
						for _, p := range append(append([]*registry.Param{}, m.Params...), m.Body...) {
							if p.In == "" || p.Type == "" {
								t.Fatalf("%s.%s.%s: incomplete param %+v", r.Name, m.Name, p.Name, p)
							}
							if p.Field != "" && r.Field(p.Field) == nil {
								t.Fatalf("%s.%s.%s: field %q unknown", r.Name, m.Name, p.Name, p.Field)
							}
						}
					}
				}
			}
		}
	})
}
