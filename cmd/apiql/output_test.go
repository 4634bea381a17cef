package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

// TestReturningPartialPrintsWhatSucceeded: INSERT and UPDATE ... RETURNING
// whose calls partly fail print the rows of the calls that succeeded on
// stdout, the error on stderr, and exit 1.
func TestReturningPartialPrintsWhatSucceeded(t *testing.T) {
	emu := newTestAPI(t, "tok")
	id := emu.Images()[0].ID
	for _, tc := range []struct {
		name, sql string
		rows      int
	}{
		// nyc2 is closed: the API refuses row 2.
		{"insert", "INSERT INTO " + imagesTable + " (data__name, data__region, data__url) VALUES ('p1', 'nyc3', 'https://e/1'), ('p2', 'nyc2', 'https://e/2'), ('p3', 'nyc3', 'https://e/3') RETURNING id, name", 2},
		{"update", "UPDATE " + imagesTable + " SET data__name = 'renamed' WHERE image_id IN (" + itoa(id) + ", 999999999) RETURNING id, name", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runApiql(t, "", "exec", "-o", "csv", tc.sql)
			if r.code != 1 {
				t.Fatalf("want exit code 1:\n%v", r)
			}
			recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
			if err != nil || len(recs) != tc.rows+1 {
				t.Fatalf("stdout holds %d records (%v), want a header and %d rows:\n%v", len(recs), err, tc.rows, r)
			}
			if !strings.Contains(r.stderr, "calls succeeded") {
				t.Errorf("stderr does not report the failure:\n%v", r)
			}
		})
	}
}

// TestSeveralStatementsJSONParses: every run's json output is one JSON
// document, failing statements included.
func TestSeveralStatementsJSONParses(t *testing.T) {
	newTestAPI(t, "tok")
	for _, args := range [][]string{
		{"SELECT 1 AS a; SELECT 2 AS b"},
		{"--continue-on-error", "SELECT 1 AS a; SELECT nosuch FROM " + imagesTable + "; SELECT 3 AS c"},
		{"SELECT nosuch FROM " + imagesTable + "; SELECT 1"},
		{"SHOW PROVIDERS; DESCRIBE " + imagesTable},
	} {
		r := runApiql(t, "", append([]string{"exec", "-o", "json"}, args...)...)
		var doc any
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Errorf("%q: stdout is not one JSON document: %v\n%v", args, err, r)
		}
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
