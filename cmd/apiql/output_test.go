package main

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReturningPartialPrintsWhatSucceeded: INSERT and UPDATE ... RETURNING
// whose calls partly fail print the rows of the calls that succeeded on
// stdout, the error on stderr, and exit 1.
func TestReturningPartialPrintsWhatSucceeded(t *testing.T) {
	emu := newTestAPI(t, "tok")
	id := emu.Images()[0].ID
	for _, tc := range []struct {
		name, sql string
		rows      int
	}{
		// nyc2 is closed: the API refuses row 2.
		{"insert", "INSERT INTO " + imagesTable + " (data__name, data__region, data__url) VALUES ('p1', 'nyc3', 'https://e/1'), ('p2', 'nyc2', 'https://e/2'), ('p3', 'nyc3', 'https://e/3') RETURNING id, name", 2},
		{"update", "UPDATE " + imagesTable + " SET data__name = 'renamed' WHERE image_id IN (" + itoa(id) + ", 999999999) RETURNING id, name", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runApiql(t, "", "exec", "-o", "csv", tc.sql)
			if r.code != 1 {
				t.Fatalf("want exit code 1:\n%v", r)
			}
			recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
			if err != nil || len(recs) != tc.rows+1 {
				t.Fatalf("stdout holds %d records (%v), want a header and %d rows:\n%v", len(recs), err, tc.rows, r)
			}
			if !strings.Contains(r.stderr, "calls succeeded") {
				t.Errorf("stderr does not report the failure:\n%v", r)
			}
		})
	}
}

// TestSeveralStatementsJSONParses: every run's json output is one JSON
// document, failing statements included.
func TestSeveralStatementsJSONParses(t *testing.T) {
	newTestAPI(t, "tok")
	for _, args := range [][]string{
		{"SELECT 1 AS a; SELECT 2 AS b"},
		{"--continue-on-error", "SELECT 1 AS a; SELECT nosuch FROM " + imagesTable + "; SELECT 3 AS c"},
		{"SELECT nosuch FROM " + imagesTable + "; SELECT 1"},
		{"SHOW PROVIDERS; DESCRIBE " + imagesTable},
	} {
		r := runApiql(t, "", append([]string{"exec", "-o", "json"}, args...)...)
		var doc any
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Errorf("%q: stdout is not one JSON document: %v\n%v", args, err, r)
		}
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestQueryFileMetaCommand: a meta-command in a query file (-i, or piped
// to exec or export) says that meta-commands are for the shell, and runs
// nothing.
func TestQueryFileMetaCommand(t *testing.T) {
	newTestAPI(t, "tok")
	file := t.TempDir() + "/q.iql"
	src := "SELECT 1 AS a;\n.output csv\nSELECT 2 AS b;\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	for _, r := range []cliRun{runApiql(t, "", "exec", "-i", file), runApiql(t, src, "exec", "-i", "-"),
		runApiql(t, "", "export", "--format", "csv", "--out", out, "-i", file), runApiql(t, src, "export", "--format", "csv", "--out", out, "-i", "-")} {
		if r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, "line 2: .output is a shell meta-command: meta-commands are for the shell") {
			t.Errorf("want an error naming line 2 and nothing run:\n%v", r)
		}
	}
	if files, _ := os.ReadDir(out); len(files) != 0 {
		t.Errorf("export wrote %d files from a query file it refused", len(files))
	}
}

// TestNullFlag: --null sets what NULL prints as; a value equal to it
// stays apart where the format can quote.
func TestNullFlag(t *testing.T) {
	newTestAPI(t, "tok")
	for _, tc := range []struct{ format, want string }{
		{"csv", "a,b,c\nNA,\"NA\",\n"},
		{"text", "a\tb\tc\nNA\tNA\t\n"},
		{"table", "+----+------+---+\n| a  | b    | c |\n+----+------+---+\n| NA | 'NA' |   |\n+----+------+---+\n(1 row)\n"},
	} {
		r := runApiql(t, "", "exec", "-o", tc.format, "--null", "NA", "SELECT NULL AS a, 'NA' AS b, '' AS c")
		if r.code != 0 || r.stdout != tc.want {
			t.Errorf("%s: got %q, want %q\n%v", tc.format, r.stdout, tc.want, r)
		}
	}
}

// TestOutfileNeverTruncatedByAFailure: -f FILE keeps what FILE held when
// the run fails for any reason, refuses to name an input, and is written
// whole (through a file beside it) when the run succeeds.
func TestOutfileNeverTruncatedByAFailure(t *testing.T) {
	newTestAPI(t, "tok")
	dir := t.TempDir()
	out := dir + "/out.csv"
	query := dir + "/q.iql"
	vars := dir + "/vars.json"
	const before = "precious\n"
	write := func(path, s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	write(query, "SELECT '{{ .x }}' AS x;\n")
	write(vars, `{"x": "1"}`)
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		file string // the file that must keep its content
	}{
		{"usage error", nil, []string{"exec", "-o", "yaml", "-f", out, "SELECT 1"}, out},
		{"syntax error", nil, []string{"exec", "-f", out, "SELEC 1"}, out},
		{"unterminated string", nil, []string{"exec", "-f", out, "SELECT 'a"}, out},
		{"missing token", []string{"DIGITALOCEAN_TOKEN="}, []string{"exec", "-f", out, "SELECT count(*) FROM " + imagesTable}, out},
		{"undefined variable", nil, []string{"exec", "-f", out, "SELECT '{{ .nope }}'"}, out},
		{"second statement fails", nil, []string{"exec", "-f", out, "SELECT 1; SELECT nosuch FROM " + imagesTable}, out},
		{"-f names -i", nil, []string{"exec", "-i", query, "--vars", vars, "-f", query}, query},
		{"-f names --vars", nil, []string{"exec", "-i", query, "--vars", vars, "-f", vars}, vars},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, kv := range tc.env {
				k, v, _ := strings.Cut(kv, "=")
				t.Setenv(k, v)
			}
			want, _ := os.ReadFile(tc.file)
			if tc.file == out {
				write(out, before)
				want = []byte(before)
			}
			r := runApiql(t, "", tc.args...)
			if r.code == 0 {
				t.Fatalf("want a failure:\n%v", r)
			}
			if got, _ := os.ReadFile(tc.file); string(got) != string(want) {
				t.Errorf("%s now holds %q, want %q as before\n%v", tc.file, got, want, r)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 3 {
				t.Errorf("files left beside: %v", entries)
			}
		})
	}
	write(out, before)
	r := runApiql(t, "", "exec", "-i", query, "--vars", vars, "-o", "csv", "-f", out)
	if got, _ := os.ReadFile(out); r.code != 0 || string(got) != "x\n1\n" {
		t.Errorf("a successful run wrote %q:\n%v", got, r)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o640 {
		t.Errorf("the file's mode changed: %v %v", st.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("files left beside: %v", entries)
	}
}

// TestShellPipedJSONIsOneDocument: the json of a shell fed by a pipe is
// one JSON document, however many statements it ran.
func TestShellPipedJSONIsOneDocument(t *testing.T) {
	newTestAPI(t, "tok")
	r := runApiql(t, "SELECT 1 AS a;\nSELECT 2 AS b; SELECT nosuch;\n.output json\nSHOW PROVIDERS;\n", "shell", "-o", "json")
	var doc []struct {
		Statement int              `json:"statement"`
		Rows      []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc) != 3 {
		t.Fatalf("stdout is not one document of 3 statements (%v):\n%v", err, r)
	}
	// Statements are numbered in the order of the input, the failed one
	// (3) included, as exec numbers them.
	if got := [3]int{doc[0].Statement, doc[1].Statement, doc[2].Statement}; got != [3]int{1, 2, 4} {
		t.Errorf("statement numbers %v, want [1 2 4]", got)
	}
}

// TestErrorsCannotDriveTheTerminal: an API's error message holding ESC
// and other control characters reaches stderr escaped, in exec and in
// the shell.
func TestErrorsCannotDriveTheTerminal(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"id":"forbidden","message":"\u001b]0;owned\u0007\u001b[2Jno\u202e"}`)
	}))
	defer ts.Close()
	t.Setenv("DIGITALOCEAN_API_URL", ts.URL)
	t.Setenv("DIGITALOCEAN_TOKEN", "tok")
	t.Setenv("DIGITALOCEAN_ACCESS_TOKEN", "")
	t.Setenv("APIQL_REGISTRY", "")
	q := "SELECT count(*) FROM " + imagesTable
	for _, r := range []cliRun{runApiql(t, "", "exec", q), runApiql(t, q+";\n", "shell")} {
		if r.code == 0 || !strings.Contains(r.stderr, `\x1b[2Jno`) {
			t.Errorf("want the error, escaped:\n%v", r)
		}
		for _, c := range r.stderr {
			if c == 0x1b || c == 0x07 || c == 0x202e {
				t.Errorf("stderr holds %U:\n%q", c, r.stderr)
				break
			}
		}
	}
}

// TestOutfileLinksAndPipes: -f through a symbolic link writes the link's
// target and keeps the link; -f naming a FIFO writes into it, never
// replacing it with a regular file (as it would /dev/stdout or /dev/null).
func TestOutfileLinksAndPipes(t *testing.T) {
	newTestAPI(t, "tok")
	dir := t.TempDir()
	target, link := filepath.Join(dir, "target.csv"), filepath.Join(dir, "link.csv")
	if err := os.WriteFile(target, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("target.csv", link); err != nil {
		t.Fatal(err)
	}
	r := runApiql(t, "", "exec", "-o", "csv", "-f", link, "SELECT 7 AS n")
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", st.Mode(), err)
	}
	if got, _ := os.ReadFile(target); string(got) != "n\n7\n" {
		t.Errorf("the target holds %q", got)
	}
	if st, _ := os.Stat(target); st.Mode().Perm() != 0o600 {
		t.Errorf("the target's mode is %v", st.Mode())
	}

	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan string)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- string(b)
	}()
	r = runApiql(t, "", "exec", "-o", "csv", "-f", fifo, "SELECT 8 AS n")
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was replaced: %v %v", st.Mode(), err) // its reader waits on in vain
	}
	if s := <-got; s != "n\n8\n" {
		t.Errorf("the reader of the FIFO got %q", s)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("files left beside: %v", entries)
	}
}
