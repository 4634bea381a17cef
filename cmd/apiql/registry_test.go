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
