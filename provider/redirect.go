package provider

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/apiql/apiql/registry"
)

// origin is a URL's scheme, host and port, the unit the token is bound to.
// The port is written out (443 for https, 80 for http), so that
// https://h and https://h:443 are the same origin.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// RedirectError is a redirect apiql did not follow: one to another origin
// (the token goes only to the API the user chose), any redirect of a write
// (a write is sent once, to the URL apiql built), or too many hops.
type RedirectError struct {
	// Status is the redirect's HTTP status; Location where it pointed.
	Status   int
	Location string
	// Write is set for a write's redirect, which the API may have acted on.
	Write bool
	// Why says why it was not followed, when not a write.
	Why string
}

func (e *RedirectError) Error() string {
	if e.Write {
		return fmt.Sprintf("the API answered %d %s with a redirect to %q; apiql does not follow a write's redirect (it is sent once, to the URL it was built for): the API may or may not have acted on it",
			e.Status, http.StatusText(e.Status), e.Location)
	}
	if e.Why == "" {
		return fmt.Sprintf("the API answered %d %s (a redirect without a Location apiql can follow)", e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("the API answered %d %s with a redirect to %q, not followed: %s", e.Status, http.StatusText(e.Status), e.Location, e.Why)
}

// maxRedirects bounds the hops of one read.
const maxRedirects = 10

// redirectPolicy is the http.Client.CheckRedirect of req: a write follows
// no redirect (its 3xx answer is returned to send, which reports it); a
// read follows redirects within its URL's origin only. With Debug set,
// every hop is logged.
func (c *Client) redirectPolicy(req *Request) func(*http.Request, []*http.Request) error {
	return func(next *http.Request, via []*http.Request) error {
		status := 0
		if next.Response != nil {
			status = next.Response.StatusCode
		}
		to := redact(req.mask(next.URL.String()))
		hop := func(what string) {
			if c.Debug != nil {
				fmt.Fprintf(c.Debug, "apiql:   %d redirect to %s: %s\n", status, to, what)
			}
		}
		if !isRead(req.HTTPMethod) {
			hop("not followed (a write is sent once)")
			return http.ErrUseLastResponse
		}
		if from := origin(via[0].URL); origin(next.URL) != from {
			hop("refused (another origin)")
			return &RedirectError{Status: status, Location: to,
				Why: fmt.Sprintf("it leaves the API's origin %s, and the token goes nowhere else", from)}
		}
		if len(via) >= maxRedirects {
			hop("refused (too many redirects)")
			return &RedirectError{Status: status, Location: to, Why: fmt.Sprintf("more than %d redirects", maxRedirects)}
		}
		hop("followed")
		return nil
	}
}

// resolveLink resolves a link an API answered with (a next page), in any
// form (absolute, protocol-relative, relative), against the URL of the
// page that held it, and refuses it unless it is of the API's origin, so
// that the token is never sent elsewhere.
func (c *Client) resolveLink(m *registry.Method, from, link string) (string, error) {
	base, err1 := url.Parse(c.BaseURL(m.Resource.Service.Provider))
	cur, err2 := url.Parse(from)
	u, err3 := url.Parse(link)
	if err := errors.Join(err1, err2, err3); err != nil {
		return "", fmt.Errorf("%s: cannot follow the next-page link %q: %v", m.Name, link, err)
	}
	u = cur.ResolveReference(u)
	if origin(u) != origin(base) {
		return "", fmt.Errorf("%s: the next-page link %q points at %s, not at the API's %s; refusing to send the token there", m.Name, link, origin(u), origin(base))
	}
	return u.String(), nil
}

// linkKey is a page URL written one way, whatever the order of its query
// parameters, to tell a link already fetched.
func linkKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.RawQuery = u.Query().Encode()
	u.Fragment = ""
	return origin(u) + u.EscapedPath() + "?" + u.RawQuery
}
