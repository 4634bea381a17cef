package pgserve_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiql/apiql/registry"
	"github.com/jackc/pgx/v5"
)

type corpusQuery struct {
	file, name, sql string
	args            []any
}

// readCorpus reads testdata/corpus/*.sql: blocks separated by "----", each
// opening with "-- name" and optionally "-- args: [JSON]".
func readCorpus(t *testing.T) []corpusQuery {
	t.Helper()
	files, err := filepath.Glob("testdata/corpus/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	var out []corpusQuery
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, block := range strings.Split(string(data), "\n----\n") {
			q := corpusQuery{file: filepath.Base(f)}
			var sql []string
			for _, line := range strings.Split(block, "\n") {
				switch {
				case strings.HasPrefix(line, "-- args: "):
					if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "-- args: ")), &q.args); err != nil {
						t.Fatalf("%s: args: %v", f, err)
					}
				case strings.HasPrefix(line, "-- ") && q.name == "" && len(sql) == 0:
					q.name = strings.TrimPrefix(line, "-- ")
				default:
					sql = append(sql, line)
				}
			}
			q.sql = strings.TrimSpace(strings.Join(sql, "\n"))
			if q.sql != "" {
				out = append(out, q)
			}
		}
	}
	return out
}

// TestClientCorpus runs the start-up and browse queries of psql's peers
// (pgjdbc, DBeaver, Metabase, Grafana): each must be answered without error,
// in both protocols where it has no parameters, and none may call the API
// unless it names a resource.
func TestClientCorpus(t *testing.T) {
	e := newEnv(t, envOpts{images: 20})
	corpus := readCorpus(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := e.connect(t, m.simple)
			for _, q := range corpus {
				if m.simple && len(q.args) > 0 {
					continue
				}
				args := q.args
				for i, a := range args {
					if f, ok := a.(float64); ok && f == float64(int64(f)) {
						args[i] = int64(f)
					}
				}
				before := e.requests.Load()
				rows, err := c.Query(context.Background(), q.sql, args...)
				if err == nil {
					for rows.Next() {
					}
					rows.Close()
					err = rows.Err()
				}
				if err != nil {
					t.Errorf("%s: %s:\n%v\n%s", q.file, q.name, err, q.sql)
					continue
				}
				if !strings.Contains(q.sql, "digitalocean_images.images") && !strings.Contains(q.sql, `"digitalocean_images"."images"`) {
					if n := e.requests.Load() - before; n != 0 {
						t.Errorf("%s: %s: %d API requests for a catalog query", q.file, q.name, n)
					}
				}
			}
		})
	}
}

// TestCatalogContents checks what the catalog says about the registry.
func TestCatalogContents(t *testing.T) {
	e := newEnv(t, envOpts{images: 5})
	c := e.connect(t, false)
	ctx := context.Background()
	rows, err := c.Query(ctx, "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema LIKE 'digitalocean%' ORDER BY 1, 2")
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var s, n string
		err := r.Scan(&s, &n)
		return s + "." + n, err
	})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(tables, " ")
	for _, want := range []string{"digitalocean_images.images", "digitalocean_regions.regions", "digitalocean_droplets.droplets"} {
		if !strings.Contains(got, want) {
			t.Errorf("information_schema.tables lacks %s: %s", want, got)
		}
	}
	var dataType string
	if err := c.QueryRow(ctx, "SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = $3",
		"digitalocean_images", "images", "size_gigabytes").Scan(&dataType); err != nil || dataType != "double precision" {
		t.Fatalf("size_gigabytes data_type %q, %v", dataType, err)
	}
	var oid int64
	if err := c.QueryRow(ctx, "SELECT 'digitalocean_images.images'::regclass::oid").Scan(&oid); err != nil || oid == 0 {
		t.Fatalf("regclass: %d, %v", oid, err)
	}
	var attrs int64
	if err := c.QueryRow(ctx, "SELECT count(*) FROM pg_catalog.pg_attribute WHERE attrelid = $1", oid).Scan(&attrs); err != nil || attrs < 10 {
		t.Fatalf("pg_attribute of images: %d, %v", attrs, err)
	}
}

// TestCatalogFollowsRegistry checks the catalog against the registry it is
// built from: every service a schema, every resource a table in pg_class and
// information_schema.tables, with its fields as columns in order.
func TestCatalogFollowsRegistry(t *testing.T) {
	e := newEnv(t, envOpts{images: 5})
	c := e.connect(t, false)
	ctx := context.Background()
	reg, err := registry.Default()
	if err != nil {
		t.Fatal(err)
	}
	before := e.requests.Load()
	for _, p := range reg.Providers {
		for _, s := range p.Services {
			schema := p.Name + "_" + s.Name
			var n int64
			if err := c.QueryRow(ctx, "SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = $1", schema).Scan(&n); err != nil || n != 1 {
				t.Fatalf("schema %s: %d, %v", schema, n, err)
			}
			for _, r := range s.Resources() {
				rows, err := c.Query(ctx, `SELECT a.attname FROM pg_catalog.pg_attribute a
					JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
					WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 ORDER BY a.attnum`, schema, r.Name)
				if err != nil {
					t.Fatal(err)
				}
				cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
				if err != nil {
					t.Fatal(err)
				}
				var want []string
				for _, f := range r.Fields {
					want = append(want, f.Name)
				}
				if strings.Join(cols, ",") != strings.Join(want, ",") {
					t.Errorf("%s.%s: columns %v, want %v", schema, r.Name, cols, want)
				}
				if err := c.QueryRow(ctx, "SELECT count(*) FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2", schema, r.Name).Scan(&n); err != nil || int(n) != len(want) {
					t.Errorf("information_schema.columns of %s.%s: %d, %v", schema, r.Name, n, err)
				}
			}
		}
	}
	if n := e.requests.Load() - before; n != 0 {
		t.Fatalf("the catalog sent %d API requests", n)
	}
}
