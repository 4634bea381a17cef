package main

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apiql/apiql/provider/emulator"
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
		{[]string{"export", "--sandbox", "--format", "csv", "--out", dir, "DELETE FROM digitalocean.images.images WHERE image_id = 1"}, "hint: apiql export only reads; run INSERT, UPDATE, DELETE and EXEC of writes with apiql exec", 1},
		// A name that is a later statement's number would make both write
		// 2.jsonl, the first one lost: refused before any request.
		{[]string{"export", "--sandbox", "--format", "jsonl", "--out", dir, "--name", "2", "SELECT 'first' AS s; SELECT 'second' AS s"},
			"export name \"2\" of statement 1 is statement 2's default name: both would write 2.jsonl, and the first file would be lost\n  hint: name statement 2 too", 2},
		{[]string{"export", "--sandbox", "--format", "csv", "--out", dir, "--name", "a", "--name", "3", "SELECT 1; SELECT 2; SELECT 3"}, `export name "3" of statement 2 is statement 3's default name`, 2},
	} {
		r := runApiql(t, "", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: %v\nwant exit %d and %q", tc.args, r, tc.code, tc.want)
		}
	}
	// Names that clash with no other statement's file are taken.
	for _, tc := range []struct {
		names []string
		files string
	}{
		{[]string{"1"}, "1.csv 2.csv"},      // statement 1's own default
		{[]string{"02"}, "02.csv 2.csv"},    // not 2.csv
		{[]string{"3"}, "2.csv 3.csv"},      // no statement 3
		{[]string{"a", "1"}, "1.csv a.csv"}, // 1 is no longer a default name
		{[]string{"2", "1"}, "1.csv 2.csv"}, // swapped, both named
	} {
		out := t.TempDir()
		args := []string{"export", "--sandbox", "--format", "csv", "--out", out}
		for _, n := range tc.names {
			args = append(args, "--name", n)
		}
		if r := runApiql(t, "", append(args, "SELECT 1 AS n; SELECT 2 AS n")...); r.code != 0 {
			t.Errorf("names %q: %v", tc.names, r)
		}
		var got []string
		ents, _ := os.ReadDir(out)
		for _, e := range ents {
			got = append(got, e.Name())
		}
		if strings.Join(got, " ") != tc.files {
			t.Errorf("names %q wrote %v, want %s", tc.names, got, tc.files)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("usage errors left files: %v", ents)
	}
}

// TestExportStoppedBySignal: SIGTERM, SIGHUP and Ctrl-C stop an export as
// they stop exec: the file being written is removed (no temporary file is
// left), the message names the signal, and the exit code is 128 + its
// number.
func TestExportStoppedBySignal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	for _, tc := range []struct {
		sig  syscall.Signal
		name string
	}{{syscall.SIGTERM, "SIGTERM"}, {syscall.SIGHUP, "SIGHUP"}, {syscall.SIGINT, "SIGINT (Ctrl-C)"}} {
		t.Run(tc.name, func(t *testing.T) {
			emu := emulator.New(emulator.Options{Images: 3000, Token: "tok"})
			srv := httptest.NewServer(emu)
			defer srv.Close()
			emu.SetFaults(emulator.Faults{Latency: 300 * time.Millisecond})
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "--", "export", "--concurrency", "1",
				"--format", "csv", "--out", dir, "--name", "img", "SELECT * FROM digitalocean.images.images")
			cmd.Env = append(os.Environ(), helperEnv+"=1", "DIGITALOCEAN_API_URL="+srv.URL, "DIGITALOCEAN_TOKEN=tok", "APIQL_REGISTRY=")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Stop it once rows are being written: the temporary file
			// exists and page 1 has been answered.
			deadline := time.Now().Add(20 * time.Second)
			for {
				files, _ := os.ReadDir(dir)
				if len(files) > 0 && len(emu.Requests()) >= 2 {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatalf("the export never began writing:\n%s", stderr.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			cmd.Process.Signal(tc.sig)
			err := cmd.Wait()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 128+int(tc.sig) {
				t.Fatalf("exit %v, want %d:\n%s", err, 128+int(tc.sig), stderr.String())
			}
			if !strings.Contains(stderr.String(), "cancelled by "+tc.name) || strings.Contains(stderr.String(), "context canceled") {
				t.Errorf("stderr:\n%s", stderr.String())
			}
			if files, _ := os.ReadDir(dir); len(files) != 0 {
				t.Errorf("left behind: %v", files)
			}
		})
	}
}

func TestExportFilesAsExecPrintsThem(t *testing.T) {
	// An export file holds what exec prints with -o of the same format
	// (and --null for CSV): repeated names, empty strings and NULLs.
	const sql = "SELECT id, id, '' AS empty, NULL AS missing, 'NULL' AS word FROM digitalocean.images.images ORDER BY id LIMIT 2"
	for _, tc := range []struct {
		format string
		flags  []string
		want   string // a line of the file
	}{
		{"jsonl", nil, `"id_2":`},
		{"csv", nil, `,"",,NULL` + "\n"},
		{"csv", []string{"--null", "NULL"}, `,,NULL,"NULL"` + "\n"}, // "" is not the marker
	} {
		dir := t.TempDir()
		args := append([]string{"export", "--sandbox", "--format", tc.format, "--out", dir}, tc.flags...)
		if r := runApiql(t, "", append(args, sql)...); r.code != 0 {
			t.Fatalf("%q: %v", args, r)
		}
		b, err := os.ReadFile(filepath.Join(dir, "1."+tc.format))
		if err != nil {
			t.Fatal(err)
		}
		exec := runApiql(t, "", append(append([]string{"exec", "--sandbox", "-o", tc.format}, tc.flags...), sql)...)
		if exec.code != 0 {
			t.Fatal(exec)
		}
		if string(b) != exec.stdout {
			t.Errorf("%q wrote:\n%s\nexec -o %s %q prints:\n%s", args, b, tc.format, tc.flags, exec.stdout)
		}
		if !strings.Contains(string(b), tc.want) {
			t.Errorf("%q wrote:\n%s\nwant a line holding %q", args, b, tc.want)
		}
	}

	// --null is CSV's; the other formats write NULL as their own null.
	for _, format := range []string{"jsonl", "parquet"} {
		dir := t.TempDir()
		r := runApiql(t, "", "export", "--sandbox", "--format", format, "--out", dir, "--null", "X", "SELECT NULL AS n")
		if r.code != 2 || !strings.Contains(r.stderr, "--null sets what CSV writes NULL as; "+format+" writes NULL as its own null\n  hint: drop --null, or export with --format csv") {
			t.Errorf("--format %s --null X: %v", format, r)
		}
	}

	// Help lists no flag that export refuses.
	r := runApiql(t, "", "export", "-h")
	if r.code != 0 || !strings.Contains(r.stdout, "  -format format") || !strings.Contains(r.stdout, "  -null STRING") {
		t.Fatalf("export -h: %v", r)
	}
	for _, refused := range []string{"-o", "-output", "-H", "-dry-run"} {
		if strings.Contains(r.stdout, "\n  "+refused+" ") || strings.Contains(r.stdout, "\n  "+refused+"\n") {
			t.Errorf("export -h lists %s, which export refuses:\n%s", refused, r.stdout)
		}
		args := []string{"export", "--sandbox", "--format", "csv", "--out", t.TempDir(), refused}
		if refused == "-o" || refused == "-output" {
			args = append(args, "json")
		}
		if r := runApiql(t, "", append(args, "SELECT 1")...); r.code != 2 || !strings.Contains(r.stderr, "exec's: export writes files in --format") {
			t.Errorf("%q: %v", args, r)
		}
	}
	// exec still lists them.
	if r := runApiql(t, "", "exec", "-h"); !strings.Contains(r.stdout, "\n  -o format") || !strings.Contains(r.stdout, "\n  -H\t") && !strings.Contains(r.stdout, "\n  -H ") {
		t.Errorf("exec -h:\n%s", r.stdout)
	}
}
