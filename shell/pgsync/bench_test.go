package pgsync_test

import (
	"context"
	"testing"

	"github.com/apiql/apiql/shell/pgsync"
)

// BenchmarkSync100kImages syncs 100,000 images from an in-process
// emulator into a private PostgreSQL cluster (replace mode): the API,
// SQLite, and COPY. Run: go test ./shell/pgsync -run '^$' -bench Sync100k
func BenchmarkSync100kImages(b *testing.B) {
	e := newEnvTB(b, 100000)
	res := e.resourcesTB(b, "digitalocean.images.images")
	for b.Loop() {
		run, err := pgsync.Sync(context.Background(), pgsync.Options{URL: e.db, Resources: res, Open: e.open})
		if err != nil {
			b.Fatal(err)
		}
		if run.Outcome() != "succeeded" || run.Rows != 100000 {
			b.Fatalf("run: %s, %d rows: %v", run.Outcome(), run.Rows, run.Tables[0].Err)
		}
	}
	b.ReportMetric(100000*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
