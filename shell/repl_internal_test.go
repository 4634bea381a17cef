package shell

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseMeta(t *testing.T) {
	for _, tc := range []struct {
		line    string
		name    string
		args    []string
		wantErr string
	}{
		{line: ".help", name: ".help"},
		{line: "  .OUTPUT   json  ", name: ".output", args: []string{"json"}},
		{line: ".set region nyc3", name: ".set", args: []string{"region", "nyc3"}},
		{line: ".set name 'my image'", name: ".set", args: []string{"name", "my image"}},
		{line: `.set name "it's"`, name: ".set", args: []string{"name", "it's"}},
		{line: ".set name 'it''s'", name: ".set", args: []string{"name", "it's"}},
		{line: ".set empty ''", name: ".set", args: []string{"empty", ""}},
		{line: ".read 'my queries/a.iql'", name: ".read", args: []string{"my queries/a.iql"}},
		{line: ".read\tfile.iql", name: ".read", args: []string{"file.iql"}},
		{line: ".set name 'open", wantErr: "unterminated ' quote"},
	} {
		name, args, err := parseMeta(tc.line)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("parseMeta(%q) error = %v, want %q", tc.line, err, tc.wantErr)
			}
			continue
		}
		if err != nil || name != tc.name || !reflect.DeepEqual(args, tc.args) {
			t.Errorf("parseMeta(%q) = %q, %q, %v; want %q, %q", tc.line, name, args, err, tc.name, tc.args)
		}
	}
}

func TestIsMeta(t *testing.T) {
	for line, want := range map[string]bool{
		".help": true, ".x": true, `\q`: true, "quit": true, "EXIT": true, "exit;": true, "help": true,
		"SELECT 1;": false, "quit_this": false, "exits": false, "SHOW PROVIDERS": false,
	} {
		if got := isMeta(line); got != want {
			t.Errorf("isMeta(%q) = %v, want %v", line, got, want)
		}
	}
}

func TestHistoryEntry(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SELECT 1;", "SELECT 1;"},
		{"  SELECT 1;  ", "SELECT 1;"},
		{"SELECT count(*)\nFROM digitalocean.images.images;", "SELECT count(*) FROM digitalocean.images.images;"},
		{"SELECT a,   \n    b\n\n  FROM t;", "SELECT a, b FROM t;"},
		{"SELECT a -- the a\nFROM t;", "SELECT a /* the a */ FROM t;"},
		{"SELECT a -- odd */ comment\nFROM t;", "SELECT a /* odd * / comment */ FROM t;"},
		{"SELECT 1; -- done", "SELECT 1; -- done"},
		{"SELECT 1;\n-- done", "SELECT 1; /* done */"},
		{"SELECT '--not a comment'\n;", "SELECT '--not a comment' ;"},
		{"SELECT 'it''s'\n;", "SELECT 'it''s' ;"},
		{"SELECT /* a\nb */ 1\n;", "SELECT /* a b */ 1 ;"},
		{"SELECT 'two\nlines';", "SELECT 'two lines';"},
		{"SELECT \"a\n\"\n;", "SELECT \"a \" ;"},
		{"SELECT x\r\nFROM t;", "SELECT x FROM t;"},
	} {
		if got := historyEntry(tc.in); got != tc.want {
			t.Errorf("historyEntry(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestHistoryFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "apiql", "history")
	h, err := openHistory(path, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []string{"SELECT 1;", "SELECT 1;", "SELECT 2;", ".help", "SELECT 3;"} {
		if _, err := h.add(e); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(data), "SELECT 1;\nSELECT 2;\n.help\nSELECT 3;\n"; got != want {
		t.Errorf("history file = %q, want %q", got, want)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("history file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	// Reopened: the last entries up to the limit, and the file trimmed.
	h, err = openHistory(path, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := h.entries, []string{"SELECT 2;", ".help", "SELECT 3;"}; !reflect.DeepEqual(got, want) {
		t.Errorf("reopened entries = %q, want %q", got, want)
	}
	data, _ = os.ReadFile(path)
	if got, want := string(data), "SELECT 2;\n.help\nSELECT 3;\n"; got != want {
		t.Errorf("trimmed history file = %q, want %q", got, want)
	}
}

func TestHistoryPath(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_STATE_HOME": "/state", "HOME": "/home/u"}, "/state/apiql/history"},
		{map[string]string{"HOME": "/home/u"}, "/home/u/.local/state/apiql/history"},
		{map[string]string{"XDG_STATE_HOME": "relative", "HOME": "/home/u"}, "/home/u/.local/state/apiql/history"},
	} {
		got, err := HistoryPath(env(tc.env))
		if err != nil || got != tc.want {
			t.Errorf("HistoryPath(%v) = %q, %v; want %q", tc.env, got, err, tc.want)
		}
	}
}
