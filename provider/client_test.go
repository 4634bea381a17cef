package provider_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/registry"
)

// doEnv is an emulator and a client pointed at it.
type doEnv struct {
	emu *emulator.Server
	srv *httptest.Server
	cl  *provider.Client
	res *registry.Resource
}

func newDO(t *testing.T, images int) *doEnv {
	t.Helper()
	emu := emulator.New(emulator.Options{Images: images, Token: "tok-123"})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	res, err := reg.Resource("digitalocean.images.images")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DIGITALOCEAN_API_URL": srv.URL, "DIGITALOCEAN_ACCESS_TOKEN": "tok-123"}
	cl := &provider.Client{Getenv: func(k string) string { return env[k] }, Retry: provider.RetryPolicy{Retries: 3}}
	return &doEnv{emu: emu, srv: srv, cl: cl, res: res}
}

// listIDs lists through the client and returns the ids in delivery order.
func (e *doEnv) listIDs(t *testing.T, params map[string]string) []int64 {
	t.Helper()
	var ids []int64
	err := e.cl.List(context.Background(), provider.Call{Method: e.res.Method("list"), Params: params}, func(objs []json.RawMessage) error {
		for _, o := range objs {
			var x struct{ ID int64 }
			if err := json.Unmarshal(o, &x); err != nil {
				return err
			}
			ids = append(ids, x.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestListEveryPageInOrder(t *testing.T) {
	for _, n := range []int{1, 199, 200, 201, 400, 401, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			e := newDO(t, n)
			got := e.listIDs(t, nil)
			want := e.emu.Images()
			if len(got) != len(want) {
				t.Fatalf("listed %d images, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != int64(want[i].ID) {
					t.Fatalf("image %d: id %d, want %d (API order)", i, got[i], want[i].ID)
				}
			}
			pages := (n + 199) / 200
			reqs := e.emu.Requests()
			if len(reqs) != pages {
				t.Fatalf("%d requests, want %d (one per page of 200)", len(reqs), pages)
			}
			for _, r := range reqs {
				if got := r.Query.Get("per_page"); got != "200" {
					t.Errorf("%s?%s: per_page %q, want 200", r.Path, r.Query.Encode(), got)
				}
			}
			if got, want := e.cl.Stats().Pages.Load(), int64(pages); got != want {
				t.Errorf("Stats().Pages = %d, want %d", got, want)
			}
		})
	}
}

func TestListSendsFilters(t *testing.T) {
	e := newDO(t, 300)
	tests := []struct {
		params map[string]string
		keep   func(emulator.Image) bool
	}{
		{map[string]string{"private": "true"}, func(im emulator.Image) bool { return !im.Public }},
		{map[string]string{"tag_name": "legacy"}, func(im emulator.Image) bool {
			for _, t := range im.Tags {
				if t == "legacy" {
					return true
				}
			}
			return false
		}},
	}
	for _, tt := range tests {
		e.emu.ResetRequests()
		got := e.listIDs(t, tt.params)
		var want []int64
		for _, im := range e.emu.Images() {
			if tt.keep(im) {
				want = append(want, int64(im.ID))
			}
		}
		if len(want) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%v: got %v, want %v", tt.params, got, want)
		}
		for _, r := range e.emu.Requests() {
			for k, v := range tt.params {
				if r.Query.Get(k) != v {
					t.Errorf("%v: request %s?%s lacks %s=%s", tt.params, r.Path, r.Query.Encode(), k, v)
				}
			}
		}
	}
	// type=distribution returns base images: the filter is the family, not the field.
	e.emu.ResetRequests()
	ids := e.listIDs(t, map[string]string{"type": "distribution"})
	if len(ids) == 0 {
		t.Fatal("no distribution images")
	}
	for _, im := range e.emu.Images() {
		for _, id := range ids {
			if int64(im.ID) == id && im.Type != "base" {
				t.Errorf("distribution image %d has type %q, want base", id, im.Type)
			}
		}
	}
}

func TestErrorsAreTyped(t *testing.T) {
	e := newDO(t, 10)
	get := e.res.Method("get")
	_, err := e.cl.Do(context.Background(), provider.Call{Method: get, Params: map[string]string{"image_id": "42"}})
	var ae *provider.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want *APIError", err)
	}
	if ae.Status != 404 || ae.ID != "not_found" || ae.Message == "" || ae.RequestID == "" || ae.HTTPMethod != "GET" || ae.Path != "/v2/images/42" {
		t.Errorf("APIError = %+v", ae)
	}
	// A wrong token is a 401, not retried.
	bad := &provider.Client{Getenv: func(k string) string {
		return map[string]string{"DIGITALOCEAN_API_URL": e.srv.URL, "DIGITALOCEAN_TOKEN": "wrong"}[k]
	}, Retry: provider.RetryPolicy{Retries: 3}}
	e.emu.ResetRequests()
	_, err = bad.Do(context.Background(), provider.Call{Method: get, Params: map[string]string{"image_id": "42"}})
	if !errors.As(err, &ae) || ae.Status != 401 || ae.ID != "unauthorized" {
		t.Fatalf("wrong token: got %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error shows the token: %v", err)
	}
	if n := len(e.emu.Requests()); n != 1 {
		t.Errorf("a 401 was sent %d times, want once", n)
	}
}

func TestNoTokenSendsNothing(t *testing.T) {
	e := newDO(t, 10)
	cl := &provider.Client{Getenv: func(k string) string {
		if k == "DIGITALOCEAN_API_URL" {
			return e.srv.URL
		}
		return ""
	}}
	_, err := cl.Do(context.Background(), provider.Call{Method: e.res.Method("list")})
	var ae *provider.AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want *AuthError", err)
	}
	for _, want := range []string{"DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN", "--sandbox"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if n := len(e.emu.Requests()); n != 0 {
		t.Errorf("%d requests sent without a token", n)
	}
}

func TestTokenVariablesInOrder(t *testing.T) {
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	res, _ := reg.Resource("digitalocean.images.images")
	var gotAuth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth.Store(r.Header.Get("Authorization") + "|" + r.Header.Get("User-Agent") + "|" + r.Header.Get("Accept") + "|" + r.URL.EscapedPath())
		w.Write([]byte(`{"image": {"id": 1}}`))
	}))
	defer srv.Close()
	env := map[string]string{"DIGITALOCEAN_API_URL": srv.URL, "DIGITALOCEAN_TOKEN": "first", "DIGITALOCEAN_ACCESS_TOKEN": "second"}
	cl := &provider.Client{Getenv: func(k string) string { return env[k] }}
	if _, err := cl.Do(context.Background(), provider.Call{Method: res.Method("get"), Params: map[string]string{"image_id": "a b/c"}}); err != nil {
		t.Fatal(err)
	}
	want := "Bearer first|apiql/" + provider.Version + "|application/json|/v2/images/a%20b%2Fc"
	if got := gotAuth.Load().(string); got != want {
		t.Errorf("request headers and path = %q, want %q", got, want)
	}
}

func TestRetries(t *testing.T) {
	e := newDO(t, 450)
	// Every 2nd request answers 429 with retry-after 0: a read is retried
	// until complete.
	e.emu.SetFaults(emulator.Faults{RateLimitEvery: 2, RetryAfter: 0})
	got := e.listIDs(t, nil)
	if len(got) != 450 {
		t.Fatalf("listed %d, want 450", len(got))
	}
	// 500s: reads retried.
	e.emu.SetFaults(emulator.Faults{ServerErrorEvery: 3})
	e.emu.ResetRequests()
	if got := e.listIDs(t, nil); len(got) != 450 {
		t.Fatalf("with 500s listed %d, want 450", len(got))
	}
	// A cut body is a malformed response: reads retried, complete.
	e.emu.SetFaults(emulator.Faults{CutBodyEvery: 2})
	if got := e.listIDs(t, nil); len(got) != 450 {
		t.Fatalf("with cut bodies listed %d, want 450", len(got))
	}
	// A POST that answers 500 is never sent again.
	e.emu.SetFaults(emulator.Faults{ServerErrorEvery: 1})
	e.emu.ResetRequests()
	create := e.res.Method("create_custom")
	_, err := e.cl.Do(context.Background(), provider.Call{Method: create, Body: json.RawMessage(`{"name":"n","url":"https://x/y.img","region":"nyc3"}`)})
	var ae *provider.APIError
	if !errors.As(err, &ae) || ae.Status != 500 {
		t.Fatalf("got %v, want a 500", err)
	}
	if n := len(e.emu.Requests()); n != 1 {
		t.Errorf("a POST answered 500 was sent %d times, want once", n)
	}
	// A POST that answers 429 is retried (the API did not act on it).
	e.emu.SetFaults(emulator.Faults{RateLimitEvery: 1})
	e.emu.ResetRequests()
	_, err = e.cl.Do(context.Background(), provider.Call{Method: create, Body: json.RawMessage(`{"name":"n","url":"https://x/y.img","region":"nyc3"}`)})
	if !errors.As(err, &ae) || ae.Status != 429 || ae.Attempts != 4 {
		t.Fatalf("got %v, want 429 after 4 attempts", err)
	}
	if n := len(e.emu.Requests()); n != 4 {
		t.Errorf("POST answered 429 sent %d times, want 4 (1 + 3 retries)", n)
	}
}

func TestCancelStopsPaging(t *testing.T) {
	e := newDO(t, 2000)
	e.emu.SetFaults(emulator.Faults{Latency: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := e.cl.List(ctx, provider.Call{Method: e.res.Method("list")}, func([]json.RawMessage) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("List returned %v after the deadline", d)
	}
}

func TestStopEndsEarly(t *testing.T) {
	e := newDO(t, 1000)
	calls := 0
	err := e.cl.List(context.Background(), provider.Call{Method: e.res.Method("list")}, func([]json.RawMessage) error {
		calls++
		return provider.ErrStop
	})
	if err != nil || calls != 1 {
		t.Fatalf("err %v, %d pages delivered; want nil and 1", err, calls)
	}
	if n := len(e.emu.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestOtherProviderPaging(t *testing.T) {
	reg, err := registry.Load("../testdata/registry/good")
	if err != nil {
		t.Fatal(err)
	}
	res, err := reg.Resource("acme.widgets.widgets")
	if err != nil {
		t.Fatal(err)
	}
	const total = 123
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.Header.Get("Authorization") != "Bearer acme-secret" {
			w.WriteHeader(401)
			w.Write([]byte(`{"id":"unauthorized","message":"bad token"}`))
			return
		}
		if r.URL.Path != "/api/widgets" {
			w.WriteHeader(404)
			return
		}
		var p, limit int
		fmt.Sscan(r.URL.Query().Get("p"), &p)
		fmt.Sscan(r.URL.Query().Get("limit"), &limit)
		if p == 0 {
			p = 1
		}
		var items []string
		for i := (p-1)*limit + 1; i <= p*limit && i <= total; i++ {
			items = append(items, fmt.Sprintf(`{"id":%d,"name":"w%d","color":%q}`, i, i, r.URL.Query().Get("color")))
		}
		next := ""
		if p*limit < total {
			next = fmt.Sprintf("http://%s/api/widgets?p=%d&limit=%d", r.Host, p+1, limit)
		}
		fmt.Fprintf(w, `{"items":[%s],"paging":{"next_url":%q,"total":%d}}`, strings.Join(items, ","), next, total)
	}))
	defer srv.Close()
	env := map[string]string{"ACME_API_URL": srv.URL, "ACME_TOKEN": "acme-secret"}
	cl := &provider.Client{Getenv: func(k string) string { return env[k] }}
	var ids []int
	err = cl.List(context.Background(), provider.Call{Method: res.Method("list"), Params: map[string]string{"color": "red"}}, func(objs []json.RawMessage) error {
		for _, o := range objs {
			var x struct{ ID int }
			json.Unmarshal(o, &x)
			ids = append(ids, x.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != total || ids[0] != 1 || ids[total-1] != total {
		t.Fatalf("got %d widgets (%v...), want 1..%d in order", len(ids), ids[:min(3, len(ids))], total)
	}
	for i, id := range ids {
		if id != i+1 {
			t.Fatalf("widget %d has id %d: out of order", i, id)
		}
	}
	if got, want := requests.Load(), int64(3); got != want {
		t.Errorf("%d requests, want %d pages of 50", got, want)
	}
}

// TestFollowsNextWithoutTotal: with no total and no last link, the pages
// are fetched one after another by their next links, every one of them.
func TestFollowsNextWithoutTotal(t *testing.T) {
	reg, err := registry.Load("../testdata/registry/good")
	if err != nil {
		t.Fatal(err)
	}
	res, _ := reg.Resource("acme.widgets.widgets")
	const total = 130
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		var p, limit int
		fmt.Sscan(r.URL.Query().Get("p"), &p)
		fmt.Sscan(r.URL.Query().Get("limit"), &limit)
		p = max(p, 1)
		var items []string
		for i := (p-1)*limit + 1; i <= p*limit && i <= total; i++ {
			items = append(items, fmt.Sprintf(`{"id":%d}`, i))
		}
		next := ""
		if p*limit < total {
			next = fmt.Sprintf("http://%s/api/widgets?p=%d&limit=%d", r.Host, p+1, limit)
		}
		fmt.Fprintf(w, `{"items":[%s],"paging":{"next_url":%q}}`, strings.Join(items, ","), next)
	}))
	defer srv.Close()
	env := map[string]string{"ACME_API_URL": srv.URL, "ACME_TOKEN": "k"}
	cl := &provider.Client{Getenv: func(k string) string { return env[k] }}
	n := 0
	err = cl.List(context.Background(), provider.Call{Method: res.Method("list")}, func(objs []json.RawMessage) error {
		for _, o := range objs {
			var x struct{ ID int }
			json.Unmarshal(o, &x)
			n++
			if x.ID != n {
				return fmt.Errorf("widget %d has id %d", n, x.ID)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != total || requests.Load() != 3 {
		t.Errorf("%d widgets in %d requests, want %d in 3", n, requests.Load(), total)
	}
}
