package openapigen

import (
	"fmt"
	"strings"
)

// Mapped counts the operations mapped to a SQL verb, by verb, and in all.
func (r *Result) Mapped() (byVerb map[string]int, mapped, total int) {
	byVerb = map[string]int{}
	for _, c := range r.Coverage {
		total++
		if c.Target != "" {
			mapped++
			byVerb[c.Verb]++
		}
	}
	return byVerb, mapped, total
}

// CoverageReport is the text `apiql registry coverage` prints: the counts,
// then every operation not mapped with the reason.
func (r *Result) CoverageReport() string {
	var b strings.Builder
	byVerb, mapped, total := r.Mapped()
	resources, methods := 0, 0
	for _, s := range r.Services {
		resources += len(s.Resources)
		for _, res := range s.Resources {
			methods += len(res.Methods)
		}
	}
	v2, v2mapped := 0, 0
	for _, c := range r.Coverage {
		if strings.HasPrefix(c.Path, "/v2/") {
			v2++
			if c.Target != "" {
				v2mapped++
			}
		}
	}
	fmt.Fprintf(&b, "operations: %d of %d mapped (%d of %d under /v2)\n", mapped, total, v2mapped, v2)
	fmt.Fprintf(&b, "by verb: SELECT %d, INSERT %d, UPDATE %d, DELETE %d, EXEC %d\n",
		byVerb["select"], byVerb["insert"], byVerb["update"], byVerb["delete"], byVerb["exec"])
	fmt.Fprintf(&b, "registry: %d services, %d resources, %d methods\n", len(r.Services), resources, methods)
	fmt.Fprintf(&b, "not mapped: %d\n", total-mapped)
	for _, c := range r.Coverage {
		if c.Target == "" {
			fmt.Fprintf(&b, "  %-6s %s (%s): %s\n", c.Method, c.Path, c.OperationID, c.Reason)
		}
	}
	return b.String()
}
