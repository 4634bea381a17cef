package pgserve_test

import (
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// psql runs psql against e with args; it skips the test when psql is
// missing, except in CI (CI=true), where .ci/run installs it.
func psql(t *testing.T, e *env, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("psql")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("psql is missing in CI: .ci/run installs postgresql-client")
		}
		t.Skip("psql is not installed (apt-get install postgresql-client)")
	}
	host, port, _ := net.SplitHostPort(e.addr)
	cmd := exec.Command(bin, append([]string{"-h", host, "-p", port, "-U", "apiql", "-d", "apiql", "-X", "-v", "ON_ERROR_STOP=1"}, args...)...)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+testPassword, "PGSSLMODE=disable", "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestPsql(t *testing.T) {
	e := newEnv(t, envOpts{images: 60})
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"-c", "SELECT count(*) FROM digitalocean_images.images"}, []string{" count \n", "60", "(1 row)"}},
		{[]string{"-c", "SELECT version(), current_database(), 1 + 1"}, []string{"version", "current_database", "?column?", "PostgreSQL 15.0"}},
		{[]string{"-c", "SELECT type, count(*) AS n FROM digitalocean.images.images GROUP BY type ORDER BY type"}, []string{"type", "backup", "snapshot"}},
		{[]string{"-c", `\dt`}, []string{"List of relations", "digitalocean_images", "images", "table"}},
		{[]string{"-c", `\dn`}, []string{"List of schemas", "digitalocean_images", "digitalocean_regions"}},
		{[]string{"-c", `\d images`}, []string{`Table "digitalocean_images.images"`, "size_gigabytes", "double precision", "regions", "json", "public", "boolean", "id", "bigint"}},
		{[]string{"-c", `\d digitalocean_regions.regions`}, []string{`Table "digitalocean_regions.regions"`, "slug"}},
		{[]string{"-c", `\dt+ digitalocean_images.*`}, []string{"images"}},
		{[]string{"-c", `\l`}, []string{"apiql"}},
		{[]string{"-c", `\d+ images`}, []string{`Table "digitalocean_images.images"`, "Description", "size_gigabytes"}},
		{[]string{"-c", `\du`}, []string{"apiql"}},
		{[]string{"-c", `\dn+`}, []string{"digitalocean_images"}},
		{[]string{"-c", `\df`}, []string{"List of functions"}},
		{[]string{"-c", `\dv`}, []string{"Did not find any relations"}},
		{[]string{"-c", "SELECT 1; SELECT 2"}, []string{"1", "2"}},
		{[]string{"-c", "SHOW PROVIDERS"}, []string{"digitalocean"}},
		{[]string{"-c", "EXPLAIN SELECT count(*) FROM digitalocean_images.images"}, []string{"digitalocean.images.images"}},
	} {
		out := psql(t, e, tc.args...)
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("psql %s: output lacks %q:\n%s", strings.Join(tc.args, " "), w, out)
			}
		}
	}
}

func TestPsqlError(t *testing.T) {
	e := newEnv(t, envOpts{images: 5})
	if _, err := exec.LookPath("psql"); err != nil && os.Getenv("CI") != "true" {
		t.Skip("psql is not installed")
	}
	host, port, _ := net.SplitHostPort(e.addr)
	cmd := exec.Command("psql", "-h", host, "-p", port, "-U", "apiql", "-d", "apiql", "-X", "-c", "SELECT nmae FROM digitalocean_images.images")
	cmd.Env = append(os.Environ(), "PGPASSWORD="+testPassword, "PGSSLMODE=disable")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("psql succeeded:\n%s", out)
	}
	for _, w := range []string{"ERROR:  no such column: nmae", "HINT:  DESCRIBE <resource> lists a resource's columns"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}
