package engine

// Column describes one column of a Result.
type Column struct {
	Name string
	// Type is the registry type of the column when it is known (string,
	// integer, number, boolean, array, object), or "" for a computed column,
	// whose values carry their own type.
	Type string
}

// Result is what one statement produced.
//
// Values in Rows are nil, int64, float64, string or []byte, as SQLite returns
// them, except that columns typed boolean hold bool, and columns typed array
// or object hold their JSON text as a string.
type Result struct {
	Columns []Column
	Rows    [][]any
	// Message, when set, says what a statement that returns no rows did,
	// e.g. "3 images deleted".
	Message string
}
