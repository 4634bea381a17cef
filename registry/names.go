package registry

import (
	"fmt"
	"strings"
)

// NotFoundError reports an unknown provider, service, resource or method,
// with the nearest known name when one is close.
type NotFoundError struct {
	// Kind is "provider", "service", "resource" or "method".
	Kind string
	// Name is the name as the user wrote it.
	Name string
	// Suggestion is the nearest known name, or empty.
	Suggestion string
	// Hint says what to do next.
	Hint string
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("unknown %s %q", e.Kind, e.Name)
	if e.Suggestion != "" {
		msg += fmt.Sprintf("; did you mean %q?", e.Suggestion)
	}
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

// notFound reports the unknown name (whole, as the user wrote it); part is
// its unknown last part, compared with the known names of that level, and
// a suggestion is prefix plus the nearest of them, when one is close.
func notFound(kind, name, prefix, part string, known []string, listCmd string) *NotFoundError {
	e := &NotFoundError{Kind: kind, Name: name}
	if s := Nearest(part, known); s != "" {
		e.Suggestion = prefix + s
	}
	if listCmd != "" {
		e.Hint = "see " + listCmd
	}
	return e
}

// Nearest returns the name in known closest to name by edit distance, or ""
// when none is close enough to be a plausible typo.
func Nearest(name string, known []string) string {
	best, bestD := "", -1
	lname := strings.ToLower(name)
	for _, k := range known {
		d := editDistance(lname, strings.ToLower(k))
		if bestD < 0 || d < bestD {
			best, bestD = k, d
		}
	}
	if bestD < 0 {
		return ""
	}
	// Accept up to a third of the name's length in edits (2 from four
	// letters, 1 below), and never a name that shares nothing with it.
	limit := len(name) / 3
	switch {
	case len(name) >= 4:
		limit = max(limit, 2)
	default:
		limit = 1
	}
	if bestD > limit || bestD >= len(name) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
