package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// runBinary runs apiql in a process of its own (the test binary acting as
// apiql) with env added to the test's environment.
func runBinary(t *testing.T, env []string, args ...string) cliRun {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperProcess$", "--"}, args...)...)
	cmd.Env = append(append(os.Environ(), helperEnv+"=1"), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return cliRun{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// TestWriteThatStalls: an API that reads a write and then answers nothing
// gets it once, and the report says the API may or may not have acted,
// never that the call failed (run again, a "failed" create would make a
// second image).
func TestWriteThatStalls(t *testing.T) {
	var posts atomic.Int64
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
			io.ReadAll(r.Body)
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer ts.Close()
	defer close(release)
	r := runBinary(t, []string{"DIGITALOCEAN_API_URL=" + ts.URL, "DIGITALOCEAN_TOKEN=" + secretToken, "DIGITALOCEAN_ACCESS_TOKEN=", "APIQL_REGISTRY="},
		"exec", "--timeout", "300ms", "INSERT INTO digitalocean.images.images (data__name, data__url, data__region) VALUES ('n', 'https://example.com/n.img', 'nyc3')")
	if r.code != 1 {
		t.Errorf("exit code %d, want 1\n%v", r.code, r)
	}
	for _, want := range []string{"0 of 1", "1 may or may not have acted", "row 1: POST /v2/images: no answer within 300ms (--timeout), after the request was sent", "may act twice"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "failed") {
		t.Errorf("a write that may have acted is reported as failed:\n%s", r.stderr)
	}
	if n := posts.Load(); n != 1 {
		t.Errorf("the POST reached the API %d times, want once", n)
	}
	assertNoSecret(t, r)
}

// TestRetryAfterTold: a wait for the API's Retry-After past two seconds is
// said on stderr; one past --max-retry-wait fails at once.
func TestRetryAfterTold(t *testing.T) {
	var requests atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 1 {
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(429)
			return
		}
		io.WriteString(w, `{"images":[{"id":1}],"links":{},"meta":{"total":1}}`)
	}))
	defer ts.Close()
	t.Setenv("DIGITALOCEAN_API_URL", ts.URL)
	t.Setenv("DIGITALOCEAN_TOKEN", secretToken)
	t.Setenv("DIGITALOCEAN_ACCESS_TOKEN", "")
	t.Setenv("APIQL_REGISTRY", "")
	start := time.Now()
	r := runApiql(t, "", "exec", "-o", "csv", "SELECT id FROM digitalocean.images.images")
	if r.code != 0 || !strings.Contains(r.stderr, "waiting 3s before sending GET /v2/images again (after 429 Too Many Requests") {
		t.Errorf("want the wait told:\n%v", r)
	}
	if time.Since(start) < 2*time.Second {
		t.Error("did not wait")
	}
	requests.Store(0)
	r = runApiql(t, "", "exec", "--max-retry-wait", "2s", "SELECT id FROM digitalocean.images.images")
	if r.code != 1 || !strings.Contains(r.stderr, "wait 3s") || !strings.Contains(r.stderr, "at most 2s (--max-retry-wait)") {
		t.Errorf("want the cap named:\n%v", r)
	}
	// The hint says what helps: waiting, or a larger cap (not --retries).
	if !strings.Contains(r.stderr, "hint: the API's rate limit was hit and it asks for a 3s wait; retry after it, or raise --max-retry-wait") {
		t.Errorf("want the hint to name --max-retry-wait:\n%v", r)
	}
}

// writeProvider writes a registry folder holding one provider, named name,
// with the given provider.yaml body and the acme widgets service.
func writeProvider(t *testing.T, name, providerYAML string) string {
	t.Helper()
	dir := t.TempDir()
	svc, err := os.ReadFile(filepath.Join("..", "..", "testdata", "registry", "good", "acme", "services", "widgets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, name, "services"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, name, "provider.yaml"), []byte(providerYAML), 0o644)
	os.WriteFile(filepath.Join(dir, name, "services", "widgets.yaml"), svc, 0o644)
	return dir
}

// countingServer counts the requests that reach it and those that carry
// secretToken.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64, *atomic.Int64) {
	var n, withToken atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if strings.Contains(r.Header.Get("Authorization"), secretToken) {
			withToken.Add(1)
		}
		io.WriteString(w, `{"items":[],"paging":{},"images":[],"links":{},"meta":{"total":0}}`)
	}))
	t.Cleanup(ts.Close)
	return ts, &n, &withToken
}

// TestRegistryTrust: a registry folder cannot make a provider read another
// provider's token (or URL) variable; a folder that replaces a built-in
// provider says so on stderr and in SHOW PROVIDERS, and the user's
// *_API_URL still wins over its base URL.
func TestRegistryTrust(t *testing.T) {
	ts, n, withToken := countingServer(t)
	t.Setenv("DIGITALOCEAN_TOKEN", secretToken)
	t.Setenv("DIGITALOCEAN_ACCESS_TOKEN", "")
	t.Setenv("APIQL_REGISTRY", "")
	t.Setenv("DIGITALOCEAN_API_URL", "")

	for _, tc := range []struct{ name, yaml, want string }{
		{"another provider's token", "name: evil\nbase_url: " + ts.URL + "\nauth: {type: bearer, token_env: [EVIL_TOKEN, DIGITALOCEAN_TOKEN]}\n",
			`provider "evil" reads its token from DIGITALOCEAN_TOKEN, the token variable of the built-in provider "digitalocean"`},
		{"another provider's URL variable", "name: evil\nbase_url: " + ts.URL + "\nbase_url_env: DIGITALOCEAN_API_URL\nauth: {type: none}\n",
			`reads its URL from DIGITALOCEAN_API_URL`},
		{"a replacement that moves the URL variable", "name: digitalocean\nbase_url: " + ts.URL + "\nbase_url_env: ELSEWHERE_URL\nauth: {type: bearer, token_env: [DIGITALOCEAN_TOKEN]}\n",
			`not DIGITALOCEAN_API_URL`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := "evil"
			if strings.HasPrefix(tc.yaml, "name: digitalocean") {
				name = "digitalocean"
			}
			dir := writeProvider(t, name, tc.yaml)
			for _, args := range [][]string{
				{"exec", "--registry", dir, "SELECT * FROM " + name + ".widgets.widgets"},
				{"exec", "--registry", dir, "SHOW PROVIDERS"},
			} {
				r := runApiql(t, "", args...)
				if r.code == 0 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "provider.yaml") {
					t.Errorf("%q: want the folder refused (%s):\n%v", args, tc.want, r)
				}
				assertNoSecret(t, r)
			}
		})
	}
	if n.Load() != 0 {
		t.Errorf("%d requests reached the folder's URL (%d with the token)", n.Load(), withToken.Load())
	}

	// A replacement of digitalocean pointing elsewhere: said, and the
	// user's DIGITALOCEAN_API_URL wins.
	other, otherN, _ := countingServer(t)
	dir := writeProvider(t, "digitalocean", "name: digitalocean\nbase_url: "+other.URL+"\nauth: {type: bearer, token_env: [DIGITALOCEAN_TOKEN]}\n"+
		"pagination: {style: links, next: paging.next_url, total: paging.total, page_param: p, size_param: limit, max_page_size: 50}\n")
	t.Setenv("DIGITALOCEAN_API_URL", ts.URL)
	r := runApiql(t, "", "exec", "-o", "csv", "--registry", dir, "SELECT count(*) AS n FROM digitalocean.widgets.widgets; SHOW PROVIDERS")
	if r.code != 0 || !strings.Contains(r.stderr, "provider digitalocean comes from the registry folder "+filepath.Join(dir, "digitalocean")+", which replaces the built-in one") {
		t.Errorf("want the replacement told on stderr:\n%v", r)
	}
	if !strings.Contains(r.stdout, "digitalocean,\"(replaces the built-in digitalocean, from "+filepath.Join(dir, "digitalocean")+")") {
		t.Errorf("SHOW PROVIDERS does not say digitalocean is replaced:\n%s", r.stdout)
	}
	if n.Load() != 1 || otherN.Load() != 0 {
		t.Errorf("requests: %d to DIGITALOCEAN_API_URL, %d to the folder's base URL; want 1 and 0", n.Load(), otherN.Load())
	}
}

// TestSandboxClosed: with --sandbox a provider other than the emulated one
// is refused before any request, and its token is never read.
func TestSandboxClosed(t *testing.T) {
	ts, n, _ := countingServer(t)
	t.Setenv("ACME_API_URL", ts.URL)
	t.Setenv("ACME_TOKEN", secretToken)
	t.Setenv("DIGITALOCEAN_TOKEN", secretToken)
	t.Setenv("APIQL_REGISTRY", "")
	good := filepath.Join("..", "..", "testdata", "registry", "good")
	for _, q := range []string{
		"SELECT * FROM acme.widgets.widgets",
		"INSERT INTO acme.widgets.widgets (data__name, data__color) VALUES ('w', 'red')",
		"EXEC acme.widgets.widgets.delete @widget_id = 1",
	} {
		r := runApiql(t, "", "exec", "--sandbox", "--registry", good, q)
		if r.code != 1 || !strings.Contains(r.stderr, `provider "acme" is not in the sandbox`) {
			t.Errorf("%s: want acme refused:\n%v", q, r)
		}
		assertNoSecret(t, r)
	}
	if n.Load() != 0 {
		t.Errorf("%d requests left the sandbox", n.Load())
	}
	// digitalocean still works, on the emulator.
	if r := runApiql(t, "", "exec", "--sandbox", "--registry", good, "-o", "csv", "-H", "SELECT count(*) FROM digitalocean.images.images"); r.code != 0 || r.stdout != "60\n" {
		t.Errorf("the sandbox's own provider: %v", r)
	}
}

// TestTokenEchoedInData: a token the API echoes back in its data is
// masked in every output format, and --dry-run masks it in bodies.
func TestTokenEchoedInData(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		fmt.Fprintf(w, `{"images":[{"id":1,"name":"built by %s","description":%q,"tags":[%q]}],"links":{},"meta":{"total":1}}`, tok, tok, tok)
	}))
	defer ts.Close()
	t.Setenv("DIGITALOCEAN_API_URL", ts.URL)
	t.Setenv("DIGITALOCEAN_TOKEN", secretToken)
	t.Setenv("DIGITALOCEAN_ACCESS_TOKEN", "")
	t.Setenv("APIQL_REGISTRY", "")
	for _, format := range []string{"table", "json", "jsonl", "csv", "markdown", "text"} {
		r := runApiql(t, "", "exec", "-o", format, "SELECT id, name, description, tags FROM digitalocean.images.images")
		if r.code != 0 || !strings.Contains(r.stdout, "built by ***") {
			t.Errorf("-o %s: want the token masked:\n%v", format, r)
		}
		assertNoSecret(t, r)
	}
	r := runApiql(t, "", "exec", "--dry-run", "INSERT INTO digitalocean.images.images (data__name, data__url, data__region) VALUES ('"+secretToken+"', 'https://example.com/"+secretToken+".img', 'nyc3')")
	if r.code != 0 || !strings.Contains(r.stderr, `"name":"***"`) {
		t.Errorf("--dry-run: want the body with the token masked:\n%v", r)
	}
	assertNoSecret(t, r)
}

// TestHistoryKeepsNoToken: a statement that holds the environment's token
// runs, but the shell does not write it into its history file.
func TestHistoryKeepsNoToken(t *testing.T) {
	home := t.TempDir()
	tm := startShell(t, home, []string{"DIGITALOCEAN_TOKEN=" + secretToken}, "--sandbox")
	tm.expect(prompt, 10*time.Second)
	tm.send("SELECT length('" + secretToken + "') AS n;\r")
	tm.expect("not saved in the history", 5*time.Second)
	tm.expect(prompt, 5*time.Second)
	tm.send("SELECT 2 AS two;\r")
	tm.expect("|   2 |", 5*time.Second)
	tm.expect(prompt, time.Second)
	tm.send("\x04")
	if code := tm.wait(5 * time.Second); code != 0 {
		t.Errorf("exit code %d after Ctrl-D, want 0", code)
	}
	data, err := os.ReadFile(filepath.Join(home, ".local", "state", "apiql", "history"))
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	if got, want := string(data), "SELECT 2 AS two;\n"; got != want {
		t.Errorf("history file = %q, want %q", got, want)
	}
}

// TestWriteOutcomesTold: each call of a write is reported as what it did:
// a 2xx with a cut body is done, a 429 did not act, a connection lost
// after the request was sent may or may not have acted; none is sent
// twice.
func TestWriteOutcomesTold(t *testing.T) {
	var posts atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.WriteHeader(404)
			return
		}
		io.ReadAll(r.Body)
		switch posts.Add(1) {
		case 1:
			w.Header().Set("Content-Length", "200")
			w.WriteHeader(201)
			io.WriteString(w, `{"image":{"id":7,`)
		case 2:
			w.WriteHeader(429)
			io.WriteString(w, `{"id":"too_many_requests","message":"API rate limit exceeded."}`)
		default:
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}
	}))
	defer ts.Close()
	t.Setenv("DIGITALOCEAN_API_URL", ts.URL)
	t.Setenv("DIGITALOCEAN_TOKEN", secretToken)
	t.Setenv("DIGITALOCEAN_ACCESS_TOKEN", "")
	t.Setenv("APIQL_REGISTRY", "")
	r := runApiql(t, "", "exec", "--retries", "0", "INSERT INTO digitalocean.images.images (data__name, data__url, data__region) VALUES "+
		"('a', 'https://example.com/a.img', 'nyc3'), ('b', 'https://example.com/b.img', 'nyc3'), ('c', 'https://example.com/c.img', 'nyc3')")
	if r.code != 1 {
		t.Errorf("exit code %d, want 1", r.code)
	}
	for _, want := range []string{
		"1 of 3", "1 failed:",
		"row 2: not done: the API's rate limit refused it (POST /v2/images: 429",
		"1 may or may not have acted", "row 3: POST /v2/images: the connection ended without an answer, after the request was sent",
		"succeeded: row 1 (done: the API answered 201, but its body could not be read",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if n := posts.Load(); n != 3 {
		t.Errorf("%d POSTs, want 3 (one per row, none again)", n)
	}
	assertNoSecret(t, r)
}

// TestHostileRedirectsAndLinks drives apiql against servers that try to
// send the token elsewhere or a write twice: a POST answered by a redirect
// to a host that does not answer is sent once and told as "may or may not
// have acted"; a protocol-relative next link to another server is refused,
// and that server gets nothing; --debug shows the refused hop.
func TestHostileRedirectsAndLinks(t *testing.T) {
	other, otherN, otherTok := countingServer(t)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	var posts atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost:
			posts.Add(1)
			http.Redirect(w, r, deadURL+"/v2/images", http.StatusTemporaryRedirect)
		case r.URL.Path == "/v2/images":
			fmt.Fprintf(w, `{"images":[{"id":1}],"links":{"pages":{"next":"//%s/v2/images?page=2"}},"meta":{"total":2}}`, strings.TrimPrefix(other.URL, "http://"))
		default:
			http.Redirect(w, r, other.URL+"/v2/images/1", http.StatusFound)
		}
	}))
	defer ts.Close()
	t.Setenv("DIGITALOCEAN_API_URL", ts.URL)
	t.Setenv("DIGITALOCEAN_TOKEN", secretToken)
	t.Setenv("DIGITALOCEAN_ACCESS_TOKEN", "")
	t.Setenv("APIQL_REGISTRY", "")

	r := runApiql(t, "", "exec", "INSERT INTO digitalocean.images.images (data__name, data__url, data__region) VALUES ('n', 'https://example.com/n.img', 'nyc3')")
	if r.code != 1 || !strings.Contains(r.stderr, "1 may or may not have acted") || !strings.Contains(r.stderr, "307 Temporary Redirect") || strings.Contains(r.stderr, "failed") {
		t.Errorf("INSERT answered by a redirect:\n%v", r)
	}
	if n := posts.Load(); n != 1 {
		t.Errorf("the POST was sent %d times, want once", n)
	}
	assertNoSecret(t, r)

	r = runApiql(t, "", "exec", "SELECT id FROM digitalocean.images.images")
	if r.code != 1 || !strings.Contains(r.stderr, "refusing to send the token there") {
		t.Errorf("a protocol-relative next link:\n%v", r)
	}
	r = runApiql(t, "", "exec", "--debug", "SELECT id FROM digitalocean.images.images WHERE image_id = 5")
	if r.code != 1 || !strings.Contains(r.stderr, "302 redirect to "+other.URL+"/v2/images/1: refused (another origin)") {
		t.Errorf("a redirect to another origin:\n%v", r)
	}
	// The error says the API answered with a redirect, not that no answer came.
	if !strings.Contains(r.stderr, "the API answered 302 Found with a redirect to \""+other.URL+"/v2/images/1\", not followed") || strings.Contains(r.stderr, "without an answer") {
		t.Errorf("a redirect to another origin, the error:\n%v", r)
	}
	assertNoSecret(t, r)
	if n := otherN.Load(); n != 0 {
		t.Errorf("the other server got %d requests (%d with the token)", n, otherTok.Load())
	}
}

// TestSizeFlag: --max-response-size takes sizes with units and refuses
// what is not a positive size, before anything runs.
func TestSizeFlag(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{{"1024", 1024}, {"512KiB", 512 << 10}, {"64MiB", 64 << 20}, {"2GiB", 2 << 30}, {"1MB", 1e6}} {
		var b byteSize
		if err := b.Set(tc.in); err != nil || int64(b) != tc.want {
			t.Errorf("Set(%q) = %d, %v; want %d", tc.in, b, err, tc.want)
		}
	}
	for _, bad := range []string{"0", "-1", "lots", "1TiB2", "99999999999GiB"} {
		r := runApiql(t, "", "exec", "--max-response-size", bad, "SELECT 1")
		if r.code != 2 || !strings.Contains(r.stderr, "positive size such as 64MiB") {
			t.Errorf("--max-response-size %s:\n%v", bad, r)
		}
	}
	// A page over the limit fails its statement, saying so.
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"images":[{"id":1,"name":%q}],"links":{},"meta":{"total":1}}`, strings.Repeat("x", 4096))
	}))
	defer ts.Close()
	t.Setenv("DIGITALOCEAN_API_URL", ts.URL)
	t.Setenv("DIGITALOCEAN_TOKEN", secretToken)
	t.Setenv("APIQL_REGISTRY", "")
	r := runApiql(t, "", "exec", "--max-response-size", "1KiB", "SELECT id FROM digitalocean.images.images")
	if r.code != 1 || !strings.Contains(r.stderr, "larger than 1 KiB, apiql's limit for one response (--max-response-size raises it)") {
		t.Errorf("a page over the limit:\n%v", r)
	}
}

// TestTokenTypedInStatement: a statement that holds the environment's
// token and fails prints the error and its "in:" line with the token
// masked, whether the error quotes the value or only the text.
func TestTokenTypedInStatement(t *testing.T) {
	newTestAPI(t, secretToken)
	for _, q := range []string{
		"SELECT * FROM digitalocean.images.images WHERE private = '" + secretToken + "'",
		"SELECT '" + secretToken + "' FROM nosuch",
		"SELECT '" + secretToken + "' + ",
	} {
		r := runApiql(t, "", "exec", q)
		if r.code != 1 || !strings.Contains(r.stderr, "***") {
			t.Errorf("%s: want a failure with the token masked:\n%v", q, r)
		}
		assertNoSecret(t, r)
	}
}

// TestWriteUnreadAnswerTold: a write whose 2xx answer is cut is done, and
// says so: without RETURNING the message names it; with RETURNING the rows
// that were read are printed and the statement fails naming the call that
// has no row (a script must learn it created something it cannot see).
func TestWriteUnreadAnswerTold(t *testing.T) {
	var posts atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		n := posts.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if n%2 == 1 {
			w.WriteHeader(201)
			fmt.Fprintf(w, `{"image":{"id":%d,"name":"made"}}`, 100+n)
			return
		}
		w.Header().Set("Content-Length", "200")
		w.WriteHeader(201)
		io.WriteString(w, `{"image":{"id":9,`)
	}))
	defer ts.Close()
	t.Setenv("DIGITALOCEAN_API_URL", ts.URL)
	t.Setenv("DIGITALOCEAN_TOKEN", secretToken)
	t.Setenv("DIGITALOCEAN_ACCESS_TOKEN", "")
	t.Setenv("APIQL_REGISTRY", "")
	ins := "INSERT INTO digitalocean.images.images (data__name, data__url, data__region) VALUES ('a', 'https://example.com/a.img', 'nyc3'), ('b', 'https://example.com/b.img', 'nyc3')"

	r := runApiql(t, "", "exec", "--retries", "0", "-o", "json", ins)
	if r.code != 0 || !strings.Contains(r.stderr, "2 images created (the API's answer to 1 could not be read: row 2 (201:") {
		t.Errorf("without RETURNING:\n%v", r)
	}
	r = runApiql(t, "", "exec", "--retries", "0", "-o", "json", ins+" RETURNING id, name")
	if r.code != 1 || !strings.Contains(r.stdout, `"id": 103`) || !strings.Contains(r.stderr, "2 of 2 create_custom calls succeeded, but the API's answer to 1 could not be read, so RETURNING has no row for it: row 2 (201:") {
		t.Errorf("with RETURNING:\n%v", r)
	}
	if n := posts.Load(); n != 4 {
		t.Errorf("%d POSTs, want 4 (one per row, none again)", n)
	}
	assertNoSecret(t, r)
}

// TestTokenTypedInExportAndSync: export and sync print an error that
// quotes a token typed in a statement or a resource name masked, as exec
// does.
func TestTokenTypedInExportAndSync(t *testing.T) {
	newTestAPI(t, secretToken)
	out := t.TempDir()
	for _, args := range [][]string{
		{"export", "--format", "csv", "--out", out, "SELECT * FROM digitalocean.images.images WHERE private = '" + secretToken + "'"},
		{"export", "--format", "csv", "--out", out, "SELECT '" + secretToken + "' FROM nosuch"},
		{"sync", "--to", "postgres://apiql@127.0.0.1:1/db", "digitalocean.images." + secretToken},
	} {
		r := runApiql(t, "", args...)
		if r.code == 0 || !strings.Contains(r.stderr, "***") {
			t.Errorf("%s: want a failure with the token masked:\n%v", args, r)
		}
		assertNoSecret(t, r)
	}
}
