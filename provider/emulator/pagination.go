package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
)

const (
	defaultPerPage = 20
	maxPerPage     = 200
)

// pager is the page a list request asked for, shared by every list endpoint.
type pager struct {
	page    int // from 1
	perPage int // 1..maxPerPage
}

// newPager reads page and per_page: absent, non-numeric or below 1 means
// the default (1 and 20); per_page above 200 is clamped to 200.
func newPager(q url.Values) pager {
	p := pager{page: 1, perPage: defaultPerPage}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n >= 1 {
		p.page = n
	}
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n >= 1 {
		p.perPage = min(n, maxPerPage)
	}
	return p
}

// holds reports whether the item at index i (from 0) of the full, filtered
// list is on the page. It cannot overflow, whatever the page number.
func (p pager) holds(i int) bool {
	return i/p.perPage == p.page-1
}

// window returns the bounds of the page within a list of total items.
func (p pager) window(total int) (lo, hi int) {
	if p.page-1 > total/p.perPage {
		return total, total
	}
	lo = min((p.page-1)*p.perPage, total)
	return lo, min(lo+p.perPage, total)
}

// pageLinks is the API's links.pages object: only the links that make sense.
type pageLinks struct {
	First string `json:"first,omitempty"`
	Prev  string `json:"prev,omitempty"`
	Next  string `json:"next,omitempty"`
	Last  string `json:"last,omitempty"`
}

// links builds links.pages for a list of total items. Links are absolute,
// on the request's own scheme and host and path, and carry filters, the
// effective per_page and the page.
func (p pager) links(r *http.Request, filters url.Values, total int) pageLinks {
	last := max((total+p.perPage-1)/p.perPage, 1)
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	base := scheme + "://" + r.Host + r.URL.Path + "?"
	link := func(page int) string {
		q := cloneValues(filters)
		q.Set("page", strconv.Itoa(page))
		q.Set("per_page", strconv.Itoa(p.perPage))
		return base + q.Encode()
	}
	var l pageLinks
	if p.page > 1 {
		l.First = link(1)
		l.Prev = link(p.page - 1)
	}
	if p.page < last {
		l.Next = link(p.page + 1)
		l.Last = link(last)
	}
	return l
}

// filterValues returns the named query parameters that are present and
// non-empty, as sent, to be carried into links.
func filterValues(q url.Values, names ...string) url.Values {
	out := url.Values{}
	for _, n := range names {
		if v := q.Get(n); v != "" {
			out.Set(n, v)
		}
	}
	return out
}

// listReply answers 200 with {"<key>": items, "links": {"pages": ...},
// "meta": {"total": total}}, keys in that order. items must marshal as an
// array (a non-nil slice).
func listReply(key string, items any, links pageLinks, total int) reply {
	var buf bytes.Buffer
	buf.WriteString(`{`)
	k, _ := json.Marshal(key)
	buf.Write(k)
	buf.WriteString(`:`)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(items); err != nil {
		return errServer()
	}
	trimNewline(&buf)
	buf.WriteString(`,"links":{"pages":`)
	if err := enc.Encode(links); err != nil {
		return errServer()
	}
	trimNewline(&buf)
	buf.WriteString(`},"meta":{"total":`)
	buf.WriteString(strconv.Itoa(total))
	buf.WriteString(`}}`)
	return reply{status: http.StatusOK, body: buf.Bytes()}
}

func trimNewline(b *bytes.Buffer) {
	if n := b.Len(); n > 0 && b.Bytes()[n-1] == '\n' {
		b.Truncate(n - 1)
	}
}
