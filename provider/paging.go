package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"

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
		var objs []json.RawMessage
		if len(bytes.TrimSpace(resp.Body)) > 0 {
			objs, err = objectsIn(m, resp.Body) // send has checked it is JSON
		}
		if err != nil {
			return c.malformed(call, 0, err)
		}
		c.stats.Pages.Add(1)
		return stopOK(fn(objs))
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
	if err := fn(pageOne.objs); err != nil {
		return stopOK(err)
	}
	last := pageOne
	n := pageCount(pageOne, pg)
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
	if n > 1 {
		last, err = c.fetchRange(ctx, first, pg, 2, n, fn)
		if err != nil {
			return stopOK(err)
		}
	}
	// Follow next links, from page one when the count was unknown, or past
	// the counted pages when the list grew meanwhile.
	for page := last.number + 1; last.next != ""; page++ {
		next, err := c.sameOrigin(m, last.next)
		if err != nil {
			return err
		}
		req := &Request{HTTPMethod: req.HTTPMethod, URL: next, token: req.token}
		p, err := c.fetchPage(ctx, req, m, pg, page)
		if err != nil {
			return err
		}
		if err := fn(p.objs); err != nil {
			return stopOK(err)
		}
		last = p
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
	objs, err := objectsIn(m, top)
	if err != nil {
		return nil, c.malformed(Call{Method: m}, n, err)
	}
	c.stats.Pages.Add(1)
	p := &page{number: n, objs: objs}
	p.next, _ = lookupString(top, pg.Next)
	p.last, _ = lookupString(top, pg.Last)
	if raw, ok := lookup(top, pg.Total); ok {
		if t, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64); err == nil {
			p.total, p.hasTot = t, true
		}
	}
	return p, nil
}

// pageCount is the number of pages page one says there are, or 0 when unknown.
func pageCount(p *page, pg *registry.Pagination) int {
	if p.next == "" {
		return 1
	}
	if p.last != "" && pg.PageParam != "" {
		if u, err := url.Parse(p.last); err == nil {
			if n, err := strconv.Atoi(u.Query().Get(pg.PageParam)); err == nil && n >= 1 {
				return n
			}
		}
	}
	if p.hasTot && len(p.objs) > 0 {
		return int((p.total + int64(len(p.objs)) - 1) / int64(len(p.objs)))
	}
	return 0
}

type pageResult struct {
	p   *page
	err error
}

// fetchRange fetches pages from..to concurrently and delivers them to fn in
// order. It returns the last page.
func (c *Client) fetchRange(parent context.Context, call Call, pg *registry.Pagination, from, to int, fn PageFunc) (*page, error) {
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
	results := make([]chan pageResult, to-from+1)
	for i := range results {
		results[i] = make(chan pageResult, 1)
	}
	// window bounds the pages fetched but not yet delivered.
	window := make(chan struct{}, 2*workers)
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
				results[n-from] <- pageResult{p, err}
			}
		}()
	}
	var last *page
	for n := from; n <= to; n++ {
		var r pageResult
		select {
		case r = <-results[n-from]:
		case <-parent.Done():
			return nil, parent.Err()
		}
		<-window
		if r.err != nil {
			failMu.Lock()
			defer failMu.Unlock()
			if failure != nil {
				return nil, failure
			}
			return nil, r.err
		}
		if err := fn(r.p.objs); err != nil {
			return nil, err
		}
		last = r.p
	}
	return last, nil
}

// sameOrigin checks that a next link points at the API the token belongs
// to, so the token is never sent elsewhere, and returns it.
func (c *Client) sameOrigin(m *registry.Method, next string) (string, error) {
	base, err1 := url.Parse(c.BaseURL(m.Resource.Service.Provider))
	u, err2 := url.Parse(next)
	if err1 != nil || err2 != nil {
		return "", fmt.Errorf("%s: cannot follow next link %q", m.Name, next)
	}
	if !u.IsAbs() {
		return base.ResolveReference(u).String(), nil
	}
	if u.Host != base.Host || u.Scheme != base.Scheme {
		return "", fmt.Errorf("%s: the next-page link points at %s, not at the API's %s; refusing to send the token there", m.Name, u.Host, base.Host)
	}
	return next, nil
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
	if !json.Valid(body) {
		return nil, errors.New("not valid JSON")
	}
	return objectsIn(m, body)
}

// decodeTop checks that body is a JSON object, the top level of a page.
func decodeTop(body []byte) ([]byte, error) {
	if err := jsonspan.Object(body, func(_, _ []byte) bool { return false }); err != nil {
		return nil, errors.New("the response is not a JSON object")
	}
	return body, nil
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
	for _, key := range strings.Split(path, ".") {
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

func lookupString(body []byte, path string) (string, bool) {
	raw, ok := lookup(body, path)
	if !ok {
		return "", false
	}
	s, ok := jsonspan.String(raw)
	return s, ok && s != ""
}
