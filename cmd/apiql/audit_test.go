package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"math/big"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/apiql/apiql/provider/emulator"
)

// The audit query files under testdata/audits run on the sandbox and are
// compared with their golden outputs: <name>.stdout and <name>.stderr.
// go test ./cmd/apiql -run Audit -update-audits rewrites the goldens; check
// every changed number by hand before committing them.
var updateAudits = flag.Bool("update-audits", false, "rewrite the golden files under testdata/audits")

// auditDir holds the audit query files, relative to this package.
var auditDir = filepath.Join("..", "..", "testdata", "audits")

// auditLoopback is the sandbox's address, a random port, in dry-run output;
// goldens hold auditSandboxURL in its place.
var auditLoopback = regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`)

const auditSandboxURL = "http://sandbox"

// auditRun runs apiql in-process and returns its exit code, stdout and stderr.
func auditRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestAuditGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(auditDir, "*.iql"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("found %d audit files under %s, want at least 4", len(files), auditDir)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".iql")
		t.Run(name, func(t *testing.T) {
			args := []string{"exec", "--sandbox", "-o", "table", "-i", file}
			if strings.Contains(name, "dry-run") {
				args = append(args, "--dry-run")
			}
			code, stdout, stderr := auditRun(t, args...)
			if code != 0 {
				t.Fatalf("exit code %d\nstderr:\n%s", code, stderr)
			}
			stderr = auditLoopback.ReplaceAllString(stderr, auditSandboxURL)
			auditCompare(t, filepath.Join(auditDir, name+".stdout"), stdout)
			auditCompare(t, filepath.Join(auditDir, name+".stderr"), stderr)
		})
	}
}

// auditCompare compares got with the golden file at path, or rewrites it
// with -update-audits.
func auditCompare(t *testing.T, path, got string) {
	t.Helper()
	if *updateAudits {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-audits to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -update-audits to rewrite it)\n--- got:\n%s\n--- want:\n%s", path, got, want)
	}
}

// TestAuditDryRunSendsNothing: the clean-up file, run with --dry-run, leaves
// every image in place; its stderr is exactly one request block per image.
func TestAuditDryRunSendsNothing(t *testing.T) {
	file := filepath.Join(auditDir, "cleanup-dry-run.iql")
	code, stdout, stderr := auditRun(t, "exec", "--sandbox", "--dry-run", "-i", file)
	if code != 0 {
		t.Fatalf("exit code %d\nstderr:\n%s", code, stderr)
	}
	ids := regexp.MustCompile(`(?m)^DELETE http://127\.0\.0\.1:[0-9]+/v2/images/([0-9]+)$`).FindAllStringSubmatch(stderr, -1)
	if len(ids) != 17 {
		t.Fatalf("got %d DELETE requests, want 17\nstderr:\n%s", len(ids), stderr)
	}
	if !strings.Contains(stdout, "dry run: 17 DELETE request(s) not sent") {
		t.Errorf("stdout does not report the 17 requests not sent:\n%s", stdout)
	}
	// Backups of destroyed Droplets are unused too, but cannot be deleted.
	for _, backup := range []string{"100314", "100484", "100584", "100818", "100984"} {
		for _, m := range ids {
			if m[1] == backup {
				t.Errorf("the dry run deletes backup %s", backup)
			}
		}
	}
}

// auditCosts runs unused-images.iql with extra flags as CSV and returns its
// first statement's rows as id -> [size_gigabytes, monthly_cost].
func auditCosts(t *testing.T, extra ...string) map[string][2]string {
	t.Helper()
	args := append([]string{"exec", "--sandbox", "-o", "csv", "-i", filepath.Join(auditDir, "unused-images.iql")}, extra...)
	code, stdout, stderr := auditRun(t, args...)
	if code != 0 {
		t.Fatalf("exit code %d\nstderr:\n%s", code, stderr)
	}
	first, _, _ := strings.Cut(stdout, "\n\n")
	rows, err := csv.NewReader(strings.NewReader(first)).ReadAll()
	if err != nil {
		t.Fatalf("reading the CSV output: %v\n%s", err, stdout)
	}
	if len(rows) < 2 || strings.Join(rows[0], ",") != "id,name,type,created_at,size_gigabytes,monthly_cost" {
		t.Fatalf("unexpected output:\n%s", stdout)
	}
	out := map[string][2]string{}
	for _, r := range rows[1:] {
		out[r[0]] = [2]string{r[4], r[5]}
	}
	return out
}

// auditCents is size times price rounded half up to cents, in exact decimal
// arithmetic, formatted as SQLite prints a real (no trailing zeros).
func auditCents(t *testing.T, size, price string) string {
	t.Helper()
	s, ok1 := new(big.Rat).SetString(size)
	p, ok2 := new(big.Rat).SetString(price)
	if !ok1 || !ok2 {
		t.Fatalf("not numbers: %q, %q", size, price)
	}
	c := new(big.Rat).Mul(s, p)
	c.Mul(c, big.NewRat(100, 1))
	c.Add(c, big.NewRat(1, 2))
	cents := new(big.Int).Quo(c.Num(), c.Denom()) // floor: both are positive
	v := fmt.Sprintf("%d.%02d", cents.Int64()/100, cents.Int64()%100)
	v = strings.TrimRight(strings.TrimRight(v, "0"), ".")
	if !strings.Contains(v, ".") {
		v += ".0"
	}
	return v
}

// TestAuditPriceVariable: monthly_cost follows --var price_per_gb, and the
// file's default of 0.06 applies without it.
func TestAuditPriceVariable(t *testing.T) {
	def := auditCosts(t)
	cheap := auditCosts(t, "--var", "price_per_gb=0.05")
	dir := t.TempDir()
	varsFile := filepath.Join(dir, "vars.json")
	if err := os.WriteFile(varsFile, []byte(`{"price_per_gb": 0.05}`), 0o644); err != nil {
		t.Fatal(err)
	}
	fromFile := auditCosts(t, "--vars", varsFile)

	if len(def) != 22 || len(cheap) != 22 || len(fromFile) != 22 {
		t.Fatalf("got %d, %d and %d unused images, want 22 each", len(def), len(cheap), len(fromFile))
	}
	// Worked by hand: 69.25 GB is 4.155 USD at 0.06 (half a cent: rounds up)
	// and 3.4625 USD at 0.05.
	if got := def["100608"]; got != [2]string{"69.25", "4.16"} {
		t.Errorf("image 100608 at the default price: got size, cost %v, want [69.25 4.16]", got)
	}
	if got := cheap["100608"]; got != [2]string{"69.25", "3.46"} {
		t.Errorf("image 100608 at 0.05: got size, cost %v, want [69.25 3.46]", got)
	}
	changed := 0
	ids := make([]string, 0, len(def))
	for id := range def {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		size := def[id][0]
		if want := auditCents(t, size, "0.06"); def[id][1] != want {
			t.Errorf("image %s (%s GB) at the default price: cost %s, want %s", id, size, def[id][1], want)
		}
		if want := auditCents(t, size, "0.05"); cheap[id][1] != want {
			t.Errorf("image %s (%s GB) with --var price_per_gb=0.05: cost %s, want %s", id, size, cheap[id][1], want)
		}
		if fromFile[id] != cheap[id] {
			t.Errorf("image %s: --vars file gives %v, --var gives %v", id, fromFile[id], cheap[id])
		}
		if cheap[id] != def[id] {
			changed++
		}
	}
	if changed < len(def)/2 {
		t.Errorf("only %d of %d costs changed with the price", changed, len(def))
	}
}

// auditEmulator serves an emulator with its request log on, and points the
// digitalocean provider at it through the environment.
func auditEmulator(t *testing.T) *emulator.Server {
	t.Helper()
	emu := emulator.New(emulator.Options{Images: 60, Token: "sandbox"})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	t.Setenv("DIGITALOCEAN_API_URL", srv.URL)
	t.Setenv("DIGITALOCEAN_TOKEN", "sandbox")
	t.Setenv("DIGITALOCEAN_ACCESS_TOKEN", "")
	t.Setenv("APIQL_REGISTRY", "")
	return emu
}

// auditRequests counts the log's requests by method and path.
func auditRequests(emu *emulator.Server) map[string]int {
	n := map[string]int{}
	for _, r := range emu.Requests() {
		n[r.Method+" "+r.Path]++
	}
	return n
}

// TestAuditJoinFetchesOnce: a statement fetches each resource it names once,
// however many times and under whatever aliases it names it.
func TestAuditJoinFetchesOnce(t *testing.T) {
	emu := auditEmulator(t)
	cases := []struct {
		name  string
		query string
		rows  string // a line the output must hold
		want  map[string]int
	}{
		{
			name: "droplets join images",
			query: `SELECT d.name, i.id, i.type FROM digitalocean.droplets.droplets d
				JOIN digitalocean.images.images i ON i.id = json_extract(d.image, '$.id') ORDER BY d.name`,
			rows: "(5 rows)",
			want: map[string]int{"GET /v2/droplets": 1, "GET /v2/images": 1},
		},
		{
			name: "images json_each regions join regions",
			query: `SELECT r.value, g.name, g.available, count(*) FROM digitalocean.images.images i
				JOIN json_each(i.regions) r JOIN digitalocean.regions.regions g ON g.slug = r.value
				GROUP BY r.value, g.name, g.available`,
			rows: "(13 rows)",
			want: map[string]int{"GET /v2/images": 1, "GET /v2/regions": 1},
		},
		{
			name:  "unused images: droplets three times in a CTE",
			query: "-i " + filepath.Join(auditDir, "unused-images.iql"),
			rows:  "(22 rows)",
			// two statements, each fetching droplets and images once
			want: map[string]int{"GET /v2/droplets": 2, "GET /v2/images": 2},
		},
		{
			name:  "images per region: regions in a join and a correlated subquery",
			query: "-i " + filepath.Join(auditDir, "images-per-region.iql"),
			rows:  "(6 rows)",
			want:  map[string]int{"GET /v2/images": 2, "GET /v2/regions": 2},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			emu.ResetRequests()
			args := []string{"exec", "-o", "table", c.query}
			if file, ok := strings.CutPrefix(c.query, "-i "); ok {
				args = []string{"exec", "-o", "table", "-i", file}
			}
			code, stdout, stderr := auditRun(t, args...)
			if code != 0 {
				t.Fatalf("exit code %d\nstderr:\n%s", code, stderr)
			}
			if !strings.Contains(stdout, c.rows) {
				t.Errorf("output lacks %q:\n%s", c.rows, stdout)
			}
			got := auditRequests(emu)
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("requests by path: got %v, want %v\nlog: %+v", got, c.want, emu.Requests())
			}
		})
	}
}
