package engine

import (
	"context"
	"fmt"

	"github.com/apiql/apiql/engine/sqltext"
)

// Describe returns the columns the one statement of src would produce,
// without sending a request: a query's resources are resolved and planned,
// their tables created empty, and the statement compiled and run over
// them; SHOW and DESCRIBE are answered from the registry. A write without
// RETURNING produces no columns (nil). A write with RETURNING and EXEC
// cannot be described without running them: the error says so. Errors are
// the ones running the statement would give before its first request.
func (s *Session) Describe(ctx context.Context, src string) ([]Column, error) {
	stmts, err := sqltext.Split(src)
	if err != nil {
		return nil, &Error{Msg: err.Error(), Err: err, pos: -1}
	}
	if len(stmts) != 1 {
		return nil, errorf(-1, "describe one statement at a time", "%d statements given to describe", len(stmts))
	}
	st := stmts[0]
	cols, err := s.describeStatement(ctx, st)
	if err != nil {
		return nil, locate(err, 1, st, src)
	}
	return cols, nil
}

func (s *Session) describeStatement(ctx context.Context, st sqltext.Statement) ([]Column, error) {
	switch st.Kind {
	case sqltext.Select:
		return s.describeQuery(ctx, st)
	case sqltext.Show, sqltext.Describe:
		res, err := s.Exec(ctx, st)
		if err != nil {
			return nil, err
		}
		return res.Columns, nil
	case sqltext.Insert, sqltext.Update, sqltext.Delete:
		for _, i := range sqltext.TopLevel(st.Tokens) {
			if st.Tokens[i].Is("RETURNING") {
				return nil, errorf(st.Tokens[i].Pos, "run it without parameters (the simple query protocol), or without RETURNING",
					"the columns of %s ... RETURNING are known only once it has run", st.Kind)
			}
		}
		return nil, nil
	case sqltext.Exec:
		return nil, errorf(-1, "run EXEC without parameters (the simple query protocol)", "the columns of EXEC are known only once it has run")
	}
	_, err := s.Exec(ctx, st) // the error unsupported statements give
	if err == nil {
		err = fmt.Errorf("cannot describe %s", st.Kind)
	}
	return nil, err
}

// describeQuery compiles a query over empty tables of its resources and
// reads the columns of its (empty) result.
func (s *Session) describeQuery(ctx context.Context, st sqltext.Statement) ([]Column, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if t, ok := writeInQuery(st); ok {
		return nil, writeInWithError(t)
	}
	a := sqltext.Analyze(st.Tokens)
	resources, err := s.resolveRefs(a)
	if err != nil {
		return nil, err
	}
	plans, err := planSelect(a, resources)
	if err != nil {
		return nil, err
	}
	if err := checkUnbound(st, plans); err != nil {
		return nil, err
	}
	if err := s.bindConnections(st, a, plans); err != nil {
		return nil, err
	}
	tables, _, drop, err := s.tables(ctx, plans, false)
	defer func() {
		for _, t := range drop {
			s.dropTable(context.Background(), t)
		}
	}()
	if err != nil {
		return nil, err
	}
	text, restore := rewrite(st, a, plans, tables)
	s.tableNames = map[string]string{}
	for _, p := range plans {
		s.tableNames[tables[p.key]] = p.res.ID()
	}
	rows, err := s.conn.QueryContext(ctx, text)
	if err != nil {
		return nil, s.sqliteError(st, err)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, s.sqliteError(st, err)
	}
	cols := make([]Column, len(cts))
	for i, ct := range cts {
		cols[i] = Column{Name: restore.Replace(ct.Name()), Type: registryType(ct.DatabaseTypeName())}
	}
	return cols, nil
}
