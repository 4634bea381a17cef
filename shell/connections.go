package shell

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/apiql/apiql/engine"
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
