package engine_test

import (
	"context"
	"github.com/apiql/apiql/engine"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	e := newEnv(t, 10, nil)
	for _, tc := range []struct {
		src, want, err string
	}{
		{"SELECT id, name, public, size_gigabytes, tags FROM digitalocean.images.images WHERE type = 'distribution'",
			"id:integer name:string public:boolean size_gigabytes:number tags:array", ""},
		{"SELECT type, count(*) AS n FROM digitalocean.images.images GROUP BY type", "type:string n:", ""},
		{"SELECT * FROM digitalocean.regions.regions", "slug:string", ""},
		// An object field is object, an array field array (both JSON).
		{"SELECT region, size, networks, tags, disk_info, d.image FROM digitalocean.droplets.droplets d",
			"region:object size:object networks:object tags:array disk_info:array image:object", ""},
		// Values are checked when a statement runs, not when it is
		// described (serve describes prepared statements with samples).
		{"SELECT id FROM digitalocean.images.images WHERE type = 'x'", "id:integer", ""},
		{"SELECT name FROM digitalocean.droplets.droplets WHERE region = 'x'", "name:string", ""},
		{"SHOW PROVIDERS", "name:", ""},
		{"DELETE FROM digitalocean.images.images WHERE image_id = 1", "", ""},
		{"DELETE FROM digitalocean.images.images WHERE image_id = 1 RETURNING id", "", "RETURNING"},
		// A write's RETURNING columns, as the write answers them.
		{"INSERT INTO digitalocean.images.images (data__name, data__region, data__url) VALUES ('a', 'nyc3', 'https://e/a') RETURNING id, name, public, tags, upper(name) AS big",
			"id:integer name:string public:boolean tags:array big:", ""},
		{"UPDATE digitalocean.images.images SET data__name = 'b' WHERE image_id = 1 RETURNING *", "id:integer name:string", ""},
		{"INSERT INTO digitalocean.images.images (data__name, data__region, data__url) VALUES ('a', 'nyc3', 'https://e/a') RETURNING nosuch", "", "RETURNING: no such column: nosuch"},
		{"INSERT INTO digitalocean.images.images (data__name, data__region, data__url) VALUES ('a', 'nyc3', 'https://e/a')", "", ""},
		{"EXEC digitalocean.images.images._get @image_id = 1", "", "known only once it has run"},
		{"SELECT nmae FROM digitalocean.images.images", "", "no such column: nmae"},
		{"SELECT 1; SELECT 2", "", "2 statements"},
	} {
		before := len(e.emu.Requests())
		cols, err := e.sess.Describe(context.Background(), tc.src)
		if got := len(e.emu.Requests()) - before; got != 0 {
			t.Errorf("%s: %d requests, want none", tc.src, got)
		}
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one with %q", tc.src, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		var got []string
		for _, c := range cols {
			got = append(got, c.Name+":"+c.Type)
		}
		if s := strings.Join(got, " "); !strings.Contains(s, tc.want) || (tc.want == "" && s != "") {
			t.Errorf("%s: columns %q, want %q", tc.src, s, tc.want)
		}
	}
	// Describing leaves nothing behind: the query then runs and fetches.
	res, err := e.sess.Exec(context.Background(), statement(t, "SELECT count(*) FROM digitalocean.images.images"))
	if err != nil || len(res.Rows) != 1 || res.Rows[0][0] != int64(10) {
		t.Fatalf("after Describe: %v, %v", res, err)
	}
}

// TestObjectColumnType: a result's object field is typed object, not array,
// when the rows are read as when the statement is described.
func TestObjectColumnType(t *testing.T) {
	e := newEnv(t, 3, nil)
	res, err := e.sess.Exec(context.Background(), statement(t, "SELECT region, tags, name FROM digitalocean.volumes.volumes LIMIT 1"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range res.Columns {
		got = append(got, c.Name+":"+c.Type)
	}
	if s, want := strings.Join(got, " "), "region:object tags:array name:string"; s != want {
		t.Errorf("columns %q, want %q", s, want)
	}
	if k := res.Columns[0].Kind(); k != engine.KindJSON {
		t.Errorf("region's kind %v, want KindJSON", k)
	}
}
