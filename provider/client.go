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
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

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
	// Debug, when set, receives one line per request sent, with the token masked.
	Debug io.Writer
	// Conn, when set, is the named connection whose token and API URL
	// this client uses for Conn.Provider (see WithConnection).
	Conn *Connection

	stats Stats
	pacer pacer
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
	// token is never printed; String masks it.
	token string
}

// String renders the request for --dry-run and debug output, with the token masked.
func (r *Request) String() string {
	s := r.HTTPMethod + " " + r.URL
	if r.token != "" {
		s += "\nAuthorization: Bearer ***"
	}
	if len(r.Body) > 0 {
		s += "\n" + string(r.Body)
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
	return &Client{HTTP: c.HTTP, Getenv: c.Getenv, Retry: c.Retry, Timeout: c.Timeout, Concurrency: c.Concurrency, Debug: c.Debug, Conn: conn}
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
		for _, r := range s.Resources {
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
func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		return u.Redacted()
	}
	return raw
}

// token returns the provider's token, or an *AuthError.
func (c *Client) token(p *registry.Provider) (string, error) {
	if p.Auth.Type != "bearer" {
		return "", nil
	}
	if cn := c.conn(p); cn != nil {
		return cn.resolve(c.getenv)
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
	return &Request{HTTPMethod: m.HTTPMethod, URL: u, Body: call.Body, token: tok}, nil
}

// Response is an API's answer to one request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends the call once (with retries as the policy allows) and returns the
// answer. A status of 400 or more is returned as *APIError.
func (c *Client) Do(ctx context.Context, call Call) (*Response, error) {
	req, err := c.Build(call)
	if err != nil {
		return nil, err
	}
	return c.send(ctx, req)
}

// send sends req with the retry policy and returns a 2xx/3xx response or an error.
func (c *Client) send(ctx context.Context, req *Request) (*Response, error) {
	apiErr := func(status int, body []byte, h http.Header, attempts int, cause error) *APIError {
		u, _ := url.Parse(req.URL)
		path := req.URL
		if u != nil {
			path = u.Path
		}
		e := &APIError{HTTPMethod: req.HTTPMethod, Path: path, Status: status, Attempts: attempts, Err: cause}
		if status != 0 {
			var eb struct {
				ID        string `json:"id"`
				Message   string `json:"message"`
				RequestID string `json:"request_id"`
			}
			if json.Unmarshal(body, &eb) == nil {
				// An API may quote the request back; the token must not
				// travel on in an error.
				e.ID, e.Message, e.RequestID = mask(eb.ID, req.token), mask(eb.Message, req.token), mask(eb.RequestID, req.token)
			}
			if e.RequestID == "" && h != nil {
				e.RequestID = mask(h.Get("x-request-id"), req.token)
			}
			if e.Message == "" {
				e.Message = http.StatusText(status)
			}
		}
		return e
	}
	policy := c.Retry
	for attempt := 1; ; attempt++ {
		if err := c.pacer.wait(ctx); err != nil {
			return nil, err
		}
		resp, err := c.attempt(ctx, req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			wait, retry := policy.decide(req.HTTPMethod, 0, nil, err, attempt)
			if !retry {
				return nil, apiErr(0, nil, nil, attempt, err)
			}
			if err := sleep(ctx, wait); err != nil {
				return nil, err
			}
			continue
		}
		c.pacer.observe(resp.Header)
		if resp.Status < 400 && len(bytes.TrimSpace(resp.Body)) > 0 && !json.Valid(resp.Body) {
			// A cut-off or garbled body: a read may be sent again.
			bad := fmt.Errorf("malformed JSON in the %d response (%d bytes)", resp.Status, len(resp.Body))
			wait, retry := policy.decide(req.HTTPMethod, 0, nil, &readError{err: bad}, attempt)
			if !retry {
				return nil, apiErr(0, nil, nil, attempt, bad)
			}
			if err := sleep(ctx, wait); err != nil {
				return nil, err
			}
			continue
		}
		if resp.Status < 400 {
			return resp, nil
		}
		wait, retry := policy.decide(req.HTTPMethod, resp.Status, resp.Header, nil, attempt)
		if !retry {
			return nil, apiErr(resp.Status, resp.Body, resp.Header, attempt, nil)
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// attempt sends req once and reads the whole body.
func (c *Client) attempt(ctx context.Context, req *Request) (*Response, error) {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 45 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.HTTPMethod, req.URL, body)
	if err != nil {
		return nil, err
	}
	hr.Header.Set("Accept", "application/json")
	hr.Header.Set("User-Agent", "apiql/"+Version)
	if req.Body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if req.token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.token)
	}
	if c.Debug != nil {
		fmt.Fprintf(c.Debug, "apiql: %s %s (Authorization: Bearer ***)\n", req.HTTPMethod, redact(mask(req.URL, req.token)))
	}
	c.stats.Requests.Add(1)
	resp, err := c.httpClient().Do(hr)
	if err != nil {
		return nil, scrub(err, req.token)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	c.stats.Bytes.Add(int64(len(b)))
	if err != nil {
		return nil, &readError{err: scrub(err, req.token)}
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// readError is a failure while reading a response body: the request reached
// the server, so a write must not be retried.
type readError struct{ err error }

func (e *readError) Error() string { return "reading the response: " + e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// mask replaces the token in s with ***.
func mask(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "***")
}

// scrub removes the token from an error's text, should a transport error
// ever quote a header.
func scrub(err error, token string) error {
	if token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(mask(err.Error(), token))
}

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
