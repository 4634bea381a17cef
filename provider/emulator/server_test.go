package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiql/apiql/provider/emulator"
)

func TestAuth(t *testing.T) {
	c := start(t, emulator.Options{})
	tests := []struct {
		name string
		auth string
		ok   bool
	}{
		{"valid", "Bearer sandbox", true},
		{"scheme case-insensitive", "bearer sandbox", true},
		{"missing", "", false},
		{"wrong token", "Bearer sandbox2", false},
		{"token prefix", "Bearer sand", false},
		{"wrong scheme", "Token sandbox", false},
		{"basic", "Basic c2FuZGJveDo=", false},
		{"scheme only", "Bearer", false},
		{"token only", "sandbox", false},
		{"empty token", "Bearer ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, req := range []struct{ method, path, body string }{
				{http.MethodGet, "/v2/images", ""},
				{http.MethodPost, "/v2/images", `{"name":"a","url":"https://e.com/a.img","region":"nyc3"}`},
				{http.MethodGet, "/v2/no-such-path", ""},
			} {
				r := c.doAuth(req.method, req.path, req.body, tt.auth)
				if tt.ok {
					if r.status == http.StatusUnauthorized {
						t.Errorf("%s %s: 401 with a valid token", req.method, req.path)
					}
					continue
				}
				requireError(t, r, http.StatusUnauthorized, "unauthorized", "Unable to authenticate you.")
				var e errorBody
				decodeStrict(t, r.body, &e)
				if e.Message != "Unable to authenticate you." {
					t.Errorf("message %q", e.Message)
				}
			}
		})
	}
	log := c.s.Requests()
	created := 0
	for _, r := range log {
		if r.Method == http.MethodPost && r.Status == http.StatusAccepted {
			created++
		}
		if (r.Status == http.StatusUnauthorized) == r.Authorized {
			t.Errorf("log entry %s %s: status %d, authorized %v", r.Method, r.Path, r.Status, r.Authorized)
		}
	}
	if created != 2 {
		t.Errorf("%d images created, want 2 (only by authorized requests)", created)
	}
}

func TestCustomTokenAndSetToken(t *testing.T) {
	c := start(t, emulator.Options{Token: "s3cret"})
	if r := c.do(http.MethodGet, "/v2/regions", ""); r.status != http.StatusUnauthorized {
		t.Errorf("default token accepted with Options.Token set: %d", r.status)
	}
	if r := c.doAuth(http.MethodGet, "/v2/regions", "", "Bearer s3cret"); r.status != http.StatusOK {
		t.Errorf("Options.Token refused: %d", r.status)
	}
	c.s.SetToken("rotated")
	if r := c.doAuth(http.MethodGet, "/v2/regions", "", "Bearer s3cret"); r.status != http.StatusUnauthorized {
		t.Errorf("old token still accepted after SetToken: %d", r.status)
	}
	if r := c.doAuth(http.MethodGet, "/v2/regions", "", "Bearer rotated"); r.status != http.StatusOK {
		t.Errorf("new token refused: %d", r.status)
	}
	c.s.SetToken("")
	if r := c.doAuth(http.MethodGet, "/v2/regions", "", "Bearer "); r.status != http.StatusUnauthorized {
		t.Errorf("empty token accepted: %d", r.status)
	}
}

// TestNotFound: what neither the hand-made handlers nor the registry (the
// test registry, which has no images actions and no droplet routes beyond
// the hand-made ones) serve answers 404 not_found.
func TestNotFound(t *testing.T) {
	c := startWith(t)
	tests := []struct{ method, path string }{
		{http.MethodGet, "/"},
		{http.MethodGet, "/v2"},
		{http.MethodGet, "/v2/"},
		{http.MethodGet, "/v1/images"},
		{http.MethodGet, "/v2/kubernetes/clusters"},
		{http.MethodGet, "/v2/images/"},
		{http.MethodGet, "/v2/images/1/2"},
		{http.MethodGet, "/v2/images/100001/actions"},
		{http.MethodPatch, "/v2/images"},
		{http.MethodDelete, "/v2/images"},
		{http.MethodPut, "/v2/images"},
		{http.MethodPost, "/v2/regions"},
		{http.MethodGet, "/v2/regions/nyc3"},
		{http.MethodPost, "/v2/snapshots"},
		{http.MethodPut, "/v2/snapshots/1"},
		{http.MethodGet, "/v2/snapshots/nope"},
		{http.MethodDelete, "/v2/droplets/1"},
		{http.MethodPost, "/v2/droplets/1"},
		{http.MethodGet, "/v2/droplets/abc"},
		{http.MethodGet, "/v2/droplets/1"},
		{http.MethodHead, "/v2/images"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := c.do(tt.method, tt.path, "")
			if tt.method == http.MethodHead {
				if r.status != http.StatusNotFound {
					t.Errorf("status %d, want 404", r.status)
				}
				return
			}
			requireError(t, r, http.StatusNotFound, "not_found", "")
			var raw map[string]any
			if err := json.Unmarshal(r.body, &raw); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{
				"id":         "not_found",
				"message":    "The resource you requested could not be found.",
				"request_id": r.header.Get("X-Request-Id"),
			}
			if !reflect.DeepEqual(raw, want) {
				t.Errorf("body %v, want %v", raw, want)
			}
		})
	}
}

func TestHeadersOnEveryResponse(t *testing.T) {
	now := time.Date(2027, 3, 4, 5, 6, 7, 0, time.UTC)
	c := start(t, emulator.Options{Now: now})
	all := c.s.Images()
	snapshot := filter(all, func(i emulator.Image) bool { return i.Type == "snapshot" && !i.Public })[0]
	requests := []struct {
		method, path, body, auth string
		status                   int
	}{
		{"GET", "/v2/images", "", "Bearer sandbox", 200},
		{"GET", "/v2/images?type=bad", "", "Bearer sandbox", 400},
		{"POST", "/v2/images", `{"name":"a","url":"https://e.com/a.img","region":"nyc3"}`, "Bearer sandbox", 202},
		{"POST", "/v2/images", `{}`, "Bearer sandbox", 422},
		{"POST", "/v2/images", `{`, "Bearer sandbox", 400},
		{"DELETE", fmt.Sprintf("/v2/images/%d", snapshot.ID), "", "Bearer sandbox", 204},
		{"GET", "/v2/images", "", "", 401},
		{"GET", "/v2/nothing", "", "Bearer sandbox", 404},
		{"GET", "/v2/regions", "", "Bearer sandbox", 200},
		{"GET", "/v2/snapshots", "", "Bearer sandbox", 200},
		{"GET", "/v2/droplets", "", "Bearer sandbox", 200},
	}
	lastRemaining := 5001
	seen := map[string]bool{}
	for i, rq := range requests {
		r := c.doAuth(rq.method, rq.path, rq.body, rq.auth)
		if r.status != rq.status {
			t.Errorf("%s %s: status %d, want %d", rq.method, rq.path, r.status, rq.status)
		}
		if got := r.header.Get("Ratelimit-Limit"); got != "5000" {
			t.Errorf("%s %s: ratelimit-limit %q", rq.method, rq.path, got)
		}
		remaining, err := strconv.Atoi(r.header.Get("Ratelimit-Remaining"))
		if err != nil || remaining != 5000-(i+1) || remaining >= lastRemaining {
			t.Errorf("%s %s: ratelimit-remaining %q after %d requests", rq.method, rq.path, r.header.Get("Ratelimit-Remaining"), i+1)
		}
		lastRemaining = remaining
		if got, want := r.header.Get("Ratelimit-Reset"), strconv.FormatInt(now.Add(time.Hour).Unix(), 10); got != want {
			t.Errorf("%s %s: ratelimit-reset %q, want %q", rq.method, rq.path, got, want)
		}
		id := r.header.Get("X-Request-Id")
		if id == "" || seen[id] {
			t.Errorf("%s %s: x-request-id %q empty or repeated", rq.method, rq.path, id)
		}
		seen[id] = true
		if rq.status != http.StatusNoContent {
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s %s: Content-Type %q", rq.method, rq.path, ct)
			}
			if !json.Valid(r.body) {
				t.Errorf("%s %s: body is not JSON: %s", rq.method, rq.path, r.body)
			}
			if r.contentLength != int64(len(r.body)) {
				t.Errorf("%s %s: Content-Length %d, body %d bytes", rq.method, rq.path, r.contentLength, len(r.body))
			}
		}
	}
}

func TestRateLimitRemainingFloor(t *testing.T) {
	s := emulator.New(emulator.Options{Images: 5})
	var last string
	for range 5002 {
		req := httptest.NewRequest(http.MethodGet, "/v2/regions", nil)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		last = w.Header().Get("Ratelimit-Remaining")
	}
	if last != "0" {
		t.Errorf("ratelimit-remaining after 5002 requests %q, want 0", last)
	}
}

func TestRequestLog(t *testing.T) {
	c := start(t, emulator.Options{})
	c.do(http.MethodGet, "/v2/regions", "")
	c.s.ResetRequests()
	if n := len(c.s.Requests()); n != 0 {
		t.Fatalf("%d requests after ResetRequests", n)
	}
	body := `{"name":"a","url":"https://e.com/a.img","region":"nyc3"}`
	c.do(http.MethodGet, "/v2/images?type=distribution&per_page=2", "")
	c.do(http.MethodPost, "/v2/images", body)
	c.doAuth(http.MethodGet, "/v2/droplets", "", "Bearer nope")
	c.do(http.MethodDelete, "/v2/images/3", "")

	want := []emulator.Request{
		{Method: "GET", Path: "/v2/images", Query: url.Values{"type": {"distribution"}, "per_page": {"2"}}, Body: []byte{}, Authorized: true, Status: 200},
		{Method: "POST", Path: "/v2/images", Query: url.Values{}, Body: []byte(body), Authorized: true, Status: 202},
		{Method: "GET", Path: "/v2/droplets", Query: url.Values{}, Body: []byte{}, Authorized: false, Status: 401},
		{Method: "DELETE", Path: "/v2/images/3", Query: url.Values{}, Body: []byte{}, Authorized: true, Status: 404},
	}
	got := c.s.Requests()
	if len(got) != len(want) {
		t.Fatalf("%d log entries, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Method != w.Method || g.Path != w.Path || !reflect.DeepEqual(g.Query, w.Query) ||
			string(g.Body) != string(w.Body) || g.Authorized != w.Authorized || g.Status != w.Status {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	// The log is a copy.
	got[0].Query.Set("type", "changed")
	got[1].Body[0] = 'X'
	again := c.s.Requests()
	if again[0].Query.Get("type") != "distribution" || again[1].Body[0] != '{' {
		t.Error("Requests() shares memory with the log")
	}
}

func TestFaultRateLimit(t *testing.T) {
	c := start(t, emulator.Options{})
	c.do(http.MethodGet, "/v2/regions", "") // counted before SetFaults: does not shift the phase
	c.s.SetFaults(emulator.Faults{RateLimitEvery: 3, RetryAfter: 7})
	var statuses []int
	for i := range 7 {
		if i == 4 {
			// Unauthorized requests are not counted.
			if r := c.doAuth(http.MethodGet, "/v2/regions", "", ""); r.status != 401 {
				t.Fatalf("unauthorized: %d", r.status)
			}
		}
		r := c.do(http.MethodGet, "/v2/images", "")
		statuses = append(statuses, r.status)
		if r.status == http.StatusTooManyRequests {
			requireError(t, r, 429, "too_many_requests", "API rate limit exceeded.")
			if got := r.header.Get("Retry-After"); got != "7" {
				t.Errorf("retry-after %q, want 7", got)
			}
			if got := r.header.Get("Ratelimit-Remaining"); got != "0" {
				t.Errorf("ratelimit-remaining on 429 %q, want 0", got)
			}
			if r.header.Get("Ratelimit-Limit") == "" || r.header.Get("Ratelimit-Reset") == "" {
				t.Error("429 without rate-limit headers")
			}
		} else if r.header.Get("Retry-After") != "" {
			t.Errorf("retry-after on a %d", r.status)
		}
	}
	if want := []int{200, 200, 429, 200, 200, 429, 200}; !reflect.DeepEqual(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
	c.s.SetFaults(emulator.Faults{})
	for range 4 {
		if r := c.do(http.MethodGet, "/v2/images", ""); r.status != 200 {
			t.Errorf("status %d after clearing faults", r.status)
		}
	}
	// 429 wins over 500 on a request due for both.
	c.s.SetFaults(emulator.Faults{RateLimitEvery: 2, ServerErrorEvery: 2})
	if got := []int{c.do("GET", "/v2/regions", "").status, c.do("GET", "/v2/regions", "").status}; !reflect.DeepEqual(got, []int{200, 429}) {
		t.Errorf("statuses %v, want [200 429]", got)
	}
}

func TestFaultServerError(t *testing.T) {
	c := start(t, emulator.Options{})
	c.s.SetFaults(emulator.Faults{ServerErrorEvery: 2})
	before := len(c.s.Images())
	var statuses []int
	for range 4 {
		r := c.do(http.MethodPost, "/v2/images", `{"name":"a","url":"https://e.com/a.img","region":"nyc3"}`)
		statuses = append(statuses, r.status)
		if r.status == 500 {
			requireError(t, r, 500, "server_error", "Unexpected server-side error")
		}
	}
	if want := []int{202, 500, 202, 500}; !reflect.DeepEqual(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
	if got := len(c.s.Images()); got != before+2 {
		t.Errorf("%d images created, want 2: a 500 must not have an effect", got-before)
	}
}

func TestFaultCutBody(t *testing.T) {
	c := start(t, emulator.Options{})
	full := c.do(http.MethodGet, "/v2/images?per_page=50", "")
	c.s.SetFaults(emulator.Faults{CutBodyEvery: 2})
	first := c.do(http.MethodGet, "/v2/images?per_page=50", "")
	cut := c.do(http.MethodGet, "/v2/images?per_page=50", "")
	if string(first.body) != string(full.body) {
		t.Error("1st response after SetFaults changed")
	}
	if cut.status != http.StatusOK {
		t.Errorf("cut response status %d, want 200", cut.status)
	}
	if len(cut.body) != len(full.body)/2 || string(cut.body) != string(full.body[:len(full.body)/2]) {
		t.Errorf("cut body %d bytes, want the first %d of %d", len(cut.body), len(full.body)/2, len(full.body))
	}
	if json.Valid(cut.body) {
		t.Error("cut body is valid JSON")
	}
	if cut.contentLength == int64(len(full.body)) {
		t.Error("cut response announced the full Content-Length")
	}
	var v imageList
	if err := json.Unmarshal(cut.body, &v); err == nil {
		t.Error("decoding a cut body succeeded")
	}
	// Error bodies are cut too.
	c.do(http.MethodGet, "/v2/nothing", "")
	cutErr := c.do(http.MethodGet, "/v2/nothing", "")
	if cutErr.status != 404 || json.Valid(cutErr.body) {
		t.Errorf("cut 404: status %d body %q", cutErr.status, cutErr.body)
	}
}

func TestFaultSlowBody(t *testing.T) {
	c := start(t, emulator.Options{})
	c.s.SetFaults(emulator.Faults{SlowBody: 150 * time.Millisecond})
	t0 := time.Now()
	var page imageList
	c.getJSON("/v2/images?per_page=30", &page)
	if d := time.Since(t0); d < 150*time.Millisecond {
		t.Errorf("slow body took %v, want 150ms or more", d)
	}
	if len(page.Images) != 30 {
		t.Errorf("%d images", len(page.Images))
	}
}

func TestLatency(t *testing.T) {
	tests := []struct {
		name    string
		opts    time.Duration
		faults  time.Duration
		atLeast time.Duration
	}{
		{"options", 80 * time.Millisecond, 0, 80 * time.Millisecond},
		{"faults", 0, 80 * time.Millisecond, 80 * time.Millisecond},
		{"both", 60 * time.Millisecond, 60 * time.Millisecond, 120 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := start(t, emulator.Options{Latency: tt.opts})
			c.s.SetFaults(emulator.Faults{Latency: tt.faults})
			t0 := time.Now()
			if r := c.do(http.MethodGet, "/v2/regions", ""); r.status != 200 {
				t.Fatalf("status %d", r.status)
			}
			if d := time.Since(t0); d < tt.atLeast {
				t.Errorf("took %v, want %v or more", d, tt.atLeast)
			}
		})
	}
}

func TestLatencyHonoursContext(t *testing.T) {
	s := emulator.New(emulator.Options{Latency: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req := httptest.NewRequest(http.MethodGet, "/v2/images", nil).WithContext(ctx)
	req.Header.Set("Authorization", "Bearer sandbox")
	w := httptest.NewRecorder()
	t0 := time.Now()
	s.ServeHTTP(w, req)
	if d := time.Since(t0); d > 2*time.Second {
		t.Fatalf("ServeHTTP returned after %v; the context ended after 50ms", d)
	}
	if w.Body.Len() != 0 || w.Header().Get("X-Request-Id") != "" {
		t.Errorf("answered a request whose context ended: %d bytes", w.Body.Len())
	}
	log := s.Requests()
	if len(log) != 1 || log[0].Status != 0 {
		t.Errorf("log %+v, want one entry with Status 0", log)
	}

	// Through HTTP: the client gives up, and the server is free at once.
	c := start(t, emulator.Options{})
	c.s.SetFaults(emulator.Faults{Latency: 10 * time.Second})
	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	hreq, _ := http.NewRequestWithContext(ctx2, http.MethodGet, c.ts.URL+"/v2/regions", nil)
	hreq.Header.Set("Authorization", "Bearer sandbox")
	if _, err := c.ts.Client().Do(hreq); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("client error %v, want a deadline", err)
	}
	c.s.SetFaults(emulator.Faults{})
	if r := c.do(http.MethodGet, "/v2/regions", ""); r.status != 200 {
		t.Errorf("status %d after a cancelled request", r.status)
	}
}

func TestConcurrentUse(t *testing.T) {
	c := start(t, emulator.Options{Images: 500})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				switch (w + i) % 8 {
				case 0:
					c.do("GET", "/v2/images?per_page=50&page="+strconv.Itoa(i%4+1), "")
				case 1:
					c.do("POST", "/v2/images", `{"name":"c","url":"https://e.com/c.img","region":"nyc3"}`)
				case 2:
					imgs := c.s.Images()
					c.do("DELETE", fmt.Sprintf("/v2/images/%d", imgs[len(imgs)-1].ID), "")
				case 3:
					imgs := c.s.Images()
					c.do("PUT", fmt.Sprintf("/v2/images/%d", imgs[len(imgs)/2].ID), `{"name":"n"}`)
				case 4:
					c.do("GET", "/v2/snapshots?per_page=100", "")
				case 5:
					c.do("GET", "/v2/droplets?per_page=10", "")
				case 6:
					c.s.SetFaults(emulator.Faults{RateLimitEvery: 5})
					c.s.Requests()
				case 7:
					c.do("GET", "/v2/images?private=true&tag_name=prod", "")
					c.s.SetFaults(emulator.Faults{})
				}
			}
		}()
	}
	wg.Wait()
	imgs := c.s.Images()
	for i := 1; i < len(imgs); i++ {
		if imgs[i].ID <= imgs[i-1].ID {
			t.Fatalf("images out of order at %d", i)
		}
	}
	// Each round, the 8 workers take the 8 cases once; 7 of them send a request.
	if got, want := len(c.s.Requests()), 25*7; got != want {
		t.Errorf("%d requests logged, want %d", got, want)
	}
}

func TestListenAndServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- emulator.ListenAndServe(ctx, "127.0.0.1:0", emulator.Options{Token: "tok"}, func(u string) { ready <- u })
	}()
	var base string
	select {
	case base = <-ready:
	case err := <-done:
		t.Fatalf("ListenAndServe: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("not ready after 5s")
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Errorf("url %q", base)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/v2/regions?per_page=5", nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page regionList
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := base + "/v2/regions?page=2&per_page=5"; page.Links.Pages["next"] != want {
		t.Errorf("next %q, want %q", page.Links.Pages["next"], want)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ListenAndServe returned %v after cancel, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ListenAndServe did not return after cancel")
	}

	if err := emulator.ListenAndServe(context.Background(), "127.0.0.1:notaport", emulator.Options{}, nil); err == nil {
		t.Error("ListenAndServe on a bad address returned nil")
	}
}
