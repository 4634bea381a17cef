package pgserve_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestCursors: DECLARE runs the query, FETCH and MOVE go forward through
// its rows, CLOSE and the end of the transaction (without HOLD) end it,
// with Postgres's errors otherwise. psycopg2's named cursors work so.
func TestCursors(t *testing.T) {
	e := newEnv(t, envOpts{images: 25})
	ctx := context.Background()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := e.connect(t, m.simple)
			ids := func(sql string) []int64 {
				t.Helper()
				rows, err := c.Query(ctx, sql)
				if err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
				defer rows.Close()
				var out []int64
				for rows.Next() {
					var id int64
					var name string
					if err := rows.Scan(&id, &name); err != nil {
						t.Fatalf("%s: %v", sql, err)
					}
					out = append(out, id)
				}
				if err := rows.Err(); err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
				return out
			}
			exec := func(sql, tag string) {
				t.Helper()
				got, err := c.Exec(ctx, sql)
				if err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
				if got.String() != tag {
					t.Errorf("%s: tag %q, want %q", sql, got.String(), tag)
				}
			}
			fails := func(sql, code string) {
				t.Helper()
				_, err := c.Exec(ctx, sql)
				if err == nil {
					t.Fatalf("%s: no error", sql)
				}
				if pe := pgErr(t, err); pe.Code != code {
					t.Errorf("%s: %s %s, want %s", sql, pe.Code, pe.Message, code)
				}
			}
			all := ids("SELECT id, name FROM digitalocean_images.images ORDER BY id")
			if len(all) != 25 {
				t.Fatalf("%d images", len(all))
			}
			fails(`DECLARE c CURSOR FOR SELECT id, name FROM digitalocean_images.images`, "25P01")
			exec("BEGIN", "BEGIN")
			exec(`DECLARE "C1" NO SCROLL CURSOR WITHOUT HOLD FOR SELECT id, name FROM digitalocean_images.images ORDER BY id`, "DECLARE CURSOR")
			fails(`DECLARE "C1" CURSOR FOR SELECT 1`, "42P03")
			var got []int64
			got = append(got, ids(`FETCH FORWARD 10 FROM "C1"`)...)
			got = append(got, ids(`FETCH NEXT FROM "C1"`)...)
			exec(`MOVE 4 IN "C1"`, "MOVE 4")
			got = append(got, ids(`FETCH ALL FROM "C1"`)...)
			if want := append(append([]int64{}, all[:11]...), all[15:]...); !equal(got, want) {
				t.Errorf("fetched %v, want %v", got, want)
			}
			if rest := ids(`FETCH 5 "C1"`); len(rest) != 0 {
				t.Errorf("past the end: %v", rest)
			}
			fails("FETCH PRIOR FROM \"C1\"", "0A000")
			exec(`CLOSE "C1"`, "CLOSE CURSOR")
			fails(`FETCH "C1"`, "34000")
			fails(`CLOSE c1`, "34000")
			// A catalog query as a cursor; COMMIT ends it.
			exec("DECLARE cat CURSOR FOR SELECT oid, relname FROM pg_catalog.pg_class ORDER BY oid", "DECLARE CURSOR")
			if n := ids("FETCH 1 FROM cat"); len(n) != 1 {
				t.Errorf("catalog cursor: %v", n)
			}
			exec("COMMIT", "COMMIT")
			fails("FETCH cat", "34000")
			// WITH HOLD lives past the transaction, outside one too.
			exec("DECLARE h CURSOR WITH HOLD FOR SELECT id, name FROM digitalocean_images.images ORDER BY id", "DECLARE CURSOR")
			exec("ROLLBACK", "ROLLBACK")
			if got := ids("FETCH 3 FROM h"); !equal(got, all[:3]) {
				t.Errorf("held cursor: %v", got)
			}
			exec("CLOSE ALL", "CLOSE CURSOR")
			fails("FETCH h", "34000")
			fails("DECLARE b BINARY CURSOR WITH HOLD FOR SELECT 1", "0A000")
			fails("DECLARE d CURSOR WITH HOLD FOR DELETE FROM digitalocean.images.images WHERE image_id = 1", "42601")
		})
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestDateCasts: Metabase's breakout by day (CAST(x AS date), in both
// protocols) groups by the day of an API's ISO 8601 times, as x::date
// does; SQLite read CAST(x AS date) as a number (the year).
func TestDateCasts(t *testing.T) {
	e := newEnv(t, envOpts{images: 40})
	ctx := context.Background()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := e.connect(t, m.simple)
			want := map[string]int64{}
			var times []string
			rows, err := c.Query(ctx, "SELECT created_at FROM digitalocean_images.images")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var at string
				if err := rows.Scan(&at); err != nil {
					t.Fatal(err)
				}
				if len(at) < 10 {
					t.Fatalf("created_at %q", at)
				}
				want[at[:10]]++
				times = append(times, at)
			}
			rows.Close()
			// Metabase's date filter: timestamp with time zone literals,
			// exact to the second at the bounds.
			sort.Strings(times)
			lo, hi := times[len(times)/4], times[3*len(times)/4]
			lit := func(at string) string { return strings.Replace(strings.TrimSuffix(at, "Z"), "T", " ", 1) + ".000Z" }
			var inRange int64
			for _, at := range times {
				if at >= lo && at < hi {
					inRange++
				}
			}
			var n int64
			q := "SELECT count(*) FROM digitalocean_images.images WHERE created_at >= timestamp with time zone '" + lit(lo) +
				"' AND created_at < timestamp with time zone '" + lit(hi) + "'"
			if err := c.QueryRow(ctx, q).Scan(&n); err != nil || n != inRange || n == 0 {
				t.Errorf("%s: %d, %v; want %d", q, n, err, inRange)
			}
			// Weeks start on Monday; Metabase's Sunday weeks shift by a day.
			q = "SELECT created_at, date_trunc('week', created_at), (date_trunc('week', (created_at + INTERVAL '1 day')) - INTERVAL '1 day'), extract(quarter from created_at), date_trunc('quarter', \"digitalocean_images\".\"images\".\"created_at\") FROM digitalocean_images.images"
			wr, err := c.Query(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for wr.Next() {
				var at, monday, sunday string
				var quarter int64
				var qstart string
				if err := wr.Scan(&at, &monday, &sunday, &quarter, &qstart); err != nil {
					t.Fatal(err)
				}
				day, _ := time.Parse(time.RFC3339, at)
				wantMon := day.AddDate(0, 0, -((int(day.Weekday())+6)%7)).Format("2006-01-02") + " 00:00:00"
				wantSun := day.AddDate(0, 0, -int(day.Weekday())).Format("2006-01-02") + " 00:00:00"
				if want := fmt.Sprintf("%d-%02d-01 00:00:00", day.Year(), (day.Month()-1)/3*3+1); qstart != want {
					t.Errorf("%s: quarter starts %s, want %s", at, qstart, want)
				}
				if want := int64(day.Month()+2) / 3; quarter != want {
					t.Errorf("%s: quarter %d, want %d", at, quarter, want)
				}
				if monday != wantMon || sunday != wantSun {
					t.Errorf("%s: weeks %s and %s, want %s and %s", at, monday, sunday, wantMon, wantSun)
				}
			}
			wr.Close()
			for _, q := range []string{
				`SELECT CAST("digitalocean_images"."images"."created_at" AS date) AS "created_at", COUNT(*) AS "count" FROM "digitalocean_images"."images" GROUP BY CAST("digitalocean_images"."images"."created_at" AS date) ORDER BY CAST("digitalocean_images"."images"."created_at" AS date) ASC`,
				`SELECT created_at::date, count(*) FROM digitalocean_images.images GROUP BY 1 ORDER BY 1`,
			} {
				rows, err := c.Query(ctx, q)
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				got := map[string]int64{}
				for rows.Next() {
					var day string
					var n int64
					if err := rows.Scan(&day, &n); err != nil {
						t.Fatal(err)
					}
					got[day] = n
				}
				rows.Close()
				if len(got) != len(want) {
					t.Errorf("%s: %d days, want %d: %v", q, len(got), len(want), got)
				}
				for d, n := range want {
					if got[d] != n {
						t.Errorf("%s: %s has %d, want %d", q, d, got[d], n)
					}
				}
			}
		})
	}
}
