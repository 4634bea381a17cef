package registry

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// The default registry: one folder per provider, laid out as Load expects.
//
//go:embed providers
var embedded embed.FS

// embeddedName is how errors and Source fields name the embedded folder.
const embeddedName = "embedded:providers"

// Default returns the registry embedded in the binary, validated. It is the
// same as Load with no folders.
func Default() (*Registry, error) {
	return Load()
}

// Load returns the embedded registry plus the providers found in dirs.
//
// Each dir holds provider folders, laid out like the embedded one:
//
//	<dir>/<provider>/provider.yaml
//	<dir>/<provider>/services/<service>.yaml   (or .yml)
//
// Other files in dir, and folders whose names start with ".", are ignored.
// A provider found in a dir replaces the one of the same name loaded before
// it (the embedded one, or one in an earlier dir), whole.
//
// Providers, services and resources are sorted by name; fields, methods,
// params and body fields keep their declaration order; Service.Provider,
// Resource.Service and Method.Resource are set.
//
// When anything is wrong, Load returns a nil Registry and every problem
// found, each a *LoadError naming the file and line, joined with
// errors.Join.
func Load(dirs ...string) (*Registry, error) {
	sub, err := fs.Sub(embedded, "providers")
	if err != nil {
		return nil, err
	}
	loaded, errs := loadProviders(sub, embeddedName)
	for _, dir := range dirs {
		ps, e := loadProviders(os.DirFS(dir), dir)
		loaded = append(loaded, ps...)
		errs = append(errs, e...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return newRegistry(loaded), nil
}

// LoadFS returns the registry of the provider folders at the root of fsys
// alone, without the embedded providers; otherwise it behaves as Load. name
// stands for fsys's root in errors and Source fields, e.g. the folder fsys
// was opened from.
func LoadFS(fsys fs.FS, name string) (*Registry, error) {
	ps, errs := loadProviders(fsys, name)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return newRegistry(ps), nil
}

// newRegistry keeps the last of the providers with the same name, sorted.
func newRegistry(ps []*Provider) *Registry {
	byName := map[string]*Provider{}
	for _, p := range ps {
		byName[p.Name] = p
	}
	r := &Registry{}
	for _, p := range byName {
		r.Providers = append(r.Providers, p)
	}
	sort.Slice(r.Providers, func(i, j int) bool { return r.Providers[i].Name < r.Providers[j].Name })
	return r
}

// loadProviders loads every provider folder at the root of fsys; root names
// fsys in errors.
func loadProviders(fsys fs.FS, root string) ([]*Provider, []error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, []error{fsError(root, "cannot read registry folder", err)}
	}
	if _, err := fs.Stat(fsys, "provider.yaml"); err == nil {
		return nil, []error{&LoadError{File: root, Msg: "folder is a provider folder, not a folder of providers",
			Hint: "give the folder that holds it, " + filepath.Dir(root)}}
	}
	var ps []*Provider
	var errs []error
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if info, err := fs.Stat(fsys, e.Name()); err != nil || !info.IsDir() {
			continue // a file, or a dangling link
		}
		p, es := loadProvider(fsys, root, e.Name())
		errs = append(errs, es...)
		if p != nil {
			ps = append(ps, p)
		}
	}
	return ps, errs
}

// loadProvider loads the provider folder dir of fsys.
func loadProvider(fsys fs.FS, root, dir string) (*Provider, []error) {
	folder := filepath.Join(root, dir)
	data, err := fs.ReadFile(fsys, path.Join(dir, "provider.yaml"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, []error{&LoadError{File: folder, Msg: "provider folder has no provider.yaml",
			Hint: "a provider folder holds provider.yaml and services/<service>.yaml"}}
	}
	if err != nil {
		return nil, []error{fsError(filepath.Join(folder, "provider.yaml"), "cannot read file", err)}
	}
	d := &decoder{file: filepath.Join(folder, "provider.yaml")}
	var p *Provider
	if n := d.parse(data); n != nil {
		p = d.provider(n, dir)
	}
	errs := d.errors()
	if p == nil {
		return nil, errs
	}
	p.Source = folder

	entries, err := fs.ReadDir(fsys, path.Join(dir, "services"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, append(errs, &LoadError{File: folder, Msg: "provider folder has no services folder",
				Hint: "add services/<service>.yaml, one file per service"})
		}
		return nil, append(errs, fsError(filepath.Join(folder, "services"), "cannot read folder", err))
	}
	for _, e := range entries {
		ext := path.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		file := filepath.Join(folder, "services", e.Name())
		data, err := fs.ReadFile(fsys, path.Join(dir, "services", e.Name()))
		if err != nil {
			errs = append(errs, fsError(file, "cannot read file", err))
			continue
		}
		d := &decoder{file: file}
		var s *Service
		if n := d.parse(data); n != nil {
			s = d.service(n, p, strings.TrimSuffix(e.Name(), ext))
		}
		errs = append(errs, d.errors()...)
		if s == nil || s.Name == "" {
			continue
		}
		if t := p.Service(s.Name); t != nil {
			errs = append(errs, &LoadError{File: file, Line: s.Pos.Line, Column: s.Pos.Column,
				Msg:  fmt.Sprintf("duplicate service %q in provider %q (also in %s)", s.Name, p.Name, filepath.Base(t.Source)),
				Hint: "keep one file per service"})
			continue
		}
		p.Services = append(p.Services, s)
	}
	sort.Slice(p.Services, func(i, j int) bool { return p.Services[i].Name < p.Services[j].Name })
	return p, errs
}

// fsError turns a file system error about file into a LoadError.
func fsError(file, msg string, err error) *LoadError {
	text := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		text = pe.Err.Error()
	}
	return &LoadError{File: file, Msg: msg + ": " + text, Err: err}
}
