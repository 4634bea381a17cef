package registry

import (
	"fmt"
	"strconv"
)

// Pos is where an element of the registry was declared: a file and a
// 1-based line and column. Line is 0 when the position is a whole file or
// folder.
type Pos struct {
	File   string
	Line   int
	Column int
}

// String returns "file:line:column", or "file" when Line is 0.
func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return p.File + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
}

// LoadError is one problem found while loading a registry folder: where it
// is, what is wrong, and what to do about it. Load and Default return every
// problem they find, each as a *LoadError, joined with errors.Join; use
// errors.As to reach the first, or Unwrap() []error for all of them.
type LoadError struct {
	// File is the file (or folder) at fault, as loaded: a path under a
	// folder given to Load, or under "embedded:providers" for the default
	// registry.
	File string
	// Line and Column are 1-based; 0 when the problem is the whole file.
	Line   int
	Column int
	// Msg says what is wrong, e.g. `unknown key "respone_key" in method "list"`.
	Msg string
	// Hint, when set, says what to do, e.g. `did you mean "response_key"?`.
	Hint string
	// Err is the underlying error (a YAML syntax or file system error), or nil.
	Err error
}

// Error reads "file:line: message; hint", e.g.
// `acme/services/things.yaml:12: unknown key "respone_key" in method "list"; did you mean "response_key"?`.
func (e *LoadError) Error() string {
	s := e.File
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	s += ": " + e.Msg
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// Unwrap returns the underlying error, or nil.
func (e *LoadError) Unwrap() error { return e.Err }

// Pos returns where the error is.
func (e *LoadError) Pos() Pos { return Pos{File: e.File, Line: e.Line, Column: e.Column} }

func (e *LoadError) withHint(format string, args ...any) {
	e.Hint = fmt.Sprintf(format, args...)
}
