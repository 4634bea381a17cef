package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/apiql/apiql/engine"
)

// progress shows a fetch's progress on a terminal's stderr once it has
// taken more than a second. A nil *progress shows nothing.
type progress struct {
	w     io.Writer
	mu    sync.Mutex
	start time.Time
	shown bool
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
	pages := fmt.Sprintf("%d pages", ev.Pages)
	if ev.TotalPages >= ev.Pages && ev.TotalPages > 0 {
		pages = fmt.Sprintf("%d of %d pages", ev.Pages, ev.TotalPages)
	}
	fmt.Fprintf(p.w, "\r\033[Kfetching %s: %s, %d rows", ev.Resource, pages, ev.Rows)
	p.shown = true
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
