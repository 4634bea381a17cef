package pgsync

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/registry"
)

// worker syncs resources one at a time with its own engine session and
// PostgreSQL connection.
type worker struct {
	o        Options
	run      *Run
	connect  func(context.Context) (*pgx.Conn, error)
	password string

	sess      *engine.Session
	closeSess func()
	conn      *pgx.Conn
}

func (w *worker) close() {
	if w.closeSess != nil {
		w.closeSess()
	}
	if w.conn != nil {
		w.conn.Close(context.Background())
	}
}

// sync writes one resource in one transaction.
func (w *worker) sync(ctx context.Context, r *registry.Resource) Table {
	t := Table{Resource: r.ID(), Schema: SchemaName(w.o.SchemaPrefix, r), Name: r.Name}
	start := time.Now()
	n, err := w.syncTable(ctx, r, t.Schema, t.Name)
	t.Elapsed = time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			err = interrupted(ctx)
		}
		t.Err = scrubError(w.o.URL, "", err, w.password)
		return t
	}
	t.Rows = n
	return t
}

func (w *worker) syncTable(ctx context.Context, r *registry.Resource, schema, table string) (int64, error) {
	if w.sess == nil {
		sess, closeSess, err := w.o.Open(ctx)
		if err != nil {
			return 0, err
		}
		w.sess, w.closeSess = sess, closeSess
	}
	// A connection lost by an earlier resource is replaced.
	if w.conn == nil || w.conn.IsClosed() {
		c, err := w.connect(ctx)
		if err != nil {
			return 0, err
		}
		w.conn = c
	}
	conns, err := w.sess.ScopeConnections(r.Service.Provider)
	if err != nil {
		return 0, err
	}
	tx, err := w.conn.Begin(ctx)
	if err != nil {
		return 0, err
	}
	// After Commit, Rollback does nothing; after a lost connection it fails
	// harmlessly. Either way the transaction is not committed.
	defer tx.Rollback(context.Background())

	// Two runs syncing the same table take turns.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, schema+"."+table); err != nil {
		return 0, err
	}
	view := table + "_latest"
	if w.o.Mode == Snapshot {
		// The view depends on the table's columns: it is dropped while they
		// change and made again below.
		if _, err := tx.Exec(ctx, `DROP VIEW IF EXISTS `+ident(schema, view)); err != nil {
			return 0, err
		}
	}
	plan, err := planFor(r)
	if err != nil {
		return 0, err
	}
	cols, err := ensureTable(ctx, tx, schema, table, r, plan.params)
	if err != nil {
		return 0, err
	}
	if w.o.Mode == Replace {
		if _, err := tx.Exec(ctx, `DELETE FROM `+ident(schema, table)+` WHERE `+ident(ColConnection)+` = ANY($1)`, conns); err != nil {
			return 0, err
		}
	} else {
		idx := table + "_apiql_run_idx"
		if _, err := tx.Exec(ctx, `CREATE INDEX IF NOT EXISTS `+ident(idx)+` ON `+ident(schema, table)+` (`+ident(ColRun)+`)`); err != nil {
			return 0, err
		}
	}

	// The rows: every field, then the connection column, streamed from the
	// engine straight into COPY.
	src := &copySource{cols: cols, run: w.run.ID, syncedAt: time.Now().UTC(), resource: r.ID(), idField: r.IdentityField()}
	if src.idField == "" && r.Field("id") != nil {
		src.idField = "id"
	}
	var copied int64
	var copyErr error
	err = w.sess.RunStream(ctx, plan.statement(conns), func(_ engine.Outcome, rows *engine.Rows) error {
		if err := src.bind(rows); err != nil {
			copyErr = err
			return err
		}
		names := make([]string, 0, len(cols)+3)
		for _, c := range cols {
			names = append(names, c.name)
		}
		names = append(names, ColRun, ColSyncedAt, ColConnection)
		copied, copyErr = tx.CopyFrom(ctx, pgx.Identifier{schema, table}, names, src)
		return copyErr
	}, func(o engine.Outcome) bool {
		if o.Err != nil && copyErr == nil {
			copyErr = o.Err
		}
		return false
	})
	// When the rows failed (an API error on a later page), COPY stopped
	// because of them and RunStream returns COPY's wrapper of their error
	// (a PostgreSQL error): the rows' own error, with its hint, is the one
	// to tell.
	if src.rowsErr != nil {
		return 0, src.rowsErr
	}
	// Likewise a value that does not fit its column.
	if src.valErr != nil {
		return 0, src.valErr
	}
	if err != nil {
		return 0, err
	}
	if copyErr != nil {
		return 0, copyErr
	}

	if w.o.Mode == Snapshot {
		q := `CREATE VIEW ` + ident(schema, view) + ` AS SELECT t.* FROM ` + ident(schema, table) + ` t
WHERE t.` + ident(ColRun) + ` = (SELECT max(rt.run) FROM public.` + RunTablesTable + ` rt
  WHERE rt.table_schema = ` + literal(schema) + ` AND rt.table_name = ` + literal(table) + `
    AND t.` + ident(ColConnection) + ` = ANY (rt.connections))`
		if _, err := tx.Exec(ctx, q); err != nil {
			return 0, err
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO public.`+RunTablesTable+` (run, resource, table_schema, table_name, connections, rows, committed_at)
		VALUES ($1, $2, $3, $4, $5, $6, now())`, w.run.ID, r.ID(), schema, table, conns, copied); err != nil {
		return 0, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, err
	}
	return copied, nil
}

// connColumnOf is the name of a resource's connection column in apiql's
// SQL (see the README's "Several accounts").
func connColumnOf(r *registry.Resource) string {
	if r.Field("connection") != nil {
		return "_connection"
	}
	return "connection"
}

// literal quotes a PostgreSQL string literal.
func literal(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// column is one field's column in PostgreSQL.
type column struct {
	name string
	typ  string // a PostgreSQL type, as TypeFor gives it
}

// TypeFor is the PostgreSQL type of a registry field: a string field of
// format date-time (created_at) is timestamptz.
func TypeFor(f *registry.Field) string {
	switch f.Type {
	case registry.TypeString:
		if f.Format == registry.FormatDateTime {
			return "timestamptz"
		}
	case registry.TypeInteger:
		return "bigint"
	case registry.TypeNumber:
		return "double precision"
	case registry.TypeBoolean:
		return "boolean"
	case registry.TypeArray, registry.TypeObject:
		return "jsonb"
	}
	return "text"
}

// ensureTable makes the table match the registry: created when missing, a
// column added for each new field, a column whose type changed converted
// (or an error naming it, before any row is written). Columns of fields
// the registry lost are kept.
func ensureTable(ctx context.Context, tx pgx.Tx, schema, table string, r *registry.Resource, params []column) ([]column, error) {
	want := make([]column, len(r.Fields), len(r.Fields)+len(params))
	for i, f := range r.Fields {
		want[i] = column{name: f.Name, typ: TypeFor(f)}
	}
	want = append(want, params...)
	var defs []string
	for _, c := range want {
		defs = append(defs, ident(c.name)+" "+c.typ)
	}
	defs = append(defs, ident(ColRun)+" bigint NOT NULL", ident(ColSyncedAt)+" timestamptz NOT NULL", ident(ColConnection)+" text NOT NULL")
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+ident(schema, table)+` (`+strings.Join(defs, ", ")+`)`); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod)
		FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`, ident(schema, table))
	if err != nil {
		return nil, err
	}
	have := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			rows.Close()
			return nil, err
		}
		have[name] = typ
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Columns apiql adds that an older table may lack.
	for _, m := range []column{{ColConnection, "text"}} {
		if _, ok := have[m.name]; !ok {
			if _, err := tx.Exec(ctx, `ALTER TABLE `+ident(schema, table)+` ADD COLUMN `+ident(m.name)+` `+m.typ+` NOT NULL DEFAULT 'default'`); err != nil {
				return nil, err
			}
		}
	}
	for _, c := range want {
		got, ok := have[c.name]
		switch {
		case !ok:
			if _, err := tx.Exec(ctx, `ALTER TABLE `+ident(schema, table)+` ADD COLUMN `+ident(c.name)+` `+c.typ); err != nil {
				return nil, err
			}
		case got != formatType(c.typ):
			// The registry changed the field's type: PostgreSQL converts the
			// column if it can; if it cannot, nothing is written. Text that
			// becomes timestamptz keeps empty strings as NULL, as a sync
			// stores them.
			using := ident(c.name)
			if got == "text" && c.typ == "timestamptz" {
				using = `NULLIF(btrim(` + using + `), '')`
			}
			q := `ALTER TABLE ` + ident(schema, table) + ` ALTER COLUMN ` + ident(c.name) + ` TYPE ` + c.typ + ` USING ` + using + `::` + c.typ
			if _, err := tx.Exec(ctx, q); err != nil {
				return nil, &engine.Error{
					Msg: fmt.Sprintf("column %s of %s.%s is %s, the registry now types the field %s (%s), and PostgreSQL cannot convert it: %s",
						c.name, schema, table, got, registryType(r, c.name), c.typ, pgMessage(err)),
					Hint: fmt.Sprintf("nothing was written to %s.%s; convert or drop the column yourself (ALTER TABLE %s DROP COLUMN %s) and sync again",
						schema, table, ident(schema, table), ident(c.name)),
					Err: err,
				}
			}
		}
	}
	return want, nil
}

// registryType is the registry's type of a field or parameter column.
func registryType(r *registry.Resource, name string) string {
	if f := r.Field(name); f != nil {
		if f.Format != "" {
			return f.Type + " of format " + f.Format
		}
		return f.Type
	}
	for _, m := range r.Methods {
		for _, p := range m.Params {
			if p.Name == name {
				return p.Type
			}
		}
	}
	return "?"
}

// formatType is how PostgreSQL's format_type names a type TypeFor gives.
func formatType(t string) string {
	if t == "timestamptz" {
		return "timestamp with time zone"
	}
	return t
}

// pgMessage is a PostgreSQL error's message without pgx's decoration.
func pgMessage(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Message
	}
	return err.Error()
}
