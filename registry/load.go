package registry

import (
	"bytes"
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

// trust applies the rules a registry folder's provider p is held to, given
// the built-in providers: a token variable, and a base URL variable, belong
// to the built-in provider that reads them, so no other provider may read
// them (a folder cannot send one provider's token to its own base URL); a
// provider that replaces a built-in one keeps the built-in's base URL
// variable, so that the user's *_API_URL still wins, and is marked
// Replaces.
func trust(p *Provider, builtin []*Provider) []error {
	var errs []error
	file := filepath.Join(p.Source, "provider.yaml")
	for _, b := range builtin {
		if strings.EqualFold(b.Name, p.Name) { // names match case-insensitively
			p.Replaces = b.Source
			switch {
			case b.BaseURLEnv == "" || p.BaseURLEnv == b.BaseURLEnv:
			case p.BaseURLEnv == "":
				p.BaseURLEnv = b.BaseURLEnv
			default:
				errs = append(errs, &LoadError{File: file, Line: p.Pos.Line, Column: p.Pos.Column,
					Msg:  fmt.Sprintf("provider %q replaces the built-in one but reads its URL from %s, not %s", p.Name, p.BaseURLEnv, b.BaseURLEnv),
					Hint: fmt.Sprintf("write base_url_env: %s (or leave it out): the user's %s must keep pointing %s where they chose", b.BaseURLEnv, b.BaseURLEnv, p.Name)})
			}
			continue
		}
		for _, k := range p.Auth.TokenEnv {
			if contains(b.Auth.TokenEnv, k) {
				errs = append(errs, &LoadError{File: file, Line: p.Pos.Line, Column: p.Pos.Column,
					Msg:  fmt.Sprintf("provider %q reads its token from %s, the token variable of the built-in provider %q", p.Name, k, b.Name),
					Hint: fmt.Sprintf("a registry folder cannot hand %s's token to another API: give %s a variable of its own (e.g. %s_TOKEN), or name the variable in a connection of your config file", b.Name, p.Name, strings.ToUpper(p.Name))})
			}
		}
		if p.BaseURLEnv != "" && p.BaseURLEnv == b.BaseURLEnv {
			errs = append(errs, &LoadError{File: file, Line: p.Pos.Line, Column: p.Pos.Column,
				Msg:  fmt.Sprintf("provider %q reads its URL from %s, the URL variable of the built-in provider %q", p.Name, p.BaseURLEnv, b.Name),
				Hint: fmt.Sprintf("give %s a variable of its own (e.g. %s_API_URL)", p.Name, strings.ToUpper(p.Name))})
		}
	}
	return errs
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
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
// it (the embedded one, or one in an earlier dir), whole; one that replaces
// a built-in provider is marked Replaces and keeps the built-in's base URL
// variable. No provider of a dir may read the token variable (or the base
// URL variable) of another built-in provider.
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
	loaded, errs := loadProviders(sub, embeddedName, true)
	builtin := loaded
	for _, dir := range dirs {
		ps, e := loadProviders(os.DirFS(dir), dir, false)
		for _, p := range ps {
			errs = append(errs, trust(p, builtin)...)
		}
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
	ps, errs := loadProviders(fsys, name, false)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return newRegistry(ps), nil
}

// newRegistry keeps the last of the providers with the same name, sorted.
func newRegistry(ps []*Provider) *Registry {
	byName := map[string]*Provider{}
	for _, p := range ps {
		byName[strings.ToLower(p.Name)] = p // names match case-insensitively
	}
	r := &Registry{}
	for _, p := range byName {
		r.Providers = append(r.Providers, p)
	}
	sort.Slice(r.Providers, func(i, j int) bool { return r.Providers[i].Name < r.Providers[j].Name })
	return r
}

// loadProviders loads every provider folder at the root of fsys; root names
// fsys in errors. lazy defers reading each service's resources to their
// first use (see Service.Resources): for the embedded registry only, which
// its tests check whole.
func loadProviders(fsys fs.FS, root string, lazy bool) ([]*Provider, []error) {
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
		p, es := loadProvider(fsys, root, e.Name(), lazy)
		errs = append(errs, es...)
		if p != nil {
			ps = append(ps, p)
		}
	}
	return ps, errs
}

// loadProvider loads the provider folder dir of fsys.
func loadProvider(fsys fs.FS, root, dir string, lazy bool) (*Provider, []error) {
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
		name := path.Join(dir, "services", e.Name())
		base := strings.TrimSuffix(e.Name(), ext)
		var s *Service
		if head, ok := serviceHead(fsys, name); lazy && ok {
			if s = quickHeader(head, file, base, p); s == nil {
				d := &decoder{file: file}
				if n := d.parse(head); n != nil {
					s = d.serviceHeader(n, p, base)
				}
				errs = append(errs, d.errors()...)
			}
			if s != nil {
				s.load = lazyResources(s, fsys, name, base)
			}
		} else {
			data, err := fs.ReadFile(fsys, name)
			if err != nil {
				errs = append(errs, fsError(file, "cannot read file", err))
				continue
			}
			d := &decoder{file: file}
			if n := d.parse(data); n != nil {
				s = d.service(n, p, base)
			}
			errs = append(errs, d.errors()...)
		}
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
	if !lazy {
		errs = append(errs, checkParents(p)...)
	}
	return p, errs
}

// maxHead bounds how much of a service file is read for its header.
const maxHead = 64 << 10

// serviceHead returns the part of the service file name before its
// resources: key, reading no more of the file than that; false when the
// file has no resources: line within maxHead bytes (it is then read whole).
func serviceHead(fsys fs.FS, name string) ([]byte, bool) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	var head []byte
	buf := make([]byte, 4096)
	for len(head) < maxHead {
		n, err := f.Read(buf)
		head = append(head, buf[:n]...)
		if i := bytes.Index(head, []byte("\nresources:")); i >= 0 {
			return head[:i+1], true
		}
		if err != nil {
			break
		}
	}
	return nil, false
}

// quickHeader reads a service file's header written as the generator
// writes it (comments; name, title and description as plain scalars, the
// description possibly a |- block) without a YAML parser, which costs
// more than the rest of start-up; nil for anything else, which is then
// parsed as YAML. Its tests compare the two on every embedded file.
func quickHeader(head []byte, file, base string, p *Provider) *Service {
	s := &Service{Provider: p, Source: file}
	lines := strings.Split(strings.TrimSuffix(string(head), "\n"), "\n")
	seen := map[string]bool{}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l == "" || l[0] == '#' {
			continue
		}
		key, val, ok := strings.Cut(l, ": ")
		if !ok || seen[key] {
			return nil
		}
		seen[key] = true
		if val == "|-" {
			var block []string
			for i+1 < len(lines) && (lines[i+1] == "" || strings.HasPrefix(lines[i+1], "  ")) {
				i++
				block = append(block, strings.TrimPrefix(lines[i], "  "))
			}
			if len(block) == 0 || strings.HasPrefix(block[0], " ") {
				return nil
			}
			val = strings.TrimRight(strings.Join(block, "\n"), "\n")
		} else if val == "" || strings.ContainsAny(val[:1], "-?:,[]{}#&*!|>'\"%@` ") || strings.Contains(val, " #") ||
			strings.HasSuffix(val, " ") || (i+1 < len(lines) && strings.HasPrefix(lines[i+1], " ")) {
			return nil
		}
		switch key {
		case "name":
			s.Name, s.Pos = val, Pos{File: file, Line: i + 1, Column: len("name: ") + 1}
		case "title":
			s.Title = val
		case "description":
			s.Description = val
		default:
			return nil
		}
	}
	if s.Name != base || !identRE.MatchString(s.Name) {
		return nil // the YAML path reports it
	}
	return s
}

// lazyResources returns the reader of service s's resources from the file
// name of fsys.
func lazyResources(s *Service, fsys fs.FS, name, base string) func() ([]*Resource, error) {
	return func() ([]*Resource, error) {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fsError(s.Source, "cannot read file", err)
		}
		d := &decoder{file: s.Source}
		var full *Service
		if n := d.parse(data); n != nil {
			full = d.service(n, s.Provider, base)
		}
		if errs := d.errors(); len(errs) > 0 {
			return nil, errors.Join(errs...)
		}
		for _, r := range full.resources {
			r.Service = s
		}
		return full.resources, nil
	}
}

// Check reads every service of the registry and reports every problem:
// what Load reports for folders, for the embedded registry too, whose
// services are read on first use.
func (r *Registry) Check() error {
	var errs []error
	for _, p := range r.Providers {
		for _, s := range p.Services {
			if err := s.Err(); err != nil {
				errs = append(errs, err)
			}
		}
		errs = append(errs, checkParents(p)...)
	}
	return errors.Join(errs...)
}

// checkParents reports parent relations that name no resource or field of
// the provider.
func checkParents(p *Provider) []error {
	var errs []error
	for _, s := range p.Services {
		for _, r := range s.Resources() {
			for _, m := range r.Methods {
				for _, prm := range m.Params {
					if prm.Parent == nil {
						continue
					}
					e := &LoadError{File: prm.Pos.File, Line: prm.Pos.Line, Column: prm.Pos.Column}
					res, err := p.resource(prm.Parent.Service, prm.Parent.Resource)
					switch {
					case err != nil:
						e.Msg = fmt.Sprintf("param %q of method %q: parent %s: %v", prm.Name, m.Name, prm.Parent.Service+"."+prm.Parent.Resource, err)
						e.Hint = "name a resource of provider " + p.Name + " as service.resource"
					case res.Field(prm.Parent.Field) == nil:
						e.Msg = fmt.Sprintf("param %q of method %q: parent %s has no field %q", prm.Name, m.Name, res.ID(), prm.Parent.Field)
						e.Hint = "name one of the parent's fields"
					default:
						continue
					}
					errs = append(errs, e)
				}
			}
		}
	}
	return errs
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
