package registry_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/apiql/apiql/registry"
)

// TestNearestOnlyWhenClose: a suggestion is a plausible typo of the name,
// never a name that merely shares a prefix or is as long as the edits.
func TestNearestOnlyWhenClose(t *testing.T) {
	known := []string{"images", "regions", "snapshots", "droplets", "id"}
	for _, tc := range []struct{ name, want string }{
		{"imagse", "images"},
		{"Images", "images"},
		{"imgs", "images"},
		{"region", "regions"},
		{"snapshot", "snapshots"},
		{"x", ""},
		{"ab", ""},
		{"foo", ""},
		{"is", "id"},
		{"volumes", ""},
		{"kubernetes", ""},
	} {
		if got := registry.Nearest(tc.name, known); got != tc.want {
			t.Errorf("Nearest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestLookupsIgnoreCase: provider, service, resource and method names
// match as SQL names do; an unknown part is suggested from its own level.
func TestLookupsIgnoreCase(t *testing.T) {
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"digitalocean.images.images", "DigitalOcean.Images.IMAGES", "DIGITALOCEAN.regions.Regions"} {
		res, err := reg.Resource(id)
		if err != nil {
			t.Errorf("Resource(%q): %v", id, err)
			continue
		}
		if res.Method("LIST") == nil {
			t.Errorf("%s: methods not found in another case", id)
		}
	}
	for _, tc := range []struct{ id, want string }{
		{"digitalocean.images.x", `unknown resource "digitalocean.images.x" (see SHOW RESOURCES IN digitalocean.images)`},
		{"digitalocean.images.imags", `unknown resource "digitalocean.images.imags"; did you mean "digitalocean.images.images"? (see SHOW RESOURCES IN digitalocean.images)`},
		{"digitalocean.imgs.images", `unknown service "digitalocean.imgs"; did you mean "digitalocean.images"? (see SHOW SERVICES IN digitalocean)`},
		{"aws.ec2.instances", `unknown provider "aws" (see SHOW PROVIDERS)`},
	} {
		_, err := reg.Resource(tc.id)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Resource(%q) error = %v, want %s", tc.id, err, tc.want)
		}
	}
}

// TestIdentity: a resource's identity is the field it declares, else the
// field its get's one path param stands for; an identity that names no
// field is a load error at its line.
func TestIdentity(t *testing.T) {
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		"digitalocean.images.images":       "id",
		"digitalocean.droplets.droplets":   "id",
		"digitalocean.regions.regions":     "slug",
		"digitalocean.snapshots.snapshots": "id",
	} {
		res, err := reg.Resource(id)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.IdentityField(); got != want {
			t.Errorf("%s: identity %q, want %q", id, got, want)
		}
	}
	fs := fstest.MapFS{
		"acme/provider.yaml": {Data: []byte("name: acme\nbase_url: http://127.0.0.1:1\n")},
		"acme/services/things.yaml": {Data: []byte(`name: things
resources:
  things:
    identity: uid
    fields: [{name: id, type: integer}, {name: name}]
    methods:
      get:
        verb: select
        http: GET /things/{thing_id}
        params: {thing_id: {in: path, required: true, field: id}}
  others:
    fields: [{name: id, type: integer}]
    methods:
      get:
        verb: select
        http: GET /others/{other_id}
        params: {other_id: {in: path, required: true, field: id}}
`)},
	}
	_, err = registry.LoadFS(fs, "reg")
	if err == nil || !strings.Contains(err.Error(), `things.yaml:4:`) || !strings.Contains(err.Error(), `identity "uid" names no field`) {
		t.Errorf("load error = %v, want one at things.yaml:4 naming the identity", err)
	}
	fs["acme/services/things.yaml"].Data = []byte(strings.Replace(string(fs["acme/services/things.yaml"].Data), "uid", "name", 1))
	reg, err = registry.LoadFS(fs, "reg")
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{"acme.things.things": "name", "acme.things.others": "id"} {
		res, _ := reg.Resource(id)
		if got := res.IdentityField(); got != want {
			t.Errorf("%s: identity %q, want %q", id, got, want)
		}
	}
}
