package export_test

import (
	"os"
	"testing"

	"github.com/apiql/apiql/shell/export"
)

// BenchmarkWrite100kImages writes 100,000 image rows (every field, as the
// engine yields them) to a file in each format: the writer's own cost,
// without the API. Run: go test ./shell/export -run '^$' -bench Write100k
func BenchmarkWrite100kImages(b *testing.B) {
	sess, _ := newSession(b, 100000, 2)
	res := query(b, sess, "SELECT * FROM digitalocean.images.images")
	for _, f := range export.Formats() {
		b.Run(string(f), func(b *testing.B) {
			dir := b.TempDir()
			var size int64
			for b.Loop() {
				w, err := export.Create(dir, "images", f, res.Columns)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range res.Rows {
					if err := w.WriteRow(r); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Commit(); err != nil {
					b.Fatal(err)
				}
				st, _ := os.Stat(w.Path)
				size = st.Size()
			}
			b.ReportMetric(float64(len(res.Rows))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(size)/(1<<20), "MiB")
		})
	}
}
