package pgserve_test

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// need returns the path of a tool a real-client test runs; it skips the
// test when the tool is missing, except in CI (CI=true), where .ci/run
// installs it: there a missing tool fails the test.
func need(t *testing.T, path, install string) string {
	t.Helper()
	p := path
	if !filepath.IsAbs(path) {
		var err error
		if p, err = exec.LookPath(path); err != nil {
			p = ""
		}
	} else if _, err := os.Stat(path); err != nil {
		p = ""
	}
	if p == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing in CI: .ci/run installs it (%s)", path, install)
		}
		t.Skipf("%s is not installed (%s)", path, install)
	}
	return p
}

// pgjdbcJar is the PostgreSQL JDBC driver of Debian's libpostgresql-jdbc-java.
const pgjdbcJar = "/usr/share/java/postgresql.jar"

// TestPgjdbc runs testdata/jdbc/ApiqlJdbc.java, compiled here, with pgjdbc
// (the driver of DBeaver, Metabase and most BI tools): the DatabaseMetaData
// calls those tools make, prepared statements before and after pgjdbc
// prepares them on the server, the result columns' types, an error's
// SQLSTATE, a fetch size inside a transaction.
func TestPgjdbc(t *testing.T) {
	javac := need(t, "javac", "apt-get install default-jdk-headless")
	java := need(t, "java", "apt-get install default-jdk-headless")
	jar := need(t, pgjdbcJar, "apt-get install libpostgresql-jdbc-java")
	e := newEnv(t, envOpts{images: 60})
	dir := t.TempDir()
	if out, err := exec.Command(javac, "-d", dir, "-cp", jar, filepath.Join("testdata", "jdbc", "ApiqlJdbc.java")).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	host, port, _ := net.SplitHostPort(e.addr)
	url := "jdbc:postgresql://" + host + ":" + port + "/apiql"
	cmd := exec.Command(java, "-cp", jar+string(os.PathListSeparator)+dir, "ApiqlJdbc", url, testPassword)
	out, err := cmd.CombinedOutput()
	t.Logf("pgjdbc:\n%s", out)
	if err != nil {
		t.Fatalf("ApiqlJdbc: %v", err)
	}
	for _, w := range []string{
		"ok metadata PostgreSQL 15.0 major=15 minor=0",
		"ok getSchemas", "ok getTables [account_transfers, actions, images]",
		"ok getColumns id=int8/-5 name=text/12 size_gigabytes=float8/8 public=bool/-7",
		"ok getImportedKeys []", "ok getFunctions", "ok getTypeInfo",
		"ok statement count=60 label=count type=int8",
		"ok resultSetMetaData table=digitalocean_images.images",
		"ok prepared 10 runs",
		"ok error 42703",
		"ok fetchSize 60 rows",
		"ok fetchSizeSecondQuery 60 rows, counts 180",
		"ok readOnlyMaxRows 5 rows",
		"ok metabaseDay total=60",
		"\ndone\n",
	} {
		if !strings.Contains(string(out), w) {
			t.Errorf("pgjdbc output lacks %q", w)
		}
	}
	if strings.Contains(string(out), testToken) {
		t.Error("the API token reached the JDBC client")
	}
}

// debianPython is the python3 Debian's python3-psycopg2 installs into
// (another python3 may come first on PATH without it).
func debianPython(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if bin, err := exec.LookPath(p); err == nil {
			if exec.Command(bin, "-c", "import psycopg2, sqlalchemy").Run() == nil {
				return bin
			}
		}
	}
	return need(t, "python3 with psycopg2 and sqlalchemy", "apt-get install python3-psycopg2 python3-sqlalchemy")
}

// TestPsycopg2 runs testdata/python/apiql_psycopg2.py: psycopg2 (libpq)
// with %s parameters, fetchmany, a named (server-side) cursor, a dict
// cursor, an error's pgcode, and SQLAlchemy's inspector (schemas, tables,
// columns and their types, keys, indexes) and a query with a bound value.
func TestPsycopg2(t *testing.T) {
	py := debianPython(t)
	e := newEnv(t, envOpts{images: 60})
	host, port, _ := net.SplitHostPort(e.addr)
	cmd := exec.Command(py, filepath.Join("testdata", "python", "apiql_psycopg2.py"),
		"host="+host+" port="+port+" user=apiql dbname=apiql sslmode=disable connect_timeout=10")
	cmd.Env = append(os.Environ(), "PGPASSWORD="+testPassword)
	out, err := cmd.CombinedOutput()
	t.Logf("psycopg2:\n%s", out)
	if err != nil {
		t.Fatalf("apiql_psycopg2.py: %v", err)
	}
	for _, w := range []string{
		"ok connect server_version=150000\n",
		"ok count 60 count\n",
		"ok params ", "ok json list", "ok fetchmany 60",
		"ok named cursor 60 rows",
		"ok error 42703",
		"ok dict cursor available,slug",
		"ok sqlalchemy tables account_transfers,actions,images", // the images service's tables
		"ok sqlalchemy columns id=BIGINT name=TEXT size_gigabytes=DOUBLE_PRECISION public=BOOLEAN regions=JSON",
		"ok sqlalchemy get_pk_constraint",
		"\ndone\n",
	} {
		if !strings.Contains(string(out), w) {
			t.Errorf("psycopg2 output lacks %q", w)
		}
	}
}
