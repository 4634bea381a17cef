package provider_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/registry"
)

// The tests of this file serve the made-up acme provider from hostile
// servers on loopback: servers that redirect, lie about page counts, loop,
// answer endlessly or echo the token.

const acmeToken = "acme-secret-token-0123456789"

// hostile is an acme API served by handler, and a client for it.
type hostile struct {
	srv     *httptest.Server
	cl      *provider.Client
	res     *registry.Resource
	debug   *strings.Builder
	mu      sync.Mutex
	notices []string
}

func newHostile(t *testing.T, handler http.HandlerFunc) *hostile {
	t.Helper()
	reg, err := registry.Load("../testdata/registry/good")
	if err != nil {
		t.Fatal(err)
	}
	res, err := reg.Resource("acme.widgets.widgets")
	if err != nil {
		t.Fatal(err)
	}
	h := &hostile{res: res, debug: &strings.Builder{}}
	h.srv = httptest.NewServer(handler)
	t.Cleanup(h.srv.Close)
	env := map[string]string{"ACME_API_URL": h.srv.URL, "ACME_TOKEN": acmeToken}
	h.cl = &provider.Client{
		Getenv:     func(k string) string { return env[k] },
		Retry:      provider.RetryPolicy{Retries: 4, Base: time.Millisecond, Max: 5 * time.Millisecond},
		Timeout:    2 * time.Second,
		Debug:      &lockedWriter{b: h.debug, mu: &h.mu},
		NoticeWait: 50 * time.Millisecond,
		Notice: func(n provider.Note) {
			h.mu.Lock()
			h.notices = append(h.notices, n.Text)
			h.mu.Unlock()
		},
	}
	return h
}

type lockedWriter struct {
	b  *strings.Builder
	mu *sync.Mutex
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (h *hostile) debugText() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.debug.String()
}

func (h *hostile) noticeText() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(h.notices, "\n")
}

// list lists the widgets and returns their ids.
func (h *hostile) list(ctx context.Context) ([]int, error) {
	var ids []int
	err := h.cl.List(ctx, provider.Call{Method: h.res.Method("list")}, func(objs []json.RawMessage) error {
		for _, o := range objs {
			var x struct{ ID int }
			json.Unmarshal(o, &x)
			ids = append(ids, x.ID)
		}
		return nil
	})
	return ids, err
}

// create sends one create call.
func (h *hostile) create() (*provider.Response, error) {
	return h.cl.Do(context.Background(), provider.Call{Method: h.res.Method("create"), Body: json.RawMessage(`{"name":"w","color":"red"}`)})
}

// elsewhere is a second server, another origin, that counts what reaches
// it and whether the token came along.
type elsewhere struct {
	srv      *httptest.Server
	requests atomic.Int64
	tokens   atomic.Int64
}

func newElsewhere(t *testing.T) *elsewhere {
	e := &elsewhere{}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.requests.Add(1)
		if strings.Contains(r.Header.Get("Authorization"), acmeToken) {
			e.tokens.Add(1)
		}
		fmt.Fprint(w, `{"items":[{"id":99}],"paging":{},"widget":{"id":99}}`)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *elsewhere) hostPort() string { return strings.TrimPrefix(e.srv.URL, "http://") }

func (e *elsewhere) check(t *testing.T) {
	t.Helper()
	if n := e.requests.Load(); n != 0 {
		t.Errorf("the other origin got %d requests (%d with the token), want none", n, e.tokens.Load())
	}
}

// TestNextLinkToAnotherOrigin: a next-page link to another origin is
// refused whatever its form; the token never leaves for it.
func TestNextLinkToAnotherOrigin(t *testing.T) {
	other := newElsewhere(t)
	for _, tc := range []struct {
		name, link string
	}{
		{"protocol-relative", "//" + other.hostPort() + "/api/widgets?p=2"},
		{"absolute", other.srv.URL + "/api/widgets?p=2"},
		{"same host, another port", "http://127.0.0.1:1/api/widgets?p=2"},
		{"https on the same host and port", "https://HOST/api/widgets?p=2"},
		{"backslashes", `/\` + other.hostPort() + "/api/widgets?p=2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
				link := strings.ReplaceAll(tc.link, "HOST", r.Host)
				fmt.Fprintf(w, `{"items":[{"id":1}],"paging":{"next_url":%q}}`, link)
			})
			_, err := h.list(context.Background())
			if err == nil || !strings.Contains(err.Error(), "refusing to send the token there") {
				if err == nil || !strings.Contains(err.Error(), "next-page link") {
					t.Fatalf("err = %v, want the next-page link refused", err)
				}
			}
			if strings.Contains(err.Error(), acmeToken) {
				t.Errorf("the error shows the token: %v", err)
			}
			other.check(t)
		})
	}
}

// TestCountedPagesBuiltOnOwnOrigin: when page one tells how many pages
// there are, pages 2..N are built on the API's origin: a next link to
// another host (here protocol-relative) is ignored, not followed and not
// refused, as the README says.
func TestCountedPagesBuiltOnOwnOrigin(t *testing.T) {
	other := newElsewhere(t)
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Query().Get("p")
		if p == "" {
			p = "1"
		}
		next := ""
		if p != "3" {
			next = "//" + other.hostPort() + "/api/widgets?p=9"
		}
		fmt.Fprintf(w, `{"items":[{"id":%s}],"paging":{"total":3,"next_url":%q}}`, p, next)
	})
	ids, err := h.list(context.Background())
	if err != nil || fmt.Sprint(ids) != "[1 2 3]" {
		t.Fatalf("ids %v, err %v; want [1 2 3] from the API's own origin", ids, err)
	}
	other.check(t)
}

// TestRelativeNextLinkFollowed: a relative next link of the API's own
// origin is followed, and a link that loops back ends the list with an
// error that names it.
func TestRelativeNextLinkFollowed(t *testing.T) {
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("p") {
		case "":
			fmt.Fprint(w, `{"items":[{"id":1}],"paging":{"next_url":"widgets?p=2"}}`)
		case "2":
			fmt.Fprint(w, `{"items":[{"id":2}],"paging":{"next_url":"/api/widgets?p=3"}}`)
		default:
			fmt.Fprint(w, `{"items":[{"id":3}],"paging":{}}`)
		}
	})
	ids, err := h.list(context.Background())
	if err != nil || fmt.Sprint(ids) != "[1 2 3]" {
		t.Fatalf("ids %v, err %v; want [1 2 3]", ids, err)
	}
}

// TestEndlessPaging: a next link that repeats a page, or that does not
// advance, ends the fetch with an error naming the link, after a handful
// of requests.
func TestEndlessPaging(t *testing.T) {
	for _, tc := range []struct {
		name string
		next func(p string) string
	}{
		{"always page 2", func(string) string { return "/api/widgets?p=2" }},
		{"the same URL", func(p string) string { return "/api/widgets?p=" + p }},
		{"back to page one without a page number", func(p string) string {
			if p == "3" {
				return "/api/widgets?limit=50"
			}
			return "/api/widgets?p=3"
		}},
		{"a page number that goes down", func(p string) string {
			if p == "" {
				return "/api/widgets?p=5"
			}
			return "/api/widgets?p=4"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var requests atomic.Int64
			h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
				n := requests.Add(1)
				fmt.Fprintf(w, `{"items":[{"id":%d}],"paging":{"next_url":%q}}`, n, tc.next(r.URL.Query().Get("p")))
			})
			_, err := h.list(context.Background())
			if err == nil || !strings.Contains(err.Error(), "next-page link") || !strings.Contains(err.Error(), "does not advance") {
				t.Fatalf("err = %v, want the looping link named", err)
			}
			if n := requests.Load(); n > 4 {
				t.Errorf("%d requests before stopping, want at most 4", n)
			}
		})
	}
}

// TestImpossiblePageCounts: a count no list can have fails at once, with
// no allocation for it; a page past the bound of next links too.
func TestImpossiblePageCounts(t *testing.T) {
	for _, tc := range []struct{ name, paging string }{
		{"total of 10^12", `{"next_url":"/api/widgets?p=2","total":1000000000000}`},
		{"total as a float", `{"next_url":"/api/widgets?p=2","total":1e300}`},
		{"negative total", `{"next_url":"/api/widgets?p=2","total":-5}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var requests atomic.Int64
			h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				fmt.Fprintf(w, `{"items":[{"id":1}],"paging":%s}`, tc.paging)
			})
			_, err := h.list(context.Background())
			if err == nil || !strings.Contains(err.Error(), "cannot be true") {
				t.Fatalf("err = %v, want the count refused", err)
			}
			if n := requests.Load(); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
	t.Run("next links past the bound", func(t *testing.T) {
		h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
			var p int
			fmt.Sscan(r.URL.Query().Get("p"), &p)
			fmt.Fprintf(w, `{"items":[{"id":%d}],"paging":{"next_url":"/api/widgets?p=%d"}}`, p, max(p, 1)+1)
		})
		h.cl.MaxPages = 5
		_, err := h.list(context.Background())
		if err == nil || !strings.Contains(err.Error(), "past 5 pages") {
			t.Fatalf("err = %v, want the bound named", err)
		}
	})
}

// TestLastPageOfABillion: links.pages.last = page 1000000000 (the
// DigitalOcean style) is refused the same way; the registry of the
// default provider is used for its last-link pagination.
func TestLastPageOfABillion(t *testing.T) {
	var requests atomic.Int64
	cl, list := doServer(t, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		fmt.Fprintf(w, `{"images":[{"id":1}],"links":{"pages":{"next":"http://%s/v2/images?page=2","last":"http://%s/v2/images?page=1000000000"}},"meta":{"total":1}}`, r.Host, r.Host)
	})
	err := cl.List(context.Background(), provider.Call{Method: list}, func([]json.RawMessage) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "page=1000000000") || !strings.Contains(err.Error(), "cannot be true") {
		t.Fatalf("err = %v, want the last page refused", err)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func doServer(t *testing.T, handler http.HandlerFunc) (*provider.Client, *registry.Method) {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	res, _ := reg.Resource("digitalocean.images.images")
	env := map[string]string{"DIGITALOCEAN_API_URL": srv.URL, "DIGITALOCEAN_TOKEN": "t"}
	return &provider.Client{Getenv: func(k string) string { return env[k] }}, res.Method("list")
}

// TestCountedPagesHoldOnlyTheWindow: a large (believable) count is paged
// with memory for the pages in flight, not for every page: the pages
// arrive in order, every one.
func TestCountedPagesHoldOnlyTheWindow(t *testing.T) {
	const pages = 1000
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
		var p int
		fmt.Sscan(r.URL.Query().Get("p"), &p)
		p = max(p, 1)
		next := fmt.Sprintf("/api/widgets?p=%d", p+1)
		if p == pages {
			next = ""
		}
		fmt.Fprintf(w, `{"items":[{"id":%d}],"paging":{"next_url":%q,"total":%d}}`, p, next, pages)
	})
	h.cl.Concurrency = 3
	ids, err := h.list(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if id != i+1 {
			t.Fatalf("object %d has id %d: out of order", i, id)
		}
	}
	if len(ids) != pages {
		t.Fatalf("%d objects, want %d", len(ids), pages)
	}
}

// TestDuplicatesAndNonObjects: the same id on two pages is kept once,
// items that are not objects are skipped, and both are said.
func TestDuplicatesAndNonObjects(t *testing.T) {
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("p") {
		case "":
			fmt.Fprint(w, `{"items":[{"id":1},{"id":2}],"paging":{"next_url":"/api/widgets?p=2","total":5}}`)
		case "2":
			fmt.Fprint(w, `{"items":[{"id":2},"oops"],"paging":{"next_url":"/api/widgets?p=3","total":5}}`)
		default:
			fmt.Fprint(w, `{"items":[{"id":3}],"paging":{"total":5}}`)
		}
	})
	ids, err := h.list(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids) != "[1 2 3]" {
		t.Errorf("ids %v, want [1 2 3]", ids)
	}
	notes := h.noticeText()
	for _, want := range []string{"id 2 on page 1 and again on page 2", "kept once", "not an object", `"oops"`} {
		if !strings.Contains(notes, want) {
			t.Errorf("notices lack %q:\n%s", want, notes)
		}
	}
}

// TestResponseSizeLimit: a page over the limit fails with a clear error,
// and an endless body is read no further than the limit.
func TestResponseSizeLimit(t *testing.T) {
	var wrote atomic.Int64
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"items":[`)
		chunk := []byte(strings.Repeat(`{"id":1,"name":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},`, 1000))
		for i := 0; i < 1<<20; i++ { // up to ~60 GB, unless the client hangs up
			n, err := w.Write(chunk)
			wrote.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	h.cl.MaxResponseSize = 1 << 20
	_, err := h.list(context.Background())
	if err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") || !strings.Contains(err.Error(), "--max-response-size") {
		t.Fatalf("err = %v, want the size limit named", err)
	}
	if n := h.cl.Stats().Bytes.Load(); n > 1<<20+1 {
		t.Errorf("read %d bytes, want at most the limit", n)
	}
	if n := h.cl.Stats().Requests.Load(); n != 1 {
		t.Errorf("%d requests; an over-size answer is not asked again", n)
	}
}

// TestResponseSizeLimitMemory: a body without Content-Length, endless or
// just within the limit, is read holding no more than the limit: the bytes
// read stop at limit+1, and the bytes allocated while the page is read
// (runtime.MemStats.TotalAlloc, every allocation, garbage included) stay
// near what was read, not a multiple of it. Before, io.ReadAll's growing
// chunks and its final copy allocated some 3x the limit for an endless body
// (a 64 MiB limit let a page reach ~190 MB).
func TestResponseSizeLimitMemory(t *testing.T) {
	const limit = 16 << 20
	chunk := []byte(strings.Repeat(`{"id":1,"name":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},`, 1000))
	for _, tc := range []struct {
		name  string
		items int  // widgets served; -1: endless
		over  bool // whether the size error is wanted
	}{
		{name: "endless", items: -1, over: true},
		{name: "within the limit", items: 2_000}, // of 7.5 KB: 15 MB
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The body is made before the measure, and sent in pieces after
			// a flush: chunked, without Content-Length.
			var body []byte
			if tc.items >= 0 {
				body = append(body, `{"items":[`...)
				for i := 0; i < tc.items; i++ {
					if i > 0 {
						body = append(body, ',')
					}
					body = fmt.Appendf(body, `{"id":%d,"name":"%s"}`, i, strings.Repeat("x", 7500))
				}
				body = append(body, `],"paging":{}}`...)
				if len(body) > limit {
					t.Fatalf("the body served is %d bytes, over the limit", len(body))
				}
			}
			h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"items":[`)
				w.(http.Flusher).Flush()
				if tc.items < 0 {
					for { // until the client hangs up
						if _, err := w.Write(chunk); err != nil {
							return
						}
					}
				}
				for rest := body[len(`{"items":[`):]; len(rest) > 0; {
					n := min(len(rest), 64<<10)
					if _, err := w.Write(rest[:n]); err != nil {
						return
					}
					rest = rest[n:]
				}
			})
			h.cl.MaxResponseSize = limit
			var count int
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err := h.cl.List(context.Background(), provider.Call{Method: h.res.Method("list")}, func(objs []json.RawMessage) error {
				runtime.ReadMemStats(&after) // the page is read: what follows is decoding
				count += len(objs)
				return nil
			})
			if tc.over {
				runtime.ReadMemStats(&after)
			}
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("read %d bytes, allocated %d", h.cl.Stats().Bytes.Load(), allocated)
			read := h.cl.Stats().Bytes.Load()
			if tc.over {
				if err == nil || !strings.Contains(err.Error(), "larger than 16 MiB") {
					t.Fatalf("err = %v, want the size limit named", err)
				}
				if read != limit+1 {
					t.Errorf("read %d bytes, want limit+1 = %d", read, limit+1)
				}
				// Everything read is held once: the limit and some slack for
				// the HTTP machinery, never a second copy.
				if bound := uint64(limit + 1<<20); allocated > bound {
					t.Errorf("reading the page allocated %d bytes, want at most %d (the limit is %d)", allocated, bound, limit)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if count != tc.items || read != int64(len(body)) {
				t.Fatalf("%d widgets, %d bytes read; want %d and %d", count, read, tc.items, len(body))
			}
			// The chunks (the last one's unused end at most 1 MiB) and one
			// copy of the body's size (a page is one slice), and slack for the
			// HTTP machinery and the page's spans (io.ReadAll: 2.3x the body).
			if bound := 2*uint64(len(body)) + 3<<20; allocated > bound {
				t.Errorf("reading a page of %d bytes allocated %d bytes, want at most %d", len(body), allocated, bound)
			}
		})
	}
}

// TestRedirects: a read follows a redirect within its origin (every hop
// in --debug), never one to another origin; a write follows none and is
// sent once.
func TestRedirects(t *testing.T) {
	other := newElsewhere(t)
	t.Run("read, same origin", func(t *testing.T) {
		h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/widgets" {
				http.Redirect(w, r, "/api/widgets2", http.StatusFound)
				return
			}
			fmt.Fprint(w, `{"items":[{"id":7}],"paging":{}}`)
		})
		ids, err := h.list(context.Background())
		if err != nil || fmt.Sprint(ids) != "[7]" {
			t.Fatalf("ids %v, err %v", ids, err)
		}
		if d := h.debugText(); !strings.Contains(d, "302 redirect to http://127.0.0.1") || !strings.Contains(d, "/api/widgets2: followed") {
			t.Errorf("debug does not show the hop:\n%s", d)
		}
	})
	for _, code := range []int{301, 302, 303, 307, 308} {
		t.Run(fmt.Sprintf("read, %d to another origin", code), func(t *testing.T) {
			var requests atomic.Int64
			h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				http.Redirect(w, r, other.srv.URL+"/api/widgets", code)
			})
			_, err := h.list(context.Background())
			if err == nil || !strings.Contains(err.Error(), "not followed") || !strings.Contains(err.Error(), "token goes nowhere else") {
				t.Fatalf("err = %v, want the redirect refused", err)
			}
			if n := requests.Load(); n != 1 {
				t.Errorf("%d requests: a refused redirect is not asked again", n)
			}
			if d := h.debugText(); !strings.Contains(d, "refused (another origin)") {
				t.Errorf("debug does not show the refused hop:\n%s", d)
			}
			other.check(t)
		})
		t.Run(fmt.Sprintf("write, %d", code), func(t *testing.T) {
			var requests atomic.Int64
			h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				http.Redirect(w, r, other.srv.URL+"/api/widgets", code)
			})
			resp, err := h.create()
			if err == nil {
				t.Fatalf("a %d answer to a POST was taken as done: %d %s", code, resp.Status, resp.Body)
			}
			if provider.WriteEffect(err) != provider.MayHaveActed || !strings.Contains(err.Error(), "may or may not have acted") {
				t.Errorf("err = %v, want: may or may not have acted", err)
			}
			if n := requests.Load(); n != 1 {
				t.Errorf("the write was sent %d times", n)
			}
			other.check(t)
		})
	}
}

// TestWriteSentOnce: a POST answered by a redirect to a host that does not
// answer is sent once (the dial error of the second hop proves nothing);
// a write whose first hop never connected is sent again; a write that
// stalls after the server read it is sent once and may have acted.
func TestWriteSentOnce(t *testing.T) {
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := dead.Addr().String()
	dead.Close()

	t.Run("redirect to an unreachable host", func(t *testing.T) {
		var requests atomic.Int64
		h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			http.Redirect(w, r, "http://"+deadAddr+"/api/widgets", http.StatusTemporaryRedirect)
		})
		_, err := h.create()
		if err == nil || provider.WriteEffect(err) != provider.MayHaveActed {
			t.Fatalf("err = %v, want: may or may not have acted", err)
		}
		if n := requests.Load(); n != 1 {
			t.Errorf("the write was sent %d times, want once", n)
		}
	})
	t.Run("nothing listens", func(t *testing.T) {
		h := newHostile(t, func(http.ResponseWriter, *http.Request) {})
		h.cl.Getenv = func(k string) string {
			return map[string]string{"ACME_API_URL": "http://" + deadAddr, "ACME_TOKEN": acmeToken}[k]
		}
		_, err := h.create()
		if err == nil || provider.WriteEffect(err) != provider.NotActed {
			t.Fatalf("err = %v, want: not acted", err)
		}
		if !strings.Contains(err.Error(), "after 5 attempts") {
			t.Errorf("err = %v; a write that never left is sent again", err)
		}
	})
	t.Run("stalls after reading", func(t *testing.T) {
		var requests atomic.Int64
		release := make(chan struct{})
		h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			io.ReadAll(r.Body)
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		defer close(release)
		h.cl.Timeout = 200 * time.Millisecond
		_, err := h.create()
		if err == nil || provider.WriteEffect(err) != provider.MayHaveActed {
			t.Fatalf("err = %v, want: may or may not have acted", err)
		}
		if n := requests.Load(); n != 1 {
			t.Errorf("the write was sent %d times, want once", n)
		}
	})
	t.Run("2xx with a cut body", func(t *testing.T) {
		h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(201)
			io.WriteString(w, `{"widget":{"id":`)
		})
		resp, err := h.create()
		if err != nil {
			t.Fatalf("a 201 with a cut body is done, got %v", err)
		}
		if resp.Status != 201 || resp.BodyErr == nil {
			t.Errorf("status %d, BodyErr %v; want 201 and the body's error", resp.Status, resp.BodyErr)
		}
	})
	t.Run("429", func(t *testing.T) {
		h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(429)
			io.WriteString(w, `{"id":"too_many_requests","message":"slow down"}`)
		})
		h.cl.Retry.Retries = 0
		_, err := h.create()
		var ae *provider.APIError
		if !errors.As(err, &ae) || ae.Status != 429 || provider.WriteEffect(err) != provider.NotActed {
			t.Fatalf("err = %v, want a 429 that did not act", err)
		}
	})
}

// TestRetryAfterCapped: a Retry-After past the cap fails at once and says
// why; a wait past the notice threshold is told.
func TestRetryAfterCapped(t *testing.T) {
	var requests atomic.Int64
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(429)
	})
	start := time.Now()
	_, err := h.list(context.Background())
	if err == nil || !strings.Contains(err.Error(), "wait 1h0m0s") || !strings.Contains(err.Error(), "--max-retry-wait") {
		t.Fatalf("err = %v, want the cap named", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v; a Retry-After past the cap is not waited for", d)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}

	h = newHostile(t, func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 2 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(503)
			return
		}
		fmt.Fprint(w, `{"items":[{"id":1}],"paging":{}}`)
	})
	if _, err := h.list(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := h.noticeText(); !strings.Contains(n, "waiting 1s before sending GET /api/widgets again (after 503 Service Unavailable") {
		t.Errorf("the wait was not told: %q", n)
	}
}

// TestPacerSaysSo: the pacer that slows down when the rate limit is
// nearly used up says so, once per window.
func TestPacerSaysSo(t *testing.T) {
	reset := time.Now().Add(1500 * time.Millisecond).Unix()
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ratelimit-remaining", "0")
		w.Header().Set("ratelimit-reset", fmt.Sprint(reset))
		fmt.Fprint(w, `{"widget":{"id":1}}`)
	})
	get := provider.Call{Method: h.res.Method("get"), Params: map[string]string{"widget_id": "1"}}
	for i := 0; i < 3; i++ {
		if _, err := h.cl.Do(context.Background(), get); err != nil {
			t.Fatal(err)
		}
	}
	n := h.noticeText()
	if !strings.Contains(n, "ratelimit-remaining") || strings.Count(n, "waiting") != 1 {
		t.Errorf("notices = %q, want the slowing down told once", n)
	}
}

// TestEchoedTokenMasked: a token the API echoes back in its data does not
// reach the objects (nor an error).
func TestEchoedTokenMasked(t *testing.T) {
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if r.Method == http.MethodPost {
			w.WriteHeader(422)
			fmt.Fprintf(w, `{"id":"bad","message":"token %s is wrong"}`, tok)
			return
		}
		// The token plain, and spelt with an escape.
		fmt.Fprintf(w, `{"items":[{"id":1,"name":"made with %s","tags":["%s"],"alias":"\u%04x%s"}],"paging":{}}`, tok, tok, tok[0], tok[1:])
	})
	var got []string
	err := h.cl.List(context.Background(), provider.Call{Method: h.res.Method("list")}, func(objs []json.RawMessage) error {
		for _, o := range objs {
			got = append(got, string(o))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.Join(got, ""); strings.Contains(s, acmeToken) || !strings.Contains(s, `"made with ***"`) || !strings.Contains(s, `"alias":"***"`) || !json.Valid([]byte(s)) {
		t.Errorf("objects = %s, want the token masked", s)
	}
	if _, err := h.create(); err == nil || strings.Contains(err.Error(), acmeToken) {
		t.Errorf("err = %v, want the token masked", err)
	}
}

func TestMask(t *testing.T) {
	for _, tc := range []struct{ s, token, want string }{
		{"Bearer dop_v1_abcdef0123 in a sentence", "dop_v1_abcdef0123", "Bearer *** in a sentence"},
		{"xdop_v1_abcdef0123x", "dop_v1_abcdef0123", "x***x"},
		{"the token t is not in the text", "t", "the token *** is not in the text"},
		{"GET /v2/images?tag=t: 401", "t", "GET /v2/images?tag=***: 401"},
		{"tags and letters stay", "t", "tags and letters stay"},
		{"ab ab-ab abc", "ab", "*** ***-*** abc"},
	} {
		if got := provider.Mask(tc.s, tc.token); got != tc.want {
			t.Errorf("Mask(%q, %q) = %q, want %q", tc.s, tc.token, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, token, want string }{
		{`{"a":"x tok-0123456789 y","tok-0123456789":1}`, "tok-0123456789", `{"a":"x *** y","tok-0123456789":1}`},
		{`{"id":1,"n":"1"}`, "1", `{"id":1,"n":"1"}`},
		{`{"n":"a sandbox image"}`, "sandbox", `{"n":"a sandbox image"}`},
		{`{"id":12345678,"n":"12345678"}`, "12345678", `{"id":12345678,"n":"***"}`},
		{`{"a":"q\"tok-0123456789"}`, "tok-0123456789", `{"a":"q\"***"}`},
		// An escape that spells the token: the value is masked, re-encoded.
		{`{"a":"esc \u0074ok-0123456789","b":"\/x"}`, "tok-0123456789", `{"a":"esc ***","b":"\/x"}`},
		{`["tok-01234\u0035\u00367\u00389"]`, "tok-0123456789", `["***"]`},
		{`{"a":"\u00e9 tok-0123456789 \u00e9"}`, "tok-0123456789", `{"a":"\u00e9 *** \u00e9"}`},
	} {
		if got := string(provider.MaskJSON([]byte(tc.in), tc.token)); got != tc.want || !json.Valid([]byte(got)) {
			t.Errorf("MaskJSON(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestWithConnectionKeepsBounds: a connection's client keeps every setting
// of the client it comes from (the bounds, the notices, the sandbox's
// Allow), so that no connection escapes them.
func TestWithConnectionKeepsBounds(t *testing.T) {
	base := &provider.Client{
		HTTP: &http.Client{}, Getenv: func(string) string { return "" }, Retry: provider.RetryPolicy{Retries: 1},
		Timeout: time.Second, Concurrency: 3, Debug: io.Discard,
		MaxResponseSize: 5, MaxRetryWait: time.Second, MaxPages: 7, Notice: func(provider.Note) {}, NoticeWait: time.Second,
		Allow: func(*registry.Provider) error { return nil },
	}
	got := reflect.ValueOf(base.WithConnection(&provider.Connection{Name: "lab", Provider: "acme"})).Elem()
	want := reflect.ValueOf(base).Elem()
	for i := 0; i < want.NumField(); i++ {
		f := want.Type().Field(i)
		if !f.IsExported() || f.Name == "Conn" {
			continue
		}
		if got.Field(i).IsZero() {
			t.Errorf("WithConnection drops %s", f.Name)
		}
	}
}

// TestUnpagedListSkipsNonObjects: a list without pagination says so too
// when an item is not an object.
func TestUnpagedListSkipsNonObjects(t *testing.T) {
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"parts":[{"sku":"a"},42,{"sku":"b"}]}`)
	})
	reg, err := registry.Load("../testdata/registry/good")
	if err != nil {
		t.Fatal(err)
	}
	parts, err := reg.Resource("acme.parts.parts")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = h.cl.List(context.Background(), provider.Call{Method: parts.Method("list"), Params: map[string]string{"widget_id": "1"}}, func(objs []json.RawMessage) error {
		for _, o := range objs {
			got = append(got, string(o))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != `[{"sku":"a"} {"sku":"b"}]` {
		t.Errorf("objects %v, want the two objects", got)
	}
	if n := h.noticeText(); !strings.Contains(n, "not an object (42)") {
		t.Errorf("notices = %q, want the skipped item told", n)
	}
}

// TestAnnouncedSizeOverLimit: a body whose Content-Length is over the
// limit is not read at all.
func TestAnnouncedSizeOverLimit(t *testing.T) {
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(8<<20))
		io.WriteString(w, `{"items":[`)
		w.Write(make([]byte, 1<<20))
	})
	h.cl.MaxResponseSize = 1 << 20
	_, err := h.list(context.Background())
	if err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Fatalf("err = %v, want the size limit named", err)
	}
	if n := h.cl.Stats().Bytes.Load(); n != 0 {
		t.Errorf("read %d bytes of a body announced over the limit", n)
	}
}
