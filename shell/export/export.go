// Package export writes statement results to files for the engines that
// read them at scale: Parquet (DuckDB, Spark, Trino, BigQuery, Athena,
// pyarrow), CSV and JSON Lines. It is a front end, a peer of the REPL: it
// runs statements through an engine.Session and writes each result to its
// own file as the rows arrive.
//
// A file is written under a temporary name in the target folder (a dot
// file ending in .tmp) and renamed to its final name only once complete,
// so an interrupted export leaves no file that looks whole.
package export

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apiql/apiql/engine"
)

// Format is an export file format.
type Format string

// The formats.
const (
	Parquet Format = "parquet"
	CSV     Format = "csv"
	JSONL   Format = "jsonl"
)

// Formats lists the formats, for help texts.
func Formats() []Format { return []Format{Parquet, CSV, JSONL} }

// ParseFormat returns the format named s.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case Parquet, CSV, JSONL:
		return f, nil
	case "":
		return "", errors.New("no export format: give --format parquet, csv or jsonl")
	}
	return "", fmt.Errorf("unknown export format %q: give parquet, csv or jsonl", s)
}

// Ext is the file name extension of the format, without the dot.
func (f Format) Ext() string { return string(f) }

// CheckName refuses a file name (without extension) that is not a plain
// name in the output folder.
func CheckName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("export name %q is not a file name", name)
	case strings.ContainsAny(name, `/\`+"\x00"):
		return fmt.Errorf("export name %q holds a path separator: names are files in --out", name)
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("export name %q starts with a dot, which temporary files use", name)
	}
	return nil
}

// errNullNotCSV refuses a NULL marker for a format that has its own null.
func errNullNotCSV(format Format) error {
	return &engine.Error{
		Msg:  fmt.Sprintf("--null sets what CSV writes NULL as; %s writes NULL as its own null", format),
		Hint: "drop --null, or export with --format csv",
	}
}

// rowWriter encodes rows in one format.
type rowWriter interface {
	// write encodes one row; the writer does not keep row after it returns.
	write(row []any) error
	// close writes what is buffered and any trailer (Parquet's footer).
	close() error
}

// File is one result being exported. Rows go to a temporary file in the
// target folder; Commit renames it to Path, Abort removes it.
type File struct {
	// Path is the final path, DIR/NAME.EXT.
	Path string
	tmp  *os.File
	buf  *bufio.Writer
	w    rowWriter
	rows int64
	done bool
}

// Create starts the file NAME.EXT in dir for a result with the given
// columns. Nothing appears under the final name until Commit. CSV writes
// NULL as an empty field (CreateNull changes that).
func Create(dir, name string, format Format, cols []engine.Column) (*File, error) {
	return CreateNull(dir, name, format, cols, nil)
}

// CreateNull is Create with null, when set, what CSV writes NULL as (as
// apiql exec --null); the other formats write NULL as their own null and
// refuse a marker.
func CreateNull(dir, name string, format Format, cols []engine.Column, null *string) (*File, error) {
	if null != nil && format != CSV {
		return nil, errNullNotCSV(format)
	}
	if err := CheckName(name); err != nil {
		return nil, err
	}
	final := filepath.Join(dir, name+"."+format.Ext())
	tmp, err := os.CreateTemp(dir, "."+name+"."+format.Ext()+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("creating the file for %s: %w", final, err)
	}
	// Readable as files os.Create makes are (CreateTemp makes them 0600).
	tmp.Chmod(0o644)
	f := &File{Path: final, tmp: tmp, buf: bufio.NewWriterSize(tmp, 256<<10)}
	switch format {
	case Parquet:
		f.w = newParquetWriter(f.buf, cols)
	case CSV, JSONL:
		f.w, err = newTextWriter(f.buf, format, cols, null)
	default:
		err = fmt.Errorf("unknown export format %q", format)
	}
	if err != nil {
		f.Abort()
		return nil, err
	}
	return f, nil
}

// WriteRow appends one row. Values are as engine results hold them: nil,
// int64, float64, bool, string or []byte.
func (f *File) WriteRow(row []any) error {
	if err := f.w.write(row); err != nil {
		return fmt.Errorf("row %d: %w", f.rows+1, err)
	}
	f.rows++
	return nil
}

// Rows is the number of rows written so far.
func (f *File) Rows() int64 { return f.rows }

// Commit completes the file, syncs it to disk and renames it to Path,
// replacing any file of that name.
func (f *File) Commit() error {
	if f.done {
		return errors.New("export file already closed")
	}
	err := f.w.close()
	if err == nil {
		err = f.buf.Flush()
	}
	if err == nil {
		err = f.tmp.Sync()
	}
	if cerr := f.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.tmp.Name(), f.Path)
	}
	f.done = true
	if err != nil {
		os.Remove(f.tmp.Name())
		return fmt.Errorf("writing %s: %w", f.Path, err)
	}
	return nil
}

// Abort removes the temporary file; nothing is left under Path. It does
// nothing after Commit.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.tmp.Close()
	os.Remove(f.tmp.Name())
}
