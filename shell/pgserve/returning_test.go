package pgserve_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
)

// TestReturningExtended: INSERT and UPDATE ... RETURNING run in the
// extended protocol (pgx's default, pgjdbc's): their columns are described
// before they run, from the RETURNING list over the resource's fields, and
// the rows are the objects the API answered with, with $n parameters
// bound. EXEC, whose columns are the API's answer, is refused before any
// request, with a hint that says how to send it. (Before, every
// RETURNING was refused in the extended protocol.)
func TestReturningExtended(t *testing.T) {
	e := newEnv(t, envOpts{images: 5, allowWrites: true})
	c := e.connect(t, false)
	ctx := context.Background()

	rows, err := c.Query(ctx, "INSERT INTO digitalocean_images.images (data__name, data__region, data__url) VALUES ($1, 'nyc3', $2), ($3, 'nyc3', $4) RETURNING id, name, public, upper(name) AS big",
		"ret1", "https://e/ret1.img", "ret2", "https://e/ret2.img")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	fields := rows.FieldDescriptions()
	for rows.Next() {
		var id int64
		var name, big string
		var public bool
		if err := rows.Scan(&id, &name, &public, &big); err != nil {
			t.Fatal(err)
		}
		if id == 0 || public || big != strings.ToUpper(name) {
			t.Errorf("row id=%d name=%s public=%v big=%s", id, name, public, big)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if tag := rows.CommandTag().String(); tag != "INSERT 0 2" {
		t.Errorf("tag %q, want INSERT 0 2", tag)
	}
	var cols []string
	for _, f := range fields {
		cols = append(cols, f.Name)
	}
	if strings.Join(names, ",") != "ret1,ret2" || strings.Join(cols, ",") != "id,name,public,big" {
		t.Errorf("RETURNING rows %v, columns %v", names, cols)
	}
	// The API made them.
	made := 0
	for _, im := range e.emu.Images() {
		if im.Name == "ret1" || im.Name == "ret2" {
			made++
		}
	}
	if made != 2 {
		t.Errorf("%d images made, want 2", made)
	}

	var id int64
	if err := c.QueryRow(ctx, "SELECT id FROM digitalocean_images.images WHERE name = $1", "ret1").Scan(&id); err != nil {
		t.Fatal(err)
	}
	var renamed string
	if err := c.QueryRow(ctx, "UPDATE digitalocean_images.images SET data__name = $1 WHERE image_id = $2 RETURNING name", "ret1b", id).Scan(&renamed); err != nil || renamed != "ret1b" {
		t.Fatalf("UPDATE ... RETURNING: %q, %v", renamed, err)
	}

	// A RETURNING list that names no column fails when prepared, before
	// any request.
	before := e.requests.Load()
	_, err = c.Exec(ctx, "INSERT INTO digitalocean_images.images (data__name, data__region, data__url) VALUES ($1, 'nyc3', 'https://e/x.img') RETURNING nosuch", "ret3")
	if pe := pgErr(t, err); !strings.Contains(pe.Message, "RETURNING: no such column: nosuch") {
		t.Errorf("bad RETURNING: %q", pe.Message)
	}
	// EXEC is refused in the extended protocol, saying how to send it.
	_, err = c.Exec(ctx, "EXEC digitalocean.images.images._get @image_id = $1", id)
	if pe := pgErr(t, err); pe.Code != "0A000" || !strings.Contains(pe.Message, "EXEC cannot be prepared") || !strings.Contains(pe.Hint, "preferQueryMode=simple") {
		t.Errorf("EXEC: %s %q hint %q", pe.Code, pe.Message, pe.Hint)
	}
	if n := e.requests.Load() - before; n != 0 {
		t.Errorf("%d requests for statements refused when prepared", n)
	}
	// The simple protocol runs EXEC.
	s := e.connect(t, true)
	var answer string
	if err := s.QueryRow(ctx, "EXEC digitalocean.images.images._get @image_id = "+strconv.FormatInt(id, 10)).Scan(&answer); err != nil || !strings.Contains(answer, `"ret1b"`) {
		t.Errorf("EXEC in the simple protocol: %q, %v", answer, err)
	}
}
