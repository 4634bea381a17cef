package emulator

import (
	"context"
	"crypto/subtle"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/apiql/apiql/registry"
)

// Options configure a Server. The zero value is usable.
type Options struct {
	// Images is the number of images in the seed dataset; 0 or less means 60.
	// About 15% are public distribution images, 10% public application images
	// and the rest the account's snapshots, backups and custom images.
	Images int
	// Seed selects the dataset: the images, droplets and snapshots are a
	// deterministic function of (Images, Seed), and do not depend on Now.
	Seed int64
	// Token is the bearer token accepted: requests without
	// "Authorization: Bearer <Token>" get 401. Empty means "sandbox".
	Token string
	// Latency is added to every request. A request whose context ends while
	// it sleeps gets no answer.
	Latency time.Duration
	// Now is the dataset's present: ratelimit-reset is an hour after it, and
	// Droplets' next backup windows start the day after it. The zero value
	// means 2026-11-01T00:00:00Z, so outputs are reproducible.
	Now time.Time
	// Clock gives the created_at of what a request creates (images, actions,
	// objects) and the started_at of actions: the time it was created. nil
	// means time.Now.
	Clock func() time.Time
	// RateLimit is the ratelimit-limit reported, the requests allowed in the
	// window; 0 means the API's 5000. ratelimit-remaining counts down from it.
	RateLimit int
	// NoRequestLog turns the request log off, so a long-running server
	// (apiql emulator, --sandbox) does not grow with every request.
	NoRequestLog bool
	// Registry is the registry whose digitalocean resources the emulator
	// serves beyond the hand-made ones; nil means registry.Default(), read
	// at the first request for such a resource.
	Registry *registry.Registry
}

// Faults inject failures at runtime. Counting starts afresh at each
// SetFaults call and counts only authorized requests: with RateLimitEvery 3,
// the 3rd, 6th, 9th ... authorized requests after the call answer 429. When a
// request is due for both, 429 wins over 500. Zero values disable a fault.
type Faults struct {
	// Latency is added to every request, on top of Options.Latency.
	Latency time.Duration
	// RateLimitEvery makes every Nth request answer 429 too_many_requests
	// with ratelimit-remaining 0 and "retry-after: <RetryAfter>".
	RateLimitEvery int
	// RetryAfter is the retry-after value, in seconds (0 or more).
	RetryAfter int
	// ServerErrorEvery makes every Nth request answer 500 server_error.
	ServerErrorEvery int
	// CutBodyEvery makes every Nth response (whatever its status) send only
	// the first half of its body, without the full body's Content-Length, so
	// the client reads truncated JSON.
	CutBodyEvery int
	// SlowBody, when positive, writes each body in two halves with this
	// pause between them (honouring the request's context).
	SlowBody time.Duration
}

// Request is one entry of the request log.
type Request struct {
	Method string
	// Path is the URL path, e.g. /v2/images/123.
	Path  string
	Query url.Values
	Body  []byte
	// Authorized reports whether the request carried the valid bearer token.
	Authorized bool
	// Status is the status answered; 0 while the request is in flight, or when
	// its context ended before an answer was written.
	Status int
}

// Server is the emulated API. It implements http.Handler and is safe for
// concurrent use.
type Server struct {
	seed     int64
	latency  time.Duration
	now      time.Time
	clock    func() time.Time
	resetAt  string                  // ratelimit-reset header value
	noLog    bool                    // Options.NoRequestLog
	limit    int                     // ratelimit-limit
	mu       sync.RWMutex            // guards the data below
	images   []*imageRecord          // sorted by id; ids only grow, so appending keeps the order
	bySlug   map[string]*imageRecord // public images only
	nextID   int                     // next image id: greater than any id ever used
	volumes  []*Snapshot             // volume snapshots, sorted by id
	droplets []*dropletRecord        // sorted by id
	dropByID map[int]*dropletRecord
	actionID int
	version  uint64 // incremented by every change, under mu

	registry *registry.Registry // Options.Registry
	generic  genericState       // the resources served from the registry and the spec

	cacheMu      sync.Mutex // guards the filter cache
	cache        map[string][]int32
	cacheVersion uint64

	logMu      sync.Mutex // guards the fields below
	token      string
	faults     Faults
	faultCount int // authorized requests since the last SetFaults
	received   int // requests received since New
	log        []*Request
}

var _ http.Handler = (*Server)(nil)

const (
	defaultImages  = 60
	defaultToken   = "sandbox"
	rateLimitLimit = 5000
	maxRequestBody = 8 << 20
)

// defaultNow is the clock used when Options.Now is zero.
var defaultNow = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// New returns a Server holding the seed dataset described by opts.
func New(opts Options) *Server {
	if opts.Images <= 0 {
		opts.Images = defaultImages
	}
	if opts.Token == "" {
		opts.Token = defaultToken
	}
	if opts.Now.IsZero() {
		opts.Now = defaultNow
	}
	s := &Server{
		seed:     opts.Seed,
		latency:  opts.Latency,
		now:      opts.Now.UTC(),
		clock:    opts.Clock,
		resetAt:  itoa64(opts.Now.Add(time.Hour).Unix()),
		token:    opts.Token,
		actionID: 1900000000,
		noLog:    opts.NoRequestLog,
		limit:    opts.RateLimit,
		registry: opts.Registry,
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.limit <= 0 {
		s.limit = rateLimitLimit
	}
	s.build(opts.Images, opts.Seed)
	return s
}

// SetToken changes the accepted bearer token; an empty token accepts no
// request.
func (s *Server) SetToken(t string) {
	s.logMu.Lock()
	s.token = t
	s.logMu.Unlock()
}

// SetFaults replaces the injected faults and restarts their counting.
func (s *Server) SetFaults(f Faults) {
	s.logMu.Lock()
	s.faults = f
	s.faultCount = 0
	s.logMu.Unlock()
}

// Requests returns a copy of the request log, in arrival order.
func (s *Server) Requests() []Request {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	out := make([]Request, len(s.log))
	for i, r := range s.log {
		out[i] = *r
		out[i].Query = cloneValues(r.Query)
		out[i].Body = append([]byte(nil), r.Body...)
	}
	return out
}

// ResetRequests empties the request log. It does not reset
// ratelimit-remaining or the fault counters.
func (s *Server) ResetRequests() {
	s.logMu.Lock()
	s.log = nil
	s.logMu.Unlock()
}

// Images returns a deep copy of the current images, sorted by id.
func (s *Server) Images() []Image {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Image, len(s.images))
	for i, rec := range s.images {
		out[i] = rec.Image.clone()
	}
	return out
}

// exchange is what ServeHTTP knows about the request being answered.
type exchange struct {
	r          *http.Request
	body       []byte
	number     int // arrival number since New, from 1
	faultIndex int // authorized requests since SetFaults, from 1; 0 if unauthorized
	faults     Faults
	entry      *Request
}

// ServeHTTP answers one API request; see the package documentation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	if err != nil {
		body = nil
	}
	ex := &exchange{r: r, body: body}

	s.logMu.Lock()
	authorized := s.authorized(r)
	s.received++
	ex.number = s.received
	if authorized {
		s.faultCount++
		ex.faultIndex = s.faultCount
	}
	ex.faults = s.faults
	ex.entry = &Request{
		Method:     r.Method,
		Path:       r.URL.Path,
		Query:      cloneValues(r.URL.Query()),
		Body:       body,
		Authorized: authorized,
	}
	if !s.noLog {
		s.log = append(s.log, ex.entry)
	}
	s.logMu.Unlock()

	if !sleep(r.Context(), s.latency+ex.faults.Latency) {
		return
	}

	var rep reply
	switch {
	case !authorized:
		rep = errUnauthorized()
	case every(ex.faultIndex, ex.faults.RateLimitEvery):
		rep = errTooManyRequests()
	case every(ex.faultIndex, ex.faults.ServerErrorEvery):
		rep = errServer()
	default:
		rep = s.route(ex)
	}
	s.write(w, ex, rep)
}

// authorized reports whether r carries the current token. Call with logMu held.
func (s *Server) authorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || s.token == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.token)) == 1
}

// every reports whether the nth event is due for a fault that fires every k.
func every(n, k int) bool {
	return n > 0 && k > 0 && n%k == 0
}

// sleep waits d, and reports false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// route dispatches an authorized request to its handler.
func (s *Server) route(ex *exchange) reply {
	r := ex.r
	rest, ok := strings.CutPrefix(r.URL.Path, "/v2/")
	if !ok {
		return errNotFound()
	}
	seg := strings.Split(rest, "/")
	m := r.Method
	switch seg[0] {
	case "images":
		switch {
		case len(seg) == 1 && m == http.MethodGet:
			return s.listImages(r)
		case len(seg) == 1 && m == http.MethodPost:
			return s.createImage(ex.body)
		case len(seg) == 2 && m == http.MethodGet:
			return s.getImage(seg[1])
		case len(seg) == 2 && m == http.MethodPut:
			return s.updateImage(seg[1], ex.body)
		case len(seg) == 2 && m == http.MethodDelete:
			return s.deleteImage(seg[1])
		case len(seg) == 3 && seg[2] == "actions" && m == http.MethodPost:
			return s.imageAction(seg[1], ex.body)
		}
	case "regions":
		if len(seg) == 1 && m == http.MethodGet {
			return s.listRegions(r)
		}
	case "snapshots":
		switch {
		case len(seg) == 1 && m == http.MethodGet:
			return s.listSnapshots(r)
		case len(seg) == 2 && m == http.MethodGet:
			return s.getSnapshot(seg[1])
		case len(seg) == 2 && m == http.MethodDelete:
			return s.deleteSnapshot(seg[1])
		}
	case "sizes":
		if len(seg) == 1 && m == http.MethodGet {
			return s.listSizes(r)
		}
	case "droplets":
		switch {
		case len(seg) == 1 && m == http.MethodGet:
			return s.listDroplets(r)
		case len(seg) == 1 && m == http.MethodPost:
			return s.createDroplets(r, ex.body)
		case len(seg) == 1 && m == http.MethodDelete:
			return s.deleteDropletsByTag(r)
		case len(seg) == 2 && m == http.MethodGet && isDigits(seg[1]):
			return s.getDroplet(seg[1])
		case len(seg) == 2 && m == http.MethodDelete && isDigits(seg[1]):
			return s.deleteDroplet(seg[1])
		}
	}
	return s.serveGeneric(ex, unescapeSegs(seg))
}

// isDigits reports whether a path segment is an integer id (and not a
// literal segment such as droplets/autoscale).
func isDigits(seg string) bool {
	if seg == "" {
		return false
	}
	for i := 0; i < len(seg); i++ {
		if seg[i] < '0' || seg[i] > '9' {
			return false
		}
	}
	return true
}

// stamp is the current time as the API writes it, for what a request creates.
func (s *Server) stamp() string {
	return s.clock().UTC().Format(isoLayout)
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
