package pgserve_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrivileges: what a client is told it may do with a table matches
// what the server lets it do: SELECT alone on a read-only server; with
// --allow-writes, INSERT, UPDATE and DELETE too where the resource has a
// method for them (images has all three, regions none). Asked the ways
// clients ask: has_table_privilege (and its column forms), pg_class.relacl,
// information_schema.table_privileges and is_insertable_into. (Before,
// every table granted every privilege on a read-only server.)
func TestPrivileges(t *testing.T) {
	for _, tc := range []struct {
		writes bool
		want   []string // the query, then its one-row answer
	}{
		{false, []string{
			"SELECT has_table_privilege('digitalocean_images.images', 'SELECT')", "true",
			"SELECT has_table_privilege('digitalocean_images.images', 'INSERT')", "false",
			"SELECT has_table_privilege('apiql', 'digitalocean_images.images', 'UPDATE')", "false",
			"SELECT has_table_privilege('digitalocean_images.images', 'delete, truncate')", "false",
			"SELECT has_table_privilege('digitalocean_images.images', 'INSERT, SELECT')", "true",
			"SELECT has_table_privilege(c.oid, 'INSERT') FROM pg_class c WHERE c.relname = 'images'", "false",
			"SELECT has_any_column_privilege('digitalocean_images.images', 'UPDATE')", "false",
			"SELECT has_column_privilege('digitalocean_images.images', 'name', 'UPDATE')", "false",
			"SELECT relacl FROM pg_class WHERE relname = 'images'", "{apiql=r/apiql,=r/apiql}",
			"SELECT string_agg(privilege_type, ',') FROM information_schema.table_privileges WHERE table_name = 'images' AND grantee = 'apiql'", "SELECT",
			"SELECT is_insertable_into FROM information_schema.tables WHERE table_name = 'images'", "NO",
		}},
		{true, []string{
			"SELECT has_table_privilege('digitalocean_images.images', 'INSERT')", "true",
			"SELECT has_table_privilege('apiql', 'digitalocean_images.images', 'UPDATE')", "true",
			"SELECT has_table_privilege('digitalocean_images.images', 'DELETE')", "true",
			"SELECT has_table_privilege('digitalocean_images.images', 'TRUNCATE')", "false",
			"SELECT has_table_privilege('digitalocean_images.images', 'INSERT WITH GRANT OPTION')", "false",
			"SELECT has_table_privilege('digitalocean_regions.regions', 'INSERT, UPDATE, DELETE')", "false",
			"SELECT has_table_privilege('digitalocean_regions.regions', 'SELECT')", "true",
			"SELECT has_column_privilege('digitalocean_images.images', 'name', 'UPDATE')", "true",
			"SELECT relacl FROM pg_class WHERE relname = 'images'", "{apiql=arwd/apiql,=arwd/apiql}",
			"SELECT relacl FROM pg_class WHERE relname = 'regions'", "{apiql=r/apiql,=r/apiql}",
			"SELECT string_agg(privilege_type, ',') FROM information_schema.table_privileges WHERE table_name = 'images' AND grantee = 'PUBLIC'", "SELECT,INSERT,UPDATE,DELETE",
			"SELECT is_insertable_into FROM information_schema.tables WHERE table_name = 'images'", "YES",
			"SELECT is_insertable_into FROM information_schema.tables WHERE table_name = 'regions'", "NO",
		}},
	} {
		e := newEnv(t, envOpts{images: 5, allowWrites: tc.writes})
		for _, simple := range []bool{true, false} {
			c := e.connect(t, simple)
			for i := 0; i < len(tc.want); i += 2 {
				var got any
				if err := c.QueryRow(context.Background(), tc.want[i]).Scan(&got); err != nil {
					t.Errorf("writes=%v simple=%v: %s: %v", tc.writes, simple, tc.want[i], err)
					continue
				}
				if s := strings.TrimSpace(strings.ReplaceAll(toString(got), "\n", " ")); s != tc.want[i+1] {
					t.Errorf("writes=%v simple=%v: %s = %q, want %q", tc.writes, simple, tc.want[i], s, tc.want[i+1])
				}
			}
			c.Close(context.Background())
		}
		if n := e.requests.Load(); n != 0 {
			t.Errorf("%d API requests for catalog queries", n)
		}
	}
}

func toString(v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "true"
		}
		return "false"
	case string:
		return x
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

// TestPgjdbcPrivileges runs testdata/jdbc/ApiqlPrivileges.java: pgjdbc's
// DatabaseMetaData.getTablePrivileges, which DBeaver shows and which reads
// pg_class.relacl (NULL reads as the owner's every privilege), reports
// SELECT alone on a read-only server, and SELECT, INSERT, UPDATE, DELETE
// with --allow-writes.
func TestPgjdbcPrivileges(t *testing.T) {
	javac := need(t, "javac", "apt-get install default-jdk-headless")
	java := need(t, "java", "apt-get install default-jdk-headless")
	jar := need(t, pgjdbcJar, "apt-get install libpostgresql-jdbc-java")
	dir := t.TempDir()
	if out, err := exec.Command(javac, "-d", dir, "-cp", jar, filepath.Join("testdata", "jdbc", "ApiqlPrivileges.java")).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		writes bool
		want   string
	}{
		{false, "privileges PUBLIC:SELECT apiql:SELECT\n"},
		{true, "privileges PUBLIC:DELETE PUBLIC:INSERT PUBLIC:SELECT PUBLIC:UPDATE apiql:DELETE apiql:INSERT apiql:SELECT apiql:UPDATE\n"},
	} {
		e := newEnv(t, envOpts{images: 5, allowWrites: tc.writes})
		host, port, _ := net.SplitHostPort(e.addr)
		out, err := exec.Command(java, "-cp", jar+string(os.PathListSeparator)+dir, "ApiqlPrivileges", "jdbc:postgresql://"+host+":"+port+"/apiql", testPassword).CombinedOutput()
		if err != nil {
			t.Fatalf("ApiqlPrivileges: %v\n%s", err, out)
		}
		if string(out) != tc.want {
			t.Errorf("writes=%v: pgjdbc says %q, want %q", tc.writes, out, tc.want)
		}
	}
}
