package engine_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/engine/sqltext"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/registry"
)

// zoo is a made-up provider whose one resource has a field of every type;
// its server answers pages given as raw JSON text, odd values and all.
var zooFS = fstest.MapFS{
	"zoo/provider.yaml": {Data: []byte(`name: zoo
description: A test provider whose pages hold odd values.
base_url: https://zoo.example
base_url_env: ZOO_API_URL
auth: {type: bearer, token_env: [ZOO_TOKEN]}
pagination: {style: links, next: paging.next, page_param: p, size_param: n, max_page_size: 5}
`)},
	"zoo/services/animals.yaml": {Data: []byte(`name: animals
title: Animals
description: Animals of the zoo.
resources:
  animals:
    description: An animal.
    fields:
      - {name: id, type: integer, description: The animal's id.}
      - {name: weight, type: number, description: Its weight.}
      - {name: tame, type: boolean, description: Whether it is tame.}
      - {name: name, type: string, description: Its name.}
      - {name: tags, type: array, description: Its tags.}
      - {name: home, type: object, description: Where it lives.}
    methods:
      list:
        verb: select
        http: GET /animals
        response_key: animals
        paginated: true
        description: Lists the animals.
`)},
}

// zooServer answers GET /animals?p=N with pages[N-1] and a next link
// while there are more, and an empty page past the last. hold, when set, is waited on before page 2;
// failAt, when positive, is a page answered 500.
type zooServer struct {
	pages  []string
	hold   chan struct{}
	failAt int
}

func (z *zooServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("p"))
	n = max(n, 1)
	if n == 2 && z.hold != nil {
		<-z.hold
	}
	if n == z.failAt {
		w.WriteHeader(500)
		fmt.Fprint(w, `{"id":"server_error","message":"page failed"}`)
		return
	}
	if n > len(z.pages) {
		// Past the end, as APIs answer it: no items.
		fmt.Fprint(w, `{"animals": [], "paging": {}}`)
		return
	}
	next := ""
	if n < len(z.pages) {
		next = fmt.Sprintf("http://%s/animals?p=%d&n=5", r.Host, n+1)
	}
	fmt.Fprintf(w, `{"animals": %s, "paging": {"next": %q}}`, z.pages[n-1], next)
}

func zooSession(t *testing.T, z *zooServer, stream bool) *engine.Session {
	return zooSessionWith(t, z, func(o *engine.Options) { o.Stream = stream })
}

func zooSessionWith(t *testing.T, z *zooServer, opts func(*engine.Options)) *engine.Session {
	t.Helper()
	srv := httptest.NewServer(z)
	t.Cleanup(srv.Close)
	reg, err := registry.LoadFS(zooFS, "zoo-test")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ZOO_API_URL": srv.URL, "ZOO_TOKEN": "zoo-key"}
	o := engine.Options{
		Registry: reg,
		Client:   &provider.Client{Getenv: func(k string) string { return env[k] }},
	}
	opts(&o)
	sess, err := engine.NewSession(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return sess
}

// zooValues are what a field may hold on the zoo's pages.
var zooValues = []string{
	`null`, `true`, `false`, `0`, `1`, `-1`, `42`, `-0`, `9223372036854775807`, `9223372036854775808`,
	`1.5`, `3.0`, `1e5`, `-0.0`, `0.1`, `123456789.123456789`, `1e400`,
	`""`, `"text"`, `"12"`, `"1.5"`, `"a\nb"`, `"q\"s\\b"`, `"\u00e9"`, `"\ud800"`, `"é ☃"`,
	`[]`, `{}`, `[1, "x", null]`, `{ "slug" : "nyc3" , "n": [ 1 ] }`,
}

// zooObject is one random object: some fields, typed or not, sometimes a
// repeated or escaped key, an unknown key, or space around it all.
func zooObject(rng *rand.Rand, id int) string {
	fields := []string{"id", "weight", "tame", "name", "tags", "home"}
	var parts []string
	for _, f := range fields {
		switch rng.Intn(10) {
		case 0: // absent
			continue
		case 1:
			parts = append(parts, fmt.Sprintf("%q: %s", f, zooValues[rng.Intn(len(zooValues))]))
		default: // the field's own kind of value
			var v string
			switch f {
			case "id":
				v = strconv.Itoa(id)
			case "weight":
				v = strconv.FormatFloat(rng.Float64()*1000, 'f', rng.Intn(4), 64)
			case "tame":
				v = strconv.FormatBool(rng.Intn(2) == 0)
			case "name":
				v = strconv.Quote(fmt.Sprintf("animal-%d", id))
			case "tags":
				v = `["a", "b"]`
			case "home":
				v = `{"zone": "north", "pen": 7}`
			}
			parts = append(parts, fmt.Sprintf("%q: %s", f, v))
		}
	}
	switch rng.Intn(12) {
	case 0:
		parts = append(parts, `"name": "again"`) // a repeated key
	case 1:
		parts = append(parts, `"n\u0061me": "escaped"`) // an escaped key
	case 2:
		parts = append(parts, `"extra": {"x": [1, 2]}`)
	}
	rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	return "{ " + strings.Join(parts, " , ") + " }"
}

// zooPages makes 1 to 4 pages of up to 5 items, now and then an item that
// is not an object.
func zooPages(rng *rand.Rand) []string {
	var pages []string
	id := 1
	for p := 0; p < 1+rng.Intn(4); p++ {
		var items []string
		for i := 0; i < rng.Intn(6); i++ {
			if rng.Intn(20) == 0 {
				items = append(items, []string{`1`, `"s"`, `null`, `[]`}[rng.Intn(4)])
				continue
			}
			items = append(items, zooObject(rng, id))
			id++
		}
		pages = append(pages, "["+strings.Join(items, ", ")+"]")
	}
	return pages
}

var zooStatements = []string{
	"SELECT * FROM zoo.animals.animals",
	"SELECT name, id AS ident, home FROM zoo.animals.animals",
	"SELECT a.* FROM zoo.animals.animals a",
	"SELECT a.tags, a.weight w, A.TAME FROM zoo.animals.animals AS a",
	"SELECT connection, name FROM zoo.animals.animals",
	"SELECT *, connection FROM zoo.animals.animals",
	"SELECT \"id\", \"home\" FROM zoo.animals.animals;",
	// Not pass-through: SQLite runs them, on both sessions.
	"SELECT * FROM zoo.animals.animals WHERE tame",
	"SELECT id, name FROM zoo.animals.animals ORDER BY id DESC",
	"SELECT count(*), sum(weight) FROM zoo.animals.animals",
	"SELECT DISTINCT tame FROM zoo.animals.animals",
	"SELECT * FROM zoo.animals.animals LIMIT 3",
	"SELECT id + 1, name || '!' FROM zoo.animals.animals",
	// Postfix operators read like an alias: SQLite computes them.
	"SELECT id NOTNULL, name FROM zoo.animals.animals",
	"SELECT name ISNULL FROM zoo.animals.animals",
}

// TestStreamedRowsAreSQLites runs statements over random pages twice, with
// rows streamed as the pages arrive and with rows loaded into SQLite
// first: the results must be the same, value for value (floats bit for
// bit), in the same order, with the same columns.
func TestStreamedRowsAreSQLites(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for d := 0; d < 60; d++ {
		z := &zooServer{pages: zooPages(rng)}
		loaded, streamed := zooSession(t, z, false), zooSession(t, z, true)
		for _, q := range zooStatements {
			want, werr := collect(loaded, q)
			got, gerr := collect(streamed, q)
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("dataset %d, %s: errors differ: streamed %v, loaded %v\npages: %s", d, q, gerr, werr, z.pages)
			}
			if !sameResult(got, want) {
				t.Fatalf("dataset %d, %s:\nstreamed %#v\nloaded   %#v\npages: %s", d, q, got, want, z.pages)
			}
		}
	}
}

func collect(sess *engine.Session, q string) (*engine.Result, error) {
	var res *engine.Result
	var err error
	if e := sess.Run(context.Background(), q, func(o engine.Outcome) bool { res, err = o.Result, o.Err; return true }); e != nil {
		return nil, e
	}
	return res, err
}

func sameResult(a, b *engine.Result) bool {
	if a == nil || b == nil {
		return a == b
	}
	if !reflect.DeepEqual(a.Columns, b.Columns) || len(a.Rows) != len(b.Rows) || a.Message != b.Message {
		return false
	}
	for i := range a.Rows {
		if len(a.Rows[i]) != len(b.Rows[i]) {
			return false
		}
		for j := range a.Rows[i] {
			x, y := a.Rows[i][j], b.Rows[i][j]
			if fx, ok := x.(float64); ok {
				if fy, ok := y.(float64); !ok || math.Float64bits(fx) != math.Float64bits(fy) {
					return false
				}
				continue
			}
			if !reflect.DeepEqual(x, y) {
				return false
			}
		}
	}
	return true
}

// TestStreamedRowsComeBeforeTheLastPage: with Options.Stream, a
// pass-through statement yields page one's rows while page two is still
// being answered.
func TestStreamedRowsComeBeforeTheLastPage(t *testing.T) {
	z := &zooServer{
		pages: []string{`[{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]`, `[{"id": 3, "name": "c"}]`},
		hold:  make(chan struct{}),
	}
	sess := zooSession(t, z, true)
	rows, err := sess.Stream(context.Background(), mustStatement(t, "SELECT id, name FROM zoo.animals.animals"))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	first := make(chan []any)
	go func() {
		if rows.Next() {
			first <- rows.Row()
		}
		close(first)
	}()
	select {
	case row := <-first:
		if fmt.Sprint(row) != "[1 a]" {
			t.Errorf("first row %v, want [1 a]", row)
		}
	case <-time.After(20 * time.Second):
		close(z.hold)
		t.Fatal("no row before page 2 was answered")
	}
	close(z.hold)
	var got []string
	for rows.Next() {
		got = append(got, fmt.Sprint(rows.Row()))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "[2 b] [3 c]" {
		t.Errorf("rows after the first: %v", got)
	}
}

// TestStreamedRowsThenTheError: a page that fails after rows were
// streamed ends the rows with the API's error; without Stream, the
// statement fails with the same error and no rows.
func TestStreamedRowsThenTheError(t *testing.T) {
	pages := []string{`[{"id": 1}, {"id": 2}]`, `[{"id": 3}]`, `[{"id": 4}]`}
	for _, stream := range []bool{true, false} {
		z := &zooServer{pages: pages, failAt: 3}
		sess := zooSession(t, z, stream)
		var (
			n    int
			rerr error
		)
		err := sess.RunStream(context.Background(), "SELECT id FROM zoo.animals.animals", func(_ engine.Outcome, rows *engine.Rows) error {
			for rows.Next() {
				n++
			}
			rerr = rows.Err()
			return nil
		}, func(o engine.Outcome) bool {
			if rerr == nil {
				rerr = o.Err
			}
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		var ae *provider.APIError
		if !errors.As(rerr, &ae) || ae.Status != 500 || ae.Page != 3 {
			t.Errorf("stream %v: error %v, want the API's 500 on page 3", stream, rerr)
		}
		if want := map[bool]int{true: 3, false: 0}[stream]; n != want {
			t.Errorf("stream %v: %d rows before the error, want %d", stream, n, want)
		}
	}
}

func mustStatement(t *testing.T, q string) sqltext.Statement {
	t.Helper()
	sts, err := sqltext.Split(q)
	if err != nil || len(sts) != 1 {
		t.Fatalf("%s: %v", q, err)
	}
	return sts[0]
}

// TestStreamedRowsKeepTheValueBound: a page past the bound on one SQLite
// value (a quarter of the memory limit) fails a streamed statement as it
// fails a loaded one.
func TestStreamedRowsKeepTheValueBound(t *testing.T) {
	big := strings.Repeat("x", 5<<20)
	z := &zooServer{pages: []string{`[{"id": 1, "name": "` + big + `"}, {"id": 2, "name": "b"}]`}}
	for _, stream := range []bool{false, true} {
		sess := zooSessionWith(t, z, func(o *engine.Options) { o.Stream, o.MemoryLimit = stream, 16<<20 })
		_, err := collect(sess, "SELECT id, name FROM zoo.animals.animals")
		if err == nil || !strings.Contains(err.Error(), "a value passed 4 MiB") {
			t.Errorf("stream %v: %v; want the bound on one value", stream, err)
		}
	}
}
