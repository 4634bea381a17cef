package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	r := runApiql(t, "", "export", "--sandbox", "--format", "csv", "--out", dir, "--name", "distros",
		"SELECT slug FROM digitalocean.images.images WHERE type = 'distribution' ORDER BY slug LIMIT 2; SELECT count(*) AS n FROM digitalocean.regions.regions")
	if r.code != 0 {
		t.Fatal(r)
	}
	want := filepath.Join(dir, "distros.csv") + ": 2 rows\n" + filepath.Join(dir, "2.csv") + ": 1 row\n"
	if r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	b, err := os.ReadFile(filepath.Join(dir, "distros.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); !strings.HasPrefix(got, "slug\n") || strings.Count(got, "\n") != 3 {
		t.Errorf("distros.csv:\n%s", got)
	}
}

func TestExportUsage(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"export", "--sandbox", "--out", dir, "SELECT 1"}, "no export format", 2},
		{[]string{"export", "--sandbox", "--format", "xlsx", "--out", dir, "SELECT 1"}, `unknown export format "xlsx"`, 2},
		{[]string{"export", "--sandbox", "--format", "csv", "SELECT 1"}, "give --out DIR", 2},
		{[]string{"export", "--sandbox", "--format", "csv", "--out", dir, "-o", "json", "SELECT 1"}, "export writes files in --format", 2},
		{[]string{"export", "--sandbox", "--format", "csv", "--out", dir, "--name", "a", "--name", "b", "SELECT 1"}, "2 names for 1 statements", 2},
		{[]string{"export", "--sandbox", "--format", "csv", "--out", dir, "--name", "x/y", "SELECT 1"}, "path separator", 2},
		{[]string{"export", "--sandbox", "--format", "csv", "--out", dir, "DELETE FROM digitalocean.images.images WHERE image_id = 1"}, "read-only", 1},
	} {
		r := runApiql(t, "", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: %v\nwant exit %d and %q", tc.args, r, tc.code, tc.want)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("usage errors left files: %v", ents)
	}
}
