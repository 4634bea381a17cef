package engine

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/apiql/apiql/provider/emulator"
	"github.com/apiql/apiql/registry"
)

// BenchmarkMaterialize measures the materializer alone: image objects as
// the API sends them (JSON) decoded and inserted into SQLite, pages of 200
// in one transaction. The target is at least 300,000 rows per second.
func BenchmarkMaterialize(b *testing.B) {
	const rows = 20000
	var objs []json.RawMessage
	for _, im := range emulator.New(emulator.Options{Images: rows}).Images() {
		raw, err := json.Marshal(im)
		if err != nil {
			b.Fatal(err)
		}
		objs = append(objs, raw)
	}
	reg, err := registry.Default()
	if err != nil {
		b.Fatal(err)
	}
	res, err := reg.Resource("digitalocean.images.images")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	s, err := NewSession(ctx, Options{Registry: reg})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.ready(ctx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		name := s.nextTable()
		if err := s.createTable(ctx, name, res); err != nil {
			b.Fatal(err)
		}
		err := s.internal(func() error {
			tx, err := s.conn.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			m, err := newMaterializer(ctx, tx, name, res)
			if err != nil {
				return err
			}
			defer m.Close()
			for p := 0; p < rows; p += 200 {
				if _, err := m.Insert(ctx, objs[p:min(p+200, rows)], nil); err != nil {
					return err
				}
			}
			return tx.Commit()
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.dropTable(ctx, name)
		b.StartTimer()
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
