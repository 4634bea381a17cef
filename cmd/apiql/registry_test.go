package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRegistryFolders: --registry and APIQL_REGISTRY add provider folders
// on top of the embedded registry; a provider found there replaces the
// embedded one of the same name; a broken folder is an error naming the
// file and line.
func TestRegistryFolders(t *testing.T) {
	good := filepath.Join("..", "..", "testdata", "registry", "good")
	override := filepath.Join("..", "..", "testdata", "registry", "override")
	broken := filepath.Join("..", "..", "testdata", "registry", "broken", "unknown-key")

	r := runApiql(t, "", "exec", "-o", "csv", "-H", "--registry", good, "SHOW PROVIDERS")
	if r.code != 0 || !strings.Contains(r.stdout, "acme,") || !strings.Contains(r.stdout, "digitalocean,") {
		t.Errorf("--registry good: want acme and digitalocean:\n%v", r)
	}

	t.Setenv("APIQL_REGISTRY", good)
	r = runApiql(t, "", "exec", "-o", "csv", "-H", "SHOW SERVICES IN acme")
	if r.code != 0 || !strings.Contains(r.stdout, "acme.widgets") {
		t.Errorf("APIQL_REGISTRY: want acme's services:\n%v", r)
	}
	t.Setenv("APIQL_REGISTRY", "")

	embedded := runApiql(t, "", "exec", "-o", "csv", "-H", "SHOW SERVICES IN digitalocean")
	replaced := runApiql(t, "", "exec", "-o", "csv", "-H", "--registry", override, "SHOW SERVICES IN digitalocean")
	if replaced.code != 0 || replaced.stdout == embedded.stdout {
		t.Errorf("an on-disk digitalocean must replace the embedded one:\nembedded:\n%s\nreplaced:\n%v", embedded.stdout, replaced)
	}

	r = runApiql(t, "", "exec", "--registry", broken, "SHOW PROVIDERS")
	if r.code == 0 || !strings.Contains(r.stderr, "things.yaml:") || !strings.Contains(r.stderr, "unknown key") {
		t.Errorf("a broken registry must fail with file:line:\n%v", r)
	}
}

// TestRegistryGenCommand: `apiql registry coverage` counts what the pinned
// spec's registry maps and lists the rest; `apiql registry gen -check`
// finds the committed files up to date, and a stale folder is an error.
func TestRegistryGenCommand(t *testing.T) {
	root := filepath.Join("..", "..")
	spec := filepath.Join(root, "registry", "openapi", "digitalocean", "openapi.yaml")
	ovr := filepath.Join(root, "registry", "openapi", "digitalocean", "overrides.yaml")
	out := filepath.Join(root, "registry", "providers", "digitalocean", "services")

	r := runApiql(t, "", "registry", "coverage", "-spec", spec, "-overrides", ovr)
	for _, want := range []string{"operations: 644 of 659 mapped (644 of 644 under /v2)", "SELECT 336,", "EXEC 78", "registry: 43 services, 264 resources"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("registry coverage: want %q:\n%v", want, r)
		}
	}
	if strings.Contains(r.stdout, "X-Dangerous") || strings.Contains(r.stdout, "not JSON") {
		t.Errorf("registry coverage: the X-Dangerous deletes and the non-JSON GETs are mapped, want them off the unmapped list:\n%v", r)
	}
	r = runApiql(t, "", "registry", "gen", "-check", "-spec", spec, "-overrides", ovr, "-out", out)
	if r.code != 0 || !strings.Contains(r.stdout, "43 service files") {
		t.Errorf("registry gen -check: want up to date:\n%v", r)
	}
	stale := t.TempDir()
	r = runApiql(t, "", "registry", "gen", "-check", "-spec", spec, "-overrides", ovr, "-out", stale)
	if r.code != 1 || !strings.Contains(r.stderr, "differ from the spec's registry") {
		t.Errorf("registry gen -check on an empty folder: want exit 1:\n%v", r)
	}
	r = runApiql(t, "", "registry", "frob")
	if r.code != 2 || !strings.Contains(r.stderr, "expected gen or coverage") {
		t.Errorf("registry frob: want usage error:\n%v", r)
	}
}
