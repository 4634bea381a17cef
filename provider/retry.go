package provider

import (
	"context"
	"errors"
	"math/rand/v2"
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
		var re *RedirectError
		if errors.As(err, &re) || (!read && !neverSent(err)) {
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

// neverSent reports whether err proves the request never left this
// machine: no connection was had for its first hop. It is judged on that
// connection, not on any error of the chain (the error of a later hop, say
// a failed dial after a redirect, proves nothing about the first).
func neverSent(err error) bool {
	var se *sendError
	return errors.As(err, &se) && !se.sent
}

// pacer slows requests down when the API says few remain in its rate-limit
// window, so that a long listing spreads its requests over the window
// instead of running into 429s.
type pacer struct {
	mu        sync.Mutex
	remaining int
	reset     time.Time
	known     bool
	// told is the window reset of the last wait told to the user: a
	// window's slowing down is told once.
	told time.Time
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

// wait waits as long as delay says; a wait past c.NoticeWait is told to
// c's Notice, with the request it holds back.
// tell reports whether the current window's slowing down is yet to be told.
func (p *pacer) tell() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.told.Equal(p.reset) {
		return false
	}
	p.told = p.reset
	return true
}

func (p *pacer) wait(ctx context.Context, c *Client, req *Request) error {
	d := p.delay(time.Now())
	if d > c.noticeWait() && p.tell() {
		c.notice(d, "waiting %v before %s %s: the API's rate limit is nearly used up (ratelimit-remaining), so requests are spread until it resets",
			d.Round(100*time.Millisecond), req.HTTPMethod, pathOf(req))
	}
	return sleep(ctx, d)
}
