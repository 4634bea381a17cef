package pgserve

import "testing"

func TestRewrite(t *testing.T) {
	d := dialect{user: "ann", version: "PG", pid: 7, catalog: true,
		settings: func(n string) (string, bool) {
			return map[string]string{"search_path": "public"}[n], n == "search_path"
		},
		schema: func(s, n string) string {
			if s == "acme_widgets" && n == "widgets" {
				return "acme.widgets.widgets"
			}
			return ""
		}}
	for _, tc := range []struct{ in, want string }{
		{"SELECT c.oid::regclass::text", "SELECT CAST(regclass(c.oid) AS TEXT)"},
		{"SELECT x::pg_catalog.int4, 'a'::text[]", "SELECT CAST(x AS INTEGER), 'a'"},
		{"WHERE c.relname OPERATOR(pg_catalog.~) '^(a)$' COLLATE pg_catalog.default", "WHERE c.relname  REGEXP  '^(a)$' "},
		{"WHERE n !~ '^pg_' AND m ~* 'x'", "WHERE n  NOT REGEXP  '^pg_' AND m  REGEXP '(?i)' ||  'x'"},
		{"SELECT E'a\\'b', $1, $2", "SELECT 'a''b', ?1, ?2"},
		{"FROM pg_catalog.pg_class c, information_schema.tables t", `FROM pg_class c, "information_schema_tables" t`},
		{"SELECT current_user, current_schema(), version(), pg_backend_pid(), current_setting('search_path')", "SELECT 'ann', 'public', 'PG', 7, 'public'"},
		{"WHERE a = ANY(ARRAY['x','y']) AND b = ANY (c.arr)", "WHERE a IN (SELECT value FROM json_each(json_array('x','y'))) AND b IN (SELECT value FROM json_each(c.arr))"},
		{"SELECT (current_schemas(false))[1]", "SELECT (current_schemas(false)) ->> ((1) - 1)"},
		{"SELECT array(select x from t)", "SELECT (SELECT json_group_array( x ) from t)"},
		{"SELECT (k).n FROM t", "SELECT json_extract((k), '$.n') FROM t"},
		{"SELECT a IS DISTINCT FROM b", "SELECT a IS NOT b"},
		{"SELECT * FROM acme_widgets.widgets WHERE acme_widgets.widgets.id = 1", `SELECT * FROM acme.widgets.widgets AS "widgets" WHERE widgets.id = 1`},
		{`SELECT * FROM "acme_widgets"."widgets" w`, "SELECT * FROM acme.widgets.widgets w"},
		// A write's target takes no alias (the engine reads none there).
		{"INSERT INTO acme_widgets.widgets (name) VALUES ('a')", "INSERT INTO acme.widgets.widgets (name) VALUES ('a')"},
		{"UPDATE acme_widgets.widgets SET name = 'b' WHERE id IN (SELECT id FROM acme_widgets.widgets)", `UPDATE acme.widgets.widgets SET name = 'b' WHERE id IN (SELECT id FROM acme.widgets.widgets AS "widgets")`},
		{"DELETE FROM acme_widgets.widgets WHERE id = 1", "DELETE FROM acme.widgets.widgets WHERE id = 1"},
		{"SELECT TRIM(BOTH '\"' FROM x)", "SELECT pg_trim('both', '\"' , x)"},
		{"SELECT (SELECT 1) AS DEFAULT, x AS Key, y AS name", `SELECT (SELECT 1) AS "default", x AS "key", y AS name`},
		{"SELECT json_build_object('a', 1), pg_catalog.jsonb_build_object('b', 2)", "SELECT json_object('a', 1), json_object('b', 2)"},
		{"SELECT CAST(t.created_at AS date), CAST(x AS timestamp with time zone), CAST(n AS bigint), CAST(CAST(y AS text) AS varchar(20)), t::date", "SELECT date(t.created_at ), (x ), CAST(n AS INTEGER), CAST(CAST(y AS TEXT) AS TEXT), date(t)"},
		{"SELECT date_trunc('week', x + INTERVAL '1 day') - INTERVAL '1 day', now() + interval '-30 days', y - INTERVAL '1 week 2 hours'", "SELECT datetime(datetime( datetime(x , '+1 day'), '-6 days', 'weekday 1', 'start of day') , '-1 day'), datetime(now() , '-30 day'), datetime(y , '-7 day', '-2 hour')"},
		{"WHERE a >= timestamp with time zone '2024-01-01 00:00:00.000Z' AND b < TIMESTAMP '2024-02-01'", "WHERE a >= strftime('%Y-%m-%dT%H:%M:%SZ', '2024-01-01 00:00:00.000Z') AND b < strftime('%Y-%m-%dT%H:%M:%SZ', '2024-02-01')"},
		{"SELECT extract(quarter from t)", "SELECT ((CAST(strftime('%m',  t) AS INTEGER) + 2) / 3)"},
		{"SELECT date_trunc('quarter', acme_widgets.widgets.created) FROM acme_widgets.widgets", `SELECT datetime(widgets.created, 'start of month', printf('-%d months', (CAST(strftime('%m', widgets.created) AS INTEGER) - 1) % 3)) FROM acme.widgets.widgets AS "widgets"`},
		{"SELECT substring(f(p.oid) from 0 for 6), substring(x from 2), substring(x for 3), substring(x, 1, 2)", "SELECT substr(f(p.oid) , 0 , 6), substr(x , 2), substr(x , 1, 3), substring(x, 1, 2)"},
		{"SELECT extract(epoch from t), date_trunc('day', t), to_timestamp(5)", "SELECT unixepoch( t), datetime( t, 'start of day'), datetime(5, 'unixepoch')"},
	} {
		toks, err := lexPG(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := rewrite(tc.in, toks, d)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}
