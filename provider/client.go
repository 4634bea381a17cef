// Package provider is apiql's HTTP runtime. It executes any method the
// registry declares: it builds the request (path, query, JSON body, auth),
// sends it with retries, pages through lists, and turns API errors into
// *APIError. It knows nothing about any particular provider.
package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apiql/apiql/provider/jsonspan"
	"github.com/apiql/apiql/registry"
)

// Version is apiql's version, sent in the User-Agent header.
var Version = "0.1.0"

// Client sends registry methods over HTTP. A Client is safe for concurrent
// use; its settings must not change once it is in use.
type Client struct {
	// HTTP is the underlying client; nil means a default one.
	HTTP *http.Client
	// Getenv reads environment variables (tokens, base URL overrides); nil
	// means os.Getenv.
	Getenv func(string) string
	// Retry is the retry policy.
	Retry RetryPolicy
	// Timeout bounds each attempt of each request; 0 means 45s.
	Timeout time.Duration
	// Concurrency bounds the pages fetched at once by one List; 0 means 8.
	Concurrency int
	// Debug, when set, receives one line per request sent and per redirect
	// hop, with the token masked.
	Debug io.Writer
	// Conn, when set, is the named connection whose token and API URL
	// this client uses for Conn.Provider (see WithConnection).
	Conn *Connection
	// MaxResponseSize bounds the body of one response, in bytes; a larger
	// one fails the request. 0 means DefaultMaxResponseSize.
	MaxResponseSize int64
	// MaxRetryWait bounds how long a Retry-After answer may make the client
	// wait; a longer one fails the request at once. 0 means DefaultMaxRetryWait.
	MaxRetryWait time.Duration
	// MaxPages bounds the pages one List believes a count or follows; 0
	// means DefaultMaxPages.
	MaxPages int
	// Notice, when set, is told what a user should know while a request
	// runs: a wait longer than NoticeWait, and what a list's pages got
	// wrong (repeated objects, items that are not objects). It may be
	// called from several goroutines at once.
	Notice func(Note)
	// NoticeWait is the wait past which Notice is told of it; 0 means
	// DefaultNoticeWait.
	NoticeWait time.Duration
	// Allow, when set, is asked before any request to a provider is built;
	// an error refuses the provider (the sandbox allows only the emulated one).
	Allow func(p *registry.Provider) error

	stats Stats
	pacer pacer

	// secrets is the token set c shares with the clients WithConnection
	// makes (see secretsOf).
	secretsMu sync.Mutex
	secrets   *secretSet
}

// Defaults of the Client's bounds.
const (
	DefaultMaxResponseSize = 64 << 20
	DefaultMaxRetryWait    = time.Minute
	DefaultMaxPages        = 100_000
	// DefaultNoticeWait is the wait past which the client says what it waits for.
	DefaultNoticeWait = 2 * time.Second
)

func (c *Client) maxResponseSize() int64 {
	if c.MaxResponseSize > 0 {
		return c.MaxResponseSize
	}
	return DefaultMaxResponseSize
}

func (c *Client) maxRetryWait() time.Duration {
	if c.MaxRetryWait > 0 {
		return c.MaxRetryWait
	}
	return DefaultMaxRetryWait
}

func (c *Client) maxPages() int {
	if c.MaxPages > 0 {
		return c.MaxPages
	}
	return DefaultMaxPages
}

func (c *Client) noticeWait() time.Duration {
	if c.NoticeWait > 0 {
		return c.NoticeWait
	}
	return DefaultNoticeWait
}

// Note is something a user should know while requests run.
type Note struct {
	// Text says it, in a sentence without a trailing newline.
	Text string
	// Wait, when positive, is how long the client waits from now.
	Wait time.Duration
}

func (c *Client) notice(wait time.Duration, format string, args ...any) {
	if c.Notice != nil {
		c.Notice(Note{Text: fmt.Sprintf(format, args...), Wait: wait})
	}
}

// Stats counts what a Client has sent and received.
type Stats struct {
	Requests atomic.Int64
	Pages    atomic.Int64
	Bytes    atomic.Int64
}

// Stats returns the client's counters.
func (c *Client) Stats() *Stats { return &c.stats }

// Call is one invocation of a method.
type Call struct {
	Method *registry.Method
	// Params holds path and query parameter values by name, as text.
	Params map[string]string
	// Body is the JSON body, or nil for none.
	Body json.RawMessage
	// Limit, when positive, tells List that only the first Limit objects
	// are wanted: pages past them are not requested.
	Limit int
	// PageCount, when set, is told how many pages List will fetch, once
	// page one has said (for progress reports).
	PageCount func(pages int)
	// Paging holds the provider's page and page-size parameters for a
	// single request of a paginated method (EXEC of a raw list), by name.
	Paging map[string]string
}

// Request is a fully built HTTP request, as it would be sent.
type Request struct {
	HTTPMethod string
	URL        string
	Body       []byte
	// Headers are the method's declared request headers (registry
	// Method.Headers), sent as they are.
	Headers []registry.Header
	// raw: the success body is not JSON (registry Method.Raw).
	raw bool
	// token is never printed; String masks it.
	token string
	// secrets are every token the client knows, masked with token.
	secrets *secretSet
}

// String renders the request for --dry-run and debug output, with the token masked.
func (r *Request) String() string {
	s := r.HTTPMethod + " " + redact(r.mask(r.URL))
	if r.token != "" {
		s += "\nAuthorization: Bearer ***"
	}
	for _, h := range r.Headers {
		s += "\n" + h.Name + ": " + r.mask(h.Value)
	}
	if len(r.Body) > 0 {
		s += "\n" + r.mask(string(r.Body))
	}
	return s
}

func (c *Client) getenv(k string) string {
	if c.Getenv != nil {
		return c.Getenv(k)
	}
	return os.Getenv(k)
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// WithConnection returns a client with c's settings that sends its
// requests through conn: conn's token and API URL, its own pacing and its
// own counters. The implicit default connection is c itself.
func (c *Client) WithConnection(conn *Connection) *Client {
	if conn == nil || conn.Implicit {
		return c
	}
	return &Client{HTTP: c.HTTP, Getenv: c.Getenv, Retry: c.Retry, Timeout: c.Timeout, Concurrency: c.Concurrency, Debug: c.Debug, Conn: conn,
		MaxResponseSize: c.MaxResponseSize, MaxRetryWait: c.MaxRetryWait, MaxPages: c.MaxPages,
		Notice: c.Notice, NoticeWait: c.NoticeWait, Allow: c.Allow, secrets: c.secretsOf()}
}

// conn returns the connection c uses for p, or nil for the environment's.
func (c *Client) conn(p *registry.Provider) *Connection {
	if c.Conn != nil && !c.Conn.Implicit && c.Conn.Provider == p.Name {
		return c.Conn
	}
	return nil
}

// BaseURL returns the provider's base URL: the connection's api_url, else
// the override variable when set, else the registry's.
func (c *Client) BaseURL(p *registry.Provider) string {
	if cn := c.conn(p); cn != nil && cn.APIURL != "" {
		return cn.APIURL
	}
	if p.BaseURLEnv != "" {
		if v := c.getenv(p.BaseURLEnv); v != "" {
			return strings.TrimRight(v, "/")
		}
	}
	return strings.TrimRight(p.BaseURL, "/")
}

// checkBaseURL refuses a base URL that is not an absolute http(s) URL,
// before any request is tried (a bare host:port would fail only after
// every retry).
func (c *Client) checkBaseURL(p *registry.Provider) error {
	raw := c.BaseURL(p)
	where := "the registry's base_url"
	if p.BaseURLEnv != "" && c.getenv(p.BaseURLEnv) != "" {
		where = p.BaseURLEnv
	}
	u, err := url.Parse(raw)
	if err != nil || !(u.Scheme == "http" || u.Scheme == "https") || u.Host == "" {
		return fmt.Errorf("%s = %q is not an http or https URL: write it with its scheme, e.g. http://127.0.0.1:8089", where, redact(raw))
	}
	if strings.HasSuffix(u.Host, ":") {
		return fmt.Errorf("%s = %q has an empty port: write the port after the colon, or drop the colon", where, redact(raw))
	}
	if base := strings.TrimRight(u.Path, "/"); base != "" && everyPathUnder(p, base) {
		u.Path = ""
		return fmt.Errorf("%s = %q ends in %s, which every path of %s already begins with (it would request %s%s/...): write %s", where, redact(raw), base, p.Name, base, base, redact(u.String()))
	}
	return nil
}

// everyPathUnder reports whether every method path of p begins with the
// path prefix base.
func everyPathUnder(p *registry.Provider, base string) bool {
	n := 0
	for _, s := range p.Services {
		for _, r := range s.Resources() {
			for _, m := range r.Methods {
				if !strings.HasPrefix(m.Path, base+"/") {
					return false
				}
				n++
			}
		}
	}
	return n > 0
}

// redact hides the password of a URL's user information.
// RedactURL is a URL to show: a password in it (http://user:pw@host)
// reads xxxxx.
func RedactURL(raw string) string { return redact(raw) }

func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		return u.Redacted()
	}
	return raw
}

// token returns the provider's token, or an *AuthError.
func (c *Client) token(p *registry.Provider) (string, error) {
	if c.Allow != nil {
		if err := c.Allow(p); err != nil {
			return "", err
		}
	}
	if p.Auth.Type != "bearer" {
		return "", nil
	}
	if cn := c.conn(p); cn != nil {
		tok, err := cn.resolve(c.getenv)
		c.secretsOf().add(tok)
		c.secretsOf().add(cn.printed) // a failed command's output too
		return tok, err
	}
	for _, k := range p.Auth.TokenEnv {
		c.secretsOf().add(c.getenv(k))
	}
	for _, k := range p.Auth.TokenEnv {
		if v := strings.TrimSpace(c.getenv(k)); v != "" {
			return v, nil
		}
	}
	return "", &AuthError{Provider: p.Name, Vars: p.Auth.TokenEnv}
}

// CheckAuth returns an *AuthError when no token is available for the provider.
func (c *Client) CheckAuth(p *registry.Provider) error {
	_, err := c.token(p)
	return err
}

// Build returns the request a call would send, without sending it. It fails
// when a path parameter has no value or the provider has no token.
func (c *Client) Build(call Call) (*Request, error) {
	m := call.Method
	p := m.Resource.Service.Provider
	tok, err := c.token(p)
	if err != nil {
		return nil, err
	}
	if err := c.checkBaseURL(p); err != nil {
		return nil, err
	}
	path := m.Path
	q := url.Values{}
	for _, prm := range m.Params {
		v, ok := call.Params[prm.Name]
		if !ok {
			if prm.Required {
				return nil, fmt.Errorf("%s: missing required parameter %q", m.Name, prm.Name)
			}
			continue
		}
		switch prm.In {
		case registry.InPath:
			path = strings.ReplaceAll(path, "{"+prm.Name+"}", url.PathEscape(v))
		default:
			q.Set(prm.Name, v)
		}
	}
	for k, v := range call.Paging {
		q.Set(k, v)
	}
	u := c.BaseURL(p) + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return &Request{HTTPMethod: m.HTTPMethod, URL: u, Body: call.Body, Headers: m.Headers, raw: m.Raw != "", token: tok, secrets: c.secretsOf()}, nil
}

// Response is an API's answer to one request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// BodyErr is set when a write was answered with a 2xx status whose
	// body could not be read whole or is not JSON (cut, garbled, over
	// the size limit): the write was done, but what the API said about
	// it is unknown. Reads never return such a response.
	BodyErr error
}

// Do sends the call once (with retries as the policy allows) and returns the
// answer. A status of 400 or more is returned as *APIError, and so is a
// redirect that is not followed (any redirect of a write).
func (c *Client) Do(ctx context.Context, call Call) (*Response, error) {
	req, err := c.Build(call)
	if err != nil {
		return nil, err
	}
	return c.send(ctx, req)
}

// isRead reports whether an HTTP method only reads, so that it may be sent again.
func isRead(method string) bool {
	return method == http.MethodGet || method == http.MethodHead
}

// send sends req with the retry policy and returns a 2xx response or an error.
func (c *Client) send(ctx context.Context, req *Request) (*Response, error) {
	apiErr := func(status int, body []byte, h http.Header, attempts int, cause error) *APIError {
		u, _ := url.Parse(req.URL)
		path := req.URL
		if u != nil {
			path = u.Path
		}
		e := &APIError{HTTPMethod: req.HTTPMethod, Path: req.mask(path), Status: status, Attempts: attempts, Err: cause}
		if status != 0 {
			var eb struct {
				ID        string `json:"id"`
				Message   string `json:"message"`
				RequestID string `json:"request_id"`
			}
			if json.Unmarshal(body, &eb) == nil {
				// An API may quote the request back; the token must not
				// travel on in an error.
				e.ID, e.Message, e.RequestID = req.mask(eb.ID), req.mask(eb.Message), req.mask(eb.RequestID)
			}
			if e.RequestID == "" && h != nil {
				e.RequestID = req.mask(h.Get("x-request-id"))
			}
			if e.Message == "" {
				e.Message = http.StatusText(status)
			}
		}
		return e
	}
	policy := c.Retry
	read := isRead(req.HTTPMethod)
	// retry waits before attempt number attempt+1, or says why not.
	retry := func(status int, h http.Header, err error, attempt int) (bool, error) {
		wait, ok := policy.decide(req.HTTPMethod, status, h, err, attempt)
		if !ok {
			return false, nil
		}
		if wait > c.maxRetryWait() {
			return false, &waitRefused{wait: wait, msg: fmt.Sprintf("the API asks apiql to wait %v before sending it again (Retry-After); apiql waits at most %v (--max-retry-wait)", wait.Round(time.Second), c.maxRetryWait())}
		}
		if wait > c.noticeWait() {
			why := "after a failed attempt"
			if status != 0 {
				why = fmt.Sprintf("after %d %s", status, http.StatusText(status))
			}
			c.notice(wait, "waiting %v before sending %s %s again (%s, attempt %d of %d)", wait.Round(100*time.Millisecond), req.HTTPMethod, pathOf(req), why, attempt+1, policy.Retries+1)
		}
		return true, sleep(ctx, wait)
	}
	for attempt := 1; ; attempt++ {
		if err := c.pacer.wait(ctx, c, req); err != nil {
			return nil, err
		}
		resp, err := c.attempt(ctx, req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			again, werr := retry(0, nil, err, attempt)
			if werr != nil {
				return nil, werr
			}
			if !again {
				return nil, apiErr(0, nil, nil, attempt, err)
			}
			continue
		}
		c.pacer.observe(resp.Header)
		if resp.Status >= 300 && resp.Status < 400 {
			// Redirects within the API's origin were followed for reads;
			// this one was not (a write, or no Location).
			cause := &RedirectError{Status: resp.Status, Location: redact(req.mask(resp.Header.Get("Location"))), Write: !read}
			return nil, apiErr(0, nil, nil, attempt, cause)
		}
		if resp.Status < 300 && resp.BodyErr == nil && !req.raw && len(bytes.TrimSpace(resp.Body)) > 0 && !jsonspan.Valid(resp.Body) {
			resp.BodyErr = fmt.Errorf("malformed JSON in the %d response (%d bytes)", resp.Status, len(resp.Body))
		}
		if resp.Status < 300 && resp.BodyErr != nil {
			if !read {
				// The API has answered 2xx: the write was done.
				return resp, nil
			}
			var se *SizeError
			if errors.As(resp.BodyErr, &se) {
				return nil, apiErr(0, nil, nil, attempt, resp.BodyErr)
			}
			// A cut-off or garbled body: a read may be sent again.
			again, werr := retry(0, nil, &readError{err: resp.BodyErr}, attempt)
			if werr != nil {
				return nil, werr
			}
			if !again {
				return nil, apiErr(0, nil, nil, attempt, resp.BodyErr)
			}
			continue
		}
		if resp.Status < 300 {
			// An API may echo the token back in its data.
			resp.Body = req.maskJSON(resp.Body)
			return resp, nil
		}
		again, werr := retry(resp.Status, resp.Header, nil, attempt)
		if werr != nil {
			e := apiErr(resp.Status, resp.Body, resp.Header, attempt, nil)
			e.Message += "; " + werr.Error()
			var wr *waitRefused
			if errors.As(werr, &wr) {
				e.WaitRefused = wr.wait
			}
			return nil, e
		}
		if !again {
			return nil, apiErr(resp.Status, resp.Body, resp.Header, attempt, nil)
		}
	}
}

// pathOf is the path of a request's URL, for messages.
func pathOf(req *Request) string {
	if u, err := url.Parse(req.URL); err == nil {
		return req.mask(u.Path)
	}
	return "(the request)"
}

// attempt sends req once and reads its body, up to the size limit. A read
// follows redirects within the origin of its URL; a write follows none. An
// error of the exchange is a *sendError that says whether the request may
// have left this machine; a failure to read the body is the response's
// BodyErr.
func (c *Client) attempt(ctx context.Context, req *Request) (*Response, error) {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 45 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// The first hop's connection decides whether the request may have
	// left this machine: a write follows no redirect, and a read is sent
	// again anyway.
	var connected atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	})
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.HTTPMethod, req.URL, body)
	if err != nil {
		return nil, &sendError{err: req.scrub(err)}
	}
	if req.raw {
		hr.Header.Set("Accept", "*/*")
	} else {
		hr.Header.Set("Accept", "application/json")
	}
	hr.Header.Set("User-Agent", "apiql/"+Version)
	if req.Body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	for _, h := range req.Headers {
		hr.Header.Set(h.Name, h.Value)
	}
	if req.token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.token)
	}
	if c.Debug != nil {
		fmt.Fprintf(c.Debug, "apiql: %s %s (Authorization: Bearer ***)\n", req.HTTPMethod, redact(req.mask(req.URL)))
	}
	c.stats.Requests.Add(1)
	hc := *c.httpClient()
	hc.CheckRedirect = c.redirectPolicy(req)
	resp, err := hc.Do(hr)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in the error's context already
		}
		return nil, &sendError{err: req.scrub(err), sent: connected.Load(), timeout: timeout}
	}
	defer resp.Body.Close()
	limit := c.maxResponseSize()
	if resp.ContentLength > limit {
		// Said too large up front: nothing is read.
		return &Response{Status: resp.StatusCode, Header: resp.Header, BodyErr: &SizeError{Limit: limit}}, nil
	}
	b, n, err := readBody(resp.Body, resp.ContentLength, limit)
	c.stats.Bytes.Add(n)
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
	switch {
	case n > limit:
		out.BodyErr = &SizeError{Limit: limit}
	case err != nil:
		out.BodyErr = &readError{err: req.scrub(err)}
	}
	return out, nil
}

// readBody reads r up to limit+1 bytes (one more than the limit shows a
// body over it) and returns them with their count; a body over the limit
// is counted but not returned (nil). What it holds while reading never
// exceeds what was read, and never limit+1 bytes: a body of announced
// length goes into one buffer of that length (+1, to see one longer than
// said), one of unknown length into chunks of growing size cut to what the
// limit leaves, joined into one buffer of the body's size at the end.
// (io.ReadAll's last chunk outgrows the limit, and its final copy doubles
// a body over it: some 3x the limit per page in flight.)
func readBody(r io.Reader, length, limit int64) ([]byte, int64, error) {
	r = io.LimitReader(r, limit+1)
	size := int64(firstChunk)
	if length > 0 {
		size = length + 1
	}
	var chunks [][]byte
	var total int64
	for total <= limit {
		size = min(size, limit+1-total)
		b := make([]byte, size)
		n, err := io.ReadFull(r, b)
		total += int64(n)
		if n > 0 {
			chunks = append(chunks, b[:n])
		}
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				err = nil
			}
			if total > limit {
				return nil, total, err
			}
			return join(chunks, total), total, err
		}
		size = min(2*size, maxChunk)
	}
	return nil, total, nil
}

// The chunks of a body of unknown length: the first small, as most pages
// are, the largest 1 MiB, so the last one's unused end stays small.
const (
	firstChunk = 8 << 10
	maxChunk   = 1 << 20
)

// join returns chunks as one slice of total bytes: the lone chunk itself,
// else a copy.
func join(chunks [][]byte, total int64) []byte {
	switch len(chunks) {
	case 0:
		return []byte{}
	case 1:
		return chunks[0]
	}
	out := make([]byte, 0, total)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out
}

// SizeError is a response body larger than the client's limit.
type SizeError struct{ Limit int64 }

func (e *SizeError) Error() string {
	return fmt.Sprintf("the response is larger than %s, apiql's limit for one response (--max-response-size raises it)", sizeText(e.Limit))
}

// sizeText writes a byte count in MiB, KiB or bytes.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// sendError is a request that got no answer. sent says whether it may
// have left this machine: whether a connection was had for its first hop.
type sendError struct {
	err  error
	sent bool
	// timeout is the client's timeout of an attempt, for the message.
	timeout time.Duration
}

func (e *sendError) Error() string {
	var ne net.Error
	var re *RedirectError
	switch {
	case errors.As(e.err, &re):
		// The API answered, with a redirect apiql did not follow.
		return re.Error()
	case errors.Is(e.err, context.DeadlineExceeded) || errors.As(e.err, &ne) && ne.Timeout():
		if e.sent {
			return fmt.Sprintf("no answer within %v (--timeout), after the request was sent", e.timeout)
		}
		return fmt.Sprintf("could not connect within %v (--timeout)", e.timeout)
	case e.sent:
		return fmt.Sprintf("the connection ended without an answer, after the request was sent (%v)", e.err)
	}
	return e.err.Error()
}
func (e *sendError) Unwrap() error { return e.err }

// readError is a failure while reading a response body: the request reached
// the server, so a write must not be retried.
type readError struct{ err error }

func (e *readError) Error() string { return "reading the response: " + e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// waitRefused is a retry apiql did not wait for: the API asked for a
// longer wait than --max-retry-wait.
type waitRefused struct {
	wait time.Duration
	msg  string
}

func (e *waitRefused) Error() string { return e.msg }
