package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apiql/apiql/engine/sqltext"
)

// Error is a statement that failed. It says where (statement number and
// position), what, and what to do next.
type Error struct {
	// Stmt is the 1-based number of the statement in its text, 0 if unknown.
	Stmt int
	// Line and Col locate the problem in the whole text, 1-based; 0 if unknown.
	Line, Col int
	// Msg says what was wrong.
	Msg string
	// Hint says what to do next, or "".
	Hint string
	// Err is the underlying error, if any (*provider.APIError, say).
	Err error

	pos int // byte offset in the statement, -1 when unknown
}

func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Stmt > 0 && e.Line > 0 && e.Col > 0:
		fmt.Fprintf(&b, "statement %d (line %d, column %d): ", e.Stmt, e.Line, e.Col)
	case e.Stmt > 0 && e.Line > 0:
		fmt.Fprintf(&b, "statement %d (line %d): ", e.Stmt, e.Line)
	case e.Stmt > 0:
		fmt.Fprintf(&b, "statement %d: ", e.Stmt)
	case e.Line > 0 && e.Col > 0:
		fmt.Fprintf(&b, "line %d, column %d: ", e.Line, e.Col)
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString("\n  hint: " + e.Hint)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// errorf makes an *Error at byte offset pos of the statement (-1: no position).
func errorf(pos int, hint string, format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...), Hint: hint, pos: pos}
}

// wrap makes err an *Error at byte offset pos, keeping it as the cause.
func wrap(pos int, hint string, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Msg: err.Error(), Hint: hint, Err: err, pos: pos}
}

// locate fills in where in the whole text the error is: stmt is the
// statement's number, st the statement, src the whole text.
func locate(err error, n int, st sqltext.Statement, src string) *Error {
	e := wrap(-1, "", err)
	e.Stmt = n
	pos := e.pos
	if pos < 0 {
		e.Line = st.Line
		return e
	}
	if src != "" && st.Pos+pos <= len(src) {
		e.Line, e.Col = sqltext.LineCol(src, st.Pos+pos)
	} else {
		e.Line, e.Col = sqltext.LineCol(st.Text, pos)
		e.Line += st.Line - 1
	}
	return e
}
