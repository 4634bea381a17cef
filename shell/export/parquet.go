package export

import (
	"fmt"
	"io"
	"strconv"

	"github.com/parquet-go/parquet-go"

	"github.com/apiql/apiql/engine"
)

// Parquet layout. A row group holds at most rowGroupRows rows: the writer
// keeps one row group's encoded pages in memory, so memory is bounded by
// it, not by the result. Rows reach the writer in batches of batchRows.
const (
	rowGroupRows = 64 * 1024
	batchRows    = 512
	// inferRows is how many rows are held, at most, to learn the types of
	// computed columns before the schema is written.
	inferRows = 1024
)

// parquetWriter writes rows as a Parquet file with one optional column
// per result column: int64, double, boolean, string (UTF8), or string with
// the JSON logical type for arrays and objects. Computed columns (whose
// type the registry does not give) take the type of their first non-null
// values; BLOBs make a binary column (BYTE_ARRAY with no logical type).
// Text is written as UTF-8: a byte that is not part of valid UTF-8 becomes
// U+FFFD, as in apiql exec -o json.
type parquetWriter struct {
	out     io.Writer
	cols    []engine.Column
	kinds   []kind
	pending [][]any // rows held while computed columns' types are unknown
	w       *parquet.GenericWriter[any]
	batch   []parquet.Row
	n       int
}

func newParquetWriter(out io.Writer, cols []engine.Column) *parquetWriter {
	w := &parquetWriter{out: out, cols: cols, kinds: make([]kind, len(cols))}
	for i, c := range cols {
		w.kinds[i] = columnKind(c.Type)
	}
	return w
}

func (w *parquetWriter) write(row []any) error {
	if w.w != nil {
		return w.add(row)
	}
	known := w.learn(row)
	if known && len(w.pending) == 0 {
		w.start()
		return w.add(row)
	}
	w.pending = append(w.pending, append([]any(nil), row...))
	if !known && len(w.pending) < inferRows {
		return nil
	}
	return w.drain()
}

// drain starts the file and writes the rows held back.
func (w *parquetWriter) drain() error {
	w.start()
	pending := w.pending
	w.pending = nil
	for _, r := range pending {
		if err := w.add(r); err != nil {
			return err
		}
	}
	return nil
}

// learn refines the kinds of computed columns from row and reports whether
// every column's kind is now known.
func (w *parquetWriter) learn(row []any) bool {
	known := true
	for i, c := range w.cols {
		if c.Type != "" {
			continue
		}
		if i < len(row) && row[i] != nil {
			switch k := valueKind(row[i]); {
			case w.kinds[i] == kindUnknown:
				w.kinds[i] = k
			case w.kinds[i] == kindInt && k == kindDouble:
				w.kinds[i] = kindDouble
			case w.kinds[i] != k && !(w.kinds[i] == kindDouble && k == kindInt):
				w.kinds[i] = kindString
			}
		}
		if w.kinds[i] == kindUnknown {
			known = false
		}
	}
	return known
}

// start fixes the schema (a computed column never seen non-null is a
// string) and opens the Parquet writer.
func (w *parquetWriter) start() {
	group := make(orderedGroup, len(w.cols))
	seen := map[string]bool{}
	for i, c := range w.cols {
		if w.kinds[i] == kindUnknown {
			w.kinds[i] = kindString
		}
		var leaf parquet.Node
		switch w.kinds[i] {
		case kindInt:
			leaf = parquet.Int(64)
		case kindDouble:
			leaf = parquet.Leaf(parquet.DoubleType)
		case kindBool:
			leaf = parquet.Leaf(parquet.BooleanType)
		case kindJSON:
			leaf = parquet.JSON()
		case kindBytes:
			leaf = parquet.Leaf(parquet.ByteArrayType)
		default:
			leaf = parquet.String()
		}
		group[i] = &namedField{Node: parquet.Optional(leaf), name: uniqueName(c.Name, i, seen), index: i}
	}
	w.w = parquet.NewGenericWriter[any](w.out,
		parquet.NewSchema("apiql", group),
		parquet.Compression(&parquet.Snappy),
		parquet.MaxRowsPerRowGroup(rowGroupRows),
		parquet.CreatedBy("apiql", "", ""),
	)
}

// uniqueName is the Parquet name of column i: its own, or, when an earlier
// column has it (SELECT a, a) or it is empty, the name with _2, _3 ...
func uniqueName(name string, i int, seen map[string]bool) string {
	if name == "" {
		name = "column" + strconv.Itoa(i+1)
	}
	n := name
	for k := 2; seen[n]; k++ {
		n = name + "_" + strconv.Itoa(k)
	}
	seen[n] = true
	return n
}

// add converts row to Parquet values and queues it.
func (w *parquetWriter) add(row []any) error {
	if w.n == len(w.batch) {
		w.batch = append(w.batch, make(parquet.Row, len(w.cols)))
	}
	pr := w.batch[w.n][:len(w.cols)]
	for i := range w.cols {
		var v any
		if i < len(row) {
			v = row[i]
		}
		if v == nil {
			pr[i] = parquet.NullValue().Level(0, 0, i)
			continue
		}
		var pv parquet.Value
		switch w.kinds[i] {
		case kindInt:
			n, err := asInt(v)
			if err != nil {
				return w.typeError(i, err)
			}
			pv = parquet.Int64Value(n)
		case kindDouble:
			f, err := asDouble(v)
			if err != nil {
				return w.typeError(i, err)
			}
			pv = parquet.DoubleValue(f)
		case kindBool:
			b, err := asBool(v)
			if err != nil {
				return w.typeError(i, err)
			}
			pv = parquet.BooleanValue(b)
		case kindJSON:
			raw, ok := jsonText(v)
			if !ok {
				// Not JSON after all: stored as a JSON string, so the column
				// stays valid JSON.
				raw = appendJSONString(nil, appendText(nil, v))
			}
			pv = parquet.ByteArrayValue(raw)
		case kindBytes:
			pv = parquet.ByteArrayValue(appendText(nil, v))
		default:
			pv = parquet.ByteArrayValue(validUTF8(appendText(nil, v)))
		}
		pr[i] = pv.Level(0, 1, i)
	}
	w.n++
	if w.n == batchRows {
		return w.flushBatch()
	}
	return nil
}

func (w *parquetWriter) typeError(i int, err error) error {
	c := w.cols[i]
	how := "the registry types it " + c.Type
	if c.Type == "" {
		how = "its first values were " + w.kinds[i].String() + "s"
	}
	return &engine.Error{
		Msg:  fmt.Sprintf("column %s: %v, and %s (Parquet columns have one type)", c.Name, err, how),
		Hint: "CAST the column in the SQL to the type it should have, e.g. CAST(" + c.Name + " AS TEXT)",
	}
}

func (w *parquetWriter) flushBatch() error {
	if w.n == 0 {
		return nil
	}
	_, err := w.w.WriteRows(w.batch[:w.n])
	w.n = 0
	return err
}

func (w *parquetWriter) close() error {
	if w.w == nil {
		if err := w.drain(); err != nil {
			return err
		}
	}
	if err := w.flushBatch(); err != nil {
		return err
	}
	return w.w.Close()
}
