package engine

import (
	"context"
	"fmt"
	"strings"

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
		return s.describeReturning(ctx, st)
	case sqltext.Exec:
		return nil, errorf(-1, "run EXEC without parameters (the simple query protocol)", "the columns of EXEC are its API answer's, known only once it has run")
	}
	_, err := s.Exec(ctx, st) // the error unsupported statements give
	if err == nil {
		err = fmt.Errorf("cannot describe %s", st.Kind)
	}
	return nil, err
}

// describeReturning gives the columns of a write's RETURNING list (none
// without one), as the write will answer them: the list prepared over the
// resource's empty table, as the write prepares it before its first call.
// Nothing is sent, and the write is not checked beyond its target and its
// RETURNING list (running it checks the rest).
func (s *Session) describeReturning(ctx context.Context, st sqltext.Statement) ([]Column, error) {
	_, list, err := splitReturning(st, st.Tokens, 0)
	if err != nil || list == "" {
		return nil, err
	}
	if st.Kind == sqltext.Delete {
		return nil, errorf(findToken(st, "RETURNING"), "select the rows first, then delete them",
			"DELETE ... RETURNING is not supported: the API answers a delete with no object")
	}
	a := sqltext.Analyze(st.Tokens)
	if len(a.Refs) == 0 || a.Refs[0].Scope != 0 || len(a.Refs[0].Parts) != 3 {
		return nil, errorf(0, "name the resource as provider.service.resource", "expected a resource name after %s", strings.ToUpper(st.Tokens[0].Text))
	}
	res, err := s.reg.Resource(a.Refs[0].Name())
	if err != nil {
		return nil, wrap(a.Refs[0].Pos, "", err)
	}
	ret, err := s.prepareReturning(ctx, st, res, list)
	if err != nil {
		return nil, err
	}
	defer ret.close()
	r, err := ret.rows(ctx, nil)
	if err != nil {
		return nil, err
	}
	return r.Columns, nil
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
