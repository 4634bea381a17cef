package pgserve

import (
	"context"

	wire "github.com/jeroenrinzema/psql-wire"
)

// portalCache keeps a session's portals as PostgreSQL does: a portal, once
// bound, lives until it is closed, bound again, or its transaction ends,
// whatever happens to the statement it was bound from. psql-wire's cache
// closes the portals of a statement parsed again or closed (a new Parse of
// the unnamed statement ended pgjdbc's open result sets); here each portal
// holds its own copy of the statement, which no other Parse or Close names.
type portalCache struct {
	wire.DefaultPortalCache
}

var _ wire.PortalCache = (*portalCache)(nil)

// Bind binds portal name to a copy of stmt and makes the cache the
// session's, so that the transaction's end closes its portals.
func (p *portalCache) Bind(ctx context.Context, name string, stmt *wire.Statement, params []wire.Parameter, formats []wire.FormatCode) error {
	if c, ok := ctx.Value(connKey{}).(*conn); ok {
		c.portals = p
	}
	own := *stmt
	return p.DefaultPortalCache.Bind(ctx, name, &own, params, formats)
}
