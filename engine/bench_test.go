package engine_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/provider/emulator"
)

// benchEnv is newEnv for benchmarks: an emulator with no rate limit in
// sight and a client that keeps connections for all its workers.
func benchEnv(b *testing.B, images int, latency time.Duration, concurrency int) *env {
	b.Helper()
	e := newEnvWith(b, emulator.Options{Images: images, Token: "test-token", Latency: latency, RateLimit: 1 << 30, NoRequestLog: true}, func(o *engine.Options) {
		o.Client.Concurrency = concurrency
		o.Client.HTTP = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * concurrency}}
		o.Client.Retry = provider.RetryPolicy{}
	})
	return e
}

func benchCount(b *testing.B, e *env, want int) {
	b.Helper()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var got any
		err := e.sess.Run(context.Background(), "SELECT count(*) FROM digitalocean.images.images", func(o engine.Outcome) bool {
			if o.Err != nil {
				b.Fatal(o.Err)
			}
			got = o.Result.Rows[0][0]
			return true
		})
		if err != nil {
			b.Fatal(err)
		}
		if got != int64(want) {
			b.Fatalf("count %v, want %d", got, want)
		}
	}
}

// BenchmarkCount10kLatency20ms is the paging target: 10,000 images (50
// pages) with 20 ms per request, at concurrency 1 and 8. The target is
// concurrency 8 at most a quarter of concurrency 1, and under 0.3 s.
func BenchmarkCount10kLatency20ms(b *testing.B) {
	for _, c := range []int{1, 8} {
		b.Run(fmt.Sprintf("concurrency=%d", c), func(b *testing.B) {
			benchCount(b, benchEnv(b, 10000, 20*time.Millisecond, c), 10000)
		})
	}
}

// BenchmarkCount100k counts 100,000 images (500 pages) from an emulator
// with no latency, in the same process (the emulator's work included).
func BenchmarkCount100k(b *testing.B) {
	benchCount(b, benchEnv(b, 100000, 0, 8), 100000)
}
