package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// outFile is -f FILE: the results go to a temporary file beside FILE,
// renamed over it only when the run succeeds, so that a run that fails
// (bad usage, a syntax error, a missing token, a signal) leaves FILE as
// it was.
//
// A symbolic link is followed (the file it names gets the results, the
// link stays), and a FIFO, a device or anything else that is not a
// regular file (/dev/stdout, /dev/null, a named pipe) is written directly,
// as a shell's > does: renaming over it would replace it with a file.
type outFile struct {
	path string
	f    *os.File
	// direct is set when f is path itself (not a regular file).
	direct bool
}

// errNamesInput is a -f that names a folder or an input file: bad usage.
type errNamesInput struct{ msg string }

func (e errNamesInput) Error() string { return e.msg }

// createOutFile checks that path can take the results and names none of
// inputs (the query file, the --vars files), and opens its temporary file.
// A path that names a folder or an input is an errNamesInput.
func createOutFile(path string, inputs []string) (*outFile, error) {
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return nil, errNamesInput{fmt.Sprintf("-f %s is a folder: name a file", path)}
	case err == nil:
		for _, in := range inputs {
			if in == "" || in == "-" {
				continue
			}
			if ist, err := os.Stat(in); err == nil && os.SameFile(st, ist) {
				return nil, errNamesInput{fmt.Sprintf("-f %s is the input file %s: the results would overwrite it; write them to another file", path, in)}
			}
		}
	case !os.IsNotExist(err):
		return nil, err
	}
	if st != nil && !st.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, fmt.Errorf("cannot write %s: %v", path, err)
		}
		return &outFile{path: path, f: f, direct: true}, nil
	}
	if st != nil {
		// Through a symbolic link: the temporary file goes beside its
		// target, renamed over the target, and the link stays.
		if target, err := filepath.EvalSymlinks(path); err == nil {
			path = target
		}
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("cannot write %s: %v", path, err)
	}
	mode := os.FileMode(0o644)
	if st != nil {
		mode = st.Mode().Perm()
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &outFile{path: path, f: f}, nil
}

// commit puts the results in place.
func (o *outFile) commit() error {
	if o.direct {
		return o.f.Close()
	}
	if err := o.f.Close(); err != nil {
		os.Remove(o.f.Name())
		return err
	}
	if err := os.Rename(o.f.Name(), o.path); err != nil {
		os.Remove(o.f.Name())
		return err
	}
	return nil
}

// abort drops the results; the file keeps what it held.
func (o *outFile) abort() {
	o.f.Close()
	if !o.direct {
		os.Remove(o.f.Name())
	}
}
