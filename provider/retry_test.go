package provider_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/registry"
)

// server answers GET /v2/images/1 with what answer says for request n (from 1).
func server(t *testing.T, answer func(n int64, w http.ResponseWriter)) (*provider.Client, *registry.Method, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answer(n.Add(1), w)
	}))
	t.Cleanup(srv.Close)
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	res, _ := reg.Resource("digitalocean.images.images")
	env := map[string]string{"DIGITALOCEAN_API_URL": srv.URL, "DIGITALOCEAN_TOKEN": "t"}
	cl := &provider.Client{Getenv: func(k string) string { return env[k] }, Retry: provider.RetryPolicy{Retries: 2}}
	return cl, res.Method("get"), &n
}

func TestRetryAfterHTTPDate(t *testing.T) {
	cl, get, n := server(t, func(n int64, w http.ResponseWriter) {
		if n == 1 {
			// An HTTP date has one-second resolution: 2 s ahead is at least 1 s.
			w.Header().Set("Retry-After", time.Now().Add(2*time.Second).UTC().Format(http.TimeFormat))
			w.WriteHeader(429)
			w.Write([]byte(`{"id":"too_many_requests","message":"API rate limit exceeded."}`))
			return
		}
		w.Write([]byte(`{"image":{"id":1}}`))
	})
	start := time.Now()
	if _, err := cl.Do(context.Background(), provider.Call{Method: get, Params: map[string]string{"image_id": "1"}}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("retried after %v; the Retry-After date was at least a second away", d)
	}
	if n.Load() != 2 {
		t.Errorf("%d requests, want 2", n.Load())
	}
}

func TestPacerSlowsDownBeforeThe429(t *testing.T) {
	reset := time.Now().Add(2 * time.Second).Unix()
	cl, get, _ := server(t, func(n int64, w http.ResponseWriter) {
		// Only one request left in a window that ends in about 2 s.
		w.Header().Set("ratelimit-limit", "5000")
		w.Header().Set("ratelimit-remaining", "1")
		w.Header().Set("ratelimit-reset", strconv.FormatInt(reset, 10))
		w.Write([]byte(`{"image":{"id":1}}`))
	})
	call := provider.Call{Method: get, Params: map[string]string{"image_id": "1"}}
	if _, err := cl.Do(context.Background(), call); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := cl.Do(context.Background(), call); err != nil {
		t.Fatal(err)
	}
	// The time left is spread over the requests left: about half of it.
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("the second request went out after %v, without slowing down", d)
	}
}

func TestPacerWaitEndsWithContext(t *testing.T) {
	cl, get, n := server(t, func(n int64, w http.ResponseWriter) {
		w.Header().Set("ratelimit-remaining", "0")
		w.Header().Set("ratelimit-reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
		w.Write([]byte(`{"image":{"id":1}}`))
	})
	call := provider.Call{Method: get, Params: map[string]string{"image_id": "1"}}
	cl.Do(context.Background(), call)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := cl.Do(ctx, call); err == nil {
		t.Fatal("no error from a cancelled wait")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the wait ignored the context for %v", d)
	}
	if n.Load() != 1 {
		t.Errorf("%d requests, want 1", n.Load())
	}
}
