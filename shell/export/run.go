package export

import (
	"context"
	"fmt"
	"strconv"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/engine/sqltext"
)

// Options say where and how Run writes.
type Options struct {
	// Dir is the folder the files go to; it must exist.
	Dir    string
	Format Format
	// Names name the statements' files in order (NAME.EXT); a statement
	// past the names is named by its number (3.parquet).
	Names []string
	// Null, when set, is what CSV writes NULL as instead of an empty
	// field (a value equal to it is quoted, as in apiql exec -o csv);
	// only CSV takes it.
	Null *string
}

// Written is one statement's export.
type Written struct {
	// N is the statement's 1-based number.
	N    int
	Path string
	Rows int64
	// Err, when set, says why the statement or its file failed; no file
	// was left under Path.
	Err error
	// Outcome is the engine's account of the statement (traffic, time).
	Outcome engine.Outcome
}

// FileName is the name (without extension) of statement n's file.
func (o Options) FileName(n int) string {
	if n-1 < len(o.Names) {
		return o.Names[n-1]
	}
	return strconv.Itoa(n)
}

// Check refuses names that are not plain file names or that repeat, and a
// Null marker for a format other than CSV.
func (o Options) Check() error {
	if o.Null != nil && o.Format != CSV {
		return errNullNotCSV(o.Format)
	}
	seen := map[string]bool{}
	for _, n := range o.Names {
		if err := CheckName(n); err != nil {
			return err
		}
		if seen[n] {
			return fmt.Errorf("export name %q given twice: each statement needs its own file", n)
		}
		seen[n] = true
	}
	return nil
}

// CheckStatements refuses names that cannot go with n statements: more
// names than statements, or a name that is the default name (the number)
// of a statement past the names, which would make the two write the same
// file and lose the first one's. The error is an *engine.Error with a hint.
func (o Options) CheckStatements(n int) error {
	if len(o.Names) > n {
		return &engine.Error{
			Msg:  fmt.Sprintf("%d names for %d statements", len(o.Names), n),
			Hint: "give one --name per statement, in order",
		}
	}
	for i, name := range o.Names {
		k, err := strconv.Atoi(name)
		if err != nil || k <= len(o.Names) || k > n || strconv.Itoa(k) != name {
			continue
		}
		return &engine.Error{
			Msg: fmt.Sprintf("export name %q of statement %d is statement %d's default name: both would write %s.%s, and the first file would be lost",
				name, i+1, k, name, o.Format.Ext()),
			Hint: fmt.Sprintf("name statement %d too (one --name per statement, in order, up to it) or give statement %d a name that is not a statement number", k, i+1),
		}
	}
	return nil
}

// Run runs the statements of src in sess and streams each one's rows to
// its own file, calling report after each. It stops at the first statement
// that fails (report sees it) or when report returns false. A statement
// that returns no rows, only a message, writes no file.
func Run(ctx context.Context, sess *engine.Session, src string, o Options, report func(Written) bool) error {
	if err := o.Check(); err != nil {
		return err
	}
	if stmts, err := sqltext.Split(src); err == nil {
		if err := o.CheckStatements(len(stmts)); err != nil {
			return err
		}
	}
	var (
		path    string
		n       int64
		stmt    int
		fileErr error
	)
	err := sess.RunStream(ctx, src, func(out engine.Outcome, rows *engine.Rows) error {
		path, n, stmt, fileErr = "", 0, out.N, nil
		if len(rows.Columns) == 0 {
			return nil
		}
		path, n, fileErr = write(rows, o, out.N)
		return fileErr
	}, func(out engine.Outcome) bool {
		wr := Written{N: out.N, Path: path, Rows: n, Err: out.Err, Outcome: out}
		if wr.Err != nil {
			wr.Rows = 0
		}
		return report(wr) && wr.Err == nil
	})
	if fileErr != nil && err == fileErr {
		// The file failed (a value its column cannot hold, a full disk):
		// the statement's failure, not the run's.
		report(Written{N: stmt, Path: path, Err: fileErr})
		return nil
	}
	return err
}

// write streams one statement's rows to its file. The file is committed
// only when every row was read; an error among the rows (the API failed
// on a later page, Ctrl-C) removes it, and RunStream reports that error.
func write(rows *engine.Rows, o Options, n int) (string, int64, error) {
	f, err := CreateNull(o.Dir, o.FileName(n), o.Format, rows.Columns, o.Null)
	if err != nil {
		return "", 0, err
	}
	for rows.Next() {
		if err := f.WriteRow(rows.Row()); err != nil {
			f.Abort()
			return f.Path, 0, err
		}
	}
	if rows.Err() != nil {
		f.Abort()
		return f.Path, 0, nil
	}
	if err := f.Commit(); err != nil {
		return f.Path, 0, err
	}
	return f.Path, f.Rows(), nil
}
