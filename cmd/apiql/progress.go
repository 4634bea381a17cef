package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
)

// progress shows a fetch's progress on a terminal's stderr once it has
// taken more than a second. A nil *progress shows nothing.
type progress struct {
	w     io.Writer
	mu    sync.Mutex
	start time.Time
	shown bool
	// last is the event shown; waitUntil is when a wait told by the
	// client ends, shown on the line until then.
	last      engine.ProgressEvent
	waitUntil time.Time
}

func newProgress(w io.Writer) *progress { return &progress{w: w, start: time.Now()} }

// event is the engine's progress callback; it is nil for a nil receiver.
func (p *progress) event(ev engine.ProgressEvent) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if ev.Done || time.Since(p.start) < time.Second {
		return
	}
	p.draw(ev)
}

// draw shows ev on the progress line, with the wait under way, if any.
func (p *progress) draw(ev engine.ProgressEvent) {
	pages := fmt.Sprintf("%d pages", ev.Pages)
	if ev.TotalPages >= ev.Pages && ev.TotalPages > 0 {
		pages = fmt.Sprintf("%d of %d pages", ev.Pages, ev.TotalPages)
	}
	wait := ""
	if left := time.Until(p.waitUntil); left > 0 {
		wait = fmt.Sprintf(", waiting %v for the API's rate limit", left.Round(time.Second))
	}
	fmt.Fprintf(p.w, "\r\033[Kfetching %s: %s, %d rows%s", ev.Resource, pages, ev.Rows, wait)
	p.last, p.shown = ev, true
}

// note tells what the HTTP client says a user should know (a long wait, a
// list's repeated objects) on its own line of w, or of the progress's
// writer, above the progress line, which then shows the wait.
func (p *progress) note(w io.Writer, n provider.Note) {
	if p == nil {
		fmt.Fprintf(w, "apiql: %s\n", n.Text)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, "apiql: %s\n", n.Text)
	if n.Wait > 0 {
		p.waitUntil = time.Now().Add(n.Wait)
	}
	if p.shown {
		p.draw(p.last)
	}
}

// clear erases the progress line and restarts the one-second clock.
func (p *progress) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
	p.start = time.Now()
}
