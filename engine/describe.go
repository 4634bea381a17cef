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
	case sqltext.Show, sqltext.Describe, sqltext.Explain:
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

// describeOnly marks a context whose query is only described: it runs
// as a query ending in LIMIT 0 does, over its empty tables, and sends no
// request.
type describeOnly struct{}

func describing(ctx context.Context) bool {
	v, _ := ctx.Value(describeOnly{}).(bool)
	return v
}

// describeQuery runs a query as far as its columns, fetching nothing.
func (s *Session) describeQuery(ctx context.Context, st sqltext.Statement) ([]Column, error) {
	rows, err := s.query(context.WithValue(ctx, describeOnly{}, true), st)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rows.Columns, nil
}
