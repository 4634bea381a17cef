package engine_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider/emulator"
)

func TestWritesRefusedBeforeAnyRequest(t *testing.T) {
	e := newEnv(t, 40, nil)
	tests := []struct{ sql, want string }{
		{"INSERT INTO digitalocean.images.images (data__name, data__region, data__url) VALUES ('a', 'nyc3', 'https://e/x.img') RETURNING nosuch", "RETURNING: no such column: nosuch"},
		{"UPDATE digitalocean.images.images SET data__name = 'x' WHERE image_id = 100039 RETURNING nosuch", "RETURNING: no such column: nosuch"},
		{"INSERT INTO digitalocean.images.images (data__name, data__name, data__region, data__url) VALUES ('a', 'b', 'nyc3', 'https://e/x.img')", `column "data__name" is named twice`},
		{"UPDATE digitalocean.images.images SET data__name = 'a', data__name = 'b' WHERE image_id = 100039", "data__name is set twice"},
		{"UPDATE digitalocean.images.images SET data__name = NULL WHERE image_id = 100039", "SET data__name = NULL"},
		{"EXEC digitalocean.images.images.update @image_id = 100039 @image_id = 100287 @name = 'x'", "@image_id is given twice"},
		{"EXEC digitalocean.images.images.create_custom @name = 'x' @region = 'nyc3'", "missing required @url"},
		{"DELETE FROM digitalocean.images.images WHERE image_id = 100095 RETURNING *", "DELETE ... RETURNING is not supported"},
		// The third row is bad: the first two are not sent either.
		{"INSERT INTO digitalocean.images.images (data__name, data__region, data__url) VALUES ('a', 'nyc3', 'https://e/a'), ('b', 'nyc3', 'https://e/b'), ('c', 'nyc3', NULL)", "row 3: missing required data__url"},
	}
	for _, tt := range tests {
		o := e.exec(t, tt.sql)
		if o.Err == nil || !strings.Contains(o.Err.Error(), tt.want) {
			t.Errorf("%s\n  got %v\n  want an error with %q", tt.sql, o.Err, tt.want)
		}
		if n := len(e.emu.Requests()); n != 0 {
			t.Errorf("%s: %d requests sent", tt.sql, n)
			e.emu.ResetRequests()
		}
	}
}

func TestPartialWriteNamesWhatSucceeded(t *testing.T) {
	e := newEnv(t, 40, nil)
	// Row 2's region is closed: the API refuses it, rows 1 and 3 are created.
	o := e.exec(t, "INSERT INTO digitalocean.images.images (data__name, data__region, data__url) VALUES ('m1', 'nyc3', 'https://e/1'), ('m2', 'nyc2', 'https://e/2'), ('m3', 'nyc3', 'https://e/3') RETURNING id")
	if o.Err == nil {
		t.Fatal("no error")
	}
	msg := o.Err.Error()
	imgs := e.emu.Images()
	var created []string
	for _, im := range imgs {
		if im.Name == "m1" || im.Name == "m3" {
			created = append(created, itoa(im.ID))
		}
	}
	if len(created) != 2 {
		t.Fatalf("created %v, want m1 and m3", created)
	}
	// The rows of the calls that succeeded come back with the error.
	if o.Result == nil || fmt.Sprint(o.Result.Rows) != "[["+created[0]+"] ["+created[1]+"]]" {
		t.Errorf("RETURNING rows %v, want the created ids %v", o.Result, created)
	}
	for _, want := range []string{"2 of 3 create_custom calls succeeded; 1 failed", "row 2: POST /v2/images: 422", "succeeded: row 1 (id " + created[0] + "); row 3 (id " + created[1] + ")"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not say %q:\n%s", want, msg)
		}
	}
}

// TestStoppedWriteSaysWhatWasSent: a write stopped by --statement-timeout
// says which calls succeeded, which was in flight and which were not sent.
// The second create is held by the server until the client gives up, so
// the timeout finds it in flight whatever the machine's load (row 1 only
// has to be answered within the timeout, which is long for one call on
// loopback).
func TestStoppedWriteSaysWhatWasSent(t *testing.T) {
	emu := emulator.New(emulator.Options{Images: 40, Token: "test-token"})
	var creates atomic.Int32
	held := make(chan struct{}, 1) // the second create has arrived and is held
	release := make(chan struct{}) // the test lets it go (the client has left by then)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" && r.URL.Path == "/v2/images" && creates.Add(1) == 2 {
			held <- struct{}{}
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return // no answer: the API may or may not have acted
		}
		emu.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	e := &env{emu: emu, srv: srv}
	const timeout = 2 * time.Second
	e.sess = newEnvOn(t, e, func(o *engine.Options) { o.StatementTimeout = timeout })

	o := e.exec(t, "INSERT INTO digitalocean.images.images (data__name, data__region, data__url) VALUES ('s1', 'nyc3', 'https://e/1'), ('s2', 'nyc3', 'https://e/2'), ('s3', 'nyc3', 'https://e/3')")
	if o.Err == nil {
		t.Fatal("no error")
	}
	select {
	case <-held:
	default:
		t.Fatalf("the second create never reached the server; error: %v", o.Err)
	}
	msg := o.Err.Error()
	for _, want := range []string{"took longer than 2s", "1 of 3 create_custom calls succeeded", "row 2: interrupted", "1 not sent", "succeeded: row 1 (id "} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not say %q:\n%s", want, msg)
		}
	}
	// What the message says is what the server saw: row 1 created, row 2
	// held unanswered, row 3 never sent.
	if n := creates.Load(); n != 2 {
		t.Errorf("%d creates reached the server, want 2 (row 3 is not sent)", n)
	}
	var names []string
	for _, im := range emu.Images() {
		if strings.HasPrefix(im.Name, "s") && len(im.Name) == 2 {
			names = append(names, im.Name)
		}
	}
	if fmt.Sprint(names) != "[s1]" {
		t.Errorf("images created: %v, want [s1]", names)
	}
}

func TestWriteDropsCachedRows(t *testing.T) {
	e := newEnv(t, 40, func(o *engine.Options) { o.CacheTTL = time.Minute })
	q := "SELECT name FROM digitalocean.images.images WHERE image_id = 100039"
	if o := e.exec(t, q); o.Err != nil || o.Result.Rows[0][0] != "nixos-23.11-v2" {
		t.Fatalf("before: %v %v", o.Result, o.Err)
	}
	if o := e.exec(t, "UPDATE digitalocean.images.images SET data__name = 'renamed' WHERE image_id = 100039"); o.Err != nil {
		t.Fatal(o.Err)
	}
	if o := e.exec(t, q); o.Err != nil || o.Result.Rows[0][0] != "renamed" {
		t.Errorf("after the update the cache still answered: %v %v", o.Result.Rows, o.Err)
	}
}

// TestExecParamsIgnoreCase: EXEC matches its @parameters in any case, as
// WHERE matches column names; the request sent is the same.
func TestExecParamsIgnoreCase(t *testing.T) {
	e := newEnv(t, 40, nil)
	tests := []struct{ sql, method, path, body string }{
		{"EXEC digitalocean.images.images._get @IMAGE_ID = 100033", "GET", "/v2/images/100033", ""},
		{"EXEC digitalocean.images.images._get @Image_Id = 100033", "GET", "/v2/images/100033", ""},
		{"EXEC digitalocean.images.images.update @Image_ID = 100039 @NAME = 'x'", "PUT", "/v2/images/100039", `"name":"x"`},
		{"EXEC digitalocean.images.images.update @image_id = 100039 @DATA__Name = 'y'", "PUT", "/v2/images/100039", `"name":"y"`},
	}
	for _, tt := range tests {
		e.emu.ResetRequests()
		if o := e.exec(t, tt.sql); o.Err != nil {
			t.Errorf("%s: %v", tt.sql, o.Err)
			continue
		}
		reqs := e.emu.Requests()
		if len(reqs) != 1 || reqs[0].Method != tt.method || reqs[0].Path != tt.path || !strings.Contains(string(reqs[0].Body), tt.body) {
			t.Errorf("%s: sent %+v, want one %s %s with %s", tt.sql, reqs, tt.method, tt.path, tt.body)
		}
	}
	// Given twice in two cases is still given twice.
	if o := e.exec(t, "EXEC digitalocean.images.images._get @image_id = 1 @IMAGE_ID = 2"); o.Err == nil || !strings.Contains(o.Err.Error(), "given twice") {
		t.Errorf("@image_id and @IMAGE_ID: got %v, want given twice", o.Err)
	}
}
