package engine_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/apiql/apiql/engine"
)

// TestAnyWriteDropsProviderCache: with a cache TTL, any write to a
// provider, through any statement (SQL or EXEC of a method that is not a
// read), drops every cached row of that provider, its other resources
// included (deleting an image deletes its snapshot); an EXEC of a read
// keeps them.
func TestAnyWriteDropsProviderCache(t *testing.T) {
	counts := "SELECT (SELECT count(*) FROM digitalocean.images.images), (SELECT count(*) FROM digitalocean.snapshots.snapshots), (SELECT count(*) FROM digitalocean.regions.regions)"
	for _, tc := range []struct {
		name  string
		write string // %d: a snapshot image's id
		// dImages, dSnapshots: the change the write makes to the counts.
		dImages, dSnapshots int64
		refetch             bool
	}{
		{"exec delete", "EXEC digitalocean.images.images.delete @image_id = %d", -1, -1, true},
		{"sql delete", "DELETE FROM digitalocean.images.images WHERE image_id = %d", -1, -1, true},
		{"exec update", "EXEC digitalocean.images.images.update @image_id = %d @@json = '{\"name\": \"renamed\"}'", 0, 0, true},
		{"snapshot delete", "DELETE FROM digitalocean.snapshots.snapshots WHERE snapshot_id = '%d'", -1, -1, true},
		{"exec read", "EXEC digitalocean.images.images._get @image_id = %d", 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 40, func(o *engine.Options) { o.CacheTTL = time.Hour })
			o := e.exec(t, "SELECT min(id) FROM digitalocean.images.images WHERE type = 'snapshot' AND private = true")
			if o.Err != nil {
				t.Fatal(o.Err)
			}
			id := o.Result.Rows[0][0].(int64)
			before := e.exec(t, counts)
			if before.Err != nil {
				t.Fatal(before.Err)
			}
			e.emu.ResetRequests()
			if o := e.exec(t, fmt.Sprintf(tc.write, id)); o.Err != nil {
				t.Fatal(o.Err)
			}
			e.emu.ResetRequests()
			after := e.exec(t, counts)
			if after.Err != nil {
				t.Fatal(after.Err)
			}
			b, a := before.Result.Rows[0], after.Result.Rows[0]
			if a[0].(int64)-b[0].(int64) != tc.dImages || a[1].(int64)-b[1].(int64) != tc.dSnapshots {
				t.Errorf("counts of images and snapshots %v before, %v after; want changes %d, %d", b, a, tc.dImages, tc.dSnapshots)
			}
			if got := len(e.emu.Requests()) > 0; got != tc.refetch {
				t.Errorf("after the write, the query sent requests: %v, want %v (%s)", got, tc.refetch, requestLog(e.emu))
			}
			if tc.name == "exec update" {
				o := e.exec(t, fmt.Sprintf("SELECT name FROM digitalocean.images.images WHERE id = %d", id))
				if o.Err != nil || len(o.Result.Rows) != 1 || o.Result.Rows[0][0] != "renamed" {
					t.Errorf("after EXEC update the cache answered %v (%v)", o.Result, o.Err)
				}
			}
		})
	}
}
