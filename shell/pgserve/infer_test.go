package pgserve

import (
	"fmt"
	"testing"
)

func TestInferTypes(t *testing.T) {
	fields := map[string]uint32{"id": oidInt8, "name": oidText, "size_gigabytes": oidFloat8, "public": oidBool}
	for _, tc := range []struct {
		sql  string
		want string
	}{
		{"SELECT count(*), count(*) AS n, sum(size_gigabytes) gb FROM t", "[20 20 701]"},
		{"SELECT max(id) AS top, min(name), avg(id), total(id) FROM t", "[20 25 701 701]"},
		{"SELECT 1, 1.5, 'a', true, -2 FROM t", "[20 701 25 16 20]"},
		{"SELECT CAST(x AS INTEGER), x::float8, x::text, CAST(y AS REAL) AS r FROM t", "[20 701 25 701]"},
		{"SELECT coalesce(id, 0), upper(name), json_group_array(name), length(name) FROM t", "[20 25 114 20]"},
		{"SELECT t.id, name AS n, (count(*)) FROM t GROUP BY 1", "[20 25 20]"},
		{"SELECT DISTINCT type, CASE WHEN public THEN 1 ELSE 0 END AS p FROM t", "[0 0]"},
		{"SELECT version()", "[0]"},
	} {
		toks, err := lexPG(tc.sql)
		if err != nil {
			t.Fatal(err)
		}
		items := selectItems(toks)
		var got []uint32
		for _, it := range items {
			got = append(got, inferOID(it, fields))
		}
		if fmt.Sprint(got) != tc.want {
			t.Errorf("%s: %v, want %s", tc.sql, got, tc.want)
		}
	}
	for _, sql := range []string{"SELECT * FROM t", "SELECT t.*, id FROM t", "VALUES (1)"} {
		toks, _ := lexPG(sql)
		if items := selectItems(toks); items != nil {
			t.Errorf("%s: items %v, want none (the list does not show its columns)", sql, items)
		}
	}
}
