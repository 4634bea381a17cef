package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiql/apiql/registry"
)

func writeConfig(t *testing.T, text string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadConnections(t *testing.T) {
	tests := []struct {
		name, text string
		// wantErr is a part of the error; "" for none.
		wantErr string
		// names are digitalocean's connections, and def its default.
		names, def string
	}{
		{"the issue's example", `connections:
  digitalocean:
    prod:    { token_env: DO_TOKEN_PROD }
    staging: { token_env: DO_TOKEN_STAGING }
    lab:     { token_env: DO_TOKEN_LAB, api_url: "http://127.0.0.1:8089" }
`, "", "default,lab,prod,staging", "default"},
		{"default_connection", "default_connection: prod\nconnections:\n  digitalocean:\n    prod: {token_env: A}\n", "", "default,prod", "prod"},
		{"default_connection per provider", "default_connection: {digitalocean: prod}\nconnections:\n  digitalocean:\n    prod: {token_cmd: echo x}\n", "", "default,prod", "prod"},
		{"a connection called default replaces the environment's", "connections:\n  digitalocean:\n    default: {token_env: A}\n", "", "default", "default"},
		{"empty file", "", "", "default", "default"},
		{"unknown default", "default_connection: qa\nconnections:\n  digitalocean:\n    prod: {token_env: A}\n", `default_connection "qa" names no connection`, "", ""},
		{"both token sources", "connections:\n  digitalocean:\n    prod: {token_env: A, token_cmd: echo}\n", "give token_env or token_cmd, not both", "", ""},
		{"no token source", "connections:\n  digitalocean:\n    prod: {api_url: 'http://127.0.0.1:1'}\n", "give token_env", "", ""},
		{"a value, not a variable name", "connections:\n  digitalocean:\n    prod: {token_env: 'my token'}\n", "NAME of an environment variable", "", ""},
		{"a token in the file", "connections:\n  digitalocean:\n    prod: {token_env: dop_v1_0123456789abcdef0123456789abcdef}\n", "line 3: this looks like an API token", "", ""},
		{"a long secret in the file", "connections:\n  digitalocean:\n    prod: {token_env: A} # Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4\n", "looks like an API token", "", ""},
		{"bad name", "connections:\n  digitalocean:\n    'prod db': {token_env: A}\n", "a connection name is a letter", "", ""},
		{"bad url", "connections:\n  digitalocean:\n    prod: {token_env: A, api_url: '127.0.0.1:8089'}\n", "not an http or https URL", "", ""},
		{"empty port", "connections:\n  digitalocean:\n    prod: {token_env: A, api_url: 'http://127.0.0.1:'}\n", "empty port", "", ""},
		{"unknown key", "connections:\n  digitalocean:\n    prod: {token: A}\n", "field token not found", "", ""},
		{"a connection called all", "connections:\n  digitalocean:\n    all: {token_env: A}\n", `"all" is reserved`, "", ""},
		{"a connection called ALL", "connections:\n  digitalocean:\n    ALL: {token_env: A}\n", `"ALL" is reserved`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := LoadConnections(writeConfig(t, tt.text, 0o600), true)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "0123456789abcdef") || strings.Contains(err.Error(), "Zm9vYmFy") {
					t.Errorf("the error quotes the secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(cs.Names("digitalocean"), ","); got != tt.names {
				t.Errorf("names %s, want %s", got, tt.names)
			}
			if got := cs.Default("digitalocean"); got != tt.def {
				t.Errorf("default %s, want %s", got, tt.def)
			}
			if len(cs.Warnings) > 0 {
				t.Errorf("warnings %v for a 0600 file", cs.Warnings)
			}
		})
	}
}

func TestLoadConnectionsFileRules(t *testing.T) {
	// Readable by others: a warning.
	cs, err := LoadConnections(writeConfig(t, "connections:\n  digitalocean:\n    prod: {token_env: A}\n", 0o644), true)
	if err != nil || len(cs.Warnings) != 1 || !strings.Contains(cs.Warnings[0], "readable by other users") {
		t.Errorf("0644 file: %v, %v", cs, err)
	}
	// Missing: an error when named, none when it is the default path.
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	if _, err := LoadConnections(missing, true); err == nil {
		t.Errorf("a named missing file is no error")
	}
	cs, err = LoadConnections(missing, false)
	if err != nil || strings.Join(cs.Names("digitalocean"), ",") != "default" || !cs.For("digitalocean")[0].Implicit {
		t.Errorf("no file: %v, %v", cs, err)
	}
	// Where the file is looked for.
	env := map[string]string{"HOME": "/home/u"}
	getenv := func(k string) string { return env[k] }
	if p, must := ConfigPath("", getenv); p != "/home/u/.config/apiql/config.yaml" || must {
		t.Errorf("default path %s %v", p, must)
	}
	env["XDG_CONFIG_HOME"] = "/x"
	if p, _ := ConfigPath("", getenv); p != "/x/apiql/config.yaml" {
		t.Errorf("XDG path %s", p)
	}
	env["APIQL_CONFIG"] = "/c.yaml"
	if p, must := ConfigPath("", getenv); p != "/c.yaml" || !must {
		t.Errorf("APIQL_CONFIG path %s %v", p, must)
	}
	if p, must := ConfigPath("/f.yaml", getenv); p != "/f.yaml" || !must {
		t.Errorf("--config path %s %v", p, must)
	}
}

func TestConnectionToken(t *testing.T) {
	p := &registry.Provider{Name: "digitalocean", Auth: registry.Auth{Type: "bearer", TokenEnv: []string{"DIGITALOCEAN_TOKEN"}}}
	env := map[string]string{"DO_TOKEN_PROD": " tok-prod\n", "DIGITALOCEAN_TOKEN": "env-tok"}
	base := &Client{Getenv: func(k string) string { return env[k] }}
	tests := []struct {
		conn    *Connection
		want    string
		wantErr string
	}{
		{&Connection{Name: "prod", Provider: "digitalocean", TokenEnv: "DO_TOKEN_PROD"}, "tok-prod", ""},
		{&Connection{Name: "default", Provider: "digitalocean", Implicit: true}, "env-tok", ""},
		{&Connection{Name: "cmd", Provider: "digitalocean", TokenCmd: "printf 'tok-cmd\\n'"}, "tok-cmd", ""},
		{&Connection{Name: "lab", Provider: "digitalocean", TokenEnv: "DO_TOKEN_LAB"}, "", `no API token for connection "lab" (digitalocean): set DO_TOKEN_LAB`},
		{&Connection{Name: "broken", Provider: "digitalocean", TokenCmd: "echo secret-output; exit 3"}, "", `its token_cmd "echo secret-output; exit 3" failed: exit status 3`},
		{&Connection{Name: "silent", Provider: "digitalocean", TokenCmd: "true"}, "", "it printed nothing"},
	}
	for _, tt := range tests {
		got, err := base.WithConnection(tt.conn).token(p)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.conn.Name, err, tt.wantErr)
			}
			if err != nil && strings.Count(err.Error(), "secret-output") > 1 {
				t.Errorf("%s: the command's output is quoted: %v", tt.conn.Name, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: token %q, %v; want %q", tt.conn.Name, got, err, tt.want)
		}
	}
	// A connection's api_url wins over the environment's and the registry's.
	env["DIGITALOCEAN_API_URL"] = "http://127.0.0.1:1"
	p.BaseURLEnv, p.BaseURL = "DIGITALOCEAN_API_URL", "https://api.example.com"
	cl := base.WithConnection(&Connection{Name: "lab", Provider: "digitalocean", TokenEnv: "X", APIURL: "http://127.0.0.1:2"})
	if got := cl.BaseURL(p); got != "http://127.0.0.1:2" {
		t.Errorf("BaseURL %s", got)
	}
	if got := base.BaseURL(p); got != "http://127.0.0.1:1" {
		t.Errorf("default BaseURL %s", got)
	}
}

func TestConnectionsCheckProviders(t *testing.T) {
	known := []string{"acme", "digitalocean"}
	for _, tt := range []struct{ text, wantErr string }{
		{"connections:\n  digitalocean:\n    prod: {token_env: A}\n", ""},
		{"", ""},
		{"connections:\n  Digitalocean:\n    prod: {token_env: A}\n", `provider "Digitalocean", which the registry does not have; did you mean digitalocean?`},
		{"connections:\n  digitalocaen:\n    prod: {token_env: A}\n", `provider "digitalocaen", which the registry does not have; did you mean digitalocean?`},
		{"connections:\n  aws:\n    prod: {token_env: A}\n", `provider "aws", which the registry does not have; the providers are acme, digitalocean`},
	} {
		cs, err := LoadConnections(writeConfig(t, tt.text, 0o600), true)
		if err != nil {
			t.Fatal(err)
		}
		err = cs.CheckProviders(known)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%q: error %v, want %q", tt.text, err, tt.wantErr)
		}
	}
}

// TestCommandTokens: CommandTokens runs each token command not run yet,
// once per process whether it ran for a request first or not, and returns
// what each printed on stdout, a failing command's too (stderr is never
// read as a token); the client that resolved a connection masks its
// failing command's output as well.
func TestCommandTokens(t *testing.T) {
	dir := t.TempDir()
	count := filepath.Join(dir, "runs")
	for name, text := range map[string]string{"a": "tok-a-0123456789\n", "b": "tok-b-0123456789\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := writeConfig(t, "connections:\n  digitalocean:\n"+
		"    a: {token_cmd: \"echo x >> "+count+"; cat "+filepath.Join(dir, "a")+"; echo on-stderr >&2\"}\n"+
		"    b: {token_cmd: \"echo x >> "+count+"; cat "+filepath.Join(dir, "b")+"; exit 4\"}\n"+
		"    c: {token_env: C_TOKEN}\n", 0o600)
	cs, err := LoadConnections(path, true)
	if err != nil {
		t.Fatal(err)
	}
	p := &registry.Provider{Name: "digitalocean", Auth: registry.Auth{Type: "bearer", TokenEnv: []string{"DIGITALOCEAN_TOKEN"}}}
	base := &Client{Getenv: func(string) string { return "" }}
	b := base.WithConnection(cs.Lookup("digitalocean", "b"))
	if _, err := b.token(p); err == nil || strings.Contains(err.Error(), "tok-b") {
		t.Fatalf("b: %v, want a failure that does not quote the output", err)
	}
	if got := base.MaskSecrets("x tok-b-0123456789 y"); got != "x *** y" {
		t.Errorf("a failing command's output is not masked: %q", got)
	}
	for i := 0; i < 2; i++ {
		if got, want := strings.Join(cs.CommandTokens(), ","), "tok-a-0123456789,tok-b-0123456789"; got != want {
			t.Errorf("CommandTokens = %q, want %q", got, want)
		}
	}
	if tok, err := base.WithConnection(cs.Lookup("digitalocean", "a")).token(p); tok != "tok-a-0123456789" || err != nil {
		t.Errorf("a: %q, %v", tok, err)
	}
	runs, _ := os.ReadFile(count)
	if n := strings.Count(string(runs), "x"); n != 2 {
		t.Errorf("the commands ran %d times in all, want once each (2)", n)
	}
	var nilSet *Connections
	if got := nilSet.CommandTokens(); got != nil {
		t.Errorf("no config: %v", got)
	}
}
