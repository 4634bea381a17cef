package registry_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/apiql/apiql/registry"
)

// FuzzLoad feeds arbitrary bytes to the loader as a service file: loading
// must not panic, and must either succeed with a consistent registry or fail
// with LoadErrors only. The seeds are the real service files, so the
// fuzzer's minimizing is slow; run it as
//
//	go test ./registry -run '^$' -fuzz FuzzLoad -fuzzminimizetime 5s
func FuzzLoad(f *testing.F) {
	provider, err := os.ReadFile("../testdata/registry/good/acme/provider.yaml")
	if err != nil {
		f.Fatal(err)
	}
	seeds, _ := filepath.Glob("providers/*/services/*.yaml")
	for _, pattern := range []string{"../testdata/registry/*/*/services/*.y*ml", "../testdata/registry/broken/*/acme/services/*.y*ml"} {
		more, _ := filepath.Glob(pattern)
		seeds = append(seeds, more...)
	}
	if len(seeds) < 10 {
		f.Fatalf("found %d seed files, want the registry's and the fixtures'", len(seeds))
	}
	for _, file := range seeds {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("name: widgets\nresources: {widgets: &r {fields: [{name: id}], methods: {m: *r}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{
			"acme/provider.yaml":         {Data: provider},
			"acme/services/widgets.yaml": {Data: data},
		}
		reg, err := registry.LoadFS(fsys, "fuzz")
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
				for _, r := range s.Resources() {
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
