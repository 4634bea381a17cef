package shell

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
)

var connName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,62}$`)

// ParseConnectionScope reads a --connection value or .connection argument:
// "default" (each provider's default connection: nil), "all", or names
// separated by commas.
func ParseConnectionScope(v string) ([]string, error) {
	v = strings.TrimSpace(v)
	switch strings.ToLower(v) {
	case "", "default":
		return nil, nil
	case engine.AllConnections, "*":
		return []string{engine.AllConnections}, nil
	}
	var names []string
	for _, n := range strings.Split(v, ",") {
		n = strings.TrimSpace(n)
		if !connName.MatchString(n) {
			return nil, fmt.Errorf("connection: %q is not a connection name; write names separated by commas, all, or default (SHOW CONNECTIONS lists them)", n)
		}
		names = append(names, n)
	}
	return names, nil
}

// CheckConnectionScope refuses a scope (from ParseConnectionScope) that
// names a connection no provider has, so that a typo is told when it is
// set, not at the next statement.
func CheckConnectionScope(scope []string, cs *provider.Connections) error {
	if len(scope) == 0 || scope[0] == engine.AllConnections {
		return nil
	}
	for _, n := range scope {
		found := n == provider.DefaultConnection
		for _, p := range cs.Providers() {
			found = found || cs.Lookup(p, n) != nil
		}
		if !found {
			return fmt.Errorf("no provider has a connection %q; SHOW CONNECTIONS lists them (connections are named in the config file)", n)
		}
	}
	return nil
}
