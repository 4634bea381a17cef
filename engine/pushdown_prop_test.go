package engine_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestPushdownNeverChangesResults compares, for random WHERE clauses, the
// result with pushdown against the result of the same conjuncts each
// wrapped in parentheses, which the engine never pushes: SQLite then
// filters the full list. They must agree. (Excluded: the list's filters
// whose meaning is the API's own — type's enum values, private, tag_name —
// which are pushed-only by design.)
func TestPushdownNeverChangesResults(t *testing.T) {
	e := newEnv(t, 40, nil)
	var ids []int
	for _, im := range e.emu.Images() {
		ids = append(ids, im.ID)
	}
	r := rand.New(rand.NewPCG(7, 11))
	id := func() string {
		if r.IntN(5) == 0 {
			return fmt.Sprint(999000 + r.IntN(10)) // no such image
		}
		return fmt.Sprint(ids[r.IntN(len(ids))])
	}
	atoms := []func() string{
		func() string { return "image_id = " + id() },
		func() string { return id() + " = image_id" },
		func() string { return "id = " + id() },
		func() string { return "i.image_id = " + id() },
		func() string { return fmt.Sprintf("image_id IN (%s, %s, %s)", id(), id(), id()) },
		func() string { return fmt.Sprintf("id IN (%s, %s)", id(), id()) },
		func() string {
			return []string{"type = 'snapshot'", "type = 'base'", "type = 'custom'", "type = 'backup'"}[r.IntN(4)]
		},
		func() string { return []string{"public = true", "public = false", "public = 1"}[r.IntN(3)] },
		func() string { return fmt.Sprintf("size_gigabytes > %d", r.IntN(40)) },
		func() string { return "name LIKE '" + string(rune('a'+r.IntN(26))) + "%'" },
		func() string { return "slug = 'ubuntu-24-04-x64'" },
		func() string { return "image_id = 'ubuntu-24-04-x64'" },
	}
	for n := 0; n < 300; n++ {
		var conj, wrapped []string
		for k := 1 + r.IntN(3); k > 0; k-- {
			a := atoms[r.IntN(len(atoms))]()
			conj = append(conj, a)
			wrapped = append(wrapped, "("+a+")")
		}
		q := "SELECT i.id FROM digitalocean.images.images i WHERE %s ORDER BY i.id"
		pushed := e.exec(t, fmt.Sprintf(q, strings.Join(conj, " AND ")))
		// "AND 1 = 1" keeps a lone wrapped conjunct from being the whole,
		// unwrappable, WHERE clause.
		full := e.exec(t, fmt.Sprintf(q, strings.Join(wrapped, " AND ")+" AND 1 = 1"))
		if pushed.Err != nil || full.Err != nil {
			t.Fatalf("%v: errors %v / %v", conj, pushed.Err, full.Err)
		}
		// Slug lookups are the one place the two meanings of image_id
		// differ: a slug finds a public image by get, while the listed
		// rows hold their numeric id in image_id.
		if strings.Contains(strings.Join(conj, " "), "image_id = 'ubuntu") {
			continue
		}
		if got, want := fmt.Sprint(pushed.Result.Rows), fmt.Sprint(full.Result.Rows); got != want {
			t.Fatalf("WHERE %s\n  with pushdown: %s\n  over the full list: %s", strings.Join(conj, " AND "), got, want)
		}
	}
}
