package pgserve_test

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// BenchmarkStream10k streams SELECT * of 10,000 images to a pgx client,
// which reads them one row at a time: the server sends each row as SQLite
// yields it (engine.Rows), holding none of them as Go values. It reports
// rows/s and the process's peak RSS (server, client and emulator in one
// process).
func BenchmarkStream10k(b *testing.B) {
	e := newEnv(b, envOpts{images: 10000})
	c := e.connect(b, false)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	total := 0
	for range b.N {
		rows, err := c.Query(ctx, "SELECT * FROM digitalocean_images.images")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			if _, err := rows.Values(); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		if n != 10000 {
			b.Fatalf("%d rows, want 10000", n)
		}
		total += n
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "rows/s")
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
	}
}

// BenchmarkCount10kLatency20ms is SELECT count(*) over 10,000 images at
// 20 ms per request, through the server (extended protocol, pgx).
func BenchmarkCount10kLatency20ms(b *testing.B) {
	e := newEnv(b, envOpts{images: 10000, latency: 20 * time.Millisecond})
	c := e.connect(b, false)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		var n int64
		if err := c.QueryRow(ctx, "SELECT count(*) FROM digitalocean_images.images").Scan(&n); err != nil || n != 10000 {
			b.Fatalf("count %d, %v", n, err)
		}
	}
}
