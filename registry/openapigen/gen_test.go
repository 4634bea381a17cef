package openapigen

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

const (
	specPath      = "../openapi/digitalocean/openapi.yaml"
	overridesPath = "../openapi/digitalocean/overrides.yaml"
	servicesDir   = "../providers/digitalocean/services"
)

var (
	specOnce   sync.Once
	parsedSpec *spec
	specErr    error
)

// pinned returns the pinned spec, parsed once for all tests.
func pinned(t *testing.T) *spec {
	t.Helper()
	specOnce.Do(func() {
		data, err := os.ReadFile(specPath)
		if err != nil {
			specErr = err
			return
		}
		parsedSpec, specErr = readSpec(data)
	})
	if specErr != nil {
		t.Fatal(specErr)
	}
	return parsedSpec
}

func overrides(t *testing.T) *Overrides {
	t.Helper()
	data, err := os.ReadFile(overridesPath)
	if err != nil {
		t.Fatal(err)
	}
	o, err := ParseOverrides(data)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func generated(t *testing.T, o *Overrides) *Result {
	t.Helper()
	res, err := generate(pinned(t), o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// The committed service files are what the generator makes from the pinned
// spec and the overrides: edit the spec or the overrides and run
// `apiql registry gen`, never the files.
func TestCommittedFilesAreGenerated(t *testing.T) {
	files := generated(t, overrides(t)).Files()
	diff, err := Diff(files, servicesDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(diff) > 0 {
		t.Fatalf("%s differ from the generator's output: %s\n(run go run ./cmd/apiql registry gen from the repository's root)", servicesDir, strings.Join(diff, ", "))
	}
	for name, data := range files {
		if !bytes.HasPrefix(data, []byte(Header+"\n")) {
			t.Errorf("%s: first line is not the generated-file header", name)
		}
	}
}

func find(t *testing.T, res *Result, id string) *Resource {
	t.Helper()
	svc, name, _ := strings.Cut(id, ".")
	for _, s := range res.Services {
		if s.Name != svc {
			continue
		}
		for _, r := range s.Resources {
			if r.Name == name {
				return r
			}
		}
	}
	t.Fatalf("no resource %s", id)
	return nil
}

func methodNames(r *Resource) string {
	var names []string
	for _, m := range r.Methods {
		names = append(names, m.Name+":"+m.Verb)
	}
	return strings.Join(names, " ")
}

// What each entry of the overrides file does to the generated registry.
func TestOverridesApplied(t *testing.T) {
	res := generated(t, overrides(t))
	// services and resources: /v2/1-clicks, whose snake_case name starts with a digit.
	if r := find(t, res, "one_clicks.one_clicks"); methodNames(r) != "list:select install_kubernetes:exec" {
		t.Errorf("one_clicks.one_clicks methods=%q", methodNames(r))
	}
	// resources: account transfers are a resource of their own, so images keeps the seed's seven methods.
	if got, want := methodNames(find(t, res, "images.account_transfers")), "post_account_transfer_create:insert post_account_transfer_accept:exec post_account_transfer_cancel:exec post_account_transfer_decline:exec"; got != want {
		t.Errorf("images.account_transfers methods=%q, want %q", got, want)
	}
	img := find(t, res, "images.images")
	// methods (update is EXEC), raw_methods (_get, _list).
	if got, want := methodNames(img), "get:select list:select create_custom:insert delete:delete _get:exec _list:exec update:exec"; got != want {
		t.Errorf("images.images methods=%q, want %q", got, want)
	}
	// fields: the seed's fourteen, in its order.
	var fields []string
	for _, f := range img.Fields {
		fields = append(fields, f.Name)
	}
	if got, want := strings.Join(fields, ","), "id,name,description,created_at,distribution,error_message,min_disk_size,public,regions,size_gigabytes,slug,status,tags,type"; got != want {
		t.Errorf("images.images fields=%q, want %q", got, want)
	}
	// formats: the spec's format: date-time on a string property is kept; no
	// other field has one.
	for _, f := range img.Fields {
		want := ""
		if f.Name == "created_at" {
			want = "date-time"
		}
		if f.Format != want {
			t.Errorf("images.images %s: format %q, want %q", f.Name, f.Format, want)
		}
	}
	// field_descriptions: the seed's text for tags.
	if got := img.field("tags").Description; got != "A flat array of tag names as strings to be applied to the resource. Tag names may be for either existing or new tags." {
		t.Errorf("images.images tags: description %q", got)
	}
	// params: the images list's type is the image family, not the type field.
	for _, name := range []string{"list", "_list"} {
		p := img.method(name).param("type")
		if p.Field != "" || !slices.Equal(p.Enum, []string{"distribution", "application"}) || !strings.Contains(p.Description, "not its type field") {
			t.Errorf("images.images %s type: %+v", name, p)
		}
	}
	// params: the droplets list's filters the API refuses together.
	list := find(t, res, "droplets.droplets").method("list")
	for _, tt := range []struct{ param, excludes, field string }{
		{"tag_name", "name,type", ""},
		{"name", "tag_name", "name"},
		{"type", "tag_name", ""},
	} {
		p := list.param(tt.param)
		if got := strings.Join(p.Excludes, ","); got != tt.excludes || p.Field != tt.field {
			t.Errorf("droplets list %s: excludes %q field %q, want %q %q", tt.param, got, p.Field, tt.excludes, tt.field)
		}
	}
}

// Every entry of the overrides file changes the output: dropped, the
// generator makes other files (or refuses a name).
func TestEveryOverrideMatters(t *testing.T) {
	base := generated(t, overrides(t)).Files()
	for key := range overrides(t).entries() {
		t.Run(key, func(t *testing.T) {
			o := overrides(t)
			kind, rest, _ := strings.Cut(key, ".")
			switch kind {
			case "services":
				delete(o.Services, rest)
			case "resources":
				delete(o.Resources, rest)
			case "skip":
				delete(o.Skip, rest)
			case "methods":
				delete(o.Methods, rest)
			case "params":
				op, p, _ := strings.Cut(rest, ".")
				delete(o.Params[op], p)
			case "fields":
				delete(o.Fields, rest)
			case "field_descriptions":
				delete(o.FieldDescriptions, rest)
			case "raw_methods":
				i := strings.LastIndexByte(rest, '.')
				o.RawMethods[rest[:i]] = slices.DeleteFunc(o.RawMethods[rest[:i]], func(m string) bool { return m == rest[i+1:] })
			default:
				t.Fatalf("unknown kind %q", kind)
			}
			res, err := generate(pinned(t), o)
			if err != nil {
				return // without it, the generator refuses the spec
			}
			files := res.Files()
			same := len(files) == len(base)
			for name, data := range files {
				same = same && bytes.Equal(data, base[name])
			}
			if same {
				t.Errorf("dropping %s changes nothing", key)
			}
		})
	}
}

func TestOverridesMustMatch(t *testing.T) {
	for _, tt := range []struct{ name, yaml, want string }{
		{"unknown key", "renames: {}", "field renames not found"},
		{"no such operation", "methods: {no_such_op: {verb: exec}}", "methods.no_such_op"},
		{"no such param", "params: {images_list: {no_such: {field: \"-\"}}}", "images_list has no param \"no_such\""},
		{"no such field", "fields: {images.images: [id, nope]}", "no field \"nope\""},
		{"excludes a stranger", "params: {droplets_list: {name: {excludes: [nope]}}}", "excludes \"nope\""},
		{"raw of a non-select", "raw_methods: {images.images: [delete]}", "no select method \"delete\""},
		{"bad name", "services: {1-clicks: \"1x\"}", "not a valid name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseOverrides([]byte(tt.yaml))
			if err == nil {
				if _, ok := o.Services["1-clicks"]; !ok {
					if o.Services == nil {
						o.Services = map[string]string{}
					}
					o.Services["1-clicks"] = "one_clicks"
					o.Resources = map[string]string{"/v2/1-clicks": "one_clicks"}
				}
				_, err = generate(pinned(t), o)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err=%v, want one containing %q", err, tt.want)
			}
		})
	}
}
