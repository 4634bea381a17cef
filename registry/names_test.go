package registry_test

import (
	"testing"

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
