package engine

import (
	"context"

	"github.com/apiql/apiql/engine/sqltext"
)

func (s *Session) insert(ctx context.Context, st sqltext.Statement) (*Result, error) {
	return nil, errorf(0, "", "todo")
}
func (s *Session) update(ctx context.Context, st sqltext.Statement) (*Result, error) {
	return nil, errorf(0, "", "todo")
}
func (s *Session) delete(ctx context.Context, st sqltext.Statement) (*Result, error) {
	return nil, errorf(0, "", "todo")
}
func (s *Session) exec(ctx context.Context, st sqltext.Statement) (*Result, error) {
	return nil, errorf(0, "", "todo")
}
