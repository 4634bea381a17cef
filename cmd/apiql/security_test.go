package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
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
	for _, want := range []string{"0 of 1", "1 may or may not have acted", "row 1: POST /v2/images", "may act twice"} {
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
}
