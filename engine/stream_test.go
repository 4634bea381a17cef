package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/engine/sqltext"
)

func statement(t *testing.T, src string) sqltext.Statement {
	t.Helper()
	stmts, err := sqltext.Split(src)
	if err != nil || len(stmts) != 1 {
		t.Fatalf("Split(%q) = %v, %v", src, stmts, err)
	}
	return stmts[0]
}

// TestStreamYieldsRowsAsSQLiteProducesThem: the rows before a row SQLite
// fails on are handed out before the failure, so they were not collected
// first; the columns, typed, are known before any row.
func TestStreamYieldsRowsAsSQLiteProducesThem(t *testing.T) {
	e := newEnv(t, 300, nil)
	imgs := e.emu.Images()
	bad := imgs[200].ID
	q := fmt.Sprintf("SELECT id, name, public, CASE WHEN id = %d THEN json_extract(name, '$') ELSE 1 END AS x FROM digitalocean.images.images", bad)
	rows, err := e.sess.Stream(context.Background(), statement(t, q))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if got, want := fmt.Sprint(rows.Columns), "[{id integer} {name string} {public boolean} {x }]"; got != want {
		t.Errorf("columns %s, want %s", got, want)
	}
	var kinds []engine.Kind
	for _, c := range rows.Columns {
		kinds = append(kinds, c.Kind())
	}
	if got, want := fmt.Sprint(kinds), fmt.Sprint([]engine.Kind{engine.KindInt, engine.KindText, engine.KindBool, engine.KindAny}); got != want {
		t.Errorf("kinds %s, want %s", got, want)
	}
	n := 0
	for rows.Next() {
		if id := rows.Row()[0].(int64); id == int64(bad) {
			t.Fatalf("the failing row %d was yielded", id)
		}
		if _, ok := rows.Row()[2].(bool); !ok {
			t.Fatalf("public is %T, want bool", rows.Row()[2])
		}
		n++
	}
	if rows.Err() == nil || !strings.Contains(rows.Err().Error(), "malformed JSON") {
		t.Fatalf("Err() = %v, want SQLite's malformed JSON", rows.Err())
	}
	if n == 0 || n != rows.Count() {
		t.Errorf("yielded %d rows (Count %d) before the error, want some", n, rows.Count())
	}
}

// TestStreamClosedEarlyFreesTheSession: rows closed before their end let
// the next statement run, and leave no table behind.
func TestStreamClosedEarlyFreesTheSession(t *testing.T) {
	e := newEnv(t, 300, nil)
	for i := 0; i < 3; i++ {
		rows, err := e.sess.Stream(context.Background(), statement(t, "SELECT id FROM digitalocean.images.images"))
		if err != nil {
			t.Fatal(err)
		}
		if !rows.Next() {
			t.Fatal("no row")
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	o := e.exec(t, "SELECT count(*) FROM digitalocean.images.images")
	if o.Err != nil || fmt.Sprint(o.Result.Rows) != "[[300]]" {
		t.Fatalf("after early closes: %v %v", o.Result, o.Err)
	}
}

// TestShowStreams: statements that are not queries stream through the
// same interface.
func TestShowStreams(t *testing.T) {
	e := newEnv(t, 10, nil)
	rows, err := e.sess.Stream(context.Background(), statement(t, "SHOW PROVIDERS"))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if len(rows.Columns) == 0 || !rows.Next() || rows.Row()[0] != "digitalocean" {
		t.Errorf("SHOW PROVIDERS: columns %v, row %v", rows.Columns, rows.Row())
	}
}

// TestUpdateReturningPartial: UPDATE ... RETURNING whose calls partly fail
// yields the rows of the calls that succeeded, then the error.
func TestUpdateReturningPartial(t *testing.T) {
	e := newEnv(t, 40, nil)
	imgs := e.emu.Images()
	id := imgs[0].ID
	q := fmt.Sprintf("UPDATE digitalocean.images.images SET data__name = 'renamed' WHERE image_id IN (%d, 999999999) RETURNING id, name", id)
	o := e.exec(t, q)
	if o.Err == nil || !strings.Contains(o.Err.Error(), "1 of 2") {
		t.Fatalf("error %v, want 1 of 2 calls succeeded", o.Err)
	}
	if o.Result == nil || fmt.Sprint(o.Result.Rows) != fmt.Sprintf("[[%d renamed]]", id) {
		t.Errorf("rows %v, want the one updated image", o.Result)
	}
	if o.RowCount != 1 {
		t.Errorf("RowCount %d, want 1", o.RowCount)
	}
}
