package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apiql/apiql/provider/emulator"
)

const token = "sandbox"

// client talks to an emulator behind an httptest.Server.
type client struct {
	t  testing.TB
	s  *emulator.Server
	ts *httptest.Server
}

func start(t testing.TB, opts emulator.Options) *client {
	t.Helper()
	s := emulator.New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &client{t: t, s: s, ts: ts}
}

// response is a fully read HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
	// contentLength is the response's Content-Length, -1 when unknown.
	contentLength int64
}

// do sends a request with the valid token.
func (c *client) do(method, path, body string) response {
	c.t.Helper()
	return c.doAuth(method, path, body, "Bearer "+token)
}

// doAuth sends a request with that Authorization header ("" for none).
func (c *client) doAuth(method, path, body, auth string) response {
	c.t.Helper()
	return c.doCtx(context.Background(), method, path, body, auth)
}

func (c *client) doCtx(ctx context.Context, method, path, body, auth string) response {
	c.t.Helper()
	url := path
	if !strings.HasPrefix(path, "http") {
		url = c.ts.URL + path
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.ts.Client().Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b, contentLength: resp.ContentLength}
}

// getJSON sends GET, requires 200 and decodes the body into v.
func (c *client) getJSON(path string, v any) response {
	c.t.Helper()
	r := c.do(http.MethodGet, path, "")
	if r.status != http.StatusOK {
		c.t.Fatalf("GET %s: status %d, want 200; body %s", path, r.status, r.body)
	}
	decodeStrict(c.t, r.body, v)
	return r
}

func decodeStrict(t testing.TB, body []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decoding %s: %v", truncate(body), err)
	}
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// links is the API's links object.
type links struct {
	Pages map[string]string `json:"pages"`
}

type meta struct {
	Total int `json:"total"`
}

type imageList struct {
	Images []emulator.Image `json:"images"`
	Links  links            `json:"links"`
	Meta   meta             `json:"meta"`
}

type regionList struct {
	Regions []emulator.Region `json:"regions"`
	Links   links             `json:"links"`
	Meta    meta              `json:"meta"`
}

type snapshotList struct {
	Snapshots []emulator.Snapshot `json:"snapshots"`
	Links     links               `json:"links"`
	Meta      meta                `json:"meta"`
}

type dropletList struct {
	Droplets []emulator.Droplet `json:"droplets"`
	Links    links              `json:"links"`
	Meta     meta               `json:"meta"`
}

type errorBody struct {
	ID        string `json:"id"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

// allImages lists every image matching query, following next links, and
// checks that meta.total agrees.
func (c *client) allImages(query string) []emulator.Image {
	c.t.Helper()
	var out []emulator.Image
	next := "/v2/images?" + query
	total := -1
	for next != "" {
		var page imageList
		c.getJSON(next, &page)
		out = append(out, page.Images...)
		if total >= 0 && page.Meta.Total != total {
			c.t.Fatalf("meta.total changed from %d to %d", total, page.Meta.Total)
		}
		total = page.Meta.Total
		next = page.Links.Pages["next"]
	}
	if len(out) != total {
		c.t.Fatalf("listed %d images, meta.total %d", len(out), total)
	}
	return out
}

func (c *client) allSnapshots(query string) []emulator.Snapshot {
	c.t.Helper()
	var out []emulator.Snapshot
	for next := "/v2/snapshots?" + query; next != ""; {
		var page snapshotList
		c.getJSON(next, &page)
		out = append(out, page.Snapshots...)
		next = page.Links.Pages["next"]
	}
	return out
}

func (c *client) allDroplets(query string) []emulator.Droplet {
	c.t.Helper()
	var out []emulator.Droplet
	for next := "/v2/droplets?" + query; next != ""; {
		var page dropletList
		c.getJSON(next, &page)
		out = append(out, page.Droplets...)
		next = page.Links.Pages["next"]
	}
	return out
}

// requireError checks an error response's status, id, message and request id.
func requireError(t testing.TB, r response, status int, id, messagePart string) errorBody {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	var e errorBody
	decodeStrict(t, r.body, &e)
	if e.ID != id {
		t.Errorf("error id %q, want %q", e.ID, id)
	}
	if !strings.Contains(e.Message, messagePart) {
		t.Errorf("error message %q, want it to contain %q", e.Message, messagePart)
	}
	if e.RequestID == "" || e.RequestID != r.header.Get("X-Request-Id") {
		t.Errorf("request_id %q, header x-request-id %q", e.RequestID, r.header.Get("X-Request-Id"))
	}
	if got := r.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q, want application/json", got)
	}
	return e
}

func ids(images []emulator.Image) []int {
	out := make([]int, len(images))
	for i, img := range images {
		out[i] = img.ID
	}
	return out
}

func filter(images []emulator.Image, keep func(emulator.Image) bool) []emulator.Image {
	var out []emulator.Image
	for _, img := range images {
		if keep(img) {
			out = append(out, img)
		}
	}
	return out
}

func hasTag(tags []string, tag string) bool {
	for _, t := range tags {
		if t == tag {
			return true
		}
	}
	return false
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
