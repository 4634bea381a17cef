package engine

import (
	"errors"

	"github.com/apiql/apiql/registry"
)

// Column describes one column of a result.
//
// Type is the column's registry type when it is known, which is when the
// column is a resource's field or a parameter column read straight from
// a table (SELECT name, size_gigabytes ...), or a SHOW/DESCRIBE column:
//
//	Type      values in a row            maps to (SQL / Parquet / JSON)
//	integer   int64                      bigint / INT64 / number
//	number    float64                    double precision / DOUBLE / number
//	boolean   bool                       boolean / BOOLEAN / true, false
//	string    string                     text / BYTE_ARRAY UTF8 / string
//	array     string holding JSON text   jsonb / BYTE_ARRAY JSON / array
//	object    string holding JSON text   jsonb / BYTE_ARRAY JSON / object
//	""        any of the above           (computed: see below)
//
// A column computed by an expression (count(*), a || b, json_extract(...))
// has Type "": its values carry their own type, row by row, as SQLite
// gives them: nil, int64, float64, string or []byte. Any column may hold
// nil (NULL), and a value that is not of its column's type (an integer
// field the API sent as "n/a") keeps the type it has; a consumer that
// needs one type per column falls back to text for such a value. Array
// and object columns both hold JSON text; Kind says KindJSON for both.
type Column struct {
	Name string
	Type string
}

// Kind is a column's type as a wire protocol or a file format needs it.
type Kind int

// The kinds of Column.Kind.
const (
	// KindAny is a computed column: each value has its own type (see
	// Column); text is the safe choice for all of them.
	KindAny   Kind = iota
	KindInt        // int64
	KindFloat      // float64
	KindBool       // bool
	KindText       // string
	KindJSON       // string holding JSON text (an array or object)
)

// Kind returns the column's kind, from its registry Type.
func (c Column) Kind() Kind {
	switch c.Type {
	case registry.TypeInteger:
		return KindInt
	case registry.TypeNumber:
		return KindFloat
	case registry.TypeBoolean:
		return KindBool
	case registry.TypeString:
		return KindText
	case registry.TypeArray, registry.TypeObject:
		return KindJSON
	}
	return KindAny
}

// Rows is one statement's result, read one row at a time as SQLite
// produces it, so that no result is held whole in memory.
//
// Columns (and Message) are known before the first row is read: a
// consumer can describe the result (a header, a wire protocol's row
// description, a file's schema) and then stream the rows:
//
//	rows, err := sess.Stream(ctx, st)
//	if err != nil { ... }          // the statement failed before any row
//	defer rows.Close()
//	for rows.Next() {
//		use(rows.Row())
//	}
//	if err := rows.Err(); err != nil { ... } // failed after rows.Count() rows
//
// A statement that returns no rows (a write without RETURNING, a SHOW
// that only prints text) has no Columns and a Message. Rows must be
// closed, and closed before the session runs another statement: until
// then they hold the session's database connection. Rows are not safe
// for concurrent use.
type Rows struct {
	// Columns are the result's columns, in order; empty for a result that
	// is only a Message.
	Columns []Column
	// Message, when set, says what a statement did, e.g. "3 images
	// deleted"; printed after the rows, if any.
	Message string

	next  func() ([]any, error) // the next row, or nil at the end
	close func() error
	row   []any
	err   error
	n     int
	done  bool
}

// NewRows makes Rows from a function that returns each row in turn (typed
// as Column says), then nil at the end, or an error that ends the rows;
// close, if not nil, runs once when the rows are closed. It serves code
// that produces results of its own, and tests.
func NewRows(cols []Column, next func() ([]any, error), close func() error) *Rows {
	return &Rows{Columns: cols, next: next, close: close}
}

// Next advances to the next row, reporting whether there is one. After
// false, Err says whether the rows ended or failed.
func (r *Rows) Next() bool {
	if r.done {
		return false
	}
	if r.next == nil {
		r.done = true
		return false
	}
	row, err := r.next()
	if err != nil || row == nil {
		r.err = err
		r.done = true
		r.row = nil
		return false
	}
	r.row = row
	r.n++
	return true
}

// Row returns the current row: one value per column, typed as Column
// says. The slice is the caller's to keep.
func (r *Rows) Row() []any { return r.row }

// Err returns the error that ended the rows early, or nil when they ended
// because there were no more (or Next has not returned false yet). The
// rows read before the error are true results: a write with RETURNING
// whose later calls failed yields the rows of the calls that succeeded,
// then its error.
func (r *Rows) Err() error { return r.err }

// Count returns how many rows Next has yielded so far.
func (r *Rows) Count() int { return r.n }

// Close releases the rows (the SQLite statement and the statement's
// temporary tables). It may be called more than once, and before the
// rows are all read.
func (r *Rows) Close() error {
	r.done = true
	if r.close == nil {
		return nil
	}
	c := r.close
	r.close = nil
	return c()
}

// Collect reads the remaining rows into a Result and closes r. The error
// is the one that ended the rows (see Err); the Result then holds the
// rows read before it.
func (r *Rows) Collect() (*Result, error) {
	defer r.Close()
	res := &Result{Columns: r.Columns, Message: r.Message}
	if len(r.Columns) > 0 {
		res.Rows = [][]any{}
	}
	for r.Next() {
		res.Rows = append(res.Rows, r.Row())
	}
	return res, r.Err()
}

// Result is a statement's result held whole: what Rows.Collect returns,
// and what Run hands out. Values in Rows are typed as Column says.
type Result struct {
	Columns []Column
	Rows    [][]any
	// Message, when set, says what a statement that returns no rows did,
	// e.g. "3 images deleted".
	Message string
}

// Stream returns res as Rows (without copying), for code that prints
// streams.
func (res *Result) Stream() *Rows {
	return res.stream(nil)
}

// stream returns res as Rows whose Err, after the last row, is err.
func (res *Result) stream(err error) *Rows {
	if res == nil {
		res = &Result{}
	}
	i := 0
	return &Rows{
		Columns: res.Columns,
		Message: res.Message,
		next: func() ([]any, error) {
			if i < len(res.Rows) {
				i++
				if row := res.Rows[i-1]; row != nil {
					return row, nil
				}
				return []any{}, nil
			}
			return nil, err
		},
	}
}

// partial is a write's error that comes after rows: the statement failed,
// but the rows (those of the calls that succeeded) are true.
type partial struct {
	res *Result
	err error
}

func (p *partial) Error() string { return p.err.Error() }
func (p *partial) Unwrap() error { return p.err }

// rowsOf turns what a statement function returned into Rows: a *partial
// error becomes rows followed by the error.
func rowsOf(res *Result, err error) (*Rows, error) {
	var p *partial
	if errors.As(err, &p) {
		return p.res.stream(p.err), nil
	}
	if err != nil {
		return nil, err
	}
	return res.stream(nil), nil
}
