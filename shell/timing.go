package shell

import (
	"fmt"
	"strings"
	"time"

	"github.com/apiql/apiql/engine"
)

// TimingLine is what --timing and .timing print after a statement: its
// number, rows (or "failed"), elapsed time, HTTP requests, pages and bytes,
// e.g. "statement 1: 1 row, 6ms, 1 request, 1 page, 19.5 KiB".
func TimingLine(o engine.Outcome) string {
	rows := "failed"
	if o.Err == nil {
		rows = count(int64(o.RowCount), "row")
	}
	elapsed := o.Elapsed.Round(time.Millisecond).String()
	if o.Elapsed < time.Millisecond {
		elapsed = fmt.Sprintf("%.2fms", float64(o.Elapsed)/float64(time.Millisecond))
	}
	line := fmt.Sprintf("statement %d: %s, %s, %s, %s, %s",
		o.N, rows, elapsed, count(o.Requests, "request"), count(o.Pages, "page"), byteSize(o.Bytes))
	if len(o.Calls) > 0 {
		var calls []string
		for _, c := range o.Calls {
			calls = append(calls, fmt.Sprintf("%s %d", c.Resource, c.Calls))
		}
		line += "; calls: " + strings.Join(calls, ", ")
	}
	return line
}

// count is "1 row", "2 rows".
func count(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
