package provider

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// RetryPolicy says which failed requests are sent again and when.
//
// Reads (GET, HEAD) are retried on connection errors, 429 and 5xx other
// than 501. Writes (POST, PUT, PATCH, DELETE) are retried only on 429 and
// on errors that prove the request never reached the server (a failed
// dial), so a create is never sent twice after an ambiguous failure.
// The wait doubles from Base up to Max, with jitter; a Retry-After header
// (seconds or an HTTP date) on a 429 or 503 is honoured instead.
//
// The zero RetryPolicy never retries; DefaultRetry is the usual one.
type RetryPolicy struct {
	// Retries is the number of retries after the first attempt.
	Retries int
	Base    time.Duration
	Max     time.Duration
}

// DefaultRetry is 4 retries, 1s doubling to 30s, as DigitalOcean's own client does.
var DefaultRetry = RetryPolicy{Retries: 4, Base: time.Second, Max: 30 * time.Second}

// decide says whether attempt number attempt, which ended with status (or
// transport error err), is to be retried, and after how long.
func (p RetryPolicy) decide(method string, status int, h http.Header, err error, attempt int) (time.Duration, bool) {
	if attempt > p.Retries {
		return 0, false
	}
	read := method == http.MethodGet || method == http.MethodHead
	switch {
	case err != nil:
		if !read && !neverSent(err) {
			return 0, false
		}
	case status == http.StatusTooManyRequests:
	case read && status >= 500 && status != http.StatusNotImplemented:
	default:
		return 0, false
	}
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		if d, ok := retryAfter(h.Get("Retry-After")); ok {
			return d, true
		}
	}
	return p.backoff(attempt), true
}

// backoff is Base doubled attempt-1 times, capped at Max, with full jitter
// over its upper half.
func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := p.Base
	for i := 1; i < attempt && d < p.Max; i++ {
		d *= 2
	}
	if p.Max > 0 && d > p.Max {
		d = p.Max
	}
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(half+1)
}

// retryAfter parses a Retry-After value: delay seconds or an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := time.Until(t)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// neverSent reports whether err proves the request never reached the server.
func neverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// pacer slows requests down when the API says few remain in its rate-limit
// window, so that a long listing spreads its requests over the window
// instead of running into 429s.
type pacer struct {
	mu        sync.Mutex
	remaining int
	reset     time.Time
	known     bool
}

// lowWater is the number of remaining requests below which the pacer spreads
// requests over the time left until the window resets.
const lowWater = 50

func (p *pacer) observe(h http.Header) {
	rem, err1 := strconv.Atoi(h.Get("ratelimit-remaining"))
	reset, err2 := strconv.ParseInt(h.Get("ratelimit-reset"), 10, 64)
	if err1 != nil || err2 != nil {
		return
	}
	p.mu.Lock()
	p.remaining, p.reset, p.known = rem, time.Unix(reset, 0), true
	p.mu.Unlock()
}

// delay is how long to wait before the next request.
func (p *pacer) delay(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.known || p.remaining >= lowWater {
		return 0
	}
	left := p.reset.Sub(now)
	if left <= 0 {
		return 0
	}
	d := left / time.Duration(p.remaining+1)
	if d > 10*time.Second {
		d = 10 * time.Second
	}
	return d
}

func (p *pacer) wait(ctx context.Context) error {
	return sleep(ctx, p.delay(time.Now()))
}
