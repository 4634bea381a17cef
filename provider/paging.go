package provider

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/apiql/apiql/provider/jsonspan"
	"github.com/apiql/apiql/registry"
)

// ErrStop, returned by a page function, ends a List early and without error.
var ErrStop = errors.New("stop listing")

// PageFunc receives the objects of one page, in the API's order. Pages are
// delivered one at a time, in page order.
type PageFunc func(objs []json.RawMessage) error

// List calls the method and passes every object it answers with to fn, page
// by page. A paginated method is paged as its provider declares: the first
// page is requested with the largest page size; when the answer tells how
// many pages there are, the rest are fetched concurrently (at most
// Client.Concurrency at once) and still delivered in order; otherwise the
// next links are followed one by one. Every page is fetched or List fails:
// it never truncates silently. An error from fn other than ErrStop is
// returned as is.
func (c *Client) List(ctx context.Context, call Call, fn PageFunc) error {
	m := call.Method
	pg := m.Resource.Service.Provider.Pagination
	if !m.Paginated || pg == nil {
		resp, err := c.Do(ctx, call)
		if err != nil {
			return err
		}
		if resp.BodyErr != nil {
			// Only a method that is not a read gets here with one.
			return c.malformed(call, 0, resp.BodyErr)
		}
		var objs []json.RawMessage
		switch {
		case m.Raw != "":
			objs, err = rawObject(m, resp)
		case len(bytes.TrimSpace(resp.Body)) > 0:
			objs, err = objectsIn(m, resp.Body) // send has checked it is JSON
		}
		if err != nil {
			return c.malformed(call, 0, err)
		}
		c.stats.Pages.Add(1)
		ids := newIDSet(c, m)
		defer ids.done()
		return stopOK(fn(ids.check(&page{number: 1, objs: objs})))
	}
	params := make(map[string]string, len(call.Params)+2)
	for k, v := range call.Params {
		params[k] = v
	}
	if pg.SizeParam != "" && pg.MaxPageSize > 0 {
		params[pg.SizeParam] = strconv.Itoa(pg.MaxPageSize)
	}
	first := Call{Method: m, Params: params, Body: call.Body, Limit: call.Limit}
	req, err := c.buildPaged(first, pg, 0)
	if err != nil {
		return err
	}
	pageOne, err := c.fetchPage(ctx, req, m, pg, 1)
	if err != nil {
		return err
	}
	ids := newIDSet(c, m)
	defer ids.done()
	if err := fn(ids.check(pageOne)); err != nil {
		return stopOK(err)
	}
	last := pageOne
	n, err := c.pageCount(m, pageOne, pg)
	if err != nil {
		return err
	}
	if call.Limit > 0 && len(pageOne.objs) > 0 {
		// Only the pages that can hold the first Limit objects.
		need := (call.Limit + len(pageOne.objs) - 1) / len(pageOne.objs)
		if n == 0 || need < n {
			n = need
		}
		if n <= 1 {
			return nil
		}
	}
	if call.PageCount != nil && n > 0 {
		call.PageCount(n)
	}
	// fetched holds the pages already asked for, to stop a next link that
	// loops back.
	fetched := map[string]int{linkKey(req.URL): 1}
	if n > 1 {
		last, err = c.fetchRange(ctx, first, pg, 2, n, func(p *page) error {
			fetched[linkKey(p.url)] = p.number
			return fn(ids.check(p))
		})
		if err != nil {
			return stopOK(err)
		}
	}
	// Follow next links, from page one when the count was unknown, or past
	// the counted pages when the list grew meanwhile.
	for page := last.number + 1; last.next != ""; page++ {
		next, err := c.resolveLink(m, last.url, last.next)
		if err != nil {
			return err
		}
		if err := c.advances(m, pg, last, next, fetched); err != nil {
			return err
		}
		req := &Request{HTTPMethod: req.HTTPMethod, URL: next, token: req.token, secrets: req.secrets}
		p, err := c.fetchPage(ctx, req, m, pg, page)
		if err != nil {
			return err
		}
		fetched[linkKey(next)] = page
		if err := fn(ids.check(p)); err != nil {
			return stopOK(err)
		}
		last = p
	}
	return nil
}

// advances refuses a next link that would not move the list on: one
// already fetched, one whose page number is not past the page that holds
// it, or one past the client's bound on pages.
func (c *Client) advances(m *registry.Method, pg *registry.Pagination, from *page, next string, fetched map[string]int) error {
	hint := "the API's pagination does not advance; the rows so far are not used"
	if n, ok := fetched[linkKey(next)]; ok {
		return &APIError{HTTPMethod: m.HTTPMethod, Path: m.Path, Page: from.number,
			Err: fmt.Errorf("the next-page link %q of page %d is page %d again: %s", next, from.number, n, hint)}
	}
	if pg.PageParam != "" {
		if u, err := url.Parse(next); err == nil {
			if v := u.Query().Get(pg.PageParam); v != "" {
				if k, err := strconv.Atoi(v); err != nil || k <= from.number {
					return &APIError{HTTPMethod: m.HTTPMethod, Path: m.Path, Page: from.number,
						Err: fmt.Errorf("the next-page link %q of page %d asks for %s=%s: %s", next, from.number, pg.PageParam, v, hint)}
				}
			}
		}
	}
	if from.number >= c.maxPages() {
		return &APIError{HTTPMethod: m.HTTPMethod, Path: m.Path, Page: from.number,
			Err: fmt.Errorf("the list goes on past %d pages, apiql's bound; narrow it with a filter the API applies", c.maxPages())}
	}
	return nil
}

func stopOK(err error) error {
	if errors.Is(err, ErrStop) {
		return nil
	}
	return err
}

// page is one fetched page.
type page struct {
	number int
	url    string
	objs   []json.RawMessage
	next   string
	last   string
	total  int64
	hasTot bool
}

// buildPaged builds a request for page number n (0: leave the page param out).
func (c *Client) buildPaged(call Call, pg *registry.Pagination, n int) (*Request, error) {
	if n > 0 {
		params := make(map[string]string, len(call.Params)+1)
		for k, v := range call.Params {
			params[k] = v
		}
		params[pg.PageParam] = strconv.Itoa(n)
		call.Params = params
	}
	req, err := c.Build(call)
	if err != nil {
		return nil, err
	}
	if n > 0 && call.Method.Param(pg.PageParam) == nil {
		req.URL = setQuery(req.URL, pg.PageParam, strconv.Itoa(n))
	}
	if call.Method.Param(pg.SizeParam) == nil && pg.SizeParam != "" && pg.MaxPageSize > 0 {
		req.URL = setQuery(req.URL, pg.SizeParam, strconv.Itoa(pg.MaxPageSize))
	}
	return req, nil
}

// setQuery sets one query parameter of a URL.
func setQuery(raw, k, v string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
	return u.String()
}

// fetchPage sends one page request and reads the page out of the answer.
func (c *Client) fetchPage(ctx context.Context, req *Request, m *registry.Method, pg *registry.Pagination, n int) (*page, error) {
	resp, err := c.send(ctx, req)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			ae.Page = n
		}
		return nil, err
	}
	top, err := decodeTop(resp.Body)
	if err != nil {
		return nil, c.malformed(Call{Method: m}, n, err)
	}
	raw := resp.Body
	if m.ResponseKey != "" {
		v, ok := top.lookup(m.ResponseKey)
		if !ok {
			return nil, c.malformed(Call{Method: m}, n, fmt.Errorf("no %q key in the response", m.ResponseKey))
		}
		raw = v
	}
	objs, err := objectsOf(raw)
	if err != nil {
		return nil, c.malformed(Call{Method: m}, n, err)
	}
	c.stats.Pages.Add(1)
	p := &page{number: n, url: req.URL, objs: objs}
	p.next, _ = top.lookupString(pg.Next)
	p.last, _ = top.lookupString(pg.Last)
	if raw, ok := top.lookup(pg.Total); ok {
		v := strings.TrimSpace(string(raw))
		if t, err := strconv.ParseInt(v, 10, 64); err == nil {
			p.total, p.hasTot = t, true
		} else if f, err := strconv.ParseFloat(v, 64); err == nil {
			// 1e12, or a number past int64: a count to check, not to drop.
			p.total, p.hasTot = int64(min(max(f, -1), 1<<62)), true
		}
	}
	return p, nil
}

// pageCount is the number of pages page one says there are, or 0 when
// unknown. A count that cannot be true (a negative total, a last page
// before page one, more pages than the client's bound) is an error: it is
// neither believed nor allocated for.
func (c *Client) pageCount(m *registry.Method, p *page, pg *registry.Pagination) (int, error) {
	if p.next == "" {
		return 1, nil
	}
	bad := func(format string, args ...any) error {
		return &APIError{HTTPMethod: m.HTTPMethod, Path: m.Path, Page: 1,
			Err: fmt.Errorf("page 1 says "+format+", which cannot be true of a list apiql can fetch (at most %d pages); the API's answer is not used", append(args, c.maxPages())...)}
	}
	if p.last != "" && pg.PageParam != "" {
		if u, err := url.Parse(p.last); err == nil {
			if v := u.Query().Get(pg.PageParam); v != "" {
				n, err := strconv.ParseInt(v, 10, 64)
				switch {
				case err != nil && !isDigits(v):
					// Not a number: fall back on the total or the next links.
				case err != nil || n > int64(c.maxPages()):
					return 0, bad("its last page is %s=%s", pg.PageParam, v)
				case n < 1:
					return 0, bad("its last page is %s=%d", pg.PageParam, n)
				default:
					return int(n), nil
				}
			}
		}
	}
	if p.hasTot {
		switch {
		case p.total < 0:
			return 0, bad("there are %d objects", p.total)
		case len(p.objs) == 0:
			return 0, nil
		}
		n := (p.total + int64(len(p.objs)) - 1) / int64(len(p.objs))
		if n > int64(c.maxPages()) {
			return 0, bad("there are %d objects, %d pages of %d", p.total, n, len(p.objs))
		}
		return int(n), nil
	}
	return 0, nil
}

// isDigits reports whether s is a non-empty string of ASCII digits (a
// number too large for int64, when ParseInt failed on it).
func isDigits(s string) bool {
	s = strings.TrimPrefix(s, "-")
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

type pageResult struct {
	p   *page
	err error
}

// fetchRange fetches pages from..to concurrently and delivers them to fn in
// order. It returns the last page. What it holds is bounded by the pages
// in flight, whatever the range: a slot per page fetched but not yet
// delivered.
func (c *Client) fetchRange(parent context.Context, call Call, pg *registry.Pagination, from, to int, fn func(*page) error) (*page, error) {
	ctx, cancel := context.WithCancel(parent)
	// failure is the first page error, which cancelled the others.
	var (
		failMu  sync.Mutex
		failure error
	)
	defer cancel()
	workers := c.Concurrency
	if workers <= 0 {
		workers = 8
	}
	if n := to - from + 1; workers > n {
		workers = n
	}
	// window bounds the pages fetched but not yet delivered; page n's
	// result goes to slot (n-from) mod the window, which page n+window
	// reuses only once page n has been delivered and its token returned.
	size := 2 * workers
	window := make(chan struct{}, size)
	slots := make([]chan pageResult, size)
	for i := range slots {
		slots[i] = make(chan pageResult, 1)
	}
	slot := func(n int) chan pageResult { return slots[(n-from)%size] }
	jobs := make(chan int)
	go func() {
		defer close(jobs)
		for n := from; n <= to; n++ {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- n:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	// No worker outlives the call: on return, cancel and wait for them.
	defer wg.Wait()
	defer cancel()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range jobs {
				req, err := c.buildPaged(call, pg, n)
				var p *page
				if err == nil {
					p, err = c.fetchPage(ctx, req, call.Method, pg, n)
				}
				if err != nil && parent.Err() == nil {
					// The list has failed: send no further request.
					failMu.Lock()
					if failure == nil && ctx.Err() == nil {
						failure = err
					}
					failMu.Unlock()
					cancel()
				}
				slot(n) <- pageResult{p, err}
			}
		}()
	}
	var last *page
	for n := from; n <= to; n++ {
		var r pageResult
		select {
		case r = <-slot(n):
		case <-parent.Done():
			return nil, parent.Err()
		}
		if r.err != nil {
			failMu.Lock()
			defer failMu.Unlock()
			if failure != nil {
				return nil, failure
			}
			return nil, r.err
		}
		if err := fn(r.p); err != nil {
			return nil, err
		}
		<-window
		last = r.p
	}
	return last, nil
}

func (c *Client) malformed(call Call, n int, err error) error {
	return &APIError{HTTPMethod: call.Method.HTTPMethod, Path: call.Method.Path, Page: n, Err: fmt.Errorf("malformed response body: %w", err)}
}

// Objects returns the objects of a response body: the array (or the single
// object) under the method's response key, or the body itself when the
// method has no response key. An empty body or a JSON null yields none.
// The objects share the body's memory.
func Objects(m *registry.Method, body []byte) ([]json.RawMessage, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	if !jsonspan.Valid(body) {
		return nil, errors.New("not valid JSON")
	}
	return objectsIn(m, body)
}

// RawContent is what a raw method's response holds (registry Method.Raw):
// the body as text, or base64 for registry.RawBase64, and its
// Content-Type. A text body that is not UTF-8 is an error.
func RawContent(m *registry.Method, resp *Response) (content, contentType string, err error) {
	contentType = resp.Header.Get("Content-Type")
	if m.Raw == registry.RawBase64 {
		return base64.StdEncoding.EncodeToString(resp.Body), contentType, nil
	}
	if !utf8.Valid(resp.Body) {
		return "", "", fmt.Errorf("the %s body is not UTF-8 text", contentType)
	}
	return string(resp.Body), contentType, nil
}

// rawObject is the one object of a raw method's response: the body as
// content (text, or base64 for registry.RawBase64) and its content_type.
func rawObject(m *registry.Method, resp *Response) ([]json.RawMessage, error) {
	content, contentType, err := RawContent(m, resp)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(map[string]string{"content": content, "content_type": contentType})
	if err != nil {
		return nil, err
	}
	return []json.RawMessage{b}, nil
}

// topObject is the members of a page's top-level JSON object, read in one
// pass: the first value of each key, as lookup finds it.
type topObject map[string][]byte

// decodeTop reads the members of body, which must be a JSON object, the
// top level of a page.
func decodeTop(body []byte) (topObject, error) {
	top := topObject{}
	err := jsonspan.Object(body, func(k, v []byte) bool {
		if _, dup := top[string(k)]; !dup {
			top[string(k)] = v
		}
		return true
	})
	if err != nil {
		return nil, errors.New("the response is not a JSON object")
	}
	return top, nil
}

// lookup is the package's lookup of a dotted path, from the top level.
func (t topObject) lookup(path string) ([]byte, bool) {
	if path == "" {
		return nil, false
	}
	key, rest, _ := strings.Cut(path, ".")
	v, ok := t[key]
	if !ok || rest == "" {
		return v, ok
	}
	return lookup(v, rest)
}

func (t topObject) lookupString(path string) (string, bool) {
	raw, ok := t.lookup(path)
	if !ok {
		return "", false
	}
	s, ok := jsonspan.String(raw)
	return s, ok && s != ""
}

// objectsIn reads the objects out of a valid JSON body.
func objectsIn(m *registry.Method, body []byte) ([]json.RawMessage, error) {
	raw := body
	if m.ResponseKey != "" {
		v, ok := lookup(body, m.ResponseKey)
		if !ok {
			return nil, fmt.Errorf("no %q key in the response", m.ResponseKey)
		}
		raw = v
	}
	return objectsOf(raw)
}

// objectsOf reads the objects out of the JSON value that holds them: an
// array of them, one object, or null.
func objectsOf(raw []byte) ([]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil, nil
	case raw[0] == '[':
		elems, err := jsonspan.Array(raw)
		if err != nil {
			return nil, err
		}
		objs := make([]json.RawMessage, len(elems))
		for i, e := range elems {
			objs[i] = e
		}
		return objs, nil
	case raw[0] == '{':
		return []json.RawMessage{raw}, nil
	}
	return nil, fmt.Errorf("expected an object or an array, got %.20s", raw)
}

// lookup returns the raw value at a dotted path of a JSON object.
func lookup(body []byte, path string) ([]byte, bool) {
	if path == "" {
		return nil, false
	}
	cur := body
	for path != "" {
		key, rest, _ := strings.Cut(path, ".")
		path = rest
		var found []byte
		err := jsonspan.Object(cur, func(k, v []byte) bool {
			if string(k) == key {
				found = v
				return false
			}
			return true
		})
		if err != nil || found == nil {
			return nil, false
		}
		cur = found
	}
	return cur, true
}

// idSet watches the objects of one paged fetch: an object whose id a page
// before has already given is kept once, and an item that is not an
// object is dropped; both are told to the client's Notice, never dropped
// in silence. The id is the resource's "id" field, when it has one.
type idSet struct {
	c     *Client
	m     *registry.Method
	seen  map[string]int // id -> page it came on
	nums  map[int64]int  // the same, for integer ids (no string per object)
	hasID bool
	dups  int
	odd   int
}

func newIDSet(c *Client, m *registry.Method) *idSet {
	s := &idSet{c: c, m: m}
	for _, f := range m.Resource.Fields {
		if f.Name == "id" {
			s.hasID = true
			s.seen = map[string]int{}
			s.nums = map[int64]int{}
		}
	}
	return s
}

// check returns the page's objects without repeats and non-objects.
func (s *idSet) check(p *page) []json.RawMessage {
	keep := p.objs[:0:0]
	dropped := false
	for i, o := range p.objs {
		drop := false
		switch {
		case len(o) == 0 || o[0] != '{':
			s.odd++
			if s.odd == 1 {
				s.c.notice(0, "warning: %s %s (page %d) answered with a list item that is not an object (%.40s); such items are skipped",
					s.m.HTTPMethod, s.m.Path, p.number, o)
			}
			drop = true
		case s.hasID:
			if raw, ok := lookup(o, "id"); ok && len(raw) > 0 && string(raw) != "null" {
				if first, ok := s.see(raw, p.number); ok {
					s.dups++
					if s.dups == 1 {
						s.c.notice(0, "warning: %s %s gave the object with id %s on page %d and again on page %d (the list may have changed while it was paged); it is kept once",
							s.m.HTTPMethod, s.m.Path, raw, first, p.number)
					}
					drop = true
				}
			}
		}
		if drop && !dropped {
			dropped = true
			keep = append(keep, p.objs[:i]...)
		} else if !drop && dropped {
			keep = append(keep, o)
		}
	}
	if !dropped {
		return p.objs
	}
	return keep
}

// see records that the id raw (JSON) came on page n; when it had come
// before, it returns the page it first came on, and true.
func (s *idSet) see(raw []byte, n int) (int, bool) {
	if raw[0] != '"' {
		if v, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			first, ok := s.nums[v]
			if !ok {
				s.nums[v] = n
			}
			return first, ok
		}
	}
	if first, ok := s.seen[string(raw)]; ok {
		return first, true
	}
	s.seen[string(raw)] = n
	return 0, false
}

// done tells how many objects were repeated or skipped in all, when more
// than the one already told.
func (s *idSet) done() {
	if s.dups > 1 {
		s.c.notice(0, "warning: %s %s: %d repeated objects in all, each kept once", s.m.HTTPMethod, s.m.Path, s.dups)
	}
	if s.odd > 1 {
		s.c.notice(0, "warning: %s %s: %d list items that are not objects skipped in all", s.m.HTTPMethod, s.m.Path, s.odd)
	}
}
